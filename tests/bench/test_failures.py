"""Benchmarks that produce no usable measurement end in TrialFailed with a reason, and
leave no process behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from steps.bench import run_benchmark
from steps.bench.scrub import leaks
from steps.errors import TrialFailed
from tests.bench.helpers import (
    SERVER_ERROR,
    bench_task,
    failing_server,
    flaky_proxy,
    silent_server,
)
from tests.engines.llama_proc import start_llama_server

pytestmark = pytest.mark.genai_bench
KEY = "sk-never-stored-31337abc"


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text`` (our unique output folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if text in cmdline and state not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def test_every_request_failing_is_a_trial_failure_with_the_server_error(
    genai_bench: str, demo_model: Path, tmp_path: Path
) -> None:
    task = bench_task(demo_model, concurrency=[1], max_requests_per_run=4)
    with failing_server() as url, pytest.raises(TrialFailed) as failed:
        run_benchmark(task, url, "tiny-llama", tmp_path / "bench", api_key=KEY)
    reason = failed.value.reason
    assert "every request failed" in reason and "D(32,16)" in reason
    assert "500" in reason and SERVER_ERROR in reason
    assert "\n" not in reason and KEY not in reason
    assert leaks(tmp_path, [KEY]) == []
    assert processes_mentioning(str(tmp_path)) == []


def test_a_crash_is_a_trial_failure_with_the_last_log_lines(
    genai_bench: str, demo_model: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-tokenizer"
    task = bench_task(demo_model, concurrency=[1], max_requests_per_run=4)
    task = task.model_copy(
        update={"model": task.model.model_copy(update={"tokenizer": str(missing)})}
    )
    with failing_server() as url, pytest.raises(TrialFailed) as failed:
        run_benchmark(task, url, "tiny-llama", tmp_path / "bench")
    assert "genai-bench exited with code" in failed.value.reason
    assert "no-such-tokenizer" in failed.value.reason  # the tail says what went wrong


def test_a_benchmark_past_its_deadline_is_stopped_and_reported(
    genai_bench: str, demo_model: Path, tmp_path: Path
) -> None:
    task = bench_task(demo_model, concurrency=[1], max_requests_per_run=4)
    with failing_server() as url, pytest.raises(TrialFailed, match="did not finish within 2 s"):
        run_benchmark(task, url, "tiny-llama", tmp_path / "bench", timeout_s=2)
    assert processes_mentioning(str(tmp_path)) == []


def test_sigterm_to_the_caller_tears_genai_bench_down(
    genai_bench: str, demo_model: Path, tmp_path: Path, repo: Path
) -> None:
    # what Argo does when it stops a step: SIGTERM to the step's process
    out = tmp_path / "bench"
    driver = (
        "import sys; from pathlib import Path\n"
        "from steps.bench import run_benchmark\n"
        "from tests.bench.helpers import bench_task\n"
        "task = bench_task(Path(sys.argv[1]), concurrency=[1], max_requests_per_run=4)\n"
        "run_benchmark(task, sys.argv[2], 'tiny-llama', Path(sys.argv[3]), api_key=sys.argv[4])\n"
    )
    with silent_server() as url:
        proc = subprocess.Popen(
            [sys.executable, "-c", driver, str(demo_model), url, str(out), KEY],
            cwd=repo,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not list(out.glob("experiment/experiment_metadata.json")):
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
            bench_pids = [p for p in processes_mentioning(str(out)) if p != proc.pid]
            assert bench_pids, "genai-bench should be running by now"
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 128 + signal.SIGTERM
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert processes_mentioning(str(out)) == []
    assert leaks(out, [KEY]) == []


@pytest.mark.engine
@pytest.mark.slow
def test_error_rate_is_computed_from_the_counts(
    llama_server: str, demo_model: Path, genai_bench: str, tmp_path: Path
) -> None:
    # genai-bench's own error_rate field is always 0; half the requests fail here
    task = bench_task(demo_model, concurrency=[2], max_requests_per_run=10)
    with (
        start_llama_server(llama_server, demo_model / "model.gguf", tmp_path / "s.log") as srv,
        flaky_proxy(srv.url) as url,
    ):
        outcome = run_benchmark(task, url, "tiny-llama", tmp_path / "bench", reports=False)
    (run,) = outcome.runs
    assert run.num_errors > 0 and run.num_requests > run.num_errors
    assert run.error_rate == pytest.approx(run.num_errors / run.num_requests)
    assert 0.3 < run.error_rate < 0.7
    assert os.path.isdir(outcome.raw_dir)
