"""Parameter importance: only with enough complete sampled trials, and it finds the flag
that drives the objective."""

from __future__ import annotations

from pathlib import Path

import pytest

from steps.report import build_report
from steps.report.importance import MIN_TRIALS, importance
from steps.report.loading import load_study
from steps.store.base import Layout, Store
from tests.report.studies import STUDY, add_trial, new_store, run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def study_with(tmp_path: Path, sampled: int) -> Store:
    """A baseline plus ``sampled`` complete trials where --parallel sets the throughput and
    the other flags only add a little jitter."""
    store = new_store(tmp_path)
    add_trial(store, 0, None, "complete", kind="baseline", metrics=run(100.0, 800.0))
    for i in range(sampled):
        parallel = i % 8 + 1
        threads = 1 + (i * 5 % 3 == 0)
        ubatch = [64, 128, 256, 512][i * 3 % 4]
        tok_s = 60.0 + 20.0 * parallel + (threads - 1) * 2.0 + ubatch / 512
        params = {"parallel": parallel, "threads": threads, "ubatch-size": ubatch}
        add_trial(store, i + 1, params, "complete", metrics=run(tok_s, 300.0 + 40 * parallel))
    # never counted: they have no objective value
    add_trial(store, sampled + 1, {"parallel": 8, "threads": 1, "ubatch-size": 64}, "infeasible",
              reason="OOMKilled")  # fmt: skip
    return store


def test_no_importance_below_the_threshold_even_counting_the_baseline(tmp_path: Path) -> None:
    # 7 sampled + the baseline = 8 complete, but the baseline is not a point of the space
    store = study_with(tmp_path, MIN_TRIALS - 1)
    summary = build_report(store, STUDY)
    assert summary.counts["complete"] == MIN_TRIALS
    assert summary.importance is None
    assert summary.importance_note == (
        f"parameter importance needs >= {MIN_TRIALS} complete sampled trials, "
        f"this study has {MIN_TRIALS - 1}"
    )
    assert not store.exists(Layout(STUDY).report("importance.png"))
    assert f"parameter importance: none ({summary.importance_note})" in summary.text


@pytest.mark.parametrize("sampled", [MIN_TRIALS, 24])
def test_importance_with_enough_trials_ranks_the_driving_flag_first(
    tmp_path: Path, sampled: int
) -> None:
    store = study_with(tmp_path, sampled)
    summary = build_report(store, STUDY)
    assert summary.importance is not None
    assert set(summary.importance) == {"parallel", "threads", "ubatch-size"}
    assert sum(summary.importance.values()) == pytest.approx(1.0)
    assert next(iter(summary.importance)) == "parallel"
    png = store.read_bytes(Layout(STUDY).report("importance.png"))
    assert png.startswith(PNG_MAGIC)
    assert "![Parameter importance](importance.png)" in store.read_text(
        Layout(STUDY).report("summary.md")
    )
    assert "parameter importance: parallel" in summary.text


def test_importance_plot_is_removed_when_trials_drop_below_the_threshold(tmp_path: Path) -> None:
    store = study_with(tmp_path, MIN_TRIALS)
    build_report(store, STUDY)
    key = Layout(STUDY).report("importance.png")
    assert store.exists(key)
    # a slot is retried and now ends infeasible: one complete trial fewer
    add_trial(store, 1, {"parallel": 1, "threads": 1, "ubatch-size": 64}, "infeasible",
              reason="retried: OOMKilled")  # fmt: skip
    build_report(store, STUDY)
    assert not store.exists(key)


def test_trials_outside_the_search_space_are_left_out(tmp_path: Path) -> None:
    store = study_with(tmp_path, MIN_TRIALS)
    # a value the task's space does not contain (the task changed since it ran)
    add_trial(store, 1, {"parallel": 99, "threads": 1, "ubatch-size": 64}, "complete",
              metrics=run(500.0, 100.0))  # fmt: skip
    found, note = importance(load_study(store, STUDY))
    assert found is None and "this study has 7" in note
