"""Background local runs: started detached, found again from the store, stopped with
engines torn down, refused while one is busy; and retry of one slot. Real processes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from steps.errors import TaskError
from steps.records import DeployRecord
from steps.spec import task_from_dict
from steps.store import Layout, LocalStore
from tests.ui.conftest import UiEnv
from tests.ui.helpers import fake_engine, pid_alive, status, task_dict, wait_for
from ui import runs
from ui.studies import summarize


def _slot0_waiting(store: LocalStore, study: str) -> bool:
    record = status(store, study) or {}
    return any(
        n["name"] == f"{study}.slot-0.wait-ready" and n["phase"] == "Running"
        for n in record.get("nodes", {}).values()
    )


def test_a_run_outlives_its_starter_and_stop_tears_its_engine_down(ui_env: UiEnv) -> None:
    engine = fake_engine(ui_env.tmp)
    task = task_from_dict(task_dict(name="ui-stop", engine={"binary": engine}))
    runner = runs.start_run(ui_env.store, task, None, ui_env.state)
    try:
        # its own session: a signal to the app's process group (Ctrl-C) does not reach it
        assert os.getsid(runner.pid) == runner.pid != os.getsid(0)
        found = runs.read_runner(ui_env.store, "ui-stop")  # what a refreshed page reads
        assert found is not None and found.pid == runner.pid and found.alive()
        wait_for(lambda: _slot0_waiting(ui_env.store, "ui-stop"), 60, "slot 0 waiting")
        assert summarize(ui_env.store, "ui-stop").phase == "Running"
        with pytest.raises(TaskError, match="already being worked on"):
            runs.start_run(ui_env.store, task, None, ui_env.state)
        deploy = ui_env.store.read_model(Layout("ui-stop").deploy(0), DeployRecord)
        engine_pid = int(deploy.handle["pid"])
        assert pid_alive(engine_pid)

        assert runs.stop(ui_env.store, "ui-stop")
        assert runs.wait(runner, 60)
    finally:
        if runner.alive():
            os.kill(runner.pid, 9)
    assert not pid_alive(engine_pid)  # the executor tore the engine down
    record = status(ui_env.store, "ui-stop") or {}
    assert record["phase"] == "Failed" and "SIGTERM" in record.get("message", "")
    summary = summarize(ui_env.store, "ui-stop")
    assert summary.phase == "Failed"
    assert not runs.stop(ui_env.store, "ui-stop")  # nothing left to stop


def test_retry_reruns_one_slot_in_the_background(
    ui_env: UiEnv, failed_study: tuple[LocalStore, str]
) -> None:
    source, study = failed_study
    shutil.copytree(source.root, ui_env.store.root)
    layout = Layout(study)
    before = ui_env.store.read_text(layout.result(1))
    runner = runs.start_retry(ui_env.store, study, 1, ui_env.state)
    assert runner.action == "retry" and runner.slot == 1
    assert runs.wait(runner, 120), runner.log_tail()
    after = ui_env.store.read_text(layout.result(1))
    assert after != before  # decided again (a new finished_at at least)
    assert (status(ui_env.store, study) or {}).get("phase") == "Succeeded"
    assert "slot 1 records deleted" in Path(runner.log_path).read_text()


def test_a_runner_that_died_unrecorded_shows_as_failed(ui_env: UiEnv) -> None:
    task = task_from_dict(task_dict(name="ui-dies"))
    runner = runs.start_run(ui_env.store, task, None, ui_env.state)
    os.kill(runner.pid, 9)  # no chance to record anything
    assert runs.wait(runner, 10)
    summary = summarize(ui_env.store, "ui-dies")
    assert summary.phase == "Failed"
