"""Run one genai-bench invocation against an endpoint and turn it into ``RunMetrics``.

genai-bench runs as a subprocess (importing it monkey-patches the whole process with
gevent) in its own process group, so it and anything it spawns are torn down together
(SIGTERM, then SIGKILL) on success, failure, timeout, Ctrl-C and SIGTERM. Its output is
streamed, with API keys masked, into a log file and to an optional per-line callback.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from steps.bench import parse
from steps.bench.command import BenchCommand, build_command
from steps.bench.scrub import scrub_argv, scrub_text, scrub_tree
from steps.errors import TrialFailed
from steps.records import BenchRecord, RunMetrics
from steps.spec.model import Task

TAIL_LINES = 12
GRACE_S = 5.0
ALL_FAILED = "No values found for metric"  # genai-bench's words when a run had no success


@dataclass(frozen=True)
class BenchOutcome:
    runs: list[RunMetrics]
    raw_dir: Path  # genai-bench's experiment folder, keys scrubbed
    log_path: Path
    command: list[str]  # argv with keys masked
    started_at: float  # epoch seconds
    duration_s: float

    def record(self, slot: int) -> BenchRecord:
        return BenchRecord(
            slot=slot,
            runs=self.runs,
            command=self.command,
            started_at=self.started_at,
            duration_s=self.duration_s,
        )


def run_benchmark(
    task: Task,
    endpoint: str,
    served_model_name: str,
    out_dir: Path,
    api_key: str | None = None,
    *,
    on_line: Callable[[str], None] | None = None,
    timeout_s: float | None = None,
    reports: bool = True,
) -> BenchOutcome:
    """Benchmark every scenario x concurrency of ``task.benchmark`` in one invocation.

    ``reports=False`` stops genai-bench once every run's result file is written, skipping
    its Excel and plot generation (about 6 s of a ~15 s fixed cost). Raises ``TrialFailed``
    when the benchmark produced no usable measurement.
    """
    cmd = build_command(task, endpoint, served_model_name, out_dir, api_key)
    if timeout_s is None:
        per_run = task.benchmark.max_time_per_run_min * 60 + 15
        timeout_s = 120 + per_run * len(cmd.runs)
    cmd.out_dir.mkdir(parents=True, exist_ok=True)
    for stale in (cmd.experiment_dir, cmd.log_dir):  # a retried step starts from scratch
        shutil.rmtree(stale, ignore_errors=True)
    started_at, started = time.time(), time.monotonic()
    try:
        rc, tail, timed_out = _execute(cmd, on_line, timeout_s, stop_early=not reports)
    finally:
        scrub_tree(cmd.out_dir, cmd.secrets)
    duration = time.monotonic() - started
    if timed_out:
        raise TrialFailed(f"genai-bench did not finish within {timeout_s:.0f} s; last lines:\n"
                          + scrub_text(tail, cmd.secrets))  # fmt: skip
    runs = _results(cmd, rc, tail, task.benchmark.warmup_ratio)
    return BenchOutcome(
        runs=runs,
        raw_dir=cmd.experiment_dir,
        log_path=cmd.log_path,
        command=scrub_argv(cmd.argv, cmd.secrets),
        started_at=started_at,
        duration_s=duration,
    )


def _results(cmd: BenchCommand, rc: int | None, tail: str, warmup_ratio: float) -> list[RunMetrics]:
    folder = cmd.experiment_dir
    if rc not in (0, None):  # None: stopped on purpose once every result was written
        failed = parse.failed_run(folder)
        if failed is not None:
            where, error = failed
            raise TrialFailed(_one_line(f"every request failed in {where}; first error: {error}"))
        if ALL_FAILED in tail:
            raise TrialFailed(_one_line(f"every request failed; {_server_error(cmd.log_path)}"))
        raise TrialFailed(f"genai-bench exited with code {rc}; last lines:\n{tail}")
    runs = parse.parse_experiment(folder, warmup_ratio)
    found = {(r.scenario, r.concurrency) for r in runs}
    missing = [f"{s}@{c}" for s, c in cmd.runs if (s, c) not in found]
    if missing:
        raise TrialFailed(f"genai-bench wrote no result for {', '.join(missing)}")
    if all(r.num_errors >= r.num_requests for r in runs):
        errors = (parse.run_errors(p) for p in sorted(folder.glob(parse.RUN_GLOB)))
        first = next((e for e in errors if e), "no error message recorded")
        total = sum(r.num_requests for r in runs)
        reason = f"every request failed ({total} requests); first error: {first}"
        raise TrialFailed(_one_line(reason))
    return runs


def _execute(
    cmd: BenchCommand, on_line: Callable[[str], None] | None, timeout_s: float, stop_early: bool
) -> tuple[int | None, str, bool]:
    """Run to the end; returns (exit code or None if stopped early, log tail, timed out)."""
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    with open(cmd.log_path, "w", encoding="utf-8") as log, _sigterm_raises():
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


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While benchmarking, turn SIGTERM (Argo stopping the step) into SystemExit so the
    ``finally`` blocks tear genai-bench down; a handler someone else set is left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _server_error(log_path: Path) -> str:
    marker = "Received error response from server."
    with contextlib.suppress(OSError), open(log_path, encoding="utf-8") as log:
        for line in log:
            if marker in line:
                return "first error: " + line.split(marker, 1)[1].strip()
    return "no server error recorded"


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
