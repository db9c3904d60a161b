"""Task files in and out of the form: import (YAML, JSON, the prototype's legacy JSON), export.

An import keeps what it can even when the file is invalid (the form then shows the
problems where they belong), and reports the file's own problems the way
``autotune validate`` does, prefixed with the file's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from steps.errors import TaskError
from steps.spec import dump_task
from steps.spec.loader import is_legacy, parse_text, read_task_data, resolve_paths
from ui.taskform import FormValues, from_task_dict
from ui.validation import Checked, check_data

# The example the form starts from: the demo study, with its model paths resolved.
REPO = Path(__file__).resolve().parents[1]
DEFAULT_EXAMPLE = REPO / "examples" / "cpu-demo.yaml"


@dataclass
class Imported:
    values: FormValues | None  # None: nothing usable (not a mapping, not YAML)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # choices a legacy conversion made
    legacy: bool = False


def import_text(text: str, origin: str) -> Imported:
    """An uploaded file: relative model paths stay as written (there is no folder)."""
    try:
        data = parse_text(text, origin)
    except TaskError as exc:
        return Imported(None, exc.problems)
    return _imported(data, origin, None)


def import_path(path: str | Path) -> Imported:
    """A file on this machine: ./ model paths are resolved against its folder, as the CLI does."""
    path = Path(path).expanduser()
    try:
        data = read_task_data(path)
    except TaskError as exc:
        return Imported(None, [f"{path}: {line}" for line in exc.problems])
    return _imported(data, str(path), path.parent)


def _imported(data: dict[str, Any], origin: str, base: Path | None) -> Imported:
    notes: list[str] = []
    problems: list[str] = []
    legacy = is_legacy(data)
    if legacy:
        from steps.spec.legacy import legacy_conversion

        conversion = legacy_conversion(data)
        data, notes, problems = conversion.data, conversion.notes, list(conversion.problems)
    if base is not None:
        data = resolve_paths(data, base)
    problems += check_data(data)
    return Imported(
        from_task_dict(data),
        [f"{origin}: {line}" for line in problems],
        [f"{origin}: note: {line}" for line in notes],
        legacy,
    )


def export_yaml(checked: Checked) -> str:
    """The task as a file: the validated task with its defaults, else the draft as it is."""
    if checked.task is not None:
        return dump_task(checked.task)
    return yaml.safe_dump(checked.data, sort_keys=False)


def default_values() -> FormValues:
    """The demo study when the checkout has it, else an empty llama.cpp study."""
    if DEFAULT_EXAMPLE.is_file():
        imported = import_path(DEFAULT_EXAMPLE)
        if imported.values is not None:
            return imported.values
    values = FormValues()
    values.params = [
        {"flag": "parallel", "type": "int", "low": 1, "high": 16, "values": "", "log": True,
         "step": None, "raw": False},
    ]  # fmt: skip
    return values


def for_submit(data: dict[str, Any], cwd: Path | None = None) -> dict[str, Any]:
    """The task to hand to a run: ./ model paths made absolute against the app's folder
    (the run reads its task from a file in another folder)."""
    return resolve_paths(data, cwd or Path.cwd())
