"""A small valid task and helpers that break one thing in it at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from steps.errors import TaskError
from steps.spec import task_from_dict

BASE: dict[str, Any] = {
    "name": "spec-test",
    "model": {"name": "tiny", "path": "/models/tiny/model.gguf"},
    "engine": {"kind": "llama.cpp"},
    "search": {
        "strategy": "tpe",
        "trials": 6,
        "parameters": {
            "parallel": {"type": "int", "low": 1, "high": 8, "log": True},
            "threads": {"type": "int", "values": [1, 2]},
        },
        "fixed": {"ctx-size": 4096},
    },
    "objective": {"metric": "output_throughput", "slo": {"ttft_p90_ms": 2000}},
    "benchmark": {"scenarios": ["D(100,64)"], "concurrency": [8]},
}


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def edited(edit: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    data = base()
    edit(data)
    return data


Edit = Callable[[dict[str, Any]], None]
RuleCase = tuple[str, Edit, str, str]  # id, edit of the base task, field path, message part


def put(path: str, value: Any) -> Edit:
    """Set a dotted key path (flag names contain '-', never '.')."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    return edit


def param(name: str, spec: Any) -> Edit:
    return put(f"search.parameters.{name}", spec)


def check_rule(edit: Edit, path: str, fragment: str) -> None:
    """The edited task has exactly one problem, at ``path``, whose message has ``fragment``."""
    lines = problems_of(edited(edit))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: "), lines[0]
    assert fragment in lines[0]


def problems_of(data: dict[str, Any]) -> list[str]:
    """The problem lines of an invalid task (fails the test when it is valid)."""
    with pytest.raises(TaskError) as caught:
        task_from_dict(data)
    return caught.value.problems
