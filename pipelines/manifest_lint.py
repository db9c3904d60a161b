"""Semantic lint of a compiled manifest: what the CRD schema cannot say.

The schema checks field names and types; Argo's own validator (which runs on submit,
not here) checks that the pieces fit. This lint re-checks the part of that which a
compiler bug would break, on the plain dict, before anything is submitted:

- the entrypoint, every task's ``template`` and every hook resolve to a template;
- every ``depends`` parses, names tasks of the same DAG, and the DAG has no cycle;
- a task passes exactly the parameters its template declares (required ones included);
- every ``{{...}}`` reference resolves: ``inputs.parameters.X`` to an input of the same
  template, ``workflow.parameters.X`` to a workflow argument, ``tasks.X...`` to an
  ancestor task of the same DAG, and only the workflow variables listed in
  ``WORKFLOW_VARIABLES`` (plus ``EXIT_VARIABLES`` in the exit handler's templates,
  where Argo defines them). Stricter than Argo on purpose: the local executor must be
  able to substitute every reference it meets;
- every output artifact's path lies under the folder its step is told to write
  artifacts to (``--artifacts DIR``): otherwise the artifact is silently absent.
"""

from __future__ import annotations

import re
from typing import Any

from pipelines.depends import FANOUT_RESULTS, DependsError, references

TEMPLATE_TYPES = (
    "container", "script", "dag", "steps", "resource", "suspend", "containerSet", "data", "http",
    "plugin",
)  # fmt: skip
# The workflow variables both Argo and the local executor substitute.
WORKFLOW_VARIABLES = ("workflow.name", "workflow.namespace")
# Only set while the exit handler (spec.onExit) runs.
EXIT_VARIABLES = ("workflow.status", "workflow.failures")
_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
_TAG = re.compile(r"{{\s*([^{}]*?)\s*}}")
_TASK_REF = re.compile(
    r"^tasks\.([^.]+)\.(outputs\.(parameters\.[^.]+|result)|exitCode|status|id)$"
)
_CRON_NAME_MAX = 52  # Argo appends "-<unix time>" to a cron's name for each run


def lint_manifest(manifest: dict[str, Any]) -> list[str]:
    """Every problem found, one line each (``where: what``); empty when the manifest is sound."""
    kind = manifest.get("kind")
    spec = manifest.get("spec", {})
    if kind == "CronWorkflow":
        spec = spec.get("workflowSpec", {})
        if len(manifest.get("metadata", {}).get("name", "")) > _CRON_NAME_MAX:
            return [f"metadata.name: longer than {_CRON_NAME_MAX} characters (cron runs add 11)"]
    templates = {t.get("name"): t for t in spec.get("templates", [])}
    problems = []
    if len(templates) != len(spec.get("templates", [])):
        problems.append("spec.templates: template names are not unique")
    globals_ = _globals(spec)
    problems += _lint_globals(spec, globals_)
    if spec.get("entrypoint") not in templates:
        problems.append(f"spec.entrypoint: {spec.get('entrypoint')!r} names no template")
    if spec.get("onExit") and spec["onExit"] not in templates:
        problems.append(f"spec.onExit: {spec['onExit']!r} names no template")
    on_exit = _reachable(spec.get("onExit"), templates)
    for name, template in templates.items():
        where = f"templates[{name}]"
        types = [key for key in TEMPLATE_TYPES if key in template]
        if len(types) != 1:
            problems.append(f"{where}: has template types {types}; exactly one is needed")
        known = globals_ | set(EXIT_VARIABLES) if name in on_exit else globals_
        if "dag" in template:
            problems += _lint_dag(where, template, templates, known)
        else:
            problems += _lint_references(where, template, template, known, set())
        problems += _lint_artifacts(where, template)
    return problems


def _reachable(root: str | None, templates: dict[str, Any]) -> set[str]:
    """``root`` and every template its DAG tasks call, transitively."""
    seen: set[str] = set()
    stack = [root] if root in templates else []
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        for task in templates[name].get("dag", {}).get("tasks", []):
            if task.get("template") in templates:
                stack.append(task["template"])
    return seen


def _lint_artifacts(where: str, template: dict[str, Any]) -> list[str]:
    artifacts = template.get("outputs", {}).get("artifacts", [])
    if not artifacts:
        return []
    args = template.get("container", {}).get("args", [])
    folder = args[args.index("--artifacts") + 1] if "--artifacts" in args[:-1] else None
    problems = []
    for artifact in artifacts:
        path = str(artifact.get("path", ""))
        if folder is None or not path.startswith(folder.rstrip("/") + "/"):
            problems.append(
                f"{where}.outputs.artifacts[{artifact.get('name')}]: {path!r} is not under the "
                f"folder the step writes artifacts to (--artifacts {folder})"
            )
    return problems


def _globals(spec: dict[str, Any]) -> set[str]:
    arguments = spec.get("arguments", {}).get("parameters", [])
    return {f"workflow.parameters.{p['name']}" for p in arguments} | set(WORKFLOW_VARIABLES)


