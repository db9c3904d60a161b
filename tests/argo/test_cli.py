"""``autotune submit`` / ``schedule`` and the Argo side of ``status`` / ``retry``, end to end
over HTTP against the fake server: output, exit codes, and a token that never shows."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.argo.target import ArgoTarget
from pipelines.argo_cmds import argo_retry, argo_status
from steps.cli import main
from steps.errors import AutotuneError
from steps.store import Layout, LocalStore
from tests.argo.conftest import NAMESPACE, TOKEN, study_manifest
from tests.argo.fake_server import FakeArgoServer
from tests.argo.statuses import finished_status

TASK = f"""\
name: cli-demo
model: {{name: m}}
engine: {{kind: sglang}}
deploy: {{backend: ome, namespace: {NAMESPACE}, runtime: srt-demo}}
search: {{trials: 3, parameters: {{max-running-requests: {{type: int, low: 8, high: 64}}}}}}
benchmark: {{scenarios: ["D(100,100)"], concurrency: [1]}}
pipeline: {{schedule: "0 3 * * 1"}}
"""


@pytest.fixture
def task_file(tmp_path: Path) -> Path:
    path = tmp_path / "task.yaml"
    path.write_text(TASK)
    return path


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # urllib3 and friends say everything they would
    return caplog


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _no_token(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text


def test_submit_compiles_for_the_cluster_and_prints_the_run(
    argo: FakeArgoServer, task_file, debug_logs
):
    code, out = _cli("submit", str(task_file), "--argo-server", argo.url)
    assert code == 0, out
    (call,) = argo.calls("POST", f"/api/v1/workflows/{NAMESPACE}")  # deploy.namespace
    workflow = call.body["workflow"]
    assert workflow["spec"]["onExit"] == "exit-handler"  # cluster mode
    assert workflow["spec"]["arguments"]["parameters"][0]["value"] == "s3://inference-autotuner"
    name = next(n for (_, _, n) in argo.objects)
    assert f"workflow {name} submitted to namespace {NAMESPACE}" in out
    assert f"{argo.url}/workflows/{NAMESPACE}/{name}" in out
    assert call.authorized
    _no_token(out, debug_logs.text)


def test_submit_reads_the_server_from_the_environment_like_argo(
    argo: FakeArgoServer, task_file, monkeypatch
):
    monkeypatch.setenv("ARGO_SERVER", argo.url)
    monkeypatch.setenv("ARGO_NAMESPACE", "other")
    code, out = _cli("submit", str(task_file), "--image", "reg/steps:9")
    assert code == 0, out
    (call,) = argo.calls("POST", "/api/v1/workflows/other")
    images = {t["container"]["image"] for t in call.body["workflow"]["spec"]["templates"]
              if "container" in t}  # fmt: skip
    assert images == {"reg/steps:9"}


def test_submit_without_a_server_is_a_usage_error(task_file):
    code, out = _cli("submit", str(task_file))
    assert code == 2 and "--argo-server URL is required" in out


def test_a_bad_task_is_refused_before_any_request(argo: FakeArgoServer, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TASK.replace("trials: 3", "trials: 0"))
    code, out = _cli("submit", str(bad), "--argo-server", argo.url)
    assert code == 2 and "search.trials" in out
    assert argo.requests == []


def test_a_refused_token_exits_2_with_the_hint_and_without_the_token(
    argo: FakeArgoServer, task_file, debug_logs
):
    argo.token = "the-server-wants-this-one"
    code, out = _cli("submit", str(task_file), "--argo-server", argo.url)
    assert code == 2
    assert "not authenticated (401); $ARGO_TOKEN holds a token the server does not accept" in out
    _no_token(out, debug_logs.text)


def test_an_unreachable_server_exits_75(task_file):
    import socket

    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    code, out = _cli("submit", str(task_file), "--argo-server", url)
    assert code == 75 and f"cannot reach the Argo server at {url}" in out


def test_schedule_creates_the_cron_with_its_schedule(argo: FakeArgoServer, task_file, debug_logs):
    code, out = _cli("schedule", str(task_file), "--cron", "@daily", "--argo-server", argo.url)
    assert code == 0, out
    (call,) = argo.calls("POST", f"/api/v1/cron-workflows/{NAMESPACE}")
    cron = call.body["cronWorkflow"]
    assert cron["spec"]["schedules"] == ["@daily"]
    assert cron["spec"]["workflowSpec"]["onExit"] == "exit-handler"
    assert f"cron workflow cli-demo created in namespace {NAMESPACE}: @daily" in out
    code, out = _cli("schedule", "create", str(task_file), "--argo-server", argo.url)
    assert code == 2 and "already exists" in out  # the task's own schedule, same name
    _no_token(out, debug_logs.text)


def test_schedule_list_suspend_resume(argo: FakeArgoServer, task_file):
    server = ("--argo-server", argo.url, "--namespace", NAMESPACE)
    assert _cli("schedule", str(task_file), *server)[0] == 0
    code, out = _cli("schedule", "suspend", "cli-demo", *server)
    assert code == 0 and f"cron workflow cli-demo in namespace {NAMESPACE}: suspended" in out
    code, out = _cli("schedule", "list", *server)
    assert code == 0 and "cli-demo" in out and "0 3 * * 1" in out and "suspended" in out
    code, out = _cli("schedule", "resume", "cli-demo", *server)
    assert code == 0 and out.rstrip().endswith("active")
    code, out = _cli("schedule", "resume", "nope", *server)
    assert code == 2 and f"cron workflow nope not found in namespace {NAMESPACE}" in out


def _target(argo: FakeArgoServer) -> ArgoTarget:
    return ArgoTarget(argo.url, NAMESPACE, "ARGO_TOKEN", True)


def test_status_prints_the_node_table(argo: FakeArgoServer, capsys, debug_logs):
    manifest = study_manifest()
    argo.put_workflow(manifest, "demo-x7k2p")
    status = finished_status(
        manifest, "demo-x7k2p", lambda p: "Failed" if p == "slot-2.benchmark" else "Succeeded"
    )
    argo.set_status(NAMESPACE, "demo-x7k2p", status)
    argo_status(_target(argo), "demo-x7k2p")
    out = capsys.readouterr().out
    assert "demo-x7k2p: Succeeded" in out
    rows = [line for line in out.splitlines() if "benchmark" in line]
    assert len(rows) == 5 and sum("Failed" in row for row in rows) == 1
    assert f"{argo.url}/workflows/{NAMESPACE}/demo-x7k2p" in out
    _no_token(out, debug_logs.text)


def test_status_of_a_missing_run_is_one_line(argo: FakeArgoServer):
    with pytest.raises(AutotuneError) as missing:
        argo_status(_target(argo), "gone")
    assert str(missing.value).startswith(f"workflow gone not found in namespace {NAMESPACE}")


def test_retry_clears_the_slots_records_then_retries_its_nodes(
    argo: FakeArgoServer, tmp_path: Path, capsys, debug_logs
):
    store = LocalStore(tmp_path / "store")
    layout = Layout("demo")
    for slot in (2, 3):
        store.write_text(layout.params(slot), "{}")
        store.write_text(layout.result(slot), "{}")
    manifest = study_manifest(store=store.uri)
    argo.put_workflow(manifest, "demo-x7k2p")
    argo.set_status(NAMESPACE, "demo-x7k2p", finished_status(manifest, "demo-x7k2p"))
    argo_retry(_target(argo), "demo-x7k2p", 3)
    assert store.list(f"{layout.trial(3)}/") == []  # the rerun suggests and measures anew
    assert store.exists(layout.result(2))
    (call,) = argo.calls("PUT", "/retry")
    assert call.body["nodeFieldSelector"] == "inputs.parameters.slot.value=3"
    assert call.body["restartSuccessful"] is True
    out = capsys.readouterr().out
    assert f"study demo: slot 3 records deleted from {store.uri}" in out
    assert "workflow demo-x7k2p: slot 3 restarted (Running)" in out
    _no_token(out, debug_logs.text)


def test_retry_of_a_running_workflow_changes_nothing(argo: FakeArgoServer, tmp_path: Path):
    store = LocalStore(tmp_path / "store")
    store.write_text(Layout("demo").result(1), "{}")
    manifest = study_manifest(store=store.uri)
    argo.put_workflow(manifest, "demo-x7k2p")
    status = finished_status(manifest, "demo-x7k2p")
    argo.set_status(NAMESPACE, "demo-x7k2p", {**status, "phase": "Running"})
    with pytest.raises(AutotuneError, match="is Running") as refused:
        argo_retry(_target(argo), "demo-x7k2p", 1)
    assert refused.value.exit_code == 2
    assert store.exists(Layout("demo").result(1)) and not argo.calls("PUT")


def test_status_and_retry_commands_go_to_argo_with_argo_server(
    argo: FakeArgoServer, tmp_path: Path, debug_logs
):
    store = LocalStore(tmp_path / "store")
    store.write_text(Layout("demo").result(4), "{}")
    manifest = study_manifest(store=store.uri)
    argo.put_workflow(manifest, "demo-x7k2p")
    argo.set_status(NAMESPACE, "demo-x7k2p", finished_status(manifest, "demo-x7k2p"))
    server = ("--argo-server", argo.url, "--namespace", NAMESPACE)
    code, out = _cli("status", "demo-x7k2p", *server)
    assert code == 0 and "demo-x7k2p: Succeeded" in out and "slot-4" in out
    code, out = _cli("retry", "demo-x7k2p", "--slot", "4", *server)
    assert code == 0 and "slot 4 restarted" in out
    assert not store.exists(Layout("demo").result(4))
    code, out = _cli("status", "gone", *server)
    assert code == 2 and out.startswith(f"error: workflow gone not found in namespace {NAMESPACE}")
    code, out = _cli("retry", "demo-x7k2p", "--slot", "4", *server)  # Running now
    assert code == 2 and "is Running" in out
    _no_token(out, debug_logs.text)


def test_an_exported_argo_server_does_not_turn_local_status_into_argo(
    argo: FakeArgoServer, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("ARGO_SERVER", argo.url)
    code, out = _cli("status", "demo", "--store", str(tmp_path))
    assert code == 2 and "no studies/demo/workflow/status.json" in out
    assert argo.requests == []


def test_a_study_on_argo_needs_a_store_its_pods_share(argo: FakeArgoServer, task_file, tmp_path):
    code, out = _cli("submit", str(task_file), "--argo-server", argo.url, "--store", str(tmp_path))
    assert code == 2 and "a study on Argo needs an S3 store" in out
    assert argo.requests == []
