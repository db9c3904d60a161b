"""Loading: relative paths, round trips, parse errors, JSON and YAML alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from steps.errors import TaskError
from steps.spec import dump_task, load_task, parse_text, task_from_dict
from tests.spec.tasks import base

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def write(folder: Path, data: dict[str, object], name: str = "task.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_dump_then_load_is_identity(path: Path) -> None:
    task = load_task(path)
    again = task_from_dict(parse_text(dump_task(task)))
    assert again == task
    assert dump_task(again) == dump_task(task)


def test_round_trip_of_every_field() -> None:
    data = base()
    data.update(
        description="all fields\nsecond line",
        engine={"kind": "llama.cpp", "binary": "/opt/llama/bin/llama-server"},
        deploy={"backend": "local", "ready_timeout_s": 60, "namespace": "ns", "runtime": "rt.v1"},
        pipeline={
            "image": "reg/steps:1",
            "trial_timeout_s": 99,
            "step_retries": 0,
            "schedule": "@daily",
        },
    )
    data["model"]["tokenizer"] = "org/tok"
    data["search"].update(seed=3, parallelism=2, baseline=False)
    data["search"]["parameters"].update(
        {
            "defrag-thold": {"type": "float", "low": 0.1, "high": 0.5, "step": 0.1},
            "flash-attn": {"type": "categorical", "choices": ["on", "off"]},
            "mlock": {"type": "categorical", "choices": [True, False]},
            "new-flag": {"type": "categorical", "choices": ["a", 1, 2.5], "raw": True},
        }
    )
    data["search"]["fixed"] = {"ctx-size": 4096, "cache-type-k": "f16", "no-mmap": True}
    data["objective"] = {
        "metric": ["output_throughput", "ttft"],
        "direction": ["maximize", "minimize"],
        "stat": "p90",
        "at": {"scenario": "D(100,64)", "concurrency": 8},
        "slo": {"ttft_p90_ms": 1500.5, "max_error_rate": 0.0},
    }
    data["search"]["strategy"] = "nsga2"
    data["benchmark"].update(api_key_env="ENGINE_KEY", warmup_ratio=0.1)
    task = task_from_dict(data)
    assert task_from_dict(yaml.safe_load(dump_task(task))) == task


def test_relative_model_paths_follow_the_task_file(tmp_path: Path) -> None:
    data = base()
    data["model"] = {"name": "m", "path": "../models/m.gguf", "tokenizer": "./tok"}
    task = load_task(write(tmp_path / "tasks", data))
    assert task.model.path == str((tmp_path / "models" / "m.gguf").resolve())
    assert task.model.tokenizer == str((tmp_path / "tasks" / "tok").resolve())


def test_absolute_paths_and_model_ids_are_left_alone(tmp_path: Path) -> None:
    data = base()
    data["model"] = {"name": "m", "path": "/srv/m.gguf", "tokenizer": "meta-llama/Llama-3.2-1B"}
    task = load_task(write(tmp_path, data))
    assert (task.model.path, task.model.tokenizer) == ("/srv/m.gguf", "meta-llama/Llama-3.2-1B")


def test_json_task_files_load_too(tmp_path: Path) -> None:
    path = tmp_path / "task.json"
    path.write_text(json.dumps(base()))
    assert load_task(path).name == "spec-test"


def test_every_problem_line_starts_with_the_file(tmp_path: Path) -> None:
    data = base()
    data["benchmark"]["concurrency"] = [0, -1]
    path = write(tmp_path, data)
    with pytest.raises(TaskError) as caught:
        load_task(path)
    assert caught.value.problems == [
        f"{path}: benchmark.concurrency[0]: 0 is out of range; allowed: > 0",
        f"{path}: benchmark.concurrency[1]: -1 is out of range; allowed: > 0",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "a task is a mapping of keys, got list"),
        ("name: [unclosed", "not valid YAML or JSON"),
        ('{"name": "a", "name": "b"}', "key 'name' appears twice"),
        (
            "search:\n  trials: 3\n  trials: 4\n",
            "key 'trials' appears twice in one mapping (line 3)",
        ),
    ],
)
def test_parse_problems_name_the_origin(text: str, message: str) -> None:
    with pytest.raises(TaskError) as caught:
        parse_text(text, "here.yaml")
    (line,) = caught.value.problems
    assert line.startswith("here.yaml: ") and message in line
