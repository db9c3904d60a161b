"""Read a task file (YAML or JSON, current or legacy format) into a validated ``Task``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from steps.errors import TaskError
from steps.spec.checks import task_problems
from steps.spec.model import Task


def load_task(path: str | Path) -> Task:
    """Parse and validate a task file; raise ``TaskError`` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise TaskError(f"{path}: cannot read the task file ({exc.strerror})") from None
    data = parse_text(text, str(path))
    if _is_legacy(data):
        from steps.spec.legacy import convert_legacy

        data, problems = convert_legacy(data)
        if problems:
            raise TaskError([f"{path}: {p}" for p in problems])
    data = _resolve_paths(data, path.parent)
    return task_from_dict(data)


def parse_text(text: str, origin: str = "<task>") -> dict[str, Any]:
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise TaskError(f"{origin}: not valid YAML or JSON: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise TaskError(f"{origin}: a task is a mapping of keys, got {type(data).__name__}")
    return data


def task_from_dict(data: dict[str, Any]) -> Task:
    try:
        task = Task.model_validate(data)
    except ValidationError as exc:
        raise TaskError(format_errors(exc)) from None
    problems = task_problems(task)
    if problems:
        raise TaskError(problems)
    return task


def dump_task(task: Task) -> str:
    """The task as YAML, defaults included, in the order the model declares."""
    return yaml.safe_dump(task.model_dump(mode="json"), sort_keys=False)


def format_errors(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not _is_union_tag(part)]
        path = ".".join(loc) or "<task>"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r} (check the spelling)"
        elif error["type"] == "literal_error":
            message = f"{error['input']!r} is not allowed; {message.lower()}"
        elif error["type"] == "union_tag_invalid":
            message = f"{message}"
        elif error["type"] not in ("value_error", "missing"):
            message = f"{message}, got {error['input']!r}"
        lines.append(f"{path}: {message}")
    return lines


def _is_union_tag(part: Any) -> bool:
    # pydantic inserts the discriminator value ('int', 'float', ...) into the location
    return part in ("int", "float", "categorical", "str", "list[literal[...]]") or (
        isinstance(part, str) and (part.startswith("list[") or part.startswith("literal["))
    )


def _is_legacy(data: dict[str, Any]) -> bool:
    return "task_name" in data or "optimization" in data


def _resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative model and binary paths are relative to the task file, like an include."""
    model = data.get("model")
    if isinstance(model, dict):
        model = dict(model)
        for key in ("path", "tokenizer"):
            value = model.get(key)
            if isinstance(value, str) and value.startswith(("./", "../")):
                model[key] = str((base / value).resolve())
        data = {**data, "model": model}
    return data
