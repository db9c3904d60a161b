"""The form's values to a task and back: every example survives the round trip, the
tables turn into the task's parameters, and problems read as ``autotune validate``'s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from steps.errors import TaskError
from steps.spec import dump_task, load_task, task_from_dict
from tests.ui.helpers import task_dict
from ui.paramtable import parse_list, rows_to_parameters, rows_to_slo
from ui.taskform import FormValues, extra_paths, from_task_dict, to_task_dict
from ui.validation import check, section_of

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_survives_the_form(path: Path) -> None:
    task = load_task(path)
    data = yaml.safe_load(dump_task(task))
    values = from_task_dict(data)
    back, problems = to_task_dict(values)
    assert problems == []
    assert task_from_dict(back) == task


def test_keys_without_a_widget_pass_through_and_are_named() -> None:
    data = task_dict(benchmark={"warmup_ratio": 0.2}, deploy={"acces": "service"})
    values = from_task_dict(data)
    assert extra_paths(values.extra) == ["deploy.acces", "benchmark.warmup_ratio"]
    back, _ = to_task_dict(values)
    assert back["benchmark"]["warmup_ratio"] == 0.2
    checked = check(values)  # the typo is not lost: it gets the CLI's message
    assert any(p.startswith("deploy.acces: unknown key 'acces'") for p in checked.problems)


def test_table_rows_become_parameters_with_the_types_the_model_wants() -> None:
    rows: list[dict[str, Any]] = [
        {"flag": "parallel", "type": "int", "low": 1.0, "high": 16.0, "log": True},
        {"flag": "--threads", "type": "int", "values": "1, 2"},
        {"flag": "flash-attn", "type": "categorical", "values": "on, off", "low": 3.0},
        {"flag": "defrag-thold", "type": "float", "values": "0.1, 1"},
        {"flag": "", "type": "int"},  # the editor's empty last row
    ]
    parameters, problems = rows_to_parameters(rows)
    assert problems == []
    assert parameters == {
        "parallel": {"type": "int", "low": 1, "high": 16, "log": True},
        "threads": {"type": "int", "values": [1, 2]},
        "flash-attn": {"type": "categorical", "choices": ["on", "off"]},
        "defrag-thold": {"type": "float", "values": [0.1, 1.0]},
    }
    assert isinstance(parameters["parallel"]["low"], int)


def test_a_flag_twice_in_the_table_is_a_problem_of_its_own() -> None:
    _, problems = rows_to_parameters([{"flag": "parallel", "values": "1"}] * 2)
    assert problems == [
        "search.parameters.parallel: --parallel is in the table twice; allowed: each flag once"
    ]


def test_an_slo_without_a_limit_is_named() -> None:
    slo, problems = rows_to_slo([{"slo": "ttft_p90_ms", "value": None}, {"slo": "", "value": 3}])
    assert slo == {}
    assert problems == ["objective.slo.ttft_p90_ms: the limit is empty; allowed: a number"]


def test_cell_text_reads_like_yaml_scalars() -> None:
    assert parse_list("1, 2.5, true, q8_0, ") == [1, 2.5, True, "q8_0"]


def _form_problems(values: FormValues) -> list[str]:
    return check(values).problems


def _cli_problems(data: dict[str, object], tmp_path: Path) -> list[str]:
    path = tmp_path / "task.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(TaskError) as caught:
        load_task(path)
    return [line.removeprefix(f"{path}: ") for line in caught.value.problems]


BROKEN: dict[str, dict[str, Any]] = {
    "name": {"name": "Bad_Name"},
    "trials": {"search": {"trials": 0}},
    "parallelism": {"search": {"trials": 2, "parallelism": 3}},
    "scenario": {"benchmark": {"scenarios": ["X(1)"]}},
    "concurrency": {"benchmark": {"concurrency": [0]}},
    "slo": {"objective": {"metric": "output_throughput", "slo": {"ttft_p90_ms": -5}}},
    "param range": {"search": {"parameters": {"parallel": {"type": "int", "low": 8, "high": 2}}}},
    "unknown flag": {"search": {"parameters": {"paralel": {"type": "int", "values": [1]}}}},
    "schedule": {"pipeline": {"schedule": "every day"}},
    "ome runtime": {"deploy": {"backend": "ome"}},
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_the_form_says_what_autotune_validate_says(case: str, tmp_path: Path) -> None:
    data = task_dict(**BROKEN[case])
    if case == "param range" or case == "unknown flag":
        data["search"]["parameters"] = BROKEN[case]["search"]["parameters"]
    form = _form_problems(from_task_dict(data))
    assert form and form == _cli_problems(to_task_dict(from_task_dict(data))[0], tmp_path)


def test_problems_land_in_the_section_their_path_names() -> None:
    assert section_of("search.parameters.parallel.low: 8 ...") == "parameters"
    assert section_of("search.fixed.ctx-size: ...") == "fixed"
    assert section_of("search.trials: ...") == "search"
    assert section_of("name: ...") == "study"
    assert section_of("benchmark.concurrency[0]: ...") == "benchmark"
    assert section_of("<task>: not a mapping") == "general"
