"""The new-study form in Streamlit's AppTest: a valid task submits and starts a real
background run; each invalid field shows autotune validate's message and submits nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from steps.errors import TaskError
from steps.spec import load_task
from tests.ui.apptest import errors, open_page, shows, texts
from tests.ui.conftest import UiEnv
from tests.ui.helpers import FAILING_ENGINE, wait_for
from ui import runs
from ui.textfmt import plain

FORM = "app_pages/new_study.py"


def form(ui_env: UiEnv) -> AppTest:
    at = open_page(FORM)
    assert not errors(at), errors(at)  # the demo study it starts from is valid
    return at


def edit(app: AppTest, **values: Any) -> AppTest:
    at = app
    for name, value in values.items():
        widget = at.session_state  # tables are set the way an edit in the editor leaves them
        if name in ("params", "fixed", "slos"):
            version = widget[f"f_{name}_version"] + 1 if f"f_{name}_version" in widget else 1
            widget[f"f_{name}"] = value
            widget[f"f_{name}_edited"] = value
            widget[f"f_{name}_version"] = version
            continue
        found = [w for w in _widgets(at) if getattr(w, "key", None) == f"f_{name}"]
        assert found, f"no widget f_{name}"
        found[0].set_value(value)
    return at.run()


def _widgets(at: AppTest) -> list[Any]:
    kinds = ("text_input", "number_input", "selectbox", "multiselect", "radio", "checkbox",
             "text_area")  # fmt: skip
    return [w for kind in kinds for w in getattr(at, kind)]


def cli_lines(at: AppTest, tmp: Path) -> list[str]:
    """What `autotune validate` prints for the task the form holds (file prefix removed)."""
    from ui.taskform import FormValues, to_task_dict
    from ui.views.form_state import SAVED

    data, _ = to_task_dict(FormValues(**at.session_state[SAVED]))
    path = tmp / "form-task.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        load_task(path)
    except TaskError as exc:
        return [line.removeprefix(f"{path}: ") for line in exc.problems]
    return []


def submit(at: AppTest) -> AppTest:
    [button] = [b for b in at.button if b.key == "submit_local"]
    return button.click().run()


def nothing_submitted(ui_env: UiEnv) -> bool:
    return not (ui_env.store.root / "studies").exists() and not ui_env.state.exists()


INVALID: dict[str, dict[str, Any]] = {
    "name": {"name": "Bad_Name"},
    "model name": {"model_name": ""},
    "weights": {"model_path": "weights; rm -rf /"},
    "ready timeout": {"ready_timeout_s": 0},
    "trials": {"trials": 0},
    "parallelism": {"parallelism": 13},
    "seed": {"seed": -1},
    "scenarios": {"scenarios": "D(100,64) X(1)"},
    "concurrency": {"concurrency": "8, 0"},
    "max requests": {"max_requests_per_run": 0},
    "scored run": {"concurrency": "4, 8", "at": "auto"},
    "nsga2 needs two metrics": {"strategy": "nsga2"},
    "schedule": {"schedule": "every day"},
    "ome without runtime": {"backend": "ome"},
    "parameter range": {"params": [{"flag": "parallel", "type": "int", "low": 8, "high": 2}]},
    "parameter value": {"params": [{"flag": "batch-size", "type": "int", "values": "0, 64"}]},
    "unknown flag": {"params": [{"flag": "paralel", "type": "int", "values": "1, 2"}]},
    "no parameter": {"params": []},
    "fixed flag": {"fixed": [{"flag": "ctx-size", "value": "-1"}]},
    "slo": {"slos": [{"slo": "ttft_p90_ms", "value": -5.0}]},
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_an_invalid_field_shows_its_message_and_submits_nothing(case: str, ui_env: UiEnv) -> None:
    at = edit(form(ui_env), **INVALID[case])
    expected = cli_lines(at, ui_env.tmp)
    assert expected, f"{case}: the CLI finds nothing wrong"
    for line in expected:
        assert shows(at, line), f"{case}: {line!r} not among {errors(at)}"
    at = submit(at)
    assert any("Not submitted" in text for text in errors(at))
    assert nothing_submitted(ui_env)


def test_a_valid_task_submits_a_background_run_and_opens_its_page(ui_env: UiEnv) -> None:
    at = edit(
        form(ui_env),
        name="ui-form",
        engine_binary=FAILING_ENGINE,  # the run ends quickly: every slot infeasible
        trials=2,
        params=[{"flag": "parallel", "type": "int", "values": "2, 4"}],
        max_requests_per_run=8,
    )
    assert not errors(at), errors(at)
    assert "The task is valid." in texts(at)
    at = submit(at)
    assert not at.exception, at.exception
    runner = runs.read_runner(ui_env.store, "ui-form")
    assert runner is not None and runner.action == "run"
    try:
        assert "Study ui-form" in [t.value for t in at.title]  # the study page
        assert runs.wait(runner, 180), runner.log_tail()
    finally:
        if runner.alive():
            os.kill(runner.pid, 9)
    task = load_task(Path(runner.argv[runner.argv.index("run") + 1]))
    assert task.search.trials == 2 and task.engine.binary == FAILING_ENGINE
    assert ui_env.store.exists("studies/ui-form/report/summary.md")
    wait_for(lambda: not runner.alive(), 5, "runner gone")


def test_import_fills_the_form_and_lists_the_files_problems(ui_env: UiEnv) -> None:
    path = ui_env.tmp / "imported.yaml"
    data = yaml.safe_load((Path(__file__).parents[2] / "examples/grid-llamacpp.yaml").read_text())
    data["name"] = "Imported_Bad"
    path.write_text(yaml.safe_dump(data))
    at = form(ui_env)
    at.text_input(key="import_path").set_value(str(path)).run()
    [load] = [b for b in at.button if b.label == "Load the file"]
    at = load.click().run()
    assert at.text_input(key="f_name").value == "Imported_Bad"
    assert at.selectbox(key="f_strategy").value == "grid"
    line = plain(f"{path}: name: 'Imported_Bad' is not a DNS-1123 label")
    assert any(line in str(w.value) for w in at.warning)
    assert shows(
        at,
        "name: 'Imported_Bad' is not a DNS-1123 label; allowed: lowercase letters, "
        "digits and '-', starting and ending with a letter or digit, at most 40 characters",
    )


def test_adding_a_known_flag_appends_a_row_that_validates(ui_env: UiEnv) -> None:
    at = form(ui_env)
    at.selectbox(key="f_add_flag").set_value("threads-batch").run()
    [add] = [b for b in at.button if b.key == "f_add"]
    at = add.click().run()
    flags = [row["flag"] for row in at.session_state["f_params_edited"]]
    assert flags[-1] == "threads-batch"
    assert not errors(at)


def test_the_compiled_preview_and_export_follow_the_form(ui_env: UiEnv) -> None:
    at = edit(form(ui_env), name="preview-me")
    code = [c.value for c in at.code if "kind: Workflow" in c.value]
    assert code and "preview-me" in code[0]
    assert "generateName: preview-me-" in code[0]


def test_the_preview_can_show_what_argo_would_get(ui_env: UiEnv) -> None:
    at = form(ui_env)
    at = at.radio(key="preview_target").set_value("Argo (cluster mode)").run()
    [code] = [c.value for c in at.code if "kind: Workflow" in c.value]
    assert "podGC" in code and "s3://inference-autotuner" in code
