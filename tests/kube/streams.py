"""The fake API's streaming answers: watch (chunked JSON lines) and pod logs (text)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.kube.errors import ApiError
from tests.kube.store import Resource

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from tests.kube.fake_api import FakeKube

MAX_WATCH_S = 1800.0


def serve_watch(
    handler: BaseHTTPRequestHandler,
    kube: FakeKube,
    res: Resource,
    namespace: str | None,
    match: Callable[[dict[str, Any]], bool],
    query: dict[str, str],
) -> None:
    """Stream changes after ``resourceVersion`` (without one: the current objects first, as
    ADDED), until ``timeoutSeconds``. Objects entering or leaving the selector show up as
    ADDED / DELETED, as on a real API server. An expired version ends in an ERROR 410 event."""
    timeout = min(float(query.get("timeoutSeconds") or MAX_WATCH_S), MAX_WATCH_S)
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    since = query.get("resourceVersion")
    if not since or since == "0":
        items, start = kube.store.list(res, namespace, match)
        for item in items:
            _chunk(handler, {"type": "ADDED", "object": item})
    else:
        start = int(since)
    try:
        for change in kube.store.changes(start, timeout, kube.stopping):
            if change.resource != res.key or namespace not in (None, change.namespace):
                continue
            now, before = match(change.obj), change.old is not None and match(change.old)
            kind = change.type
            if kind == "MODIFIED" and now != before:
                kind = "ADDED" if now else "DELETED"
            if now or (before and kind == "DELETED"):
                _chunk(handler, {"type": kind, "object": change.obj})
    except ApiError as error:
        _chunk(handler, {"type": "ERROR", "object": error.status()})
    handler.wfile.write(b"0\r\n\r\n")
    handler.wfile.flush()


def _chunk(handler: BaseHTTPRequestHandler, event: dict[str, Any]) -> None:
    data = json.dumps(event).encode() + b"\n"
    handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    handler.wfile.flush()


def serve_log(
    handler: BaseHTTPRequestHandler,
    kube: FakeKube,
    namespace: str,
    name: str,
    query: dict[str, str],
) -> None:
    pod = kube.store.get(kube.resource("", "pods"), namespace, name)
    containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
    container = query.get("container")
    if container is None:
        if len(containers) != 1:
            raise ApiError(
                400,
                "BadRequest",
                f"a container name must be specified for pod {name}, choose one of: {containers}",
            )
        container = containers[0]
    if container not in containers:
        raise ApiError(400, "BadRequest", f"container {container} is not valid for pod {name}")
    previous = query.get("previous", "").lower() in ("true", "1")
    text = kube.logs.get((namespace, name, container, previous))
    if text is None:
        if previous:
            raise ApiError(
                400,
                "BadRequest",
                f'previous terminated container "{container}" in pod "{name}" not found',
            )
        text = ""
    if "tailLines" in query:
        lines = text.splitlines(keepends=True)
        text = "".join(lines[-int(query["tailLines"]) :]) if int(query["tailLines"]) else ""
    data = text.encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