def _lint_globals(spec: dict[str, Any], globals_: set[str]) -> list[str]:
    problems = []
    # Argo takes an argument's value literally: a {{...}} in it reaches the steps as is.
    for param in spec.get("arguments", {}).get("parameters", []):
        if "{{" in str(param.get("value", "")):
            problems.append(
                f"spec.arguments.{param['name']}: {param['value']!r} would not be substituted"
            )
    for label, source in spec.get("workflowMetadata", {}).get("labelsFrom", {}).items():
        for name in re.findall(r"workflow\.[\w.-]+", source.get("expression", "")):
            if name not in globals_:
                problems.append(f"spec.workflowMetadata.labelsFrom.{label}: {name} is not defined")
    return problems


def _lint_dag(
    where: str, template: dict[str, Any], templates: dict[str, Any], globals_: set[str]
) -> list[str]:
    tasks = {t.get("name"): t for t in template["dag"].get("tasks", [])}
    problems = []
    if len(tasks) != len(template["dag"].get("tasks", [])):
        problems.append(f"{where}.dag: task names are not unique")
    parents: dict[str, list[str]] = {}
    for name, task in tasks.items():
        at = f"{where}.dag.tasks[{name}]"
        if not isinstance(name, str) or not _NAME.match(name) or len(name) > 128:
            problems.append(f"{at}: name must match {_NAME.pattern}, at most 128 characters")
        parents[name], found = _parents(at, task, tasks)
        problems += found
        target = templates.get(task.get("template"))
        if target is None:
            problems.append(f"{at}.template: {task.get('template')!r} names no template")
        else:
            problems += _lint_arguments(at, task, target)
        for hook, spec in task.get("hooks", {}).items():
            if spec.get("template") not in templates:
                problems.append(f"{at}.hooks.{hook}: {spec.get('template')!r} names no template")
    problems += _cycles(where, parents)
    for name, task in tasks.items():
        ancestors = _ancestors(name, parents)
        problems += _lint_references(
            f"{where}.dag.tasks[{name}]", task, template, globals_, ancestors
        )
    return problems


def _parents(at: str, task: dict[str, Any], tasks: dict[str, Any]) -> tuple[list[str], list[str]]:
    problems, names = [], list(task.get("dependencies", []))
    if "depends" in task:
        try:
            refs = references(task["depends"])
        except DependsError as exc:
            return [], [f"{at}.depends: {exc}"]
        for dep, result in refs:
            fanout = any(
                k in tasks.get(dep, {}) for k in ("withItems", "withParam", "withSequence")
            )
            if result in FANOUT_RESULTS and not fanout:
                problems.append(f"{at}.depends: {dep}.{result} needs {dep} to fan out (withItems)")
        names += [dep for dep, _ in refs]
    for dep in dict.fromkeys(names):
        if dep not in tasks:
            problems.append(f"{at}.depends: {dep!r} is not a task of this DAG")
        elif dep == task.get("name"):
            problems.append(f"{at}.depends: a task cannot depend on itself")
    return [dep for dep in dict.fromkeys(names) if dep in tasks], problems


def _cycles(where: str, parents: dict[str, list[str]]) -> list[str]:
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str) -> str | None:
        state[name] = 1
        for parent in parents.get(name, []):
            if state.get(parent) == 1:
                return parent
            if parent not in state and (found := visit(parent)):
                return found
        state[name] = 2
        return None

    for name in parents:
        if name not in state and (found := visit(name)):
            return [f"{where}.dag: the depends of {found!r} form a cycle"]
    return []


def _ancestors(name: str, parents: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(parents.get(name, []))
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.add(parent)
            stack.extend(parents.get(parent, []))
    return seen


def _lint_arguments(at: str, task: dict[str, Any], target: dict[str, Any]) -> list[str]:
    declared = {p["name"]: p for p in target.get("inputs", {}).get("parameters", [])}
    given = [p.get("name") for p in task.get("arguments", {}).get("parameters", [])]
    problems = [
        f"{at}.arguments: {name!r} is given twice" for name in set(given) if given.count(name) > 1
    ]
    for name in given:
        if name not in declared:
            problems.append(f"{at}.arguments: {name!r} is not an input of {target['name']!r}")
    for name, param in declared.items():
        if name not in given and "value" not in param and "default" not in param:
            problems.append(f"{at}.arguments: required input {name!r} is not given")
    return problems


def _lint_references(
    where: str, node: Any, template: dict[str, Any], globals_: set[str], ancestors: set[str]
) -> list[str]:
    """Every ``{{tag}}`` under ``node`` (a template, or one task of a DAG template)."""
    if node is template and "dag" in template:
        return []
    inputs = {
        f"inputs.parameters.{p['name']}" for p in template.get("inputs", {}).get("parameters", [])
    }
    problems = []
    for text in _strings(node):
        for tag in _TAG.findall(text):
            if tag in inputs or tag in globals_:
                continue
            task_ref = _TASK_REF.match(tag)
            if task_ref and task_ref.group(1) in ancestors:
                continue
            problems.append(f"{where}: {{{{{tag}}}}} does not resolve here")
    return sorted(set(problems))


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    return []
