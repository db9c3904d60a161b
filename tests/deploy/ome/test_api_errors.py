"""API failures: transient ones retried, the rest explained (RBAC rule, namespace, runtime)."""

from __future__ import annotations

import pytest

from steps.deploy.ome import api
from steps.deploy.ome.api import RbacDenied
from steps.errors import EXIT_BAD_INPUT, EXIT_TRANSIENT, Infeasible, TaskError, TransientError
from tests.deploy.ome.helpers import Cluster, ome_task
from tests.kube.fixtures import NAMESPACE

pytestmark = pytest.mark.shared


def _creates(cluster: Cluster) -> int:
    return sum(
        1 for r in cluster.kube.requests if r.verb == "create" and r.resource == "inferenceservices"
    )


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_transient_errors_are_retried_then_succeed(cluster: Cluster, status: int) -> None:
    cluster.kube.inject(status, method="POST", path="inferenceservices", times=2, retry_after=0)
    record = cluster.deployer().deploy(0, {})
    assert record.handle["name"] == "study-0"
    assert _creates(cluster) == 3


def test_retry_after_is_honoured(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(api.time, "sleep", waits.append)
    cluster.kube.inject(429, method="GET", path="clusterservingruntimes", retry_after=2)
    cluster.deployer().deploy(0, {})
    assert waits == [2.0]


def test_persistent_failures_become_a_transient_step_failure(cluster: Cluster) -> None:
    cluster.kube.inject(503, method="POST", path="inferenceservices", times=100)
    with pytest.raises(TransientError) as caught:
        cluster.deployer().deploy(0, {})
    assert caught.value.exit_code == EXIT_TRANSIENT
    assert f"failed {api.ATTEMPTS} times" in str(caught.value)
    assert _creates(cluster) == api.ATTEMPTS


def test_an_unreachable_api_server_is_transient(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOTUNE_KUBE_HOST", "http://127.0.0.1:9")  # discard port: nothing there
    with pytest.raises(TransientError, match="get clusterservingruntimes failed"):
        cluster.deployer().deploy(0, {})


@pytest.mark.parametrize(
    ("verb", "resource", "group", "scope"),
    [
        ("create", "inferenceservices", "ome.io", f"namespace={NAMESPACE}"),
        ("get", "clusterservingruntimes", "ome.io", "cluster-wide"),
    ],
)
def test_forbidden_names_the_missing_rbac_rule(
    cluster: Cluster, verb: str, resource: str, group: str, scope: str
) -> None:
    cluster.kube.deny(verb, resource, group)
    with pytest.raises(RbacDenied) as caught:
        cluster.deployer().deploy(0, {})
    message = str(caught.value)
    assert f"missing RBAC rule: verb={verb} resource={resource} apiGroup={group} {scope}" in message
    assert f'User "{cluster.kube.user}" cannot {verb} resource "{resource}"' in message
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert caught.value.rule in api.RBAC_RULES


@pytest.mark.parametrize(("verb", "resource"), [("watch", "pods"), ("list", "events")])
def test_forbidden_while_waiting_names_the_rule_too(
    cluster: Cluster, verb: str, resource: str
) -> None:
    cluster.kube.deny(verb, resource)
    deployer = cluster.deployer()
    record = deployer.deploy(0, {})
    with pytest.raises(RbacDenied, match=f"verb={verb} resource={resource} apiGroup="):
        deployer.wait_ready(record, 20)


def test_an_unreadable_log_does_not_hide_the_verdict(cluster: Cluster) -> None:
    cluster.kube.deny("get", "pods/log")
    deployer = cluster.deployer()
    record = deployer.deploy(0, {"definitely-not-a-flag": True})
    with pytest.raises(Infeasible) as caught:
        deployer.wait_ready(record, 20)
    assert caught.value.reason.startswith("CrashLoopBackOff")
    assert "verb=get resource=pods/log" in caught.value.reason
    assert "verb=get resource=pods/log" in deployer.logs(record)  # engine.log says why


def test_a_missing_runtime_or_namespace_is_bad_input(cluster: Cluster) -> None:
    with pytest.raises(TaskError, match=r"deploy\.runtime: 'nope' is not a ClusterServingRuntime"):
        cluster.deployer(ome_task(runtime="nope")).deploy(0, {})
    with pytest.raises(TaskError, match=r"deploy\.namespace: 'elsewhere' does not exist"):
        cluster.deployer(ome_task(namespace="elsewhere")).deploy(0, {})


def test_a_leftover_of_the_same_slot_is_replaced_but_a_strangers_object_is_not(
    cluster: Cluster,
) -> None:
    first = cluster.deployer().deploy(0, {})
    again = cluster.deployer().deploy(0, {"max-running-requests": 32})  # a retried deploy step
    assert again.handle["uid"] != first.handle["uid"]
    isvcs = cluster.kube.objects(api.OME, "inferenceservices")
    assert [o["metadata"]["uid"] for o in isvcs] == [again.handle["uid"]]
    stranger = isvcs[0]  # now made by someone else, under the same name
    stranger["metadata"]["labels"]["inference-autotuner/study"] = "someone-else"
    resource = cluster.kube.resource(api.OME, "inferenceservices")
    cluster.kube.store.replace(resource, NAMESPACE, "study-0", stranger, status=False)
    with pytest.raises(TaskError, match="is not this study's slot 0"):
        cluster.deployer().deploy(0, {})
    assert (
        cluster.kube.objects(api.OME, "inferenceservices")[0]["metadata"]["uid"]
        == (again.handle["uid"])
    )
