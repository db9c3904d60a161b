"""Run genai-bench as a child process group and always tear it down.

genai-bench runs as a subprocess (importing it monkey-patches the whole process with
gevent) in its own process group, so it and anything it spawns are stopped together
(SIGTERM, then SIGKILL) on success, failure, timeout, Ctrl-C and SIGTERM. Its output is
streamed, with API keys masked, into a log file and to an optional per-line callback.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from steps.bench import parse
from steps.bench.command import BenchCommand
from steps.bench.scrub import scrub_text
from steps.signals import sigterm_raises

TAIL_LINES = 12
GRACE_S = 5.0


def execute(
    cmd: BenchCommand, on_line: Callable[[str], None] | None, timeout_s: float, stop_early: bool
) -> tuple[int | None, str, bool]:
    """Run to the end; returns (exit code or None if stopped early, log tail, timed out)."""
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    with open(cmd.log_path, "w", encoding="utf-8") as log, sigterm_raises():
        proc = subprocess.Popen(  # argv list, never a shell
            cmd.argv,
            cwd=cmd.out_dir,  # anything it drops in its working dir stays in the scrubbed tree
            env=cmd.env,
            stdin=subprocess.DEVNULL,  # an option it would prompt for fails instead of hanging
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: one signal reaches all of it
        )
        assert proc.stdout is not None
        pump = threading.Thread(
            target=_pump, args=(proc.stdout, log, tail, cmd.secrets, on_line), daemon=True
        )
        pump.start()
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    rc: int | None = proc.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if time.monotonic() > deadline:
                    return None, "\n".join(tail), True
                if stop_early and _all_results_written(cmd):
                    rc = None
                    break
        finally:
            _stop(proc)
            pump.join(timeout=GRACE_S)
    return rc, "\n".join(tail), False


def _pump(
    stream: IO[bytes],
    log: IO[str],
    tail: collections.deque[str],
    secrets: list[str],
    on_line: Callable[[str], None] | None,
) -> None:
    callback_failed = False
    for raw in stream:
        line = scrub_text(raw.decode("utf-8", "replace").rstrip("\n"), secrets)
        log.write(line + "\n")
        log.flush()
        if line.strip():
            tail.append(line)
        if on_line is not None and not callback_failed:
            try:
                on_line(line)
            except Exception:  # a broken progress display must not stop the benchmark
                callback_failed = True


def _all_results_written(cmd: BenchCommand) -> bool:
    files = list(cmd.experiment_dir.glob(parse.RUN_GLOB))
    if len(files) < len(cmd.runs):
        return False
    try:  # a file still being written does not parse yet
        return len(parse.parse_experiment(cmd.experiment_dir)) >= len(cmd.runs)
    except (ValueError, KeyError):
        return False


def _stop(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM the group, SIGKILL it after GRACE_S; also reaps the leader."""
    for sig, wait_s in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, GRACE_S)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)  # the group outlives a leader that already exited
        try:
            proc.wait(timeout=wait_s)
            if sig == signal.SIGTERM:
                # the leader is gone; whatever it left in the group gets no grace
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
            return
        except subprocess.TimeoutExpired:
            continue
