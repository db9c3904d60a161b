"""How long a big study takes to compile and how big its manifest is (for ``make bench``).

Targets: a 500-slot study compiles in under 2 s into less than 1 MiB of YAML. Size
matters beyond taste: the Workflow object lives in etcd (1.5 MiB per object by default,
status included), so the spec must stay a small part of that.
"""

from __future__ import annotations

import time
from typing import Any

from pipelines.compile import compile_task, to_yaml
from pipelines.options import CompileOptions
from steps.spec import task_from_dict

TARGET_SECONDS = 2.0
TARGET_BYTES = 1 << 20


def bench_task(trials: int, parallelism: int) -> dict[str, Any]:
    """A small valid task with ``trials`` slots; what it tunes does not change the shape."""
    return {
        "name": "bench",
        "model": {"name": "bench-model"},
        "engine": {"kind": "llama.cpp"},
        "search": {
            "trials": trials,
            "parallelism": parallelism,
            "parameters": {"parallel": {"type": "int", "low": 1, "high": 8}},
        },
        "benchmark": {"scenarios": ["D(100,100)"], "concurrency": [1]},
    }


def measure(trials: int = 500, parallelism: int = 8, repeats: int = 3) -> dict[str, Any]:
    """Best-of-``repeats`` compile time (task to YAML text) and the manifest's size."""
    task = task_from_dict(bench_task(trials, parallelism))
    options = CompileOptions()
    best, text = float("inf"), ""
    for _ in range(repeats):
        start = time.perf_counter()
        text = to_yaml(compile_task(task, options))
        best = min(best, time.perf_counter() - start)
    return {
        "trials": trials,
        "parallelism": parallelism,
        "compile_seconds": round(best, 3),
        "manifest_bytes": len(text.encode()),
        "within_target": best < TARGET_SECONDS and len(text.encode()) < TARGET_BYTES,
    }


if __name__ == "__main__":
    for trials, parallelism in ((500, 8), (500, 1), (1000, 64)):
        print(measure(trials, parallelism))
