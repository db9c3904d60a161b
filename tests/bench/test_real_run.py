"""One real genai-bench invocation against the real llama-server, shared by every test here
(an invocation costs about 15 s). The server demands an API key, so a successful run also
proves the key reached it; the key must then be nowhere in the kept folder."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from steps.bench import BenchOutcome, run_benchmark
from steps.bench.scrub import leaks
from tests.bench.helpers import bench_task
from tests.engines.llama_proc import start_llama_server

pytestmark = [pytest.mark.engine, pytest.mark.genai_bench]
KEY = "sk-autotune-test-7c1f0e55aa"
SCENARIOS = ["D(32,16)", "D(16,8)"]
LEVELS = [1, 2]


@dataclass
class RealRun:
    outcome: BenchOutcome
    lines: list[str]
    out_dir: Path
    began: float
    ended: float


@pytest.fixture(scope="module")
def real_run(
    llama_server: str, demo_model: Path, genai_bench: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RealRun]:
    root = tmp_path_factory.mktemp("real-run")
    task = bench_task(demo_model, scenarios=SCENARIOS, concurrency=LEVELS, max_requests_per_run=8)
    lines: list[str] = []
    began = time.time()
    with start_llama_server(
        llama_server,
        demo_model / "model.gguf",
        root / "server.log",
        "--api-key",
        KEY,
        alias="tiny-llama",
    ) as server:
        outcome = run_benchmark(
            task, server.url, "tiny-llama", root / "bench", api_key=KEY, on_line=lines.append
        )
    yield RealRun(outcome, lines, root / "bench", began, time.time())


def test_every_scenario_and_level_is_parsed(real_run: RealRun) -> None:
    got = sorted((r.scenario, r.concurrency) for r in real_run.outcome.runs)
    assert got == sorted((s, c) for s in SCENARIOS for c in LEVELS)


def test_numbers_are_sane_and_consistent(real_run: RealRun) -> None:
    for run in real_run.outcome.runs:
        label = f"{run.scenario}@{run.concurrency}"
        # the cap is checked once a second, so a run overshoots it but never falls short
        assert run.num_requests >= 8, label
        assert run.num_errors == 0 and run.error_rate == 0.0, label
        assert run.output_throughput > 0 and run.request_throughput > 0, label
        assert run.duration_s > 0.5, label
        for stats in (run.ttft, run.tpot, run.e2e_latency):
            assert stats is not None, label
            assert 0 < stats.p50 <= stats.p90 <= stats.p99, label
            assert stats.p99 < 30, label  # seconds, not milliseconds
        assert run.ttft is not None and run.e2e_latency is not None
        assert run.ttft.mean < run.e2e_latency.mean, label
        steady = run.output_throughput_steady
        assert steady is not None and 0.5 < steady / run.output_throughput < 2.0, label


def test_outputs_have_exactly_the_requested_length(real_run: RealRun) -> None:
    # --api-backend sglang sends ignore_eos; random weights would otherwise stop anywhere
    for path in real_run.outcome.raw_dir.glob("*_time_*s.json"):
        records = json.loads(path.read_text())["individual_request_metrics"]
        scenario = json.loads(path.read_text())["aggregated_metrics"]["scenario"]
        wanted = 16 if scenario == "D(32,16)" else 8
        assert {r["num_output_tokens"] for r in records if not r["error_code"]} == {wanted}


def test_outcome_describes_the_invocation(real_run: RealRun) -> None:
    outcome = real_run.outcome
    assert outcome.raw_dir == real_run.out_dir / "experiment"
    assert real_run.began <= outcome.started_at
    assert outcome.started_at + outcome.duration_s <= real_run.ended
    assert outcome.duration_s > 4  # four runs of at least a second each
    assert outcome.command[1] == "benchmark"
    assert outcome.command[outcome.command.index("--api-key") + 1] == "***"
    record = outcome.record(slot=3)
    assert record.slot == 3 and len(record.runs) == 4
    assert record.run("D(16,8)", 2) is not None


def test_progress_is_streamed_to_the_callback_and_the_log(real_run: RealRun) -> None:
    finished = [line for line in real_run.lines if "has finished after" in line]
    assert len(finished) == 4
    log = real_run.outcome.log_path.read_text()
    assert all(line in log for line in finished)


def test_the_api_key_is_nowhere_in_the_kept_folder(real_run: RealRun) -> None:
    files = [p for p in real_run.out_dir.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    # the files that held the key before scrubbing are all there
    assert {"experiment_metadata.json", "genai_bench.log", "genai-bench.log"} <= names
    assert any(p.suffix == ".xlsx" for p in files)
    assert leaks(real_run.out_dir, [KEY]) == []
    assert all(KEY not in line for line in real_run.lines)
    assert all(KEY not in arg for arg in real_run.outcome.command)
