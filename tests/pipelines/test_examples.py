"""Every example task compiles, passes the checks, and matches its committed golden YAML.

Goldens live in ``examples/compiled/<example>.<kind>.yaml`` (local mode) and, for the
examples that deploy on Kubernetes (``deploy.backend: ome``), also
``<example>.cluster.<kind>.yaml`` (cluster mode). They are compiled from the
task as written (relative model paths stay relative), so they are the same on every
machine; ``autotune compile`` resolves those paths against the task file, which the
last test covers. Regenerate after an intended change with::

    AUTOTUNE_REGEN_GOLDEN=1 pytest tests/pipelines/test_examples.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

import pytest

from pipelines import manifest_lint, schema_check
from pipelines.compile import compile_task, to_yaml
from pipelines.options import CompileOptions, Kind, Mode
from steps.spec import Task, load_task, parse_text, task_from_dict

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
GOLDEN = EXAMPLES / "compiled"
REGEN = os.environ.get("AUTOTUNE_REGEN_GOLDEN") == "1"
TASK_FILES = sorted(EXAMPLES.glob("*.yaml"))


def _as_written(path: Path) -> Task:
    return task_from_dict(parse_text(path.read_text(), str(path)))


def _kinds(task: Task) -> list[Kind]:
    kinds: list[Kind] = ["workflow", "template"]
    return [*kinds, "cron"] if task.pipeline.schedule else kinds


def _modes(task: Task) -> list[Mode]:
    return ["local", "cluster"] if task.deploy.backend == "ome" else ["local"]


CASES = [
    (path, kind, mode)
    for path in TASK_FILES
    for kind in _kinds(_as_written(path))
    for mode in _modes(_as_written(path))
]
IDS = [f"{p.stem}.{m}.{k}" for p, k, m in CASES]


def _golden_name(path: Path, kind: Kind, mode: Mode) -> str:
    return f"{path.stem}.{kind}.yaml" if mode == "local" else f"{path.stem}.{mode}.{kind}.yaml"


def _check(manifest: dict[str, Any]) -> list[str]:
    problems = manifest_lint.lint_manifest(manifest)
    if schema_check.available():
        problems += schema_check.schema_problems(manifest)
    return problems


def test_there_are_examples_a_recurring_one_and_a_cluster_one():
    assert TASK_FILES, f"no task files in {EXAMPLES}"
    assert any(kind == "cron" for _, kind, _ in CASES), "no example has a pipeline.schedule"
    assert any(mode == "cluster" for _, _, mode in CASES), "no example deploys with ome"


@pytest.mark.parametrize(("path", "kind", "mode"), CASES, ids=IDS)
def test_example_matches_its_golden(path: Path, kind: Kind, mode: Mode):
    text = to_yaml(compile_task(_as_written(path), CompileOptions(kind=kind, mode=mode)))
    golden = GOLDEN / _golden_name(path, kind, mode)
    if REGEN:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert golden.exists(), f"{golden} is missing; run with AUTOTUNE_REGEN_GOLDEN=1"
    expected = golden.read_text()
    lines = expected.splitlines(True), text.splitlines(True)
    diff = "".join(difflib.unified_diff(*lines, str(golden), "compiled"))
    assert text == expected, f"compiled output differs from the golden:\n{diff}"


def test_no_stale_goldens():
    expected = {_golden_name(p, k, m) for p, k, m in CASES}
    present = {p.name for p in GOLDEN.glob("*.yaml")}
    assert present <= expected, f"goldens without an example: {sorted(present - expected)}"


@pytest.mark.parametrize(("path", "kind", "mode"), CASES, ids=IDS)
def test_example_passes_lint_and_closed_world_schema(path: Path, kind: Kind, mode: Mode):
    """As ``autotune compile`` sees it: loaded from the file, relative paths resolved."""
    manifest = compile_task(load_task(path), CompileOptions(kind=kind, mode=mode))
    assert _check(manifest) == []
