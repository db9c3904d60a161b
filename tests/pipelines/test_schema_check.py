"""The closed-world CRD check accepts what the compiler emits and rejects what Argo would."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pipelines import schema_check
from pipelines.compile import compile_task
from pipelines.crd_rules import UnknownRule, check_for
from pipelines.options import CompileOptions, Kind, Mode

from .helpers import make_task, spec

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not schema_check.available(),
        reason=f"the Argo CRDs are not at {schema_check.schema_dir()} (../shared/schemas)",
    ),
]

KINDS = ("workflow", "template", "cron")


def _manifest(kind: Kind = "workflow", trials: int = 5, mode: Mode = "local") -> dict[str, Any]:
    task = make_task(search={"trials": trials}, pipeline={"schedule": "0 3 * * 1"})
    options = CompileOptions(kind=kind, namespace="tuning", service_account="sa", mode=mode)
    return compile_task(task, options)


def _by_name(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in spec(manifest)["templates"] if t["name"] == name)


@pytest.mark.parametrize("mode", ["local", "cluster"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("trials", [5, 500])
def test_compiled_manifests_are_valid(kind: Kind, trials: int, mode: Mode):
    assert schema_check.schema_problems(_manifest(kind, trials, mode)) == []


# Where an unknown field goes: ("template", name, keys...), ("spec", keys...) or (keys...).
INJECTIONS = [
    ("metadata",),
    ("spec",),
    ("spec", "arguments", "parameters", 0),
    ("spec", "workflowMetadata"),
    ("spec", "workflowMetadata", "labelsFrom", "inference-autotuner/study"),
    ("template", "suggest"),
    ("template", "suggest", "container"),
    ("template", "suggest", "metadata"),
    ("template", "suggest", "retryStrategy"),
    ("template", "suggest", "retryStrategy", "backoff"),
    ("template", "suggest", "inputs", "parameters", 0),
    ("template", "trial", "dag"),
    ("template", "trial", "dag", "tasks", 0),
    ("template", "trial", "dag", "tasks", 0, "arguments", "parameters", 0),
]
# The objects only cluster mode emits.
CLUSTER_INJECTIONS = [
    ("spec", "podGC"),
    ("spec", "ttlStrategy"),
    ("spec", "artifactRepositoryRef"),
    ("template", "trial", "synchronization"),
    ("template", "trial", "synchronization", "semaphores", 0),
    ("template", "trial", "synchronization", "semaphores", 0, "configMapKeyRef"),
    ("template", "deploy", "container", "env", 0),
    ("template", "deploy", "container", "env", 0, "valueFrom"),
    ("template", "deploy", "container", "env", 0, "valueFrom", "secretKeyRef"),
    ("template", "report", "outputs"),
    ("template", "report", "outputs", "artifacts", 0),
    ("template", "report", "outputs", "artifacts", 0, "archive", "none"),
    ("template", "exit-handler", "dag", "tasks", 0),
]


def _target(manifest: dict[str, Any], path: tuple[Any, ...]) -> Any:
    if path[0] == "template":
        node: Any = _by_name(manifest, path[1])
        rest = path[2:]
    elif path[0] == "spec":
        node, rest = spec(manifest), path[1:]
    else:
        node, rest = manifest, path
    for key in rest:
        node = node[key]
    return node


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", INJECTIONS, ids=str)
def test_an_unknown_field_anywhere_is_rejected(kind: Kind, path: tuple[Any, ...]):
    manifest = copy.deepcopy(_manifest(kind))
    _target(manifest, path)["bogus"] = "x"
    problems = schema_check.schema_problems(manifest)
    assert len(problems) == 1, problems
    assert "'bogus' was unexpected" in problems[0]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", CLUSTER_INJECTIONS, ids=str)
def test_an_unknown_field_in_a_cluster_object_is_rejected(kind: Kind, path: tuple[Any, ...]):
    manifest = copy.deepcopy(_manifest(kind, mode="cluster"))
    _target(manifest, path)["bogus"] = "x"
    problems = schema_check.schema_problems(manifest)
    assert len(problems) == 1, problems
    assert "'bogus' was unexpected" in problems[0]


def test_the_top_level_is_closed_too():
    manifest = copy.deepcopy(_manifest())
    manifest["bogus"] = 1
    assert any("'bogus' was unexpected" in p for p in schema_check.schema_problems(manifest))


def test_labels_must_be_kubernetes_labels():
    manifest = copy.deepcopy(_manifest())
    manifest["metadata"]["labels"]["inference-autotuner/task"] = "has spaces"
    assert schema_check.schema_problems(manifest)


def test_wrong_types_and_enums_are_rejected():
    manifest = copy.deepcopy(_manifest())
    _by_name(manifest, "suggest")["retryStrategy"]["retryPolicy"] = "Sometimes"
    _by_name(manifest, "suggest")["container"]["args"] = "step suggest"
    problems = schema_check.schema_problems(manifest)
    assert len(problems) == 2, problems


def test_the_crd_rules_argo_evaluates_in_cel_are_checked():
    manifest = copy.deepcopy(_manifest())
    _by_name(manifest, "trial")["activeDeadlineSeconds"] = 3600  # only valid on leaf templates
    task = _by_name(manifest, "trial")["dag"]["tasks"][1]
    task["dependencies"] = ["suggest"]  # depends and dependencies together
    problems = schema_check.schema_problems(manifest)
    assert any("activeDeadlineSeconds is only valid for leaf templates" in p for p in problems)
    assert any("cannot use both 'depends' and 'dependencies'" in p for p in problems)


def test_a_dag_over_the_crd_task_limit_is_rejected_briefly():
    manifest = copy.deepcopy(_manifest())
    study = _by_name(manifest, "study")["dag"]["tasks"]
    study.extend(copy.deepcopy(study[-1]) | {"name": f"extra-{i}"} for i in range(250))
    problems = schema_check.schema_problems(manifest)
    assert problems and all(len(p) < 400 for p in problems)


def test_a_rule_this_checker_does_not_implement_fails_loudly():
    with pytest.raises(UnknownRule, match=r"self\.foo"):
        check_for("has(self.foo)")
