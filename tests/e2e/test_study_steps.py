"""End to end through the step programs: real llama-server, real genai-bench, real Optuna."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from steps.deploy.process import is_running
from steps.records import BenchRecord, DeployRecord, TrialResult
from steps.store import Layout, LocalStore

from .driver import run_study

pytestmark = [pytest.mark.engine, pytest.mark.genai_bench, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def write_task(path: Path, model: Path, **overrides: Any) -> Path:
    task: dict[str, Any] = {
        "name": "e2e-steps",
        "model": {"name": "tiny-llama", "path": str(model / "model.gguf"), "tokenizer": str(model)},
        "engine": {"kind": "llama.cpp"},
        "deploy": {"backend": "local", "ready_timeout_s": 60},
        "search": {
            "strategy": "tpe",
            "trials": 3,
            "seed": 0,
            "parameters": {
                "parallel": {"type": "int", "values": [1, 4]},
                "threads": {"type": "int", "values": [1, 2]},
            },
            "fixed": {"ctx-size": 4096},
        },
        "objective": {
            "metric": "output_throughput",
            "at": {"scenario": "D(64,32)", "concurrency": 4},
            "slo": {"ttft_p90_ms": 20000, "max_error_rate": 0.01},
        },
        "benchmark": {
            "scenarios": ["D(64,32)"],
            "concurrency": [4],
            "max_requests_per_run": 12,
            "max_time_per_run_min": 1,
        },
    }
    for key, value in overrides.items():
        task[key] = value if not isinstance(value, dict) else {**task[key], **value}
    path.write_text(yaml.safe_dump(task))
    return path


# A two-point grid whose q4_0 point llama.cpp refuses at start: a quantized V cache
# needs flash attention, which is fixed off. One slot is infeasible, one completes.
ONE_REFUSED_OF_TWO: dict[str, Any] = {
    "strategy": "grid",
    "trials": 2,
    "baseline": False,
    "parameters": {"cache-type-v": {"type": "categorical", "choices": ["f16", "q4_0"]}},
    "fixed": {"flash-attn": "off", "ctx-size": 4096},
}


def engine_pids(store: LocalStore, layout: Layout, slots: range) -> list[tuple[int, Any]]:
    pids = []
    for slot in slots:
        record = store.read_model_or_none(layout.deploy(slot), DeployRecord)
        if record is not None:
            pids.append((int(record.handle["pid"]), record.handle.get("start_time")))
    return pids


def test_three_trial_study(
    tmp_path: Path, demo_model: Path, llama_server: str, genai_bench: str, workdir: Path
) -> None:
    task_file = write_task(tmp_path / "task.yaml", demo_model)
    store = LocalStore(tmp_path / "store")
    log = run_study(task_file, store.uri, "e2e", trials=3)
    for run in log.runs:
        assert run.exit_code == 0, f"{run.step} slot {run.slot}: {run.output}"

    layout = Layout("e2e")
    results = [store.read_model(layout.result(k), TrialResult) for k in range(3)]
    assert [r.state for r in results] == ["complete"] * 3, [r.reason for r in results]
    assert results[0].kind == "baseline" and results[0].params == {}
    assert all(
        r.kind == "sampled" and set(r.params) == {"parallel", "threads"} for r in results[1:]
    )
    for slot, result in enumerate(results):
        assert result.values and result.values[0] > 0
        assert result.timings["engine_start_s"] > 0 and result.timings["benchmark_s"] > 0
        bench = store.read_model(layout.metrics(slot), BenchRecord)
        assert bench.runs[0].error_rate == 0 and bench.runs[0].num_requests >= 12
        assert store.list(layout.bench_dir(slot) + "/"), "raw genai-bench folder is kept"
        assert "llama" in store.read_text(layout.engine_log(slot)).lower()

    assert store.exists(layout.report("leaderboard.csv"))
    assert store.exists(layout.report("best.json"))
    assert not [
        pid for pid, start in engine_pids(store, layout, range(3)) if is_running(pid, start)
    ]

    baseline = results[0]
    best = max(results, key=lambda r: r.values[0] if r.values else 0)
    ARTIFACTS.mkdir(exist_ok=True)
    summary = {
        name: {
            "slot": r.slot,
            "params": r.params,
            "output_throughput": r.metrics.output_throughput if r.metrics else None,
            "ttft_p90_s": r.metrics.ttft.p90 if r.metrics and r.metrics.ttft else None,
            "timings": r.timings,
        }
        for name, r in (("baseline", baseline), ("best", best))
    }
    (ARTIFACTS / "e2e-steps-summary.json").write_text(json.dumps(summary, indent=2))


def test_engine_that_refuses_flags_is_infeasible_and_the_study_goes_on(
    tmp_path: Path, demo_model: Path, llama_server: str, genai_bench: str, workdir: Path
) -> None:
    task_file = write_task(
        tmp_path / "task.yaml",
        demo_model,
        name="e2e-infeasible",
        search=ONE_REFUSED_OF_TWO,
    )
    store = LocalStore(tmp_path / "store")
    log = run_study(task_file, store.uri, "bad", trials=2)
    layout = Layout("bad")
    results = {k: store.read_model(layout.result(k), TrialResult) for k in range(2)}
    by_value = {r.params["cache-type-v"]: r for r in results.values()}
    bad, good = by_value["q4_0"], by_value["f16"]
    assert bad.state == "infeasible" and bad.decided_by == "wait-ready"
    assert bad.reason is not None and "flash_attn" in bad.reason
    assert log.codes(bad.slot)["wait-ready"] == 3
    assert "benchmark" not in log.codes(bad.slot)
    assert good.state == "complete", good.reason
    assert all(codes["teardown"] == 0 for codes in (log.codes(0), log.codes(1)))
    assert "exiting" in store.read_text(layout.engine_log(bad.slot))
    assert not [
        pid for pid, start in engine_pids(store, layout, range(2)) if is_running(pid, start)
    ]
