"""Recurring tuning: a new study re-measures the previous best right after the baseline,
and its report flags a regression beyond run-to-run noise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steps.programs import StudyContext, init, step_report, step_suggest
from steps.records import PreviousBest, TrialResult
from steps.spec import Task, task_from_dict
from steps.store import Layout, LocalStore

TASK = {
    "name": "nightly",
    "model": {"name": "tiny"},
    "engine": {"kind": "llama.cpp"},
    "search": {
        "strategy": "tpe",
        "trials": 4,
        "parameters": {
            "parallel": {"type": "int", "values": [1, 2, 4, 8]},
            "threads": {"type": "int", "values": [1, 2]},
        },
    },
    "benchmark": {"scenarios": ["D(100,64)"], "concurrency": [8]},
}


def task(**search: object) -> Task:
    return task_from_dict({**TASK, "search": {**TASK["search"], **search}})


def run_study(store: LocalStore, study: str, spec: Task, score: dict[int, float]) -> StudyContext:
    """Suggest every slot and record a complete result whose value comes from ``score``."""
    init(store, study, spec)
    ctx = StudyContext(store, study)
    for slot in range(spec.search.trials):
        params = step_suggest(ctx, slot)
        value = score.get(slot, 10.0)
        result = TrialResult(
            slot=slot, state="complete", decided_by="score", params=params.params,
            kind=params.kind, values=[value],
        )  # fmt: skip
        store.write_model(ctx.layout.result(slot), result)
    step_report(ctx)
    return ctx


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def test_first_study_publishes_its_best_and_has_nothing_to_compare(store: LocalStore) -> None:
    ctx = run_study(store, "nightly-1", task(), {2: 50.0})
    latest = store.read_model(Layout.series("nightly"), PreviousBest)
    assert latest.study == "nightly-1" and latest.slot == 2 and latest.values == [50.0]
    assert not store.exists(ctx.layout.previous)
    assert not store.exists(ctx.layout.report("regression.json"))


def test_next_study_enqueues_the_previous_best_right_after_the_baseline(store: LocalStore) -> None:
    first = run_study(store, "nightly-1", task(), {2: 50.0})
    best_params = first.params(2).params
    second = run_study(store, "nightly-2", task(), {1: 49.0, 3: 51.0})
    assert second.params(0).kind == "baseline"
    enqueued = second.params(1)
    assert enqueued.kind == "enqueued" and enqueued.params == best_params
    assert "nightly-1" in enqueued.sampler
    assert second.params(2).kind == "sampled"
    comparison = json.loads(store.read_text(second.layout.report("regression.json")))
    assert comparison["previous_study"] == "nightly-1"
    assert comparison["remeasured_value"] == 49.0
    assert comparison["regression"] is False
    assert store.read_model(Layout.series("nightly"), PreviousBest).study == "nightly-2"


def test_best_worse_than_previous_beyond_noise_is_a_regression(store: LocalStore) -> None:
    run_study(store, "nightly-1", task(), {2: 100.0})
    ctx = run_study(store, "nightly-2", task(), dict.fromkeys(range(4), 80.0))
    comparison = json.loads(store.read_text(ctx.layout.report("regression.json")))
    assert comparison["regression"] is True
    assert comparison["change_pct"] == pytest.approx(-20.0)
    assert "REGRESSION" in step_report(ctx)


def test_a_drop_within_noise_is_not_a_regression(store: LocalStore) -> None:
    run_study(store, "nightly-1", task(), {2: 100.0})
    ctx = run_study(store, "nightly-2", task(), dict.fromkeys(range(4), 97.0))
    comparison = json.loads(store.read_text(ctx.layout.report("regression.json")))
    assert comparison["regression"] is False
    assert "no regression" in step_report(ctx)


def test_previous_best_outside_the_new_search_space_is_not_enqueued(store: LocalStore) -> None:
    run_study(store, "nightly-1", task(), {2: 50.0})
    narrower = task(
        parameters={
            "parallel": {"type": "int", "values": [16, 32]},
            "threads": {"type": "int", "values": [1, 2]},
        }
    )
    ctx = run_study(store, "nightly-2", narrower, {})
    assert [ctx.params(k).kind for k in range(4)] == ["baseline", "sampled", "sampled", "sampled"]


def test_reference_is_pinned_when_a_newer_study_reports_first(store: LocalStore) -> None:
    run_study(store, "nightly-1", task(), {2: 50.0})
    init(store, "nightly-2", task())
    older = StudyContext(store, "nightly-2")
    step_suggest(older, 0)  # pins nightly-1 as the reference
    run_study(store, "nightly-3", task(), {3: 70.0})  # starts later, finishes first
    assert store.read_model(older.layout.previous, PreviousBest).study == "nightly-1"
    for slot in range(4):
        params = step_suggest(older, slot)
        store.write_model(
            older.layout.result(slot),
            TrialResult(slot=slot, state="complete", decided_by="score", params=params.params,
                        kind=params.kind, values=[60.0]),
        )  # fmt: skip
    step_report(older)
    assert store.read_model(Layout.series("nightly"), PreviousBest).study == "nightly-3"
