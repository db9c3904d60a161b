"""suggest: determinism, baseline, grid enumeration, duplicates, constraints."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from steps.records import TrialParams, TrialResult
from steps.spec import Task, task_from_dict
from steps.study import Recorded, grid_points, suggest

BASE = """
name: study-test
model: {name: tiny}
engine: {kind: llama.cpp}
search:
  strategy: tpe
  trials: 20
  seed: 7
  parameters:
    parallel: {type: int, low: 1, high: 16, log: true}
    threads: {type: int, values: [1, 2]}
    ubatch-size: {type: categorical, choices: [64, 128, 512]}
  fixed: {ctx-size: 4096}
benchmark: {scenarios: ["D(100,64)"], concurrency: [8]}
"""


def make_task(**search: Any) -> Task:
    data = yaml.safe_load(BASE)
    data["search"].update(search)
    return task_from_dict(data)


def outcome(params: TrialParams, value: float | None, state: str = "complete") -> Recorded:
    result = TrialResult(
        slot=params.slot,
        state=state,  # type: ignore[arg-type]
        decided_by="score",
        params=params.params,
        kind=params.kind,
        values=None if value is None else [value],
        violations={} if state == "complete" else {"ttft_p90_ms": 0.4},
    )
    return Recorded(params, result)


def run_study(task: Task, score: Any, slots: int) -> list[Recorded]:
    history: list[Recorded] = []
    for slot in range(slots):
        params = suggest(task, slot, history)
        history.append(outcome(params, score(params.params) if params.params else 1.0))
    return history


def landscape(params: dict[str, Any]) -> float:
    return float(params["parallel"]) * params["threads"] - params["ubatch-size"] / 512


def test_baseline_is_slot_zero_with_fixed_flags_only() -> None:
    params = suggest(make_task(), 0, [])
    assert params.kind == "baseline"
    assert params.params == {}
    assert params.flags == {"ctx-size": 4096}


def test_without_baseline_slot_zero_is_sampled() -> None:
    params = suggest(make_task(baseline=False), 0, [])
    assert params.kind == "sampled"
    assert set(params.params) == {"parallel", "threads", "ubatch-size"}


@pytest.mark.parametrize("strategy", ["tpe", "random", "grid"])
def test_same_history_and_seed_give_the_same_suggestion(strategy: str) -> None:
    extra: dict[str, Any] = {"strategy": strategy}
    if strategy == "grid":
        extra["parameters"] = {
            "parallel": {"type": "int", "values": [1, 2, 4, 8]},
            "threads": {"type": "int", "values": [1, 2]},
        }
    task = make_task(**extra)
    history = run_study(task, lambda p: float(sum(v for v in p.values())), 6)
    first = suggest(task, 6, history)
    again = suggest(task, 6, list(history))
    assert first.params == again.params
    assert first.kind == "sampled"


def test_different_seed_changes_the_suggestion() -> None:
    a = [suggest(make_task(seed=1), k, []).params for k in range(1, 4)]
    b = [suggest(make_task(seed=2), k, []).params for k in range(1, 4)]
    assert a != b


def test_parallel_slots_with_the_same_history_ask_different_points() -> None:
    task = make_task(strategy="random")
    assert suggest(task, 1, []).params != suggest(task, 2, []).params


def test_running_trials_are_seen_by_the_sampler() -> None:
    task = make_task()
    history = run_study(task, landscape, 5)
    running = suggest(task, 5, history)
    with_running = [*history, Recorded(running, None)]
    nxt = suggest(task, 6, with_running)
    assert nxt.params != running.params  # constant liar + duplicate guard


def test_no_configuration_is_deployed_twice() -> None:
    task = make_task(
        trials=30,
        parameters={
            "parallel": {"type": "int", "values": [1, 2, 4, 8]},
            "threads": {"type": "int", "values": [1, 2]},
        },
    )
    history = run_study(task, lambda p: p["parallel"] * p["threads"], 9)
    sampled = [tuple(sorted(r.params.params.items())) for r in history if r.params.params]
    assert len(sampled) == len(set(sampled)) == 8
    answered = sum(r.params.duplicates_answered for r in history)
    assert answered > 0, "TPE on 8 points proposes repeats, answered from history"
    assert suggest(task, 9, history).kind == "exhausted"


def test_grid_enumerates_every_point_once_then_ends() -> None:
    task = make_task(
        strategy="grid",
        trials=10,
        parameters={
            "parallel": {"type": "int", "values": [1, 4]},
            "ubatch-size": {"type": "categorical", "choices": [64, 128, 512]},
        },
    )
    history = run_study(task, lambda p: 1.0, 7)
    seen = [tuple(sorted(r.params.params.items())) for r in history if r.params.kind == "sampled"]
    expected = [tuple(sorted(p.items())) for p in grid_points(task)]
    assert sorted(seen) == sorted(expected)
    assert suggest(task, 7, history).kind == "exhausted"


def _feasible_late_proposals(seed: int, infeasible_state: str) -> int:
    """Maximise parallel where parallel > 16 is infeasible; count feasible late proposals."""
    task = make_task(
        trials=40, seed=seed, parameters={"parallel": {"type": "int", "low": 1, "high": 64}}
    )
    history: list[Recorded] = []
    for slot in range(30):
        params = suggest(task, slot, history)
        parallel = int(params.params.get("parallel", 1))
        if parallel <= 16:
            history.append(outcome(params, float(parallel)))
        else:
            history.append(outcome(params, None, state=infeasible_state))
    return sum(int(r.params.params["parallel"]) <= 16 for r in history[10:])


def test_infeasible_trials_steer_the_sampler_away() -> None:
    """Told as constraint violations, infeasible trials pull later proposals into the
    feasible region more than the same trials ignored by the sampler (told as pruned)."""
    seeds = range(4)
    told = [_feasible_late_proposals(seed, "infeasible") for seed in seeds]
    ignored = [_feasible_late_proposals(seed, "pruned") for seed in seeds]
    assert all(t >= i for t, i in zip(told, ignored, strict=True)), (told, ignored)
    assert sum(told) > sum(ignored) + 4, (told, ignored)


def test_nsga2_two_objectives() -> None:
    data = yaml.safe_load(BASE)
    data["search"]["strategy"] = "nsga2"
    data["objective"] = {"metric": ["output_throughput", "ttft"], "stat": "p90"}
    task = task_from_dict(data)
    history: list[Recorded] = []
    for slot in range(8):
        params = suggest(task, slot, history)
        result = TrialResult(
            slot=slot, state="complete", decided_by="score", params=params.params,
            kind=params.kind, values=[float(slot), 100.0 - slot],
        )  # fmt: skip
        history.append(Recorded(params, result))
    again = suggest(task, 8, history)
    assert again.params == suggest(task, 8, history).params
    assert again.sampler == "NSGAIISampler"
