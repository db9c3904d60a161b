"""Argo-shaped ``status`` records of a compiled study, for the fake server to hold.

``finished_status`` walks a compiled (flat) study the way Argo's controller lays out
its nodes: the root DAG node named after the workflow, a DAG node per slot
(``<wf>.slot-k``, template ``trial``, input ``slot=k``) holding its step pods
(``<wf>.slot-k.deploy``, input ``slot=k``), and each node's ``children`` are the nodes
that depend on it: a step's next step, a slot's teardown the next slot of its chain
and the report. Phases come from ``tests.pipelines.helpers.simulate``.
"""

from __future__ import annotations

from typing import Any

from pipelines import naming
from pipelines.depends import task_names
from pipelines.executor.status import node_id
from tests.pipelines.helpers import Outcome, dag_tasks, simulate

STARTED = "2026-01-05T03:00:00Z"
FINISHED = "2026-01-05T04:00:00Z"


def finished_status(
    manifest: dict[str, Any], workflow: str, outcome: Outcome | None = None
) -> dict[str, Any]:
    phase, run = simulate(manifest, outcome)
    nodes: dict[str, dict[str, Any]] = {}

    def add(path: str, kind: str, template: str, boundary: str | None, slot: int | None) -> str:
        name = f"{workflow}.{path}" if path else workflow
        node: dict[str, Any] = {
            "id": node_id(workflow, name),
            "name": name,
            "displayName": path.rsplit(".", 1)[-1] if path else workflow,
            "type": kind,
            "templateName": template,
            "phase": run.phases.get(path, phase) if path else phase,
            "startedAt": STARTED,
            "finishedAt": FINISHED,
            "children": [],
        }
        if boundary:
            node["boundaryID"] = boundary
        if slot is not None:
            node["inputs"] = {"parameters": [{"name": naming.PARAM_SLOT, "value": str(slot)}]}
        nodes[node["id"]] = node
        return str(node["id"])

    def link(parent: str, child: str) -> None:
        nodes[parent]["children"].append(child)

    root = add("", "DAG", naming.ENTRYPOINT, None, None)
    init = add(naming.INIT, "Pod", naming.INIT, root, None)
    link(root, init)
    study = dag_tasks(manifest, naming.ENTRYPOINT)
    trials = sorted(naming.slot_of(t) for t in study if naming.slot_of(t) is not None)
    last_of: dict[int, str] = {}
    for slot in trials:
        task = naming.slot_task(slot)
        dag = add(task, "DAG", naming.TRIAL, root, slot)
        waits_for = _previous_slot(study[task].get("depends", ""))
        link(init if waits_for is None else last_of[waits_for], dag)
        previous = dag
        for step in (*naming.TRIAL_SEQUENCE, naming.TEARDOWN):
            pod = add(f"{task}.{step}", "Pod", step, dag, slot)
            link(previous, pod)
            previous = pod
        last_of[slot] = previous
    report = add(naming.REPORT, "Pod", naming.REPORT, root, None)
    for slot in trials:  # the report depends on every slot
        link(last_of[slot], report)
    return {"phase": phase, "startedAt": STARTED, "finishedAt": FINISHED, "nodes": nodes}


def _previous_slot(depends: str) -> int | None:
    """The slot a slot task waits for (k-P), from its depends; None for the first P slots."""
    found = {name for name in task_names(depends) if naming.slot_of(name) is not None}
    return naming.slot_of(found.pop()) if found else None
