"""Small hand-written workflows whose steps are one-line Python programs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from pipelines.executor import Executor, ExecutorOptions, Outcome, parse_workflow

PY = sys.executable
FAKE_STEP = Path(__file__).with_name("fake_step.py")
NODE_PHASES = {"Pending", "Running", "Succeeded", "Skipped", "Failed", "Error", "Omitted"}
NODE_TYPES = {"Pod", "Container", "Steps", "StepGroup", "DAG", "TaskGroup", "Retry", "Skipped"}
NODE_FIELDS = {"id", "name", "displayName", "type", "templateName", "phase", "startedAt",
               "finishedAt", "message", "boundaryID", "children", "outboundNodes", "inputs",
               "outputs"}  # fmt: skip

# Sleeps argv[2] seconds and appends {"name", "start", "end"} to the file argv[1].
SPAN = (
    "import json,sys,time; s=time.time(); time.sleep(float(sys.argv[2])); "
    "open(sys.argv[1],'a').write(json.dumps({'name':sys.argv[3],'start':s,'end':time.time()})+'\\n')"
)


def container(name: str, command: list[str], **extra: Any) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "container": {"image": "ignored", "command": command}}
    template.update(extra)
    return template


def python(name: str, code: str, *args: str, **extra: Any) -> dict[str, Any]:
    return container(name, [PY, "-c", code, *args], **extra)


def span(name: str, log: Path, seconds: float, **extra: Any) -> dict[str, Any]:
    """A template that records when it ran; its task passes its name as input ``who``."""
    extra.setdefault("inputs", {"parameters": [{"name": "who"}]})
    return python(name, SPAN, str(log), str(seconds), "{{inputs.parameters.who}}", **extra)


def task(name: str, template: str, depends: str | None = None, **arguments: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "template": template}
    if depends is not None:
        out["depends"] = depends
    if arguments:
        out["arguments"] = {"parameters": [{"name": k, "value": v} for k, v in arguments.items()]}
    return out


def dag(name: str, tasks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": name, "dag": {"tasks": tasks}, **extra}


def workflow(
    templates: list[dict[str, Any]], entrypoint: str = "main", **spec: Any
) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "t-"},
        "spec": {"entrypoint": entrypoint, "templates": templates, **spec},
    }


def run(manifest: dict[str, Any], **options: Any) -> Outcome:
    options.setdefault("workflow_name", "wf")
    return Executor(parse_workflow(manifest), ExecutorOptions(**options)).run()


def nodes_by_path(outcome: Outcome) -> dict[str, Any]:
    """Every node as Argo's record has it, keyed by its name without the workflow prefix."""
    data = outcome.status.to_dict()
    prefix = data["name"] + "."
    return {n["name"].removeprefix(prefix): n for n in data["nodes"].values()}


def spans(log: Path) -> dict[str, dict[str, float]]:
    lines = log.read_text().splitlines() if log.exists() else []
    return {row["name"]: row for row in map(json.loads, lines)}


def max_overlap(rows: list[dict[str, float]]) -> int:
    events = sorted([(r["start"], 1) for r in rows] + [(r["end"], -1) for r in rows])
    best = current = 0
    for _, step in events:
        current += step
        best = max(best, current)
    return best


@pytest.fixture
def fake_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "fake"
    folder.mkdir()
    monkeypatch.setenv("FAKE_STEP_DIR", str(folder))
    return folder
