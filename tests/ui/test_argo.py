"""The app's Argo side against the fake Argo server (real HTTP, strict request checks):
submit from the form, list runs, the study page's grid, retry by node, stop, schedules.
The token is set in the environment and must never appear on a page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.compile import compile_task
from pipelines.executor.status import node_id
from pipelines.options import CompileOptions
from steps.store import Layout
from tests.argo.fake_server import FakeArgoServer
from tests.argo.statuses import finished_status
from tests.pipelines.helpers import make_task
from tests.ui.apptest import errors, open_page, texts
from tests.ui.conftest import UiEnv
from ui.textfmt import plain

TOKEN = "v2:ui-Fake-Token.NEVER-SHOWN-93kd"
NAMESPACE = "tuning"
pytestmark = pytest.mark.filterwarnings("ignore:The `json` method is deprecated")


@pytest.fixture
def argo(ui_env: UiEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArgoServer]:
    with FakeArgoServer(token=TOKEN) as server:
        monkeypatch.setenv("ARGO_TOKEN", TOKEN)
        monkeypatch.setenv("ARGO_SERVER", server.url)
        monkeypatch.setenv("ARGO_NAMESPACE", NAMESPACE)
        yield server


def seeded(argo: FakeArgoServer, ui_env: UiEnv, name: str, failing: str | None) -> dict[str, Any]:
    """A finished 5-slot study run (parallelism 2) whose steps write to the app's store;
    ``failing``: the node path (``slot-3.benchmark``) that failed."""
    task = make_task(cluster={"namespace": NAMESPACE})
    manifest = compile_task(task, CompileOptions(store=ui_env.store.uri, mode="cluster"))
    argo.put_workflow(manifest, name)

    def outcome(path: str) -> str:
        return "Failed" if path == failing else "Succeeded"

    argo.set_status(NAMESPACE, name, finished_status(manifest, name, outcome))
    return argo.workflow(NAMESPACE, name)


def no_token(at: AppTest) -> None:
    everything = texts(at) + "".join(str(w.value) for w in at.text_input)
    everything += "".join(str(c.value) for c in at.code) + "".join(errors(at))
    assert TOKEN not in everything


def test_the_form_submits_to_argo(argo: FakeArgoServer, ui_env: UiEnv) -> None:
    at = open_page("app_pages/new_study.py")
    at = at.radio(key="submit_target").set_value("Argo").run()
    assert at.text_input(key="argo_server").value == argo.url
    assert "token: read from $ARGO_TOKEN (set)" in texts(at)
    no_token(at)
    [button] = [b for b in at.button if b.key == "submit_argo"]
    at = button.click().run()
    assert not at.exception, at.exception
    [created] = argo.calls("POST", f"/workflows/{NAMESPACE}")
    assert created.authorized
    workflow = created.body["workflow"]
    assert workflow["metadata"]["generateName"] == "cpu-demo-"
    run = next(key[2] for key in argo.objects if key[0] == "workflows")
    assert at.query_params["argo"] == [run] or at.query_params["argo"] == run
    no_token(at)


def test_the_studies_list_shows_argo_runs(argo: FakeArgoServer, ui_env: UiEnv) -> None:
    wf = seeded(argo, ui_env, "demo-abc12", failing="slot-3.benchmark")
    at = open_page("app_pages/studies.py")
    [table] = [d.value for d in at.dataframe if "argo" in set(d.value["where"])]
    row = table.set_index("study").loc["demo"]
    assert row["phase"].endswith(wf["status"]["phase"])
    assert row["slots"] == "5/5"
    assert row["started"] != "-"
    no_token(at)


def test_the_study_page_of_an_argo_run_retries_a_failed_slot_by_node(
    argo: FakeArgoServer, ui_env: UiEnv
) -> None:
    seeded(argo, ui_env, "demo-abc12", failing="slot-3.benchmark")
    slot_file = Layout("demo").result(3)
    ui_env.store.write_text(slot_file, "{}")  # the slot's old record, to be forgotten
    at = open_page("app_pages/study.py", argo="demo-abc12", ns=NAMESPACE)
    assert [t.value for t in at.title] == ["Study demo (Argo run demo-abc12)"]
    grid = next(h.proto.body for h in at.get("html") if "<table" in h.proto.body)
    assert 'data-phase="Failed"' in grid
    link = f"nodeId={node_id('demo-abc12', 'demo-abc12.slot-3.benchmark')}"
    assert link in texts(at)
    assert at.selectbox(key="argo_retry_slot_demo-abc12").options == ["3"]
    [retry] = [b for b in at.button if b.key == "argo_retry_demo-abc12"]
    at = retry.click().run()
    [call] = argo.calls("PUT", "/demo-abc12/retry")
    assert call.body["nodeFieldSelector"] == "inputs.parameters.slot.value=3"
    assert call.body["restartSuccessful"] is True
    assert not ui_env.store.exists(slot_file)
    assert "Retrying slot 3." in texts(at)
    no_token(at)


def test_stop_asks_argo_to_stop_the_run(argo: FakeArgoServer, ui_env: UiEnv) -> None:
    wf = seeded(argo, ui_env, "demo-run01", failing=None)
    argo.set_status(NAMESPACE, "demo-run01", {**wf["status"], "phase": "Running"})
    at = open_page("app_pages/study.py", argo="demo-run01", ns=NAMESPACE)
    [stop] = [b for b in at.button if b.key == "argo_stop_demo-run01"]
    at = stop.click().run()
    [call] = argo.calls("PUT", "/demo-run01/stop")
    assert call.authorized and call.body == {"name": "demo-run01", "namespace": NAMESPACE}
    assert argo.workflow(NAMESPACE, "demo-run01")["spec"]["shutdown"] == "Stop"
    assert "Stop requested: the exit handler tears down." in texts(at)
    no_token(at)


def test_schedules_are_created_listed_suspended_and_resumed(
    argo: FakeArgoServer, ui_env: UiEnv
) -> None:
    at = open_page("app_pages/new_study.py")  # the form's task is what gets scheduled
    at.switch_page("app_pages/schedules.py").run()
    at.text_input(key="cron_expr").set_value("0 4 * * 1").run()
    [create] = [b for b in at.button if b.key == "cron_create"]
    at = create.click().run()
    assert not errors(at), errors(at)
    cron = argo.cron(NAMESPACE, "cpu-demo")
    assert cron["spec"]["schedules"] == ["0 4 * * 1"]
    table = at.dataframe[0].value
    assert list(table["name"]) == ["cpu-demo"] and list(table["state"]) == ["active"]
    [suspend] = [b for b in at.button if b.key == "suspend_cpu-demo"]
    at = suspend.click().run()
    assert argo.cron(NAMESPACE, "cpu-demo")["spec"]["suspend"] is True
    [resume] = [b for b in at.button if b.key == "resume_cpu-demo"]
    resume.click().run()
    assert argo.cron(NAMESPACE, "cpu-demo")["spec"]["suspend"] is False
    no_token(at)


def test_a_refused_token_is_explained_without_showing_it(
    argo: FakeArgoServer, ui_env: UiEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGO_TOKEN", "wrong-" + TOKEN)
    at = open_page("app_pages/studies.py")
    assert any(plain("not authenticated (401)") in e for e in errors(at))
    assert "wrong-" not in "".join(errors(at)) + texts(at)


def test_schedules_without_argo_say_plainly_that_they_need_it(ui_env: UiEnv) -> None:
    at = open_page("app_pages/schedules.py")
    assert "Schedules need Argo" in texts(at)
