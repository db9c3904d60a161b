"""``autotune status``: the node table of a status record (ours or Argo's ``status``).

Rows follow the workflow's shape: the root, then each top-level task with the nodes
inside it (a slot's steps, a step's retry attempts) indented below it, in start order.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from pipelines.executor.durations import short
from pipelines.executor.status import parse_timestamp

PHASE_STYLE = {
    "Succeeded": "green",
    "Failed": "red",
    "Error": "red",
    "Running": "cyan",
    "Pending": "yellow",
    "Omitted": "dim",
    "Skipped": "dim",
}


def rows(status: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str]]:
    """(display name, type, phase, duration, message) in tree order."""
    nodes: dict[str, dict[str, Any]] = status.get("nodes") or {}
    inside: dict[str | None, list[dict[str, Any]]] = {}
    for node in nodes.values():
        inside.setdefault(_parent(node, nodes), []).append(node)
    rank = _graph_order(status.get("name", ""), nodes)

    def order(node: dict[str, Any]) -> tuple[int, str, str]:
        return (rank.get(node.get("id", ""), len(rank)), node.get("startedAt") or "~", node["name"])

    def walk(parent: str | None, depth: int) -> Iterator[tuple[str, str, str, str, str]]:
        for node in sorted(inside.get(parent, []), key=order):
            yield (
                "  " * depth + str(node.get("displayName", node.get("name", ""))),
                node.get("type", ""),
                node.get("phase", ""),
                _duration(node),
                node.get("message", ""),
            )
            yield from walk(node.get("id"), depth + 1)

    yield from walk(None, 0)


def _graph_order(root: str, nodes: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Breadth-first order along the graph's edges: a step comes after what it depends on
    (timestamps are whole seconds, too coarse to order fast steps)."""
    rank: dict[str, int] = {}
    queue = [root] if root in nodes else []
    while queue:
        current = queue.pop(0)
        if current in rank or current not in nodes:
            continue
        rank[current] = len(rank)
        queue.extend(nodes[current].get("children") or [])
    return rank


def _parent(node: dict[str, Any], nodes: dict[str, dict[str, Any]]) -> str | None:
    """The node this one is drawn under: a retry node for its attempts, else its boundary."""
    name = node.get("name", "")
    if name.endswith(")") and "(" in name:
        retry_name = name[: name.rindex("(")]
        for other in nodes.values():
            if other.get("name") == retry_name:
                return str(other.get("id"))
    boundary = node.get("boundaryID")
    return str(boundary) if boundary in nodes else None


def _duration(node: dict[str, Any]) -> str:
    started = parse_timestamp(node.get("startedAt"))
    if started is None:
        return "-"
    finished = parse_timestamp(node.get("finishedAt")) or time.time()
    return short(finished - started)


def render(status: dict[str, Any], console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(_title(status)), title_justify="left")
    for column in ("node", "type", "phase", "duration", "message"):
        table.add_column(column, overflow="fold")
    for name, type_, phase, duration, message in rows(status):
        style = PHASE_STYLE.get(phase, "")
        shown = f"[{style}]{phase}[/]" if style else escape(phase)
        table.add_row(escape(name), type_, shown, duration, escape(message))
    console.print(table)


def _title(status: dict[str, Any]) -> str:
    parts = [f"{status.get('name', '?')}: {status.get('phase', '?')}"]
    if status.get("progress"):
        parts.append(f"pods {status['progress']}")
    if status.get("message"):
        parts.append(str(status["message"]))
    return ", ".join(parts)
