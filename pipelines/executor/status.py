"""The node-status record: Argo's ``status.nodes`` shape, so one UI reads both executors.

Ids, names and display names follow Argo's rules: the root node is named (and id'd)
after the workflow; a DAG task's node is ``<boundary node name>.<task>`` with the task
as display name; retry attempts are ``<name>(<n>)``; a node id is
``<workflow>-<FNV-1a 32 of the node name>``, as Argo's ``Workflow.NodeID``.
Times are RFC 3339 in UTC with whole seconds, as Argo writes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pipelines.executor.spec import FULFILLED, PENDING, RUNNING, SUCCEEDED, TYPE_POD


def node_id(workflow: str, name: str) -> str:
    if name == workflow:
        return workflow
    digest = 0x811C9DC5
    for byte in name.encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{workflow}-{digest}"


def timestamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def parse_timestamp(text: str | None) -> float | None:
    if not text:
        return None
    import calendar

    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


@dataclass
class Node:
    id: str
    name: str
    display_name: str
    type: str
    template_name: str
    boundary_id: str | None
    phase: str = PENDING
    message: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    children: list[str] = field(default_factory=list)
    outbound: list[str] = field(default_factory=list)
    inputs: list[tuple[str, str]] = field(default_factory=list)
    exit_code: str | None = None
    # outputs.artifacts as Argo records them: {name, path, <location, once stored>}
    artifacts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fulfilled(self) -> bool:
        return self.phase in FULFILLED

    def start(self, now: float) -> None:
        self.phase, self.started_at = RUNNING, now

    def finish(self, phase: str, now: float, message: str = "") -> None:
        # started_at stays None for a node that never ran (Pending when interrupted)
        self.phase, self.finished_at, self.message = phase, now, message

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "displayName": self.display_name,
            "type": self.type,
            "templateName": self.template_name,
            "phase": self.phase,
            "startedAt": timestamp(self.started_at),
            "finishedAt": timestamp(self.finished_at),
        }
        if self.boundary_id:
            data["boundaryID"] = self.boundary_id
        if self.message:
            data["message"] = self.message
        if self.children:
            data["children"] = list(self.children)
        if self.outbound:
            data["outboundNodes"] = list(self.outbound)
        if self.inputs:
            data["inputs"] = {"parameters": [{"name": n, "value": v} for n, v in self.inputs]}
        outputs: dict[str, Any] = {}
        if self.artifacts:
            outputs["artifacts"] = [dict(a) for a in self.artifacts]
        if self.exit_code is not None:
            outputs["exitCode"] = self.exit_code
        if outputs:
            data["outputs"] = outputs
        return data


@dataclass
class WorkflowStatus:
    """What ``status.json`` holds: the workflow's phase and every node by id."""

    name: str
    phase: str = PENDING
    message: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    nodes: dict[str, Node] = field(default_factory=dict)

    def add(self, node: Node) -> Node:
        self.nodes[node.id] = node
        return node

    def by_name(self, name: str) -> Node | None:
        return self.nodes.get(node_id(self.name, name))

    def progress(self) -> str:
        """Argo's ``status.progress``: succeeded pods / all pods."""
        pods = [n for n in self.nodes.values() if n.type == TYPE_POD]
        return f"{sum(n.phase == SUCCEEDED for n in pods)}/{len(pods)}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "phase": self.phase,
            "startedAt": timestamp(self.started_at),
            "finishedAt": timestamp(self.finished_at),
            "progress": self.progress(),
            "nodes": {node_id_: node.to_dict() for node_id_, node in self.nodes.items()},
        }
        if self.message:
            data["message"] = self.message
        return data


def node_from_dict(data: dict[str, Any]) -> Node:
    """A node of an earlier run's record, to keep it in a new one (retry, resume)."""
    inputs = (data.get("inputs") or {}).get("parameters") or []
    return Node(
        id=data["id"],
        name=data["name"],
        display_name=data.get("displayName", data["name"]),
        type=data.get("type", TYPE_POD),
        template_name=data.get("templateName", ""),
        boundary_id=data.get("boundaryID"),
        phase=data.get("phase", PENDING),
        message=data.get("message", ""),
        started_at=parse_timestamp(data.get("startedAt")),
        finished_at=parse_timestamp(data.get("finishedAt")),
        children=list(data.get("children") or []),
        outbound=list(data.get("outboundNodes") or []),
        inputs=[(str(p.get("name")), str(p.get("value"))) for p in inputs],
        exit_code=(data.get("outputs") or {}).get("exitCode"),
        artifacts=[dict(a) for a in (data.get("outputs") or {}).get("artifacts") or []],
    )
