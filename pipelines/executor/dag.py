"""A DAG template instance: start each task once its ``depends`` can be decided.

Argo's rules, kept here: a task's expression is evaluated once every task it names has
ended (Omitted counts as ended); false means the task is Omitted and never runs. The
DAG ends when every task has ended. Its phase comes from its leaf tasks (the ones no
task depends on): an Omitted leaf inherits the phase of the branch that led to it,
a Failed or Error branch winning over a Succeeded one. So a trial whose teardown (its
only leaf) ran and succeeded is Succeeded even though a step before it failed.

A task whose ``depends`` holds is then checked against its ``when`` (``when``): false
makes it Skipped ("when 'Succeeded != Succeeded' evaluated false"), as in Argo. A DAG
template with ``synchronization`` semaphores stays Pending until it holds them all
(``semaphores``), and gives them back when it ends.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from pipelines.depends import evaluate
from pipelines.executor import when
from pipelines.executor.runtime import Run, Runtime, render_arguments, start_template
from pipelines.executor.spec import (
    COMPLETED,
    ERROR,
    FAILED,
    OMITTED,
    SKIPPED,
    SUCCEEDED,
    TYPE_DAG,
    TYPE_SKIPPED,
    Template,
)
from pipelines.executor.status import Node
from pipelines.executor.substitute import render

OMITTED_MESSAGE = "omitted: depends condition not met"
# A node's phase as a depends expression names it.
_RESULT = {"Error": "Errored"}


class DagRun:
    def __init__(
        self,
        rt: Runtime,
        template: Template,
        name: str,
        display: str,
        inputs: Mapping[str, str],
        boundary: str | None,
    ) -> None:
        self.rt, self.template, self.inputs = rt, template, dict(inputs)
        self.node = rt.node(name, display, TYPE_DAG, template.name, boundary, inputs)
        self.holding = not template.semaphores  # nothing to wait for: it starts now
        if self.holding:
            self.node.start(time.time())
        self.runs: dict[str, Run] = {}  # tasks started by this run
        self.nodes: dict[str, Node] = {}  # every task that has a node: run, omitted or kept

    def tick(self, now: float) -> bool:
        if self.node.fulfilled:
            return False
        if not self.holding and not self._acquire(now):
            return False
        changed = False
        for run in list(self.runs.values()):
            if not run.node.fulfilled:
                changed |= run.tick(now)
        for task in self.template.tasks:
            if task.name in self.nodes or self.rt.stopping:
                continue
            deps = [self.nodes.get(dep) for dep in task.deps]
            if any(node is None or not node.fulfilled for node in deps):
                continue
            changed |= self._start(task.name, now)
        if len(self.nodes) == len(self.template.tasks) and all(
            node.fulfilled for node in self.nodes.values()
        ):
            leaves = self.template.leaves()
            self.node.outbound = [o for leaf in leaves for o in self.rt.outbound(self.nodes[leaf])]
            self.node.finish(assess(self.template, self.nodes), now)
            self.rt.semaphores.release(self.node.id)
            self.rt.changed = changed = True
        return changed

    def _acquire(self, now: float) -> bool:
        """Take the template's semaphores; until then the node is Pending, saying why."""
        locks, sem = self.template.semaphores, self.rt.semaphores
        if not self.rt.stopping and sem.acquire(locks, self.node.id):
            self.holding = True
            self.node.start(now)
            self.node.message = ""
            self.rt.changed = True
            return True
        message = sem.waiting_message(locks, self.node.id)
        if message != self.node.message:
            self.node.message = message
            self.rt.changed = True
        return False

    def _start(self, task_name: str, now: float) -> bool:
        task = self.template.task(task_name)
        name = f"{self.node.name}.{task.name}"
        if task.depends is not None:
            results = {dep: _RESULT.get(p, p) for dep in task.deps if (p := self.nodes[dep].phase)}
            if not evaluate(task.depends, results):
                node = self.rt.node(name, task.name, TYPE_SKIPPED, task.template, self.node.id)
                node.started_at = now  # Argo stamps an omitted node when it decides it
                node.finish(OMITTED, now, OMITTED_MESSAGE)
                self.nodes[task.name] = node
                self._link(task.deps, node)
                return True
        if task.when is not None:
            condition = render(task.when, self.rt.scope(self.inputs))
            if not when.holds(condition):
                node = self.rt.node(name, task.name, TYPE_SKIPPED, task.template, self.node.id)
                node.started_at = now
                node.finish(SKIPPED, now, f"when '{condition.strip()}' evaluated false")
                self.nodes[task.name] = node
                self._link(task.deps, node)
                return True
        kept = self.rt.status.by_name(name)
        if kept is not None and kept.fulfilled:
            # ended in an earlier run that this one continues (retry, resume): keep it
            self.nodes[task.name] = kept
            self._link(task.deps, kept)
            return True
        limit = self.template.parallelism
        if limit is not None and sum(not r.node.fulfilled for r in self.runs.values()) >= limit:
            return False
        arguments = render_arguments(self.rt, task.arguments, self.inputs)
        template = self.rt.workflow.templates[task.template]
        run = start_template(self.rt, template, name, task.name, arguments, self.node.id)
        self.runs[task.name] = run
        self.nodes[task.name] = run.node
        self._link(task.deps, run.node)
        return True

    def _link(self, deps: tuple[str, ...], node: Node) -> None:
        """Argo's graph edges: from the DAG to its first tasks, from a task's outbound
        nodes to each of its dependents."""
        if not deps:
            self.rt.connect([self.node], node)
            return
        nodes = self.rt.status.nodes
        for dep in deps:
            parents = [nodes[i] for i in self.rt.outbound(self.nodes[dep]) if i in nodes]
            self.rt.connect(parents, node)

    def abort(self, message: str, now: float) -> None:
        self.rt.semaphores.release(self.node.id)  # a waiter stops waiting; nothing new starts
        for run in self.runs.values():
            if not run.node.fulfilled:
                run.abort(message, now)


def assess(template: Template, nodes: Mapping[str, Node]) -> str:
    """The DAG's phase once every task has ended (Argo's assessDAGPhase, failFast)."""

    def branch(task: str) -> set[str]:
        node = nodes[task]
        if node.phase in COMPLETED:
            return {node.phase}
        deps = template.task(task).deps
        if not deps:
            return {SUCCEEDED}
        return set().union(*(branch(dep) for dep in deps))

    for leaf in template.leaves():
        phases = branch(leaf)
        for bad in (FAILED, ERROR):
            if bad in phases:
                return bad
    return SUCCEEDED
