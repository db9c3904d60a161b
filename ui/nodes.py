"""A workflow's node status as a slot x step grid, from Argo's ``status`` or the local one.

Both executors write the same shape (``status.nodes``: name, displayName, type, phase,
startedAt, finishedAt, message), so one reader serves both. A step with a retry
strategy is a ``Retry`` node whose attempts are its children (``...benchmark(1)``);
the grid shows the step's own node and keeps the last attempt's message, which is
where the reason of a failure is (Argo puts it on the attempt, the executor too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pipelines import naming
from pipelines.executor.status import parse_timestamp

STEPS = (*naming.TRIAL_SEQUENCE, naming.TEARDOWN)
NOT_STARTED = "Pending"
FAILED_PHASES = ("Failed", "Error")
DONE_PHASES = ("Succeeded", "Failed", "Error", "Skipped", "Omitted")
_ATTEMPT = re.compile(r"^(.*)\((\d+)\)$")


@dataclass
class Cell:
    """One step of one slot (or init / report)."""

    phase: str = NOT_STARTED
    message: str = ""
    node_id: str = ""
    node_name: str = ""
    attempts: list[str] = field(default_factory=list)  # attempt node names, in order
    started: float | None = None
    finished: float | None = None

    def duration_s(self, now: float) -> float | None:
        if self.started is None:
            return None
        return (self.finished or now) - self.started


@dataclass
class SlotRow:
    slot: int
    phase: str = NOT_STARTED  # the slot DAG node's phase
    message: str = ""
    node_id: str = ""
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class NodeGrid:
    workflow: str
    phase: str
    message: str
    started: float | None
    finished: float | None
    init: Cell
    report: Cell
    slots: list[SlotRow]

    @property
    def slots_done(self) -> int:
        return sum(row.phase in DONE_PHASES for row in self.slots)

    @property
    def slots_succeeded(self) -> int:
        return sum(row.phase == "Succeeded" for row in self.slots)

    def failures(self) -> list[tuple[str, Cell]]:
        """(node path, cell) of every failed step, in slot order: what the page lists."""
        found = [("init", self.init)] if self.init.phase in FAILED_PHASES else []
        for row in self.slots:
            for step in STEPS:
                cell = row.cells[step]
                if cell.phase in FAILED_PHASES:
                    found.append((naming.node_path(row.slot, step), cell))
        if self.report.phase in FAILED_PHASES:
            found.append(("report", self.report))
        return found

    def failed_slots(self) -> list[int]:
        """Slots whose DAG or any step failed (a slot's DAG succeeds when its failure was
        handled, e.g. an infeasible candidate: the step's phase still says Failed)."""
        return [
            row.slot
            for row in self.slots
            if row.phase in FAILED_PHASES
            or any(cell.phase in FAILED_PHASES for cell in row.cells.values())
        ]


def node_grid(status: dict[str, Any] | None, trials: int, workflow: str | None = None) -> NodeGrid:
    """The grid of ``trials`` slots; slots and steps the status does not name are Pending."""
    status = status or {}
    name = workflow or str(status.get("name", ""))
    grid = NodeGrid(
        workflow=name,
        phase=str(status.get("phase") or NOT_STARTED),
        message=str(status.get("message") or ""),
        started=parse_timestamp(status.get("startedAt")),
        finished=parse_timestamp(status.get("finishedAt")),
        init=Cell(),
        report=Cell(),
        slots=[SlotRow(k, cells={s: Cell() for s in STEPS}) for k in range(trials)],
    )
    nodes = [n for n in (status.get("nodes") or {}).values() if isinstance(n, dict)]
    # a step's own node before its attempts, attempts in order: the last one seen wins
    for node in sorted(nodes, key=_order):
        _place(grid, node)
    return grid


def _order(node: dict[str, Any]) -> tuple[str, int]:
    name = str(node.get("name", ""))
    match = _ATTEMPT.match(name)
    return (match.group(1), int(match.group(2))) if match else (name, -1)


def _place(grid: NodeGrid, node: dict[str, Any]) -> None:
    node_name = str(node.get("name", ""))
    attempt = _ATTEMPT.match(node_name) is not None
    slot_dag = _slot_dag(grid.workflow, node_name)
    if slot_dag is not None:
        if 0 <= slot_dag < len(grid.slots) and node.get("type") == "DAG":
            row = grid.slots[slot_dag]
            row.phase = str(node.get("phase") or NOT_STARTED)
            row.message, row.node_id = str(node.get("message") or ""), str(node.get("id", ""))
        return
    parsed = naming.parse_node_name(grid.workflow, node_name)
    if parsed is None:
        return
    slot, step = parsed
    if slot is None:
        cell = grid.init if step == naming.INIT else grid.report
    elif 0 <= slot < len(grid.slots) and step in STEPS:
        cell = grid.slots[slot].cells[step]
    else:
        return
    message = str(node.get("message") or "")
    if attempt:
        cell.attempts.append(node_name)
        if message:
            cell.message = message  # the attempt knows why; the Retry node often does not
        if not cell.node_id:  # a step without retries has no parent node: the attempt is it
            _fill(cell, node)
        return
    _fill(cell, node)
    cell.message = message or cell.message


def _fill(cell: Cell, node: dict[str, Any]) -> None:
    cell.phase = str(node.get("phase") or NOT_STARTED)
    cell.node_id, cell.node_name = str(node.get("id", "")), str(node.get("name", ""))
    cell.started = parse_timestamp(node.get("startedAt"))
    cell.finished = parse_timestamp(node.get("finishedAt"))


def _slot_dag(workflow: str, node_name: str) -> int | None:
    """The slot of a slot's DAG node (``<wf>.slot-3`` or ``<wf>.chain-0-1.slot-3``)."""
    rest = node_name.removeprefix(f"{workflow}.")
    if rest == node_name:
        return None
    parts = rest.split(".")
    if len(parts) == 2 and parts[0].startswith("chain-"):
        parts = parts[1:]
    return naming.slot_of(parts[0]) if len(parts) == 1 else None
