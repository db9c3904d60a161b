"""score: objective values from the scored run, SLO verdicts, failure shapes."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from steps.records import BenchRecord, RunMetrics, Stats, TrialParams
from steps.score import score
from steps.spec import Task, task_from_dict


def make_task(objective: dict[str, Any]) -> Task:
    return task_from_dict(
        yaml.safe_load(
            """
name: score-test
model: {name: tiny}
engine: {kind: llama.cpp}
search: {parameters: {parallel: {type: int, low: 1, high: 8}}}
benchmark: {scenarios: ["D(100,64)"], concurrency: [1, 8]}
"""
        )
        | {"objective": objective}
    )


def stats(base: float) -> Stats:
    return Stats(mean=base, p50=base, p90=base * 1.5, p99=base * 2)


def run(concurrency: int, *, errors: int = 0, ttft: float = 0.5, tput: float = 100.0) -> RunMetrics:
    return RunMetrics(
        scenario="D(100,64)",
        concurrency=concurrency,
        num_requests=40,
        num_errors=errors,
        error_rate=errors / 40,
        output_throughput=tput,
        request_throughput=tput / 64,
        ttft=stats(ttft),
        tpot=stats(0.02),
        e2e_latency=stats(2.0),
    )


def bench(*runs: RunMetrics) -> BenchRecord:
    return BenchRecord(slot=3, runs=list(runs), started_at=0.0, duration_s=20.0)


PARAMS = TrialParams(slot=3, kind="sampled", params={"parallel": 4})
AT8 = {"scenario": "D(100,64)", "concurrency": 8}


def test_objective_comes_from_the_run_named_by_at() -> None:
    task = make_task({"metric": "output_throughput", "at": AT8})
    result = score(task, PARAMS, bench(run(1, tput=30.0), run(8, tput=120.0)))
    assert result.state == "complete"
    assert result.values == [120.0]
    assert result.metrics is not None and result.metrics.concurrency == 8
    assert result.params == {"parallel": 4} and result.decided_by == "score"


def test_latency_objective_is_in_milliseconds_with_the_chosen_stat() -> None:
    task = make_task({"metric": "ttft", "stat": "p90", "at": AT8})
    result = score(task, PARAMS, bench(run(8, ttft=0.4)))
    assert result.values == pytest.approx([600.0])
    assert task.objective.directions == ["minimize"]


def test_two_objectives_keep_task_order() -> None:
    task = make_task({"metric": ["output_throughput", "ttft"], "stat": "p90", "at": AT8})
    result = score(task, PARAMS, bench(run(8, ttft=0.2, tput=90.0)))
    assert result.values == pytest.approx([90.0, 300.0])


def test_slo_violation_is_infeasible_and_names_the_constraint() -> None:
    task = make_task({"at": AT8, "slo": {"ttft_p90_ms": 500, "max_error_rate": 0.5}})
    result = score(task, PARAMS, bench(run(8, ttft=0.5)))  # p90 = 750 ms
    assert result.state == "infeasible"
    assert result.reason is not None and "ttft_p90_ms" in result.reason and "750" in result.reason
    assert "max_error_rate" not in result.reason
    assert result.violations["ttft_p90_ms"] == pytest.approx(0.5)
    assert result.violations["max_error_rate"] < 0
    assert result.values == [100.0], "the measured value is kept for the sampler"


def test_error_rate_and_minimum_throughput_slos() -> None:
    task = make_task({"at": AT8, "slo": {"max_error_rate": 0.01, "min_output_throughput": 150}})
    result = score(task, PARAMS, bench(run(8, errors=4, tput=100.0)))
    assert result.state == "infeasible"
    assert result.reason is not None
    assert "max_error_rate: 0.1 > limit 0.01" in result.reason
    assert "min_output_throughput: 100 < limit 150" in result.reason


def test_slo_just_met_is_feasible() -> None:
    task = make_task({"at": AT8, "slo": {"ttft_p90_ms": 750}})
    assert score(task, PARAMS, bench(run(8, ttft=0.5))).state == "complete"


def test_every_request_failing_is_a_failed_trial() -> None:
    task = make_task({"at": AT8})
    result = score(task, PARAMS, bench(run(8, errors=40)))
    assert result.state == "failed"
    assert result.reason == "every request of the scored run failed"


def test_missing_scored_run_is_a_failed_trial_naming_what_was_measured() -> None:
    task = make_task({"at": AT8})
    result = score(task, PARAMS, bench(run(1)))
    assert result.state == "failed"
    assert (
        result.reason is not None
        and "D(100,64)@8" in result.reason
        and "D(100,64)@1" in result.reason
    )
