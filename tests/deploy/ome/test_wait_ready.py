"""wait-ready against the fake cluster: ready, or infeasible with the reason, fast."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Callable

import pytest

from steps.deploy.ome import watch
from steps.errors import Infeasible
from tests.deploy.ome.helpers import Cluster, ome_task
from tests.kube.ome_controller import Candidate, Outcome

pytestmark = pytest.mark.shared


def _always(outcome: Outcome) -> Callable[[Candidate], Outcome]:
    return lambda candidate: outcome


def _infeasible(cluster: Cluster, flags: dict[str, object], timeout_s: float = 20) -> Infeasible:
    deployer = cluster.deployer()
    record = deployer.deploy(0, flags)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(Infeasible) as caught:
        deployer.wait_ready(record, timeout_s)
    assert time.monotonic() - started < timeout_s / 2, "fails fast, not at the timeout"
    deployer.teardown(record)
    assert cluster.leftovers(record) == []
    return caught.value


def test_more_gpus_than_the_cluster_has_is_unschedulable(cluster: Cluster) -> None:
    cluster.controller.gpu_capacity = 4
    reason = _infeasible(cluster, {"tp-size": 4, "dp-size": 2}).reason
    assert reason.startswith("Unschedulable") and "Insufficient nvidia.com/gpu" in reason
    assert cluster.controller.candidates[0].gpus == 8


def test_oomkilled_names_the_container_and_shows_its_log(cluster: Cluster) -> None:
    cluster.controller.decide = _always("oom")
    reason = _infeasible(cluster, {"mem-fraction-static": 0.95}).reason
    assert reason.startswith("OOMKilled: container ome-container")
    assert "Capture cuda graph begin." in reason  # the tail of the log of the killed run


def test_image_pull_backoff(cluster: Cluster) -> None:
    cluster.controller.decide = _always("imagepull")
    reason = _infeasible(cluster, {}).reason
    assert "ErrImagePull" in reason or "ImagePullBackOff" in reason
    assert "docker.io/lmsysorg/sglang" in reason


def test_crash_loop_carries_the_engines_complaint(cluster: Cluster) -> None:
    reason = _infeasible(cluster, {"definitely-not-a-flag": True}).reason
    assert reason.startswith("CrashLoopBackOff")
    assert "unrecognized arguments: --definitely-not-a-flag" in reason


def test_a_timeout_says_where_things_stand(cluster: Cluster) -> None:
    cluster.controller.decide = _always("pending")
    deployer = cluster.deployer()
    record = deployer.deploy(0, {})
    with pytest.raises(Infeasible) as caught:
        deployer.wait_ready(record, 1.0)
    reason = caught.value.reason
    assert "not ready within 1s (deploy.ready_timeout_s)" in reason
    assert "Ready=False EngineNotReady" in reason and "event Scheduled" in reason


def test_service_access_uses_status_url_and_checks_it_answers(cluster: Cluster) -> None:
    deployer = cluster.deployer(ome_task(access="service"))
    record = deployer.deploy(0, {"max-running-requests": 16})
    ready = deployer.wait_ready(record, 20)
    stub = cluster.controller.stubs[("autotuner", "study-0")]
    assert ready.endpoint == stub.url and "forward" not in ready.handle
    assert stub.hits == ["/health"]  # wait-ready checked it from here
    with urllib.request.urlopen(f"{ready.endpoint}/v1/models", timeout=5) as response:
        assert b"meta-llama/Llama-3.2-1B-Instruct" in response.read()


def test_in_a_pod_auto_access_is_the_service(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")  # AUTOTUNE_KUBE_HOST still wins
    record = cluster.deployer().deploy(0, {})
    assert record.handle["access"] == "service"


def test_a_watch_that_expires_is_listed_again(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch, "WINDOW_S", 1)  # re-watch soon, from a version by then compacted
    cluster.controller.start_s = 2.5
    deployer = cluster.deployer()
    record = deployer.deploy(0, {})
    stop = threading.Event()

    def compact_once_watched() -> None:
        # compact (as etcd does) only once the deployer's watch holds a resourceVersion,
        # so its next watch is from a compacted version whatever the machine's load
        while not stop.is_set():
            if any(
                r.resource == "inferenceservices" and r.verb == "watch"
                for r in list(cluster.kube.requests)
            ):
                cluster.kube.store.compact()
                return
            stop.wait(0.02)

    compactor = threading.Thread(target=compact_once_watched, daemon=True)
    compactor.start()
    try:
        ready = deployer.wait_ready(record, 20)
    finally:
        stop.set()
        compactor.join(5)
    assert ready.endpoint is not None
    lists = [
        r for r in cluster.kube.requests
        if r.resource == "inferenceservices" and r.verb == "list"
    ]  # fmt: skip
    assert len(lists) >= 2, "the 410 made the watch list again"


def test_the_candidate_reaches_the_controller_as_rendered(cluster: Cluster) -> None:
    deployer = cluster.deployer()
    record = deployer.deploy(0, {"tp-size": 2, "schedule-policy": "fcfs"})
    deployer.wait_ready(record, 20)
    candidate: Candidate = cluster.controller.candidates[0]
    assert candidate.command == record.command  # OME's merge keeps the override whole
    assert candidate.gpus == 2 and candidate.image.startswith("docker.io/lmsysorg/sglang")
    assert record.manifest is not None and record.manifest["metadata"]["name"] == "study-0"
