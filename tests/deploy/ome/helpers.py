"""An ome task, a running fake cluster for it, and what a test checks is left behind."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from steps.deploy.ome import api, names
from steps.deploy.ome.deployer import OmeDeployer
from steps.records import DeployRecord
from steps.spec import Task, task_from_dict
from tests.kube.fake_api import FakeKube
from tests.kube.fixtures import NAMESPACE, loaded_kube, require_ome
from tests.kube.ome_controller import OmeController

RUNTIME = "srt-llama-3-2-1b-instruct"
TASK: dict[str, Any] = {
    "name": "ome-test",
    "model": {"name": "meta-llama/Llama-3.2-1B-Instruct", "path": "llama-3-2-1b-instruct"},
    "engine": {"kind": "sglang"},
    "deploy": {"backend": "ome", "namespace": NAMESPACE, "runtime": RUNTIME, "ready_timeout_s": 30},
    "search": {"parameters": {"max-running-requests": {"type": "int", "low": 8, "high": 64}}},
    "benchmark": {"scenarios": ["D(100,10)"], "concurrency": [1]},
}


def ome_task(**deploy: Any) -> Task:
    data = copy.deepcopy(TASK)
    data["deploy"].update(deploy)
    return task_from_dict(data)


@dataclass
class Cluster:
    """A fake API server, the simulated OME controller, and the records deployed on them."""

    kube: FakeKube
    controller: OmeController
    records: list[tuple[Task, str, DeployRecord]]

    def deployer(self, task: Task | None = None, study: str = "study") -> OmeDeployer:
        deployer = OmeDeployer(task or ome_task(), study)
        deploy, wait = deployer.deploy, deployer.wait_ready

        def tracking_deploy(*args: Any, **kwargs: Any) -> DeployRecord:
            record = deploy(*args, **kwargs)
            self.records.append((deployer.task, deployer.study, record))
            return record

        def tracking_wait(*args: Any, **kwargs: Any) -> DeployRecord:
            record = wait(*args, **kwargs)
            self.records.append((deployer.task, deployer.study, record))
            return record

        deployer.deploy = tracking_deploy  # type: ignore[method-assign]
        deployer.wait_ready = tracking_wait  # type: ignore[method-assign]
        return deployer

    def leftovers(self, record: DeployRecord) -> list[str]:
        """InferenceServices, engine pods and port-forward helpers still there for ``record``."""
        name = record.handle["name"]
        found = [
            f"InferenceService {o['metadata']['name']}"
            for o in self.kube.objects(names.GROUP, names.PLURAL)
            if o["metadata"]["name"] == name
        ]
        found += [
            f"pod {o['metadata']['name']}"
            for o in self.kube.objects("", "pods")
            if o["metadata"].get("labels", {}).get(names.POD_LABEL) == name
        ]
        return found + [f"port-forward pid {pid}" for pid in forward_helpers(name)]


def forward_helpers(isvc: str) -> list[int]:
    """Live ``steps.deploy.ome.forward`` processes for InferenceService ``isvc``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
            if stat[stat.rindex(")") + 2] in "ZX":
                continue
            if b"steps.deploy.ome.forward" in argv and isvc.encode() in argv:
                pids.append(int(entry.name))
    return pids


@contextlib.contextmanager
def running_cluster(monkeypatch: pytest.MonkeyPatch, workdir: Path) -> Iterator[Cluster]:
    """A started fake cluster that the project's client (and its helper) talks to; every
    record deployed through ``Cluster.deployer`` is torn down at the end, whatever happened."""
    require_ome()
    monkeypatch.setattr(api, "BACKOFF_S", 0.01)
    monkeypatch.setenv("AUTOTUNE_WORKDIR", str(workdir))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("AUTOTUNE_PORT_FORWARD", "api")  # never a real kubectl in tests
    kube = loaded_kube()
    monkeypatch.setenv("AUTOTUNE_KUBE_HOST", kube.url)
    controller = OmeController(kube).start()
    cluster = Cluster(kube, controller, [])
    try:
        yield cluster
    finally:
        try:
            for task, study, record in reversed(cluster.records):
                with contextlib.suppress(Exception):
                    OmeDeployer(task, study).teardown(record)
        finally:
            controller.stop()
            kube.stop()
    assert not controller.errors, f"the simulated controller failed: {controller.errors}"
