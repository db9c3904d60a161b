"""Argo's ``{{...}}`` references: which ones the executor resolves, and resolving them.

Only the simple tags the compiler emits are understood: ``inputs.parameters.NAME``,
``workflow.parameters.NAME``, ``workflow.name``, ``workflow.namespace`` and
``workflow.status`` (meaningful in an exit handler). Expression tags (``{{=...}}``),
task outputs, loop items and pod fields are refused when the manifest is read, so a
half-substituted command line never reaches a process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_TAG = re.compile(r"\{\{(.*?)\}\}")
_NAME = r"[A-Za-z0-9_][-A-Za-z0-9_.]*"
_SIMPLE = re.compile(rf"^(inputs\.parameters|workflow\.parameters)\.({_NAME})$")
WORKFLOW_VARS = ("workflow.name", "workflow.namespace", "workflow.status")
SUPPORTED = "{{inputs.parameters.NAME}}, {{workflow.parameters.NAME}}, " + ", ".join(
    "{{" + v + "}}" for v in WORKFLOW_VARS
)


def tags(text: str) -> list[str]:
    """The references in ``text``, stripped of braces and surrounding spaces."""
    return [match.group(1).strip() for match in _TAG.finditer(text)]


def tag_problem(tag: str, inputs: Iterable[str], parameters: Iterable[str]) -> str | None:
    """Why ``tag`` cannot be resolved in a template with ``inputs``, or None if it can."""
    if tag.startswith("="):
        return "is an Argo expression tag ({{=...}}), which the local executor does not support"
    if tag in WORKFLOW_VARS:
        return None
    match = _SIMPLE.match(tag)
    if match is None:
        return f"is not a reference the local executor resolves; supported: {SUPPORTED}"
    scope, name = match.groups()
    names = set(inputs) if scope == "inputs.parameters" else set(parameters)
    if name not in names:
        where = "the template's inputs" if scope == "inputs.parameters" else "spec.arguments"
        declared = ", ".join(sorted(names)) or "none"
        return f"names {name!r}, which {where} do not declare (declared: {declared})"
    return None


def render(text: str, scope: Mapping[str, str]) -> str:
    """``text`` with every reference replaced from ``scope`` (keys without braces).

    The manifest was checked before the run, so a missing key is a bug, not bad input.
    """

    def value(match: re.Match[str]) -> str:
        return scope[match.group(1).strip()]

    return _TAG.sub(value, text)


def scope_for(
    workflow: Mapping[str, str], inputs: Mapping[str, str], parameters: Mapping[str, str]
) -> dict[str, str]:
    """Every resolvable reference of one template instance, keyed as it is written."""
    scope = dict(workflow)
    scope.update({f"workflow.parameters.{k}": v for k, v in parameters.items()})
    scope.update({f"inputs.parameters.{k}": v for k, v in inputs.items()})
    return scope
