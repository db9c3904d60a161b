"""The lint passes compiled manifests and catches the mistakes a compiler bug would make."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from pipelines.compile import compile_task
from pipelines.manifest_lint import lint_manifest
from pipelines.options import CompileOptions, Kind

from .helpers import make_task, spec


def _manifest(kind: Kind = "workflow", trials: int = 5) -> dict[str, Any]:
    task = make_task(search={"trials": trials}, pipeline={"schedule": "@daily"})
    return compile_task(task, CompileOptions(kind=kind))


def _template(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in spec(manifest)["templates"] if t["name"] == name)


def _task(manifest: dict[str, Any], template: str, name: str) -> dict[str, Any]:
    return next(t for t in _template(manifest, template)["dag"]["tasks"] if t["name"] == name)


@pytest.mark.parametrize("kind", ["workflow", "template", "cron"])
@pytest.mark.parametrize("trials", [5, 300])
def test_compiled_manifests_lint_clean(kind: Kind, trials: int):
    assert lint_manifest(_manifest(kind, trials)) == []


Breakage = Callable[[dict[str, Any]], None]
_SCORE_RESULT = {"name": "slot", "value": "{{tasks.score.outputs.result}}"}


def _set(template: str, task: str, key: str, value: Any) -> Breakage:
    return lambda m: _task(m, template, task).__setitem__(key, value)


BREAKAGES: dict[str, tuple[Breakage, str]] = {
    "dangling depends": (_set("trial", "score", "depends", "benchmrk"), "'benchmrk' is not a task"),
    "dangling depends in an expression": (
        _set("study", "slot-3", "depends", "init && (slot-9.Failed || slot-1.Succeeded)"),
        "'slot-9' is not a task",
    ),
    "unparsable depends": (_set("trial", "score", "depends", "benchmark &&"), "ends where"),
    "unknown depends result": (
        _set("trial", "score", "depends", "benchmark.Done"),
        "unknown result",
    ),
    "fan-out result on a plain task": (
        _set("trial", "score", "depends", "benchmark.AnySucceeded"),
        "needs benchmark to fan out",
    ),
    "cycle": (_set("trial", "suggest", "depends", "score"), "cycle"),
    "self dependency": (_set("trial", "deploy", "depends", "deploy"), "itself"),
    "unknown template": (
        _set("trial", "deploy", "template", "deplyo"),
        "'deplyo' names no template",
    ),
    "missing argument": (_set("trial", "deploy", "arguments", {}), "required input 'slot'"),
    "undeclared argument": (
        _set("study", "init", "arguments", {"parameters": [{"name": "slot", "value": "1"}]}),
        "'slot' is not an input of 'init'",
    ),
    "unknown entrypoint": (lambda m: spec(m).__setitem__("entrypoint", "main"), "spec.entrypoint"),
    "unresolved input": (
        lambda m: _template(m, "report")["container"]["args"].append("{{inputs.parameters.slot}}"),
        "{{inputs.parameters.slot}} does not resolve",
    ),
    "unresolved workflow parameter": (
        lambda m: _template(m, "suggest")["container"]["args"].append("{{workflow.parameters.x}}"),
        "{{workflow.parameters.x}} does not resolve",
    ),
    "task output of a non-ancestor": (
        _set("trial", "deploy", "arguments", {"parameters": [_SCORE_RESULT]}),
        "{{tasks.score.outputs.result}} does not resolve",
    ),
    "variable in an argument's value": (
        lambda m: spec(m)["arguments"]["parameters"][0].__setitem__("value", "{{workflow.name}}"),
        "would not be substituted",
    ),
    "two template types": (
        lambda m: _template(m, "report").__setitem__("dag", {"tasks": []}),
        "exactly one is needed",
    ),
}


@pytest.mark.parametrize("case", list(BREAKAGES), ids=str)
def test_the_lint_rejects(case: str):
    breakage, expected = BREAKAGES[case]
    manifest = copy.deepcopy(_manifest())
    breakage(manifest)
    problems = lint_manifest(manifest)
    assert any(expected in problem for problem in problems), problems


def test_an_ancestors_output_resolves():
    manifest = copy.deepcopy(_manifest())
    args = {"parameters": [{"name": "slot", "value": "{{tasks.suggest.outputs.result}}"}]}
    _task(manifest, "trial", "benchmark")["arguments"] = args  # suggest is two steps up
    assert lint_manifest(manifest) == []


def test_cron_names_leave_room_for_the_run_suffix():
    manifest = copy.deepcopy(_manifest("cron"))
    manifest["metadata"]["name"] = "x" * 53
    assert any("52" in p for p in lint_manifest(manifest))
