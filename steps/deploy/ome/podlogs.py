"""The engine pods' logs and events as one text, for ``engine.log`` in the store.

A crashed container's useful log is the previous one (the current one is the restart),
so both are taken when a container has restarted. Logs are read raw: kubernetes 36
turns a text response into ``"b'...'"`` when it deserializes it.
"""

from __future__ import annotations

import json
from typing import Any

from steps.deploy.ome import api, names
from steps.deploy.ome.client import Kube
from steps.deploy.ome.readiness import Observed

TAIL_LINES = 5000  # per container: SGLang with --log-requests writes a lot


def engine_pods(kube: Kube, namespace: str, name: str) -> list[dict[str, Any]]:
    response = api.call(
        api.LIST_PODS,
        namespace,
        kube.core.list_namespaced_pod,
        namespace,
        label_selector=names.pod_selector(name),
        _preload_content=False,
    )
    return list(json.loads(response.data).get("items") or [])


def container_log(
    kube: Kube, namespace: str, pod: str, container: str, *, previous: bool, tail: int = TAIL_LINES
) -> str:
    """The log text, or "" when there is none (a container that never started)."""
    try:
        response = api.call(
            api.POD_LOGS,
            namespace,
            kube.core.read_namespaced_pod_log,
            pod,
            namespace,
            container=container,
            previous=previous,
            tail_lines=tail,
            _preload_content=False,
        )
    except api.RbacDenied:
        raise
    except Exception as exc:
        if api.status_of(exc) in (400, 404):  # not started yet, or no previous container
            return ""
        raise
    return bytes(response.data).decode("utf-8", errors="replace")


def collect(kube: Kube, namespace: str, name: str) -> str:
    """Every engine container's log (previous and current) and the events about them."""
    observed = Observed(name)
    try:
        observed.apply(
            "isvc",
            "ADDED",
            api.call(
                api.GET_ISVC,
                namespace,
                kube.custom.get_namespaced_custom_object,
                names.GROUP,
                names.VERSION,
                namespace,
                names.PLURAL,
                name,
            ),
        )
    except api.RbacDenied:
        raise
    except Exception as exc:
        if api.status_of(exc) != 404:
            raise
    for pod in engine_pods(kube, namespace, name):
        observed.apply("pod", "ADDED", pod)
    response = api.call(
        api.LIST_EVENTS,
        namespace,
        kube.core.list_namespaced_event,
        namespace,
        _preload_content=False,
    )
    for event in json.loads(response.data).get("items") or []:
        observed.apply("event", "ADDED", event)
    parts: list[str] = []
    for pod_name, pod in sorted(observed.pods.items()):
        statuses = {
            c.get("name"): c for c in (pod.get("status") or {}).get("containerStatuses") or []
        }
        for container in (pod.get("spec") or {}).get("containers") or []:
            cname = container.get("name", "")
            if int((statuses.get(cname) or {}).get("restartCount") or 0) > 0:
                text = container_log(kube, namespace, pod_name, cname, previous=True)
                parts.append(_section(f"pod {pod_name} container {cname} (previous run)", text))
            text = container_log(kube, namespace, pod_name, cname, previous=False)
            parts.append(_section(f"pod {pod_name} container {cname}", text))
    lines = [
        f"{e.get('lastTimestamp') or e.get('eventTime') or ''} {e.get('type', '')} "
        f"{e.get('reason', '')} {(e.get('involvedObject') or {}).get('kind', '')}/"
        f"{(e.get('involvedObject') or {}).get('name', '')}: {e.get('message', '')}"
        for e in observed.own_events()
    ]
    if lines:
        parts.append(_section(f"events of InferenceService {name} and its pods", "\n".join(lines)))
    return "\n".join(part for part in parts if part)


def tail(text: str, lines: int = 15) -> str:
    kept = [line for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join(kept)


def _section(title: str, text: str) -> str:
    return f"===== {title} =====\n{text.rstrip()}\n" if text.strip() else ""
