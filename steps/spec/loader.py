"""Read a task file (YAML or JSON, current or legacy format) into a validated ``Task``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from steps.errors import TaskError
from steps.spec.checks import task_problems
from steps.spec.messages import format_errors as _format_errors
from steps.spec.model import Task


def load_task(path: str | Path) -> Task:
    """Parse and validate a task file; raise ``TaskError`` listing every problem.

    Every problem line starts with the file name, so a command that reads several
    files (or a log that mixes them) says which one is wrong.
    """
    return load_task_with_notes(path)[0]


def load_task_with_notes(path: str | Path) -> tuple[Task, list[str]]:
    """``load_task`` plus the notes of a legacy conversion (choices it made for the user)."""
    path = Path(path)
    try:
        data = read_task_data(path)
        notes: list[str] = []
        if is_legacy(data):
            from steps.spec.legacy import legacy_conversion

            conversion = legacy_conversion(data)
            if conversion.problems:
                raise TaskError(conversion.problems)
            data, notes = conversion.data, conversion.notes
        return task_from_dict(resolve_paths(data, path.parent)), notes
    except TaskError as exc:
        raise TaskError([f"{path}: {line}" for line in exc.problems]) from None


def read_task_data(path: Path) -> dict[str, Any]:
    """The file's mapping, unvalidated; problems are raised without the file name."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise TaskError(f"cannot read the task file ({reason})") from None
    return _parse(text)


def parse_text(text: str, origin: str = "<task>") -> dict[str, Any]:
    """The mapping in ``text``; problems are prefixed with ``origin``."""
    try:
        return _parse(text)
    except TaskError as exc:
        raise TaskError([f"{origin}: {line}" for line in exc.problems]) from None


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
    """pydantic's errors on a ``Task`` as ``path: message`` lines."""
    return _format_errors(exc, Task)


def is_legacy(data: dict[str, Any]) -> bool:
    """The prototype's JSON format: it named the task ``task_name``."""
    return "task_name" in data or "optimization" in data


def resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Model paths starting with ./ or ../ are relative to the task file, like an include.

    Anything else (an absolute path, a model id such as ``meta-llama/Llama-3.2-1B``)
    is left alone.
    """
    model = data.get("model")
    if isinstance(model, dict):
        model = dict(model)
        for key in ("path", "tokenizer"):
            value = model.get(key)
            if isinstance(value, str) and value.startswith(("./", "../")):
                model[key] = str((base / value).resolve())
        data = {**data, "model": model}
    return data


def _parse(text: str) -> dict[str, Any]:
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text, object_pairs_hook=_no_duplicate_pairs)
        else:
            data = yaml.load(text, Loader=_UniqueKeyLoader)
    except (json.JSONDecodeError, yaml.YAMLError, _DuplicateKey) as exc:
        raise TaskError(f"not valid YAML or JSON: {_first_line(exc)}") from None
    if not isinstance(data, dict):
        raise TaskError(f"a task is a mapping of keys, got {type(data).__name__}")
    return data


class _DuplicateKey(ValueError):
    """A key given twice: YAML and JSON keep the last silently, which hides typos."""


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise _DuplicateKey(f"key {key!r} appears twice in one mapping")
    return dict(pairs)


class _UniqueKeyLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise _DuplicateKey(f"key {key!r} appears twice in one mapping (line {line})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _first_line(exc: Exception) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        return f"{exc.problem}" + (
            f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        )
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
