"""The node grid reads Argo's ``status.nodes`` shape, whoever wrote it."""

from __future__ import annotations

import html
import re
from typing import Any

from pipelines.executor.status import node_id
from ui.grid_html import grid_html
from ui.nodes import node_grid

WF = "demo"


def node(name: str, phase: str, type_: str = "Pod", message: str = "", **extra: Any) -> dict:
    full = f"{WF}.{name}" if name else WF
    data = {"id": node_id(WF, full), "name": full, "displayName": name.rsplit(".", 1)[-1],
            "type": type_, "phase": phase, "templateName": name.rsplit(".", 1)[-1],
            "startedAt": "2026-01-05T03:00:00Z", "finishedAt": "2026-01-05T03:00:30Z",
            **extra}  # fmt: skip
    if message:
        data["message"] = message
    return data


def status(*nodes: dict) -> dict:
    return {"name": WF, "phase": "Running", "nodes": {n["id"]: n for n in nodes}}


def test_retry_attempts_fold_into_their_step_and_the_last_message_wins() -> None:
    grid = node_grid(
        status(
            node("slot-0", "Failed", "DAG"),
            node("slot-0.suggest", "Succeeded", "Retry"),
            node("slot-0.suggest(0)", "Succeeded"),
            node("slot-0.benchmark", "Failed", "Retry", message="No more retries left"),
            node("slot-0.benchmark(0)", "Failed", message="store unreachable"),
            node("slot-0.benchmark(1)", "Failed", message="Error (exit code 75)"),
            node("slot-0.benchmark(10)", "Failed", message="attempt ten"),
        ),
        trials=2,
    )
    cell = grid.slots[0].cells["benchmark"]
    assert cell.phase == "Failed"
    assert cell.message == "attempt ten"  # (10) comes after (1), not between (1) and (2)
    assert len(cell.attempts) == 3
    assert cell.node_id == node_id(WF, "demo.slot-0.benchmark")  # the step's node, for links
    assert grid.slots[0].cells["suggest"].phase == "Succeeded"
    assert grid.slots[1].phase == "Pending"  # not in the status yet
    assert grid.failed_slots() == [0]
    assert [path for path, _ in grid.failures()] == ["slot-0.benchmark"]


def test_a_step_without_retries_is_its_own_node() -> None:
    grid = node_grid(
        status(node("init", "Succeeded"), node("slot-1.wait-ready", "Failed", message="exit 3")),
        trials=2,
    )
    assert grid.init.phase == "Succeeded"
    assert grid.slots[1].cells["wait-ready"].message == "exit 3"
    assert grid.slots[1].cells["wait-ready"].node_id


def test_slots_inside_chain_dags_are_found() -> None:
    grid = node_grid(
        status(
            node("chain-0-1", "Running", "DAG"),
            node("chain-0-1.slot-7", "Running", "DAG"),
            node("chain-0-1.slot-7.deploy", "Running"),
        ),
        trials=8,
    )
    assert grid.slots[7].phase == "Running"
    assert grid.slots[7].cells["deploy"].phase == "Running"


def test_the_grid_escapes_messages_and_colours_by_phase() -> None:
    evil = '<script>alert("x")</script> & "quotes"'
    grid = node_grid(status(node("slot-0.deploy", "Failed", message=evil)), trials=1)
    page = grid_html(grid, now=0)
    assert "<script>" not in page
    assert html.escape(evil) in page
    cells = re.findall(r'data-phase="(\w+)"', page)
    assert cells.count("Failed") == 1
    assert "background:#fddcdc" in page  # failed cells are red
