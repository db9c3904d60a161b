"""Teardown and interruption: logs kept first, everything deleted and waited for, idempotent."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from steps.deploy.ome import deployer as deployer_module
from steps.deploy.ome import tunnel
from steps.errors import TransientError
from tests.deploy.ome.helpers import Cluster, forward_helpers
from tests.kube.fixtures import NAMESPACE

pytestmark = pytest.mark.shared


def _ready(cluster: Cluster, **flags: Any) -> Any:
    deployer = cluster.deployer()
    return deployer, deployer.wait_ready(deployer.deploy(0, flags), 20)


def test_teardown_waits_until_the_isvc_and_its_pods_are_gone(cluster: Cluster) -> None:
    cluster.controller.delete_s = 0.6  # OME and the garbage collector take their time
    deployer, record = _ready(cluster)
    started = time.monotonic()
    deployer.teardown(record)
    assert time.monotonic() - started >= 0.6
    assert cluster.leftovers(record) == []
    deletes = [r for r in cluster.kube.requests if r.verb == "delete"]
    assert [r.query.get("propagationPolicy") for r in deletes] == ["Foreground"]


def test_teardown_is_idempotent_and_404_is_success(cluster: Cluster) -> None:
    deployer, record = _ready(cluster)
    resource = cluster.kube.resource("ome.io", "inferenceservices")
    cluster.kube.store.delete(resource, NAMESPACE, "study-0", None)  # gone behind our back
    deployer.teardown(record)
    deployer.teardown(record)
    assert cluster.leftovers(record) == []


def test_logs_and_events_are_kept_before_the_pods_go(cluster: Cluster) -> None:
    deployer, record = _ready(cluster, **{"max-running-requests": 16})
    deployer.teardown(record)
    text = deployer.logs(record)  # what step_teardown stores as engine.log
    assert "The server is fired up and ready to roll!" in text
    assert "--max-running-requests 16" in text
    assert "Normal Scheduled Pod/study-0-engine-" in text and "Started container" in text


def test_a_crashed_engines_previous_log_is_in_its_logs(cluster: Cluster) -> None:
    deployer = cluster.deployer()
    record = deployer.deploy(0, {"definitely-not-a-flag": True})
    with pytest.raises(Exception, match="CrashLoopBackOff"):
        deployer.wait_ready(record, 20)
    text = deployer.logs(record)  # what step_wait_ready stores when the candidate failed
    assert "(previous run)" in text and "unrecognized arguments" in text
    assert "Warning BackOff" in text


def test_the_port_forward_stops_with_the_trial(cluster: Cluster, tmp_path: Path) -> None:
    deployer, record = _ready(cluster)
    pid = record.handle["forward"]["pid"]
    assert forward_helpers("study-0") == [pid]
    assert (tmp_path / "work" / "study" / "0" / tunnel.STATE_FILE).is_file()
    deployer.teardown(record)
    assert forward_helpers("study-0") == []
    assert not (tmp_path / "work" / "study" / "0" / tunnel.STATE_FILE).exists()


def test_a_deletion_that_never_finishes_is_transient(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployer = cluster.deployer()
    record = deployer.deploy(0, {})
    cluster.controller.stop()  # nobody removes the finalizer any more
    monkeypatch.setattr(deployer_module, "TEARDOWN_TIMEOUT_S", 0.5)
    with pytest.raises(TransientError, match=r"still exists 0\.5s after delete"):
        deployer.teardown(record)


def test_deploy_interrupted_after_create_deletes_what_it_made(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(**fields: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(deployer_module, "DeployRecord", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cluster.deployer().deploy(0, {})
    # deleted at once, not waited for (a stopped step has seconds); the cluster finishes it
    left = cluster.kube.objects("ome.io", "inferenceservices")
    assert all(o["metadata"].get("deletionTimestamp") for o in left)
    deadline = time.monotonic() + 10
    while cluster.kube.objects("ome.io", "inferenceservices"):
        assert time.monotonic() < deadline, "never deleted"
        time.sleep(0.05)


def test_wait_ready_interrupted_while_forwarding_stops_the_helper(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(url: str) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(tunnel, "_healthy", interrupted)
    deployer = cluster.deployer()
    record = deployer.deploy(0, {})
    with pytest.raises(KeyboardInterrupt):
        deployer.wait_ready(record, 20)
    assert forward_helpers("study-0") == []
    assert not [t for t in threading.enumerate() if t.name.startswith("watch-") and t.is_alive()]


def test_sigterm_during_wait_ready_ends_the_watches(cluster: Cluster) -> None:
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        pytest.skip("someone else handles SIGTERM in this process")
    cluster.controller.decide = lambda candidate: "pending"
    deployer = cluster.deployer()
    record = deployer.deploy(0, {})
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    with pytest.raises(SystemExit) as caught:
        deployer.wait_ready(record, 20)
    assert caught.value.code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back
    assert not [t for t in threading.enumerate() if t.name.startswith("watch-") and t.is_alive()]
