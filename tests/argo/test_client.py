"""The Argo client against the fake server over HTTP: what it sends, what it makes of answers."""

from __future__ import annotations

import copy

import pytest

from pipelines import naming
from pipelines.argo import (
    ArgoClient,
    ArgoConnection,
    ArgoError,
    ArgoUnavailable,
    argo_ui_node_url,
    slot_nodes,
    slot_selector,
)
from pipelines.argo.slots import check_retryable
from pipelines.compile import build
from pipelines.options import CompileOptions
from steps.errors import EXIT_BAD_INPUT, EXIT_TRANSIENT, TaskError
from tests.argo.conftest import NAMESPACE, study_manifest
from tests.argo.fake_server import FakeArgoServer
from tests.argo.statuses import finished_status
from tests.pipelines.helpers import make_task


def _finished(argo: FakeArgoServer, outcome=None, name: str = "demo-x7k2p") -> dict:
    manifest = study_manifest()
    argo.put_workflow(manifest, name)
    argo.set_status(NAMESPACE, name, finished_status(manifest, name, outcome))
    return copy.deepcopy(argo.workflow(NAMESPACE, name))


def test_submit_sends_the_compiled_workflow_with_the_token(argo: FakeArgoServer, client, token):
    workflow = build(make_task(cluster={"namespace": NAMESPACE}), CompileOptions(mode="cluster"))
    created = client.submit(workflow)
    assert created["metadata"]["name"].startswith("demo-")
    assert created["metadata"]["namespace"] == NAMESPACE
    (call,) = argo.calls("POST", f"/api/v1/workflows/{NAMESPACE}")
    assert call.authorized
    assert set(call.body) <= {"workflow", "namespace"}
    assert call.body["workflow"] == workflow.to_dict()  # what was compiled is what is sent
    assert argo.workflow(NAMESPACE, created["metadata"]["name"])["spec"]["onExit"]


def test_a_manifest_for_another_namespace_is_not_sent(argo: FakeArgoServer, client):
    workflow = build(make_task(), CompileOptions(mode="cluster", namespace="elsewhere"))
    with pytest.raises(TaskError, match="namespace elsewhere"):
        client.submit(workflow)
    assert argo.requests == []


def test_get_returns_the_status_nodes(argo: FakeArgoServer, client):
    _finished(argo)
    workflow = client.get("demo-x7k2p")
    nodes = workflow["status"]["nodes"]
    assert {n["displayName"] for n in nodes.values()} >= {"slot-3", "benchmark", "report"}
    assert workflow["status"]["phase"] == "Succeeded"


def test_find_takes_a_run_name_or_a_study_id(argo: FakeArgoServer, client):
    manifest = study_manifest()
    manifest["metadata"]["labels"][naming.LABEL_STUDY] = "demo"  # what labelsFrom sets
    argo.put_workflow(manifest, "demo-older")
    argo.put_workflow(manifest, "demo-newer")
    argo.objects[("workflows", NAMESPACE, "demo-older")]["metadata"]["creationTimestamp"] = (
        "2020-01-01T00:00:00Z"
    )
    assert client.find("demo-older")["metadata"]["name"] == "demo-older"
    assert client.find("demo")["metadata"]["name"] == "demo-newer"
    (listing,) = argo.calls("GET", f"/api/v1/workflows/{NAMESPACE}")
    assert listing.query["listOptions.labelSelector"] == [
        "app.kubernetes.io/part-of=inference-autotuner,inference-autotuner/study=demo"
    ]
    with pytest.raises(ArgoError, match=f"workflow nope not found in namespace {NAMESPACE}"):
        client.find("nope")


