"""The whole report: files, summary, reruns, a study with nothing to show, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from steps.cli import main
from steps.errors import NotFound
from steps.report import build_report
from steps.store.base import Layout, Store
from tests.report.studies import STUDY, add_trial, mixed_study, new_store, run

LAYOUT = Layout(STUDY)
ALWAYS = [
    "leaderboard.csv", "leaderboard.json", "leaderboard.md", "best.json", "best_command.txt",
    "objective.png", "pareto.png", "summary.md",
]  # fmt: skip


def report_files(store: Store) -> dict[str, bytes]:
    prefix = LAYOUT.report() + "/"
    return {k[len(prefix) :]: store.read_bytes(k) for k in store.list(prefix)}


def test_report_of_a_mixed_study(tmp_path: Path) -> None:
    store = mixed_study(tmp_path)
    summary = build_report(store, STUDY)
    assert sorted(report_files(store)) == sorted(ALWAYS)
    assert sorted(summary.files) == sorted(LAYOUT.report(n) for n in ALWAYS)
    assert summary.counts == {
        "complete": 4,
        "infeasible": 1,
        "failed": 1,
        "pruned": 0,
        "running": 1,
    }
    assert summary.not_started == 12 - 7
    assert summary.best_slot == 2 and summary.no_best_reason is None
    assert summary.best_command is not None and "--parallel 8" in summary.best_command
    assert summary.gains == ["output throughput (tok/s): +65.0% (100 -> 165 tok/s)"]
    assert summary.importance is None and ">= 8 complete sampled trials" in summary.importance_note
    text = summary.text
    assert text.splitlines()[0] == (
        "study llama-tune: 4 complete, 1 infeasible, 1 failed, 0 pruned, 1 running, 5 not started"
    )
    assert "best: slot 2" in text and "gain vs baseline: output throughput (tok/s): +65.0%" in text
    assert f"report: {store.uri}/studies/llama-tune/report/" in text

    md = store.read_text(LAYOUT.report("summary.md"))
    assert md.startswith("# Tuning report: llama-tune")
    assert "Slot 2 (sampled): output throughput 165 tok/s" in md
    assert "errors 5.0% (3/60)" in md
    assert "![Objective per trial](objective.png)" in md and "(pareto.png)" in md
    assert "No parameter importance plot: parameter importance needs >= 8" in md
    assert "## Leaderboard (top 10)" in md and "| 1 | 2 | sampled | complete |" in md


def test_gain_within_noise_is_flagged(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_trial(store, 0, None, "complete", kind="baseline", metrics=run(100.0, 800.0))
    add_trial(store, 1, {"parallel": 2, "threads": 2, "ubatch-size": 64}, "complete",
              metrics=run(103.5, 780.0))  # fmt: skip
    summary = build_report(store, STUDY)
    assert summary.gains == [
        "output throughput (tok/s): +3.5% (100 -> 103.5 tok/s); "
        "within run-to-run noise (median repeat noise 3.1%)"
    ]
    assert "within run-to-run noise" in store.read_text(LAYOUT.report("summary.md"))


def test_rerun_overwrites_with_the_same_report(tmp_path: Path) -> None:
    store = mixed_study(tmp_path)
    build_report(store, STUDY)
    first = report_files(store)
    build_report(store, STUDY)
    again = report_files(store)
    assert sorted(again) == sorted(first)
    for name in ("leaderboard.csv", "leaderboard.json", "leaderboard.md", "best.json",
                 "best_command.txt", "summary.md"):  # fmt: skip
        assert again[name] == first[name], name
    # the running slot finishes: the next report sees it
    add_trial(store, 6, {"parallel": 6, "threads": 2, "ubatch-size": 128}, "complete",
              metrics=run(180.0, 700.0))  # fmt: skip
    summary = build_report(store, STUDY)
    assert summary.best_slot == 6 and summary.counts["running"] == 0


def test_study_with_no_complete_trial_says_why_there_is_no_best(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_trial(store, 0, None, "infeasible", kind="baseline", reason="CrashLoopBackOff")
    add_trial(store, 1, {"parallel": 2, "threads": 1, "ubatch-size": 64}, "failed",
              reason="every request failed")  # fmt: skip
    add_trial(store, 2, {"parallel": 4, "threads": 1, "ubatch-size": 64}, None)
    summary = build_report(store, STUDY)
    reason = "no trial completed (1 infeasible, 1 failed, 1 running)"
    assert summary.best_slot is None and summary.no_best_reason == reason
    assert f"best: none ({reason})" in summary.text
    assert summary.gains == ["output throughput (tok/s): n/a (no complete trial)"]
    assert json.loads(store.read_text(LAYOUT.report("best.json"))) == {
        "slot": None,
        "reason": reason,
    }
    assert store.read_text(LAYOUT.report("best_command.txt")) == f"# no best config: {reason}\n"
    assert f"No best config: {reason}." in store.read_text(LAYOUT.report("summary.md"))
    assert sorted(report_files(store)) == sorted(ALWAYS)


def test_study_with_only_a_task(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    summary = build_report(store, STUDY)
    assert summary.no_best_reason == "no trial has been recorded yet"
    assert summary.not_started == 12
    assert "_no trials recorded yet_" in store.read_text(LAYOUT.report("leaderboard.md"))
    assert store.read_text(LAYOUT.report("leaderboard.csv")) == ""


def test_unmeasured_baseline_gives_na_gain(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_trial(store, 0, None, "infeasible", kind="baseline", reason="OOMKilled")
    add_trial(store, 1, {"parallel": 2, "threads": 2, "ubatch-size": 64}, "complete",
              metrics=run(120.0, 600.0))  # fmt: skip
    summary = build_report(store, STUDY)
    assert summary.best_slot == 1
    assert summary.gains == ["output throughput (tok/s): n/a (the baseline was not measured)"]


def test_baseline_that_violates_an_slo_still_gives_the_gain(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_trial(store, 0, {}, "infeasible", kind="baseline", reason="SLO violated",
              metrics=run(60.0, 9000.0))  # fmt: skip
    add_trial(store, 1, {"parallel": 2, "threads": 2, "ubatch-size": 64}, "complete",
              metrics=run(120.0, 600.0))  # fmt: skip
    summary = build_report(store, STUDY)
    assert summary.best_slot == 1
    assert summary.gains == [
        "output throughput (tok/s): +100.0% (60 -> 120 tok/s); the baseline violates an SLO"
    ]


def test_two_objectives_report_the_front(tmp_path: Path) -> None:
    store = mixed_study(tmp_path, metric=["output_throughput", "ttft"], stat="p90")
    summary = build_report(store, STUDY)
    best = json.loads(store.read_text(LAYOUT.report("best.json")))
    # front by (max tok/s, min TTFT p90): 2 (165, 900 ms), 1 (150, 500), 5 (120, 400)
    assert best["pareto_front_slots"] == [2, 1, 5] and summary.best_slot == 2
    assert summary.gains[1] == "TTFT p90 (ms): -12.5% (800 -> 900 ms)"
    assert "Pareto front (slots, best by the first objective first): 2, 1, 5." in (
        store.read_text(LAYOUT.report("summary.md"))
    )


def test_unknown_study_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"no studies/nope/task\.yaml"):
        build_report(new_store(tmp_path), "nope")


def test_cli_prints_the_summary(tmp_path: Path) -> None:
    store = mixed_study(tmp_path)
    result = CliRunner().invoke(main, ["report", STUDY, "--store", store.uri])
    assert result.exit_code == 0, result.output
    assert "best: slot 2" in result.output and "+65.0%" in result.output
    assert store.exists(LAYOUT.report("summary.md"))


def test_cli_unknown_study_exits_with_bad_input(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    result = CliRunner().invoke(main, ["report", "nope", "--store", store.uri])
    assert result.exit_code == 2
    assert "error: study 'nope'" in result.output
