"""Whole-manifest checks, run before anything starts: every name a task, a ``depends`` or a
``{{...}}`` reference uses must exist, and the graphs must be acyclic.

Argo finds some of these only when it reaches the node, after earlier steps already
ran (and, here, after engines already started); the local executor finds them all first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipelines.executor import artifacts
from pipelines.executor.spec import Template, Workflow
from pipelines.executor.substitute import tag_problem, tags

_TASK_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")


def check_workflow(workflow: Workflow) -> list[str]:
    problems: list[str] = []
    templates = workflow.templates
    defined = ", ".join(sorted(templates))
    for field, name in (
        ("spec.entrypoint", workflow.entrypoint),
        ("spec.onExit", workflow.on_exit),
    ):
        if name is None:
            continue
        if name not in templates:
            problems.append(f"{field}: template {name!r} is not defined; defined: {defined}")
            continue
        # Argo fills a top-level template's inputs from the workflow's arguments.
        for input_name, default in templates[name].inputs:
            if default is None and input_name not in workflow.parameters:
                problems.append(
                    f"{field}: template {name!r} needs input {input_name!r}, which "
                    "spec.arguments.parameters does not give; add it there"
                )
    for template in templates.values():
        problems.extend(_template_problems(template, workflow))
        problems.extend(_cluster_problems(template, workflow))
    if not problems:
        problems.extend(_recursion(workflow))
    return problems


def _template_problems(template: Template, workflow: Workflow) -> list[str]:
    problems: list[str] = []
    path = template.path
    if template.is_dag:
        if template.retry is not None:
            problems.append(f"{path}.retryStrategy: retrying a whole DAG is not supported")
        if template.deadline_s is not None:
            problems.append(
                f"{path}.activeDeadlineSeconds: Argo accepts it on leaf templates only; "
                "set it on the container templates"
            )
        problems.extend(_dag_problems(template, workflow))
    elif template.parallelism is not None:
        problems.append(f"{path}.parallelism: only a dag template can limit its parallelism")
    inputs = [name for name, _ in template.inputs]
    for where, text in _strings(template):
        for tag in tags(text):
            problem = tag_problem(tag, inputs, workflow.parameters)
            if problem:
                problems.append(f"{path}.{where}: '{{{{{tag}}}}}' {problem}")
    return problems


def _cluster_problems(template: Template, workflow: Workflow) -> list[str]:
    """Where cluster mode's fields may appear: where the compiler puts them, nowhere else."""
    path, problems = template.path, []
    if template.semaphores and not template.is_dag:
        problems.append(
            f"{path}.synchronization: supported on dag templates only (the compiler puts "
            "the GPU semaphore on the trial DAG)"
        )
    if template.outputs and template.container is None:
        problems.append(f"{path}.outputs: output artifacts are supported on containers only")
    if template.container is not None:
        for artifact in artifacts.uncovered(template.container.argv, template.outputs):
            problems.append(
                f"{path}.outputs.artifacts[{artifact.name}].path: {artifact.path!r} is not "
                "under a folder the container's args name (as --artifacts DIR); steps share "
                "one filesystem here, and each attempt gets a private copy of that folder"
            )
    for task in template.tasks:
        if task.when is not None and template.name != workflow.on_exit:
            problems.append(
                f"{path}.dag.tasks[{task.name}].when: supported only in the exit handler's "
                "DAG (spec.onExit), where {{workflow.status}} is the workflow's outcome"
            )
    return problems


def _strings(template: Template) -> Iterator[tuple[str, str]]:
    """Every string the executor substitutes into, with where it sits."""
    if template.container is not None:
        for i, text in enumerate(template.container.command):
            yield f"container.command[{i}]", text
        for i, text in enumerate(template.container.args):
            yield f"container.args[{i}]", text
        for name, value in template.container.env:
            yield f"container.env[{name}]", value
    for task in template.tasks:
        for name, value in task.arguments:
            yield f"dag.tasks[{task.name}].arguments[{name}]", value
        if task.when is not None:
            yield f"dag.tasks[{task.name}].when", task.when
    for key, value in template.labels:
        yield f"metadata.labels[{key}]", value


def _dag_problems(template: Template, workflow: Workflow) -> list[str]:
    problems: list[str] = []
    names = [task.name for task in template.tasks]
    for task in template.tasks:
        where = f"{template.path}.dag.tasks[{task.name}]"
        if not _TASK_NAME.match(task.name):
            problems.append(
                f"{where}.name: {task.name!r} is not a task name depends can refer to; "
                "use letters, digits and '-'"
            )
        if names.count(task.name) > 1:
            problems.append(f"{where}.name: {task.name!r} is used by two tasks of this DAG")
        for dep in task.deps:
            if dep not in names or dep == task.name:
                problems.append(
                    f"{where}.depends: {dep!r} is not another task of this DAG; "
                    f"tasks: {', '.join(names)}"
                )
        called = workflow.templates.get(task.template)
        if called is None:
            problems.append(
                f"{where}.template: {task.template!r} is not defined; "
                f"defined: {', '.join(sorted(workflow.templates))}"
            )
            continue
        declared = {name for name, _ in called.inputs}
        given = {name for name, _ in task.arguments}
        for name in sorted(given - declared):
            problems.append(
                f"{where}.arguments: {name!r} is not an input of template {called.name!r} "
                f"(inputs: {', '.join(sorted(declared)) or 'none'})"
            )
        for name, default in called.inputs:
            if default is None and name not in given:
                problems.append(
                    f"{where}.arguments: template {called.name!r} needs input {name!r}; pass it"
                )
    if not problems:
        cycle = _cycle({task.name: list(task.deps) for task in template.tasks})
        if cycle:
            problems.append(f"{template.path}.dag: depends form a cycle: {' -> '.join(cycle)}")
    return problems


def _recursion(workflow: Workflow) -> list[str]:
    calls = {
        name: sorted({task.template for task in template.tasks})
        for name, template in workflow.templates.items()
    }
    cycle = _cycle(calls)
    if cycle:
        return [f"spec.templates: templates call each other in a loop: {' -> '.join(cycle)}"]
    return []


def _cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """One cycle of the graph (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in edges:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None