def test_retry_restarts_exactly_the_slots_nodes(argo: FakeArgoServer, client):
    # slot 3's deploy failed and teardown handled it: the slot is Succeeded
    workflow = _finished(argo, lambda path: "Failed" if path == "slot-3.deploy" else "Succeeded")
    slot3 = {n["id"] for n in slot_nodes(workflow, 3)}
    assert {n["displayName"] for n in slot_nodes(workflow, 3)} == {
        "slot-3", *naming.TRIAL_STEPS
    }  # fmt: skip
    before = set(workflow["status"]["nodes"])
    client.retry_slot("demo-x7k2p", 3)
    (call,) = argo.calls("PUT", "/demo-x7k2p/retry")
    assert call.body == {
        "name": "demo-x7k2p",
        "namespace": NAMESPACE,
        "nodeFieldSelector": "inputs.parameters.slot.value=3",
        "restartSuccessful": True,
    }
    after = argo.workflow(NAMESPACE, "demo-x7k2p")["status"]
    removed = before - set(after["nodes"])
    names = {workflow["status"]["nodes"][i]["name"].removeprefix("demo-x7k2p.") for i in removed}
    # the slot's own nodes, and what Argo reruns downstream of them: slot 5 (same chain)
    # and the report; the other chain and slots before it are kept
    assert slot3 <= removed
    assert names - {n for n in names if n.startswith(("slot-3", "slot-5"))} == {"report"}
    assert not any(n.startswith(("slot-0", "slot-1", "slot-2", "slot-4", "init")) for n in names)
    assert after["phase"] == "Running"


def test_the_slot_selector_matches_one_slot_only():
    assert slot_selector(12) == "inputs.parameters.slot.value=12"
    workflow = {"status": finished_status(study_manifest(), "w")}
    for slot in range(5):
        nodes = slot_nodes(workflow, slot)
        assert {n["name"].split(".")[1] for n in nodes} == {f"slot-{slot}"}


def test_retry_is_refused_before_anything_changes_while_running_or_for_an_unrun_slot(
    argo: FakeArgoServer,
):
    workflow = _finished(argo)
    with pytest.raises(TaskError, match=r"--slot 9: workflow demo-x7k2p ran slots 0\.\.4"):
        check_retryable(workflow, 9)
    workflow["status"]["phase"] = "Running"
    with pytest.raises(TaskError, match="is Running"):
        check_retryable(workflow, 1)


def test_the_server_refusing_a_retry_is_one_clear_line(argo: FakeArgoServer, client):
    _finished(argo)
    argo.workflow(NAMESPACE, "demo-x7k2p")["status"]["phase"] = "Running"
    with pytest.raises(ArgoError) as refused:
        client.retry_slot("demo-x7k2p", 1)
    assert str(refused.value) == (
        "the Argo server refused to retry workflow demo-x7k2p: "
        "Cannot retry a workflow in phase Running"
    )


def test_cron_create_list_suspend_resume(argo: FakeArgoServer, client):
    task = make_task(cluster={"namespace": NAMESPACE})
    cron = build(task, CompileOptions(kind="cron", schedule="0 3 * * 1", mode="cluster"))
    created = client.create_cron(cron)
    (call,) = argo.calls("POST", f"/api/v1/cron-workflows/{NAMESPACE}")
    assert call.body["cronWorkflow"]["spec"]["schedules"] == ["0 3 * * 1"]
    assert call.body["cronWorkflow"] == cron.to_dict()
    assert created["metadata"]["name"] == "demo"
    assert [c["metadata"]["name"] for c in client.list_crons()] == ["demo"]
    assert client.suspend_cron("demo")["spec"]["suspend"] is True
    assert argo.cron(NAMESPACE, "demo")["spec"]["suspend"] is True
    assert client.resume_cron("demo")["spec"]["suspend"] is False
    (suspend,) = argo.calls("PUT", "/demo/suspend")
    assert suspend.body == {"name": "demo", "namespace": NAMESPACE}
    with pytest.raises(
        ArgoError, match=f"cron workflow demo already exists in namespace {NAMESPACE}"
    ):
        client.create_cron(cron)


def test_not_found_is_one_line_naming_the_workflow_and_namespace(client):
    with pytest.raises(ArgoError) as missing:
        client.get("gone-12345")
    message = str(missing.value)
    assert message.startswith(f"workflow gone-12345 not found in namespace {NAMESPACE}")
    assert "\n" not in message and missing.value.exit_code == EXIT_BAD_INPUT


