"""Pareto fronts, best-first order and the gain over the baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from steps.report.loading import Trial, load_study
from steps.report.objectives import ObjectiveInfo, objectives
from steps.report.ranking import (
    NOISE_NOTE,
    best_trial,
    front,
    gain_pct,
    gains,
    pareto_front,
    ranked,
)
from tests.report.studies import STUDY, mixed_study

THROUGHPUT = ObjectiveInfo(index=0, metric="output_throughput", direction="maximize", stat="mean")
TTFT = ObjectiveInfo(index=1, metric="ttft", direction="minimize", stat="p90")


def trial(
    slot: int, values: list[float] | None, state: str = "complete", kind: str = "sampled"
) -> Trial:
    return Trial(slot=slot, kind=kind, state=state, params={}, flags={}, values=values,
                 metrics=None, reason=None, deploy=None)  # fmt: skip


def test_pareto_front_of_a_hand_made_set_max_throughput_min_latency() -> None:
    points = [
        (100.0, 0.50),  # 0: front (lowest latency)
        (150.0, 0.70),  # 1: front
        (140.0, 0.80),  # 2: dominated by 1
        (200.0, 1.20),  # 3: front (highest throughput)
        (150.0, 0.90),  # 4: dominated by 1 (same throughput, worse latency)
        (90.0, 0.50),  # 5: dominated by 0 (same latency, less throughput)
        (150.0, 0.70),  # 6: exact twin of 1: neither dominates, both stay
    ]
    assert pareto_front(points, [True, False]) == [0, 1, 3, 6]


def test_pareto_front_follows_each_direction() -> None:
    points = [(1.0, 1.0), (2.0, 2.0), (0.5, 3.0)]
    assert pareto_front(points, [True, True]) == [1, 2]
    assert pareto_front(points, [False, False]) == [0, 2]
    assert pareto_front(points, [False, True]) == [2]  # lowest x and highest y at once
    assert pareto_front([], [True]) == []


def test_one_objective_front_is_the_best_value() -> None:
    trials = [trial(0, [10.0]), trial(1, [30.0]), trial(2, [20.0])]
    assert [t.slot for t in front(trials, [THROUGHPUT])] == [1]


def test_two_objectives_best_is_the_front_member_best_by_objective_0() -> None:
    objs = [THROUGHPUT, TTFT]
    trials = [
        trial(0, [100.0, 0.5]),
        trial(1, [200.0, 1.2]),
        trial(2, [150.0, 0.7]),
        trial(3, [140.0, 0.8]),  # dominated by 2
        trial(4, [300.0, 0.1], state="infeasible"),  # not complete: never on the front
    ]
    assert [t.slot for t in front(trials, objs)] == [1, 2, 0]
    best = best_trial(trials, objs)
    assert best is not None and best.slot == 1


def test_ranked_puts_complete_trials_best_first_then_the_rest_by_state_and_slot() -> None:
    trials = [
        trial(0, [5.0], kind="baseline"),
        trial(1, None, state="running"),
        trial(2, None, state="failed"),
        trial(3, [9.0]),
        trial(4, None, state="infeasible"),
        trial(5, [9.0]),  # tie with slot 3: the earlier slot first
        trial(6, None, state="complete"),  # complete without values: cannot be ranked
    ]
    assert [t.slot for t in ranked(trials, [THROUGHPUT])] == [3, 5, 0, 4, 2, 6, 1]
    minimize = ObjectiveInfo(index=0, metric="ttft", direction="minimize", stat="p90")
    assert [t.slot for t in ranked(trials, [minimize])][:3] == [0, 3, 5]


def test_gain_is_positive_when_better_in_either_direction() -> None:
    assert gain_pct(120.0, 100.0, THROUGHPUT) == pytest.approx(20.0)
    assert gain_pct(80.0, 100.0, THROUGHPUT) == pytest.approx(-20.0)
    latency = ObjectiveInfo(index=0, metric="ttft", direction="minimize", stat="p90")
    assert gain_pct(0.08, 0.10, latency) == pytest.approx(20.0)  # lower latency: a gain
    assert gain_pct(0.12, 0.10, latency) == pytest.approx(-20.0)
    assert gain_pct(5.0, 0.0, THROUGHPUT) is None


def test_gain_notes_noise_and_missing_records() -> None:
    base = trial(0, [100.0], kind="baseline")
    close = gains(trial(1, [103.0]), base, [THROUGHPUT])[0]
    assert close.percent == pytest.approx(3.0) and close.note == NOISE_NOTE
    assert "within run-to-run noise" in close.text()
    clear = gains(trial(1, [110.0]), base, [THROUGHPUT])[0]
    assert clear.note == "" and clear.text().startswith("output throughput (tok/s): +10.0%")
    assert gains(base, base, [THROUGHPUT])[0].note == "the baseline is the best config"
    missing = gains(trial(1, [110.0]), None, [THROUGHPUT])[0]
    assert missing.percent is None
    assert missing.text() == "output throughput (tok/s): n/a (the baseline was not measured)"
    assert gains(None, base, [THROUGHPUT])[0].note == "no complete trial"


@pytest.mark.parametrize(
    ("objective", "best_slot", "percent"),
    [({}, 2, 65.0), ({"metric": "ttft", "stat": "p90"}, 5, 50.0)],
)
def test_study_gain_from_the_store(
    tmp_path: Path, objective: dict[str, str], best_slot: int, percent: float
) -> None:
    study = load_study(mixed_study(tmp_path, **objective), STUDY)
    objs = objectives(study.task)
    best = best_trial(study.trials, objs)
    assert best is not None and best.slot == best_slot
    base = next(t for t in study.trials if t.kind == "baseline")
    assert gains(best, base, objs)[0].percent == pytest.approx(percent)
