"""What the InferenceService, its engine pods and their events say about a candidate.

Pure functions over the objects as the API returns them (dicts), fed by the watches in
``steps.deploy.ome.watch``. A candidate is ready when the InferenceService's Ready
condition is True; it has failed, and waiting longer cannot help, when a pod or event
shows OOMKilled, CrashLoopBackOff, an image that cannot be pulled, or a pod the
scheduler cannot place (unless the cluster autoscaler has been asked for a node).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
# container waiting reasons that only repeat themselves
FATAL_WAITING = (
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerError",
)
# OME's model status when the spec or the model load cannot work (KServe heritage)
FATAL_TRANSITIONS = ("InvalidSpec", "BlockedByFailedLoad")


@dataclass(frozen=True)
class Ready:
    url: str
    pod: str | None  # a Ready engine pod (the port-forward target)


@dataclass(frozen=True)
class Failed:
    reason: str
    pod: str | None = None
    container: str | None = None
    crashed: bool = False  # its logs explain it: the caller adds their tail


@dataclass
class Observed:
    """The latest state of one InferenceService, its engine pods and their events."""

    name: str
    isvc: Obj | None = None
    pods: dict[str, Obj] = field(default_factory=dict)
    events: dict[str, Obj] = field(default_factory=dict)

    def apply(self, source: str, kind: str, obj: Obj) -> None:
        name = obj.get("metadata", {}).get("name", "")
        if source == "isvc":
            self.isvc = None if kind == "DELETED" else obj
        elif source == "pod":
            if kind == "DELETED":
                self.pods.pop(name, None)
            else:
                self.pods[name] = obj
        elif source == "event" and kind != "DELETED":
            self.events[obj.get("metadata", {}).get("uid") or name] = obj

    def own_events(self) -> list[Obj]:
        """Events about the InferenceService or one of its pods, oldest first."""
        # by uid where the event has one: events outlive their objects, and an earlier
        # InferenceService of the same name (a retried deploy) left its own behind
        names = {self.name, *self.pods}
        uids = {
            (obj.get("metadata") or {}).get("uid")
            for obj in (self.isvc, *self.pods.values())
            if obj is not None
        } - {None, ""}
        mine = [
            e
            for e in self.events.values()
            if ((e.get("involvedObject") or {}).get("uid") or None) in uids
            or (not (e.get("involvedObject") or {}).get("uid") and _about(e) in names)
        ]
        return sorted(mine, key=_event_time)

    def verdict(self) -> Ready | Failed | None:
        for _, pod in sorted(self.pods.items()):
            failure = pod_failure(pod, self.own_events())
            if failure is not None:
                return failure
        for event in self.own_events():
            failure = event_failure(event, self.own_events())
            if failure is not None:
                return failure
        status = (self.isvc or {}).get("status") or {}
        model = status.get("modelStatus") or {}
        if model.get("transitionStatus") in FATAL_TRANSITIONS:
            info = model.get("lastFailureInfo") or {}
            detail = ": ".join(p for p in (info.get("reason"), info.get("message")) if p)
            return Failed(f"InferenceService {model['transitionStatus']}: {detail or 'no detail'}")
        if condition(self.isvc, "Ready").get("status") == "True" and status.get("url"):
            ready = [
                n
                for n, p in sorted(self.pods.items())
                if condition(p, "Ready").get("status") == "True"
            ]
            return Ready(str(status["url"]).rstrip("/"), ready[0] if ready else None)
        return None

    def summary(self) -> str:
        """One line per object: what a person needs to see after a timeout."""
        ready = condition(self.isvc, "Ready")
        said = " ".join(str(ready.get(key, "")) for key in ("reason", "message")).strip()
        state = f"Ready={ready.get('status', 'Unknown')} {said}".rstrip()
        lines = [f"InferenceService {self.name}: {'not found' if self.isvc is None else state}"]
        for name, pod in sorted(self.pods.items()):
            phase = (pod.get("status") or {}).get("phase", "Unknown")
            states = [f"{c.get('name')}: {_state(c)}" for c in _containers(pod)]
            lines.append(f"pod {name}: {phase}" + (f" ({', '.join(states)})" if states else ""))
        for event in self.own_events()[-5:]:
            lines.append(f"event {event.get('reason')}: {event.get('message', '')}")
        return "\n".join(lines)


def condition(obj: Obj | None, kind: str) -> Obj:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return dict(cond)
    return {}


def pod_failure(pod: Obj, events: list[Obj]) -> Failed | None:
    name = pod.get("metadata", {}).get("name", "")
    scheduled = condition(pod, "PodScheduled")
    if scheduled.get("reason") == "Unschedulable" and not _scale_up_for(name, events):
        return Failed(f"Unschedulable: pod {name}: {scheduled.get('message', '')}".rstrip(), name)
    for container in _containers(pod):
        cname = container.get("name")
        state, last = container.get("state") or {}, container.get("lastState") or {}
        for ended in (state.get("terminated"), last.get("terminated")):
            if ended and ended.get("reason") == "OOMKilled":
                return Failed(
                    f"OOMKilled: container {cname} of pod {name} ran out of memory "
                    f"(exit code {ended.get('exitCode', 137)})",
                    name,
                    cname,
                    True,
                )
        waiting = state.get("waiting") or {}
        if waiting.get("reason") in FATAL_WAITING:
            ended = last.get("terminated") or {}
            exit_info = (
                f"; last exit: {ended.get('reason', '?')}, code {ended.get('exitCode', '?')}"
                if ended
                else ""
            )
            return Failed(
                f"{waiting['reason']}: container {cname} of pod {name}: "
                f"{waiting.get('message', '')}{exit_info}",
                name,
                cname,
                waiting["reason"] == "CrashLoopBackOff",
            )
    if (pod.get("status") or {}).get("phase") == "Failed":
        status = pod.get("status") or {}
        return Failed(
            f"pod {name} failed: {status.get('reason', '')} {status.get('message', '')}".rstrip(),
            name,
        )
    return None


def event_failure(event: Obj, events: list[Obj]) -> Failed | None:
    """Failures an event shows before (or instead of) the pod's status."""
    reason, message, pod = event.get("reason", ""), event.get("message", ""), _about(event)
    if reason == "FailedScheduling" and not _scale_up_for(pod, events):
        return Failed(f"Unschedulable: pod {pod}: {message}", pod)
    if reason == "OOMKilling":  # the node's kernel OOM killer, reported by node-problem-detector
        return Failed(f"OOMKilled: {message}", pod)
    if reason == "Failed" and ("ErrImagePull" in message or "ImagePullBackOff" in message):
        # the kubelet says why in an earlier event ("Failed to pull image ...: not found")
        said = [
            e.get("message", "") for e in events if e.get("reason") == "Failed" and _about(e) == pod
        ]
        return Failed(f"ImagePullBackOff: pod {pod}: {'; '.join(said or [message])}", pod)
    return None


def _scale_up_for(pod: str, events: list[Obj]) -> bool:
    # the cluster autoscaler is adding a node for this pod: Unschedulable is temporary
    return any(e.get("reason") == "TriggeredScaleUp" and _about(e) == pod for e in events)


def _about(event: Obj) -> str:
    return str((event.get("involvedObject") or {}).get("name", ""))


def _event_time(event: Obj) -> str:
    meta = event.get("metadata") or {}
    stamp = event.get("lastTimestamp") or event.get("eventTime") or meta.get("creationTimestamp")
    return f"{stamp or ''}{int(meta.get('resourceVersion') or 0):020d}"


def _containers(pod: Obj) -> list[Obj]:
    status = pod.get("status") or {}
    return list(status.get("initContainerStatuses") or []) + list(
        status.get("containerStatuses") or []
    )


def _state(container: Obj) -> str:
    state = container.get("state") or {}
    for kind, detail in state.items():
        return f"{kind} {(detail or {}).get('reason', '')}".rstrip()
    return "unknown"
