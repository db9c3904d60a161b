"""Validate the form as ``autotune validate`` validates a file, and preview the manifest.

The problems are the task model's own lines (``field.path: what is wrong; allowed:
...``), so the form and the CLI say the same thing. Each line is shown beside the part
of the form its path points into.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from steps.errors import TaskError
from steps.spec import Task, task_from_dict
from ui.taskform import FormValues, to_task_dict

# path prefix -> form section, most specific first
SECTIONS: tuple[tuple[str, str], ...] = (
    ("search.parameters", "parameters"),
    ("search.fixed", "fixed"),
    ("name", "study"),
    ("description", "study"),
    ("model", "model"),
    ("engine", "engine"),
    ("deploy", "deploy"),
    ("search", "search"),
    ("objective", "objective"),
    ("benchmark", "benchmark"),
    ("pipeline", "pipeline"),
)
GENERAL = "general"


@dataclass
class Checked:
    data: dict[str, Any]
    task: Task | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.task is not None and not self.problems

    def section(self, name: str) -> list[str]:
        return [p for p in self.problems if section_of(p) == name]


def check(values: FormValues) -> Checked:
    data, problems = to_task_dict(values)
    try:
        task = task_from_dict(data)
    except TaskError as exc:
        return Checked(data, None, problems + exc.problems)
    return Checked(data, None if problems else task, problems)


def check_data(data: dict[str, Any]) -> list[str]:
    """The problems of a task dict (an imported file), as the CLI lists them."""
    try:
        task_from_dict(data)
    except TaskError as exc:
        return exc.problems
    return []


def section_of(problem: str) -> str:
    path = problem.split(": ", 1)[0] if ": " in problem else ""
    for prefix, section in SECTIONS:
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return section
    return GENERAL


def preview(task: Task, store_uri: str, kind: str = "workflow", cluster: bool = False) -> str:
    """The manifest a submit would run, as YAML: for the local executor, or in cluster mode
    as Argo gets it (compile problems raise TaskError)."""
    from pipelines.compile import compile_task, to_yaml
    from pipelines.options import CompileOptions

    options = CompileOptions(
        store=store_uri,
        kind=kind,  # type: ignore[arg-type]  # "workflow" or "cron", from the caller
        mode="cluster" if cluster else "local",
    )
    return to_yaml(compile_task(task, options))
