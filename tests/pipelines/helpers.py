"""Tasks to compile, views into a compiled manifest, and a small Argo DAG simulator.

The simulator follows Argo's DAG rules (``workflow/controller/dag.go``) closely enough
to test what the compiler promises about order and phases, and no further:
- a task with ``depends`` starts once every task it names has finished; if the
  expression is false it is Omitted;
- a DAG's phase comes from its leaf tasks; an Omitted task inherits the phase of the
  branch above it (Failed wins), a finished task sets it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipelines.depends import evaluate, task_names
from steps.spec import Task, task_from_dict

BASE_TASK: dict[str, Any] = {
    "name": "demo",
    "model": {"name": "m"},
    "engine": {"kind": "llama.cpp"},
    "search": {
        "trials": 5,
        "parallelism": 2,
        "parameters": {"parallel": {"type": "int", "low": 1, "high": 8}},
    },
    "benchmark": {"scenarios": ["D(100,100)"], "concurrency": [1]},
}


def make_task(**sections: dict[str, Any]) -> Task:
    """BASE_TASK with some sections updated, e.g. ``make_task(search={"trials": 9})``."""
    data = copy.deepcopy(BASE_TASK)
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return task_from_dict(data)


def spec(manifest: dict[str, Any]) -> dict[str, Any]:
    if manifest["kind"] == "CronWorkflow":
        return manifest["spec"]["workflowSpec"]
    return manifest["spec"]


def templates(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in spec(manifest)["templates"]}


def dag_tasks(manifest: dict[str, Any], template: str) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in templates(manifest)[template]["dag"]["tasks"]}


Outcome = Callable[[str], str]  # node path ("slot-1.deploy") -> Succeeded | Failed | Errored


@dataclass
class Run:
    """The result of simulating a manifest: node phases, in the order nodes finished."""

    phases: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def ran(self, path: str) -> bool:
        return self.phases.get(path) not in (None, "Omitted")


def simulate(manifest: dict[str, Any], outcome: Outcome | None = None) -> tuple[str, Run]:
    """Run the entrypoint; every container ends as ``outcome(path)`` (default Succeeded)."""
    by_name = templates(manifest)
    run = Run()
    decide = outcome or (lambda path: "Succeeded")

    def execute(name: str, path: str) -> str:
        template = by_name[name]
        is_pod = "container" in template
        phase = decide(path) if is_pod else run_dag(template["dag"]["tasks"], path)
        if path:
            run.phases[path] = phase
            run.order.append(path)
        return phase

    def run_dag(tasks: list[dict[str, Any]], prefix: str) -> str:
        phases: dict[str, str] = {}
        pending = list(tasks)
        while pending:
            task = next(t for t in pending if all(n in phases for n in _deps(t)))
            pending.remove(task)
            path = f"{prefix}.{task['name']}" if prefix else task["name"]
            if "depends" in task and not evaluate(task["depends"], _results(phases)):
                phases[task["name"]] = run.phases[path] = "Omitted"
                run.order.append(path)
            else:
                phases[task["name"]] = execute(task["template"], path)
        return _dag_phase(tasks, phases)

    return execute(spec(manifest)["entrypoint"], ""), run


def _deps(task: dict[str, Any]) -> list[str]:
    return task_names(task["depends"]) if "depends" in task else []


def _results(phases: dict[str, str]) -> dict[str, str]:
    # Node phase Error is spelled Errored in depends.
    return {name: "Errored" if phase == "Error" else phase for name, phase in phases.items()}


def _dag_phase(tasks: list[dict[str, Any]], phases: dict[str, str]) -> str:
    branch: dict[str, str] = {}
    for task in tasks:  # compiled DAGs list every task after its dependencies
        inherited = [branch[d] for d in _deps(task)]
        above = next((p for p in inherited if p in ("Failed", "Errored")), "Succeeded")
        phase = phases[task["name"]]
        branch[task["name"]] = above if phase == "Omitted" else phase
    leaves = {t["name"] for t in tasks} - {d for t in tasks for d in _deps(t)}
    failed = [branch[leaf] for leaf in leaves if branch[leaf] in ("Failed", "Errored")]
    return "Failed" if failed else "Succeeded"
