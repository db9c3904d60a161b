"""One benchmark of an endpoint: run genai-bench, then decide what its results are worth.

Success is every scenario x concurrency run parsed with at least one successful request.
Anything else (every request failing, a crash, a deadline passed, a run missing) is a
``TrialFailed`` whose one-line reason names the first server error or the log's last lines.
The API key is scrubbed from the kept folder whatever happens.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from steps.bench import parse
from steps.bench.command import BenchCommand, build_command
from steps.bench.process import execute
from steps.bench.scrub import scrub_argv, scrub_text, scrub_tree
from steps.errors import TrialFailed
from steps.records import BenchRecord, RunMetrics
from steps.spec.model import Task

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
        rc, tail, timed_out = execute(cmd, on_line, timeout_s, stop_early=not reports)
    finally:
        scrub_tree(cmd.out_dir, cmd.secrets)
    duration = time.monotonic() - started
    if timed_out:
        tail = scrub_text(tail, cmd.secrets)
        raise TrialFailed(
            f"genai-bench did not finish within {timeout_s:.0f} s; last lines:\n{tail}"
        )
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
