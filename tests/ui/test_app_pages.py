"""The studies list and the study page in AppTest, over real local studies in a store."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from steps.spec import task_from_dict
from steps.store import LocalStore
from tests.ui.apptest import open_page, texts
from tests.ui.conftest import UiEnv
from tests.ui.helpers import fake_engine, status, task_dict, wait_for
from ui import runs

STUDY = "app_pages/study.py"
STUDIES = "app_pages/studies.py"


def use_store(ui_env: UiEnv, source: LocalStore) -> None:
    shutil.copytree(source.root, ui_env.store.root, dirs_exist_ok=True)


def grid_phases(at: AppTest) -> dict[str, list[str]]:
    """Phases per grid row, read from the grid's HTML (row label -> cells)."""
    body = next(
        e.proto.body
        for e in at.get("html")
        if "at-grid" in e.proto.body and "<table" in e.proto.body
    )
    rows = {}
    for label, cells in re.findall(r'<td class="at-slot">([^<]+)</td>(.*?)</tr>', body, re.S):
        rows[label] = re.findall(r'data-phase="(\w+)"', cells)
    return rows


def test_the_studies_list_shows_each_local_study(
    ui_env: UiEnv, failed_study: tuple[LocalStore, str], real_study: tuple[LocalStore, str]
) -> None:
    use_store(ui_env, failed_study[0])
    use_store(ui_env, real_study[0])
    at = open_page(STUDIES)
    table = at.dataframe[0].value.set_index("study")
    assert list(table.index) == ["ui-failing", "ui-real"]
    assert table.loc["ui-failing", "phase"].endswith("Succeeded")
    assert table.loc["ui-failing", "slots"] == "2/2"
    assert table.loc["ui-failing", "best"] == ""
    assert table.loc["ui-real", "slots"] == "2/2"
    assert re.match(r"output throughput [0-9.]+ tok/s \(slot [01]\)", table.loc["ui-real", "best"])
    assert table.loc["ui-real", "started"] != "-" and table.loc["ui-real", "finished"] != "-"


def test_the_study_page_of_a_finished_real_study(
    ui_env: UiEnv, real_study: tuple[LocalStore, str]
) -> None:
    use_store(ui_env, real_study[0])
    at = open_page(STUDY, study="ui-real")
    assert [t.value for t in at.title] == ["Study ui-real"]
    phases = grid_phases(at)
    assert phases["slot 0"] == ["Succeeded"] * 7 and phases["slot 1"] == ["Succeeded"] * 7
    assert phases["report"] == ["Succeeded"]
    board = at.dataframe[0].value
    assert len(board) == 2 and list(board["rank"]) == ["1", "2"]
    assert "output throughput (tok/s) ↑" in board.columns
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2  # objective per trial, throughput vs latency
    metrics = [d.value for d in at.dataframe if "requests" in d.value.columns]
    assert metrics and metrics[0]["requests"].iloc[0] > 0  # genai-bench's run of the slot
    shown = texts(at)
    assert "Best configuration: slot" in shown
    downloads = [d for d in at.get("download_button") if "InferenceService" in d.proto.label]
    assert downloads
    assert "kind: InferenceService" in "\n".join(c.value for c in at.code)


def test_a_failed_slot_shows_its_reason_and_can_be_retried(
    ui_env: UiEnv, failed_study: tuple[LocalStore, str]
) -> None:
    use_store(ui_env, failed_study[0])
    at = open_page(STUDY, study="ui-failing")
    assert grid_phases(at)["slot 0"][3] == "Failed"  # wait-ready
    shown = texts(at)
    assert "engine exited before it was ready" in shown.replace("\\", "")
    retry = at.selectbox(key="retry_slot_ui-failing")
    assert retry.options == ["0", "1"]
    [button] = [b for b in at.button if b.key == "retry_ui-failing"]
    at = retry.set_value(1).run()
    [button] = [b for b in at.button if b.key == "retry_ui-failing"]
    at = button.click().run()
    runner = runs.read_runner(ui_env.store, "ui-failing")
    assert runner is not None and runner.action == "retry" and runner.slot == 1
    try:
        assert runs.wait(runner, 120), runner.log_tail()
    finally:
        if runner.alive():
            os.kill(runner.pid, 9)
    assert (status(ui_env.store, "ui-failing") or {})["phase"] == "Succeeded"


def test_a_running_study_is_found_again_by_a_new_session_and_stopped(ui_env: UiEnv) -> None:
    task = task_from_dict(task_dict(name="ui-live", engine={"binary": fake_engine(ui_env.tmp)}))
    runner = runs.start_run(ui_env.store, task, None, ui_env.state)
    try:
        wait_for(lambda: status(ui_env.store, "ui-live"), 30, "the status record")
        first = open_page(STUDY, study="ui-live")
        assert "Running" in texts(first) or any(
            "Running" in h.proto.body for h in first.get("html")
        )
        # a browser refresh is a new session: nothing of the first one is needed
        second = open_page(STUDY, study="ui-live")
        [stop] = [b for b in second.button if b.key == "stop_ui-live"]
        stop.click().run()
        assert runs.wait(runner, 60)
    finally:
        if runner.alive():
            os.kill(runner.pid, 9)
    record = status(ui_env.store, "ui-live") or {}
    assert "SIGTERM" in record.get("message", "")
    after = open_page(STUDY, study="ui-live")
    assert not [b for b in after.button if b.key == "stop_ui-live"]


def test_an_unknown_study_says_so(ui_env: UiEnv) -> None:
    at = open_page(STUDY, study="nope")
    assert any("There is no study 'nope'" in str(e.value) for e in at.error)


@pytest.mark.parametrize("page", [STUDIES, STUDY, "app_pages/schedules.py"])
def test_an_empty_store_explains_what_to_do(ui_env: UiEnv, page: str) -> None:
    at = open_page(page)
    assert "New study" in texts(at) or "Schedules need Argo" in texts(at)
