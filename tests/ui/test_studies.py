"""A study's phase: the status record, corrected by what the app's runner says."""

from __future__ import annotations

import os
import socket
import subprocess
import time

from ui.runs import Runner
from ui.studies import RUNNER_GONE, phase_of


def runner(alive: bool, started_at: float, log: str = "/nonexistent") -> Runner:
    proc = subprocess.Popen(["sleep", "30"] if alive else ["true"])
    if not alive:
        proc.wait()
    from steps.deploy.process import start_time

    return Runner("s", "run", proc.pid, start_time(proc.pid), socket.gethostname(),
                  ["autotune"], log, started_at)  # fmt: skip


def status(phase: str, started: str = "2026-01-05T03:00:00Z") -> dict[str, str]:
    return {"phase": phase, "startedAt": started}


def test_a_live_runner_means_running_even_before_its_first_record() -> None:
    live = runner(True, time.time())
    try:
        assert phase_of(None, live, has_task=False) == ("Running", "starting (run)")
        assert phase_of(status("Succeeded"), live, True)[0] == "Running"  # a retry starting
    finally:
        os.kill(live.pid, 9)


def test_a_dead_runner_whose_record_says_running_failed() -> None:
    dead = runner(False, started_at=1767582000.0)  # 2026-01-05T03:00:00Z
    assert phase_of(status("Running"), dead, True) == ("Failed", RUNNER_GONE)


def test_a_later_run_from_a_terminal_owns_the_record() -> None:
    dead = runner(False, started_at=1767582000.0 - 3600)
    assert phase_of(status("Running"), dead, True) == ("Running", "")


def test_without_a_runner_the_record_decides() -> None:
    assert phase_of(status("Failed"), None, True) == ("Failed", "")
    assert phase_of(None, None, True) == ("Pending", "")
