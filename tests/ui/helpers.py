"""Tasks, engines and stores for the UI tests: real records, real runs, no mocks.

``fake_engine`` is a program that never answers (it sleeps), for a run that stays
Running until it is stopped; ``/bin/false`` is an engine that exits at once, for a
study whose every slot ends infeasible within seconds.
"""

from __future__ import annotations

import copy
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import yaml

from steps.store import LocalStore

FAILING_ENGINE = "/bin/false"

BASE_TASK: dict[str, Any] = {
    "name": "ui-tiny",
    "model": {"name": "tiny-llama", "path": "/nonexistent/model.gguf"},
    "engine": {"kind": "llama.cpp", "binary": FAILING_ENGINE},
    "deploy": {"backend": "local", "ready_timeout_s": 60},
    "search": {
        "strategy": "random",
        "trials": 2,
        "parallelism": 1,
        "seed": 0,
        "parameters": {"parallel": {"type": "int", "values": [2, 4]}},
        "fixed": {"ctx-size": 2048},
    },
    "objective": {"metric": "output_throughput"},
    "benchmark": {
        "scenarios": ["D(32,16)"],
        "concurrency": [4],
        "max_requests_per_run": 8,
        "max_time_per_run_min": 1,
    },
    "pipeline": {"step_retries": 0},
}


def task_dict(**sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE_TASK)
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return data


def real_engine_task(model: Path, llama_server: str, name: str = "ui-real") -> dict[str, Any]:
    return task_dict(
        name=name,
        model={"name": "tiny-llama", "path": str(model / "model.gguf"), "tokenizer": str(model)},
        engine={"kind": "llama.cpp", "binary": llama_server},
    )


def write_task(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def fake_engine(folder: Path) -> str:
    """An "engine" that starts and never becomes ready."""
    path = folder / "never-ready-engine"
    path.write_text("#!/bin/sh\nexec sleep 600\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


def status(store: LocalStore, study: str) -> dict[str, Any] | None:
    path = store.root / "studies" / study / "workflow" / "status.json"
    return json.loads(path.read_text()) if path.exists() else None


def wait_for(condition: Any, timeout_s: float, what: str, every_s: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def env_for_runs(tmp: Path) -> dict[str, str]:
    """Environment of a run the tests start: engine work files in the test's folder."""
    return {**os.environ, "AUTOTUNE_WORKDIR": str(tmp / "work")}