def test_a_refused_token_says_which_variable_to_fix(argo: FakeArgoServer, monkeypatch):
    monkeypatch.setenv("MY_ARGO", "wrong-token")
    with (
        ArgoClient(ArgoConnection.create(argo.url, NAMESPACE, "MY_ARGO")) as client,
        pytest.raises(ArgoError, match=r"not authenticated \(401\); \$MY_ARGO holds a token"),
    ):
        client.get("x")
    monkeypatch.delenv("MY_ARGO")
    with (
        ArgoClient(ArgoConnection.create(argo.url, NAMESPACE, "MY_ARGO")) as client,
        pytest.raises(ArgoError, match=r"\$MY_ARGO is not set"),
    ):
        client.get("x")
    assert not any(r.authorized for r in argo.requests)


def test_a_forbidden_namespace_points_at_rbac(argo: FakeArgoServer, client):
    argo.forbidden_namespaces.add(NAMESPACE)
    with pytest.raises(ArgoError, match=r"forbidden \(403\).*RBAC.*namespace tuning"):
        client.list_crons()


def test_an_unreachable_server_is_transient(token):
    import socket

    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        ArgoClient(ArgoConnection.create(f"http://127.0.0.1:{port}", NAMESPACE)) as client,
        pytest.raises(ArgoUnavailable, match="cannot reach the Argo server") as down,
    ):
        client.get("x")
    assert down.value.exit_code == EXIT_TRANSIENT


def test_the_token_never_shows_in_reprs_or_errors(argo: FakeArgoServer, connection, token):
    assert token not in repr(connection) and token not in str(connection)
    argo.token = "another"  # the server now refuses ours
    with ArgoClient(connection) as client, pytest.raises(ArgoError) as refused:
        client.get("x")
    assert token not in str(refused.value)


@pytest.mark.parametrize(
    ("given", "server"),
    [
        ("https://argo.example:2746/", "https://argo.example:2746"),
        ("localhost:2746", "https://localhost:2746"),  # as the argo CLI's ARGO_SERVER
        ("http://127.0.0.1:8080/argo", "http://127.0.0.1:8080/argo"),
    ],
)
def test_server_urls(given: str, server: str):
    assert ArgoConnection.create(given).server == server


@pytest.mark.parametrize("bad", ["ftp://x", "https://user:pw@host", "https://h/?q=1", ""])
def test_bad_server_urls_are_task_errors(bad: str):
    with pytest.raises(TaskError, match="--argo-server"):
        ArgoConnection.create(bad)


def test_a_base_path_is_kept_in_api_requests(argo: FakeArgoServer, token):
    # the fake serves /api/v1 at its root: a base path shows up as a 404 route
    with (
        ArgoClient(ArgoConnection.create(f"{argo.url}/argo", NAMESPACE)) as client,
        pytest.raises(ArgoError),
    ):
        client.get("x")
    assert argo.requests[-1].path == f"/argo/api/v1/workflows/{NAMESPACE}/x"


def test_ui_links_to_a_node():
    url = argo_ui_node_url("https://argo.example/", "tuning", "demo-x7k2p", "demo-x7k2p-1234")
    assert url == (
        "https://argo.example/workflows/tuning/demo-x7k2p?tab=workflow&nodeId=demo-x7k2p-1234"
    )


def test_stop_asks_for_the_stop_strategy_that_keeps_the_exit_handler(argo: FakeArgoServer, client):
    argo.put_workflow(study_manifest(), "demo-x7k2p")
    argo.set_status(NAMESPACE, "demo-x7k2p", {"phase": "Running"})
    stopped = client.stop("demo-x7k2p")
    assert stopped["spec"]["shutdown"] == "Stop"
    (call,) = argo.calls("PUT", "/demo-x7k2p/stop")
    assert call.body == {"name": "demo-x7k2p", "namespace": NAMESPACE}
    argo.set_status(NAMESPACE, "demo-x7k2p", {"phase": "Failed"})
    with pytest.raises(ArgoError, match="cannot shutdown a completed workflow"):
        client.stop("demo-x7k2p")
