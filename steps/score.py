"""``score``: objective values from the scored run and the SLO verdict.

A trial that violates an SLO is infeasible, with every violated constraint named
and its relative excess recorded, so the sampler is told how far off it was.
"""

from __future__ import annotations

from typing import Any

from steps.records import BenchRecord, RunMetrics, TrialParams, TrialResult
from steps.spec import Task
from steps.spec.model import LATENCY_METRICS

_MS = 1000.0


def objective_values(task: Task, run: RunMetrics) -> list[float] | None:
    """One value per objective; latencies in milliseconds, throughputs as measured."""
    values = []
    for metric in task.objective.metrics:
        value = run.value(metric, task.objective.stat)
        if value is None:
            return None
        values.append(value * _MS if metric in LATENCY_METRICS else value)
    return values


def slo_checks(task: Task, run: RunMetrics) -> tuple[dict[str, float], list[str]]:
    """Relative excess per SLO key (> 0 = violated) and a sentence per violation."""
    violations: dict[str, float] = {}
    messages: list[str] = []
    for key, limit in task.objective.slo.items():
        measured, is_max = _measured(key, run)
        if measured is None:
            violations[key] = 1.0
            messages.append(f"{key}: not measured (no successful request)")
            continue
        excess = (measured - limit) if is_max else (limit - measured)
        scale = limit if limit > 0 else 1.0
        violations[key] = excess / scale
        if excess > 0:
            relation = ">" if is_max else "<"
            messages.append(f"{key}: {measured:.4g} {relation} limit {limit:g}")
    return violations, messages


def _measured(key: str, run: RunMetrics) -> tuple[float | None, bool]:
    """The run's figure an SLO key constrains, and whether the key is an upper bound."""
    if key == "max_error_rate":
        return run.error_rate, True
    if key.startswith("min_"):
        return float(getattr(run, key.removeprefix("min_"))), False
    metric, stat = key.removesuffix("_ms").rsplit("_", 1)
    value = run.value(metric, stat)
    return (None if value is None else value * _MS), True


def score(task: Task, params: TrialParams, bench: BenchRecord) -> TrialResult:
    ref = task.scored_run
    run = bench.run(ref.scenario, ref.concurrency)
    if run is None:
        measured = ", ".join(f"{r.scenario}@{r.concurrency}" for r in bench.runs) or "none"
        reason = f"no benchmark run for {ref.scenario}@{ref.concurrency} (measured: {measured})"
        return _result(params, state="failed", reason=reason)
    if run.num_requests and run.num_errors >= run.num_requests:
        return _result(
            params, state="failed", reason="every request of the scored run failed", metrics=run
        )
    values = objective_values(task, run)
    violations, messages = slo_checks(task, run)
    if values is None:
        return _result(
            params,
            state="failed",
            reason="the scored run has no value for the objective",
            metrics=run,
            violations=violations,
        )
    if messages:
        return _result(
            params,
            state="infeasible",
            reason="SLO violated: " + "; ".join(messages),
            values=values,
            violations=violations,
            metrics=run,
        )
    return _result(params, state="complete", values=values, violations=violations, metrics=run)


def _result(params: TrialParams, **outcome: Any) -> TrialResult:
    return TrialResult(
        slot=params.slot, decided_by="score", params=params.params, kind=params.kind, **outcome
    )
