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


def problems_of(data: dict[str, Any]) -> list[str]:
    """The problem lines of an invalid task (fails the test when it is valid)."""
    with pytest.raises(TaskError) as caught:
        task_from_dict(data)
    return caught.value.problems
