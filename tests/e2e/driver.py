"""A throwaway sequential driver: runs a study's step programs as real processes.

The real orchestrators are Argo and the local executor (pipelines/); this driver
only exists so the step programs can be tested end to end on their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

AUTOTUNE = [sys.executable, "-m", "steps"]
TRIAL_STEPS = ("suggest", "deploy", "wait-ready", "benchmark", "score")


@dataclass
class StepRun:
    slot: int | None
    step: str
    exit_code: int
    output: str


@dataclass
class DriverLog:
    runs: list[StepRun] = field(default_factory=list)

    def codes(self, slot: int) -> dict[str, int]:
        return {r.step: r.exit_code for r in self.runs if r.slot == slot}


def autotune(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [*AUTOTUNE, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def run_study(task_file: Path, store: str, study: str, trials: int) -> DriverLog:
    log = DriverLog()
    common = ["--store", store, "--study", study]
    init = autotune("step", "init", *common, "--task", str(task_file))
    log.runs.append(StepRun(None, "init", init.returncode, init.stdout + init.stderr))
    if init.returncode != 0:
        return log
    for slot in range(trials):
        try:
            for name in TRIAL_STEPS:
                done = autotune("step", name, *common, "--slot", str(slot))
                log.runs.append(StepRun(slot, name, done.returncode, done.stdout + done.stderr))
                if done.returncode != 0:
                    break
        finally:
            done = autotune("step", "teardown", *common, "--slot", str(slot))
            log.runs.append(StepRun(slot, "teardown", done.returncode, done.stdout + done.stderr))
    report = autotune("step", "report", *common)
    log.runs.append(StepRun(None, "report", report.returncode, report.stdout + report.stderr))
    return log
