"""Synthetic but realistic studies written into a real LocalStore, record by record,
the way the steps write them (params.json by suggest, result.json by score)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from steps.records import DeployRecord, RunMetrics, Scalar, Stats, TrialParams, TrialResult
from steps.score import objective_values
from steps.spec import task_from_dict
from steps.store import LocalStore
from steps.store.base import Layout, Store

STUDY = "llama-tune"
FIXED = {"ctx-size": 4096}


def task_dict(**objective: Any) -> dict[str, Any]:
    return {
        "name": STUDY,
        "model": {"name": "tiny-llama", "path": "/models/tiny-llama/model.gguf"},
        "engine": {"kind": "llama.cpp"},
        "search": {
            "strategy": "tpe",
            "trials": 12,
            "parameters": {
                "parallel": {"type": "int", "low": 1, "high": 8},
                "threads": {"type": "int", "low": 1, "high": 2},
                "ubatch-size": {"type": "int", "values": [64, 128, 256, 512]},
            },
            "fixed": FIXED,
        },
        "objective": objective,
        "benchmark": {"scenarios": ["D(100,100)"], "concurrency": [8]},
    }


def new_store(tmp_path: Path, **objective: Any) -> Store:
    store = LocalStore(tmp_path / "store")
    store.write_text(Layout(STUDY).task, yaml.safe_dump(task_dict(**objective)))
    return store


def run(tok_s: float, ttft_p90_ms: float, *, errors: int = 0) -> RunMetrics:
    """A scored run whose secondary figures follow from the two that matter here."""
    ttft = ttft_p90_ms / 1000.0
    return RunMetrics(
        scenario="D(100,100)",
        concurrency=8,
        num_requests=60,
        num_errors=errors,
        error_rate=errors / 60,
        output_throughput=tok_s,
        request_throughput=tok_s / 100,
        ttft=Stats(mean=ttft * 0.8, p50=ttft * 0.75, p90=ttft, p99=ttft * 1.2),
        tpot=Stats(mean=0.04, p50=0.039, p90=0.05, p99=0.06),
        e2e_latency=Stats(mean=4.0, p50=3.9, p90=4.6, p99=5.0),
        duration_s=20.0,
    )


def values_of(objective: dict[str, Any], metrics: RunMetrics) -> list[float]:
    """The objective values the score step records for ``metrics`` (latencies in ms)."""
    return objective_values(task_from_dict(task_dict(**objective)), metrics) or []


def add_trial(
    store: Store,
    slot: int,
    params: Mapping[str, Scalar] | None,
    state: str | None,
    *,
    kind: str = "sampled",
    metrics: RunMetrics | None = None,
    values: list[float] | None = None,
    reason: str | None = None,
    deploy: DeployRecord | None = None,
    objective: dict[str, Any] | None = None,
) -> None:
    """One slot; ``state=None`` leaves it running (params written, no result yet)."""
    layout = Layout(STUDY)
    chosen = dict(params or {})
    store.write_model(
        layout.params(slot),
        TrialParams(slot=slot, kind=kind, params=chosen, fixed=FIXED, sampler="TPESampler"),
    )
    if deploy is not None:
        store.write_model(layout.deploy(slot), deploy)
    if state is None:
        return
    if values is None and metrics is not None and state in ("complete", "infeasible"):
        values = values_of(objective or {}, metrics)
    result = TrialResult(
        slot=slot,
        state=state,
        reason=reason,
        decided_by="score" if state == "complete" else "wait-ready",
        params=chosen,
        kind=kind,
        values=values,
        metrics=metrics,
    )
    store.write_model(layout.result(slot), result)


def mixed_study(tmp_path: Path, **objective: Any) -> Store:
    """Baseline, three sampled complete trials, one of each unhappy state.

    By output throughput (the default objective): 2 (165 tok/s, +65% over the baseline's
    100), 1 (150), 5 (120), 0. By TTFT p90: 5 (400 ms), 1 (500), 0 (800), 2 (900).
    """
    store = new_store(tmp_path, **objective)
    add_trial(
        store, 0, None, "complete", kind="baseline", metrics=run(100.0, 800.0), objective=objective
    )
    add_trial(store, 1, {"parallel": 4, "threads": 2, "ubatch-size": 256}, "complete",
              metrics=run(150.0, 500.0), objective=objective)  # fmt: skip
    add_trial(store, 2, {"parallel": 8, "threads": 2, "ubatch-size": 512}, "complete",
              metrics=run(165.0, 900.0, errors=3), objective=objective)  # fmt: skip
    add_trial(store, 3, {"parallel": 8, "threads": 1, "ubatch-size": 64}, "infeasible",
              reason="OOMKilled | exit 137")  # fmt: skip
    add_trial(store, 4, {"parallel": 2, "threads": 1, "ubatch-size": 128}, "failed",
              reason="every request failed")  # fmt: skip
    add_trial(store, 5, {"parallel": 3, "threads": 2, "ubatch-size": 64}, "complete",
              metrics=run(120.0, 400.0), objective=objective)  # fmt: skip
    add_trial(store, 6, {"parallel": 6, "threads": 2, "ubatch-size": 128}, None)
    return store
