"""What a kubelet and the scheduler would write about one engine pod: status and events.

The simulated OME controller uses these to play each outcome a candidate can have
(ready, OOMKilled, CrashLoopBackOff, ImagePullBackOff, Unschedulable) with the field
names, reasons and message wording of real pods and events, so that the deployer is
tested against the shapes it will meet, not against shapes made up for it.
"""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.kube.fake_api import FakeKube

NODE = "gpu-node-1"
_counter = itertools.count(1)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def pod_manifest(
    name: str, namespace: str, isvc: dict[str, Any], runner: dict[str, Any]
) -> dict[str, Any]:
    container = {
        key: runner[key]
        for key in ("name", "image", "command", "args", "env", "ports", "resources")
        if key in runner
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {
                "ome.io/inferenceservice": isvc["metadata"]["name"],
                "component": "engine",
            },
            "ownerReferences": [
                {
                    "apiVersion": "ome.io/v1beta1",
                    "kind": "InferenceService",
                    "name": isvc["metadata"]["name"],
                    "uid": isvc["metadata"]["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {"containers": [container]},
        "status": {"phase": "Pending", "conditions": []},
    }


def set_status(kube: FakeKube, pod: dict[str, Any], status: dict[str, Any]) -> None:
    res = kube.resource("", "pods")
    meta = pod["metadata"]
    current = kube.store.get(res, meta["namespace"], meta["name"])
    current["status"] = status
    kube.store.replace(res, meta["namespace"], meta["name"], current, status=False)


def event(
    kube: FakeKube,
    pod: dict[str, Any],
    kind: str,
    reason: str,
    message: str,
    source: str = "kubelet",
) -> None:
    meta = pod["metadata"]
    stamp = now()
    container = pod["spec"]["containers"][0]["name"]
    kube.put(
        "",
        "events",
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{meta['name']}.{next(_counter):x}",
                "namespace": meta["namespace"],
            },
            "involvedObject": {
                "apiVersion": "v1",
                "kind": "Pod",
                "name": meta["name"],
                "namespace": meta["namespace"],
                "uid": meta.get("uid", ""),
                "fieldPath": ""
                if source == "default-scheduler"
                else f"spec.containers{{{container}}}",
            },
            "reason": reason,
            "message": message,
            "type": kind,
            "source": {"component": source},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
        },
    )


def scheduled(kube: FakeKube, pod: dict[str, Any]) -> None:
    meta = pod["metadata"]
    event(
        kube,
        pod,
        "Normal",
        "Scheduled",
        f"Successfully assigned {meta['namespace']}/{meta['name']} to {NODE}",
        "default-scheduler",
    )
    set_status(
        kube,
        pod,
        {
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": now()}],
        },
    )


def unschedulable(kube: FakeKube, pod: dict[str, Any], gpus: int, capacity: int) -> None:
    message = (
        "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are "
        "available: 1 No preemption victims found for incoming pod."
    )
    event(kube, pod, "Warning", "FailedScheduling", message, "default-scheduler")
    set_status(
        kube,
        pod,
        {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": message,
                    "lastTransitionTime": now(),
                }
            ],
        },
    )


def container_status(
    pod: dict[str, Any],
    state: dict[str, Any],
    *,
    ready: bool = False,
    restarts: int = 0,
    last: dict[str, Any] | None = None,
) -> dict[str, Any]:
    container = pod["spec"]["containers"][0]
    return {
        "name": container["name"],
        "image": container.get("image", ""),
        "imageID": "",
        "ready": ready,
        "started": "running" in state,
        "restartCount": restarts,
        "state": state,
        "lastState": last or {},
    }


def running(pod: dict[str, Any], *, ready: bool) -> dict[str, Any]:
    state = {"running": {"startedAt": now()}}
    flag = "True" if ready else "False"
    return {
        "phase": "Running",
        "podIP": "10.0.0.12",
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "ContainersReady", "status": flag},
            {"type": "Ready", "status": flag},
        ],
        "containerStatuses": [container_status(pod, state, ready=ready)],
    }


def terminated(reason: str, code: int) -> dict[str, Any]:
    return {
        "terminated": {"reason": reason, "exitCode": code, "startedAt": now(), "finishedAt": now()}
    }


def crash_loop(pod: dict[str, Any], reason: str, code: int) -> dict[str, Any]:
    container = pod["spec"]["containers"][0]["name"]
    waiting = {
        "waiting": {
            "reason": "CrashLoopBackOff",
            "message": f"back-off 10s restarting failed container={container} "
            f"pod={pod['metadata']['name']}",
        }
    }
    return {
        "phase": "Running",
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
        ],
        "containerStatuses": [
            container_status(pod, waiting, restarts=1, last=terminated(reason, code))
        ],
    }


def image_pull(pod: dict[str, Any], reason: str, message: str) -> dict[str, Any]:
    return {
        "phase": "Pending",
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
        ],
        "containerStatuses": [
            container_status(pod, {"waiting": {"reason": reason, "message": message}})
        ],
    }
