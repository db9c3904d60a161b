"""The PNG plots: valid images, and the figures show what the records say."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.image import imread

from steps.report import build_report
from steps.report.loading import load_study
from steps.report.plots import objective_figure, pareto_figure
from steps.store.base import Layout
from tests.report.studies import STUDY, add_trial, mixed_study, new_store, run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def offsets(fig: Figure, label: str) -> np.ndarray:
    """The (x, y) points of the scatter whose legend label starts with ``label``."""
    for ax in fig.axes:
        for item in ax.collections:
            if isinstance(item, PathCollection) and str(item.get_label()).startswith(label):
                return np.asarray(item.get_offsets())
    raise AssertionError(f"no scatter labelled {label!r}")


def line_data(fig: Figure, label: str) -> tuple[list[float], list[float]]:
    (line,) = [ln for ln in fig.axes[0].lines if ln.get_label() == label]
    return np.asarray(line.get_xdata()).tolist(), np.asarray(line.get_ydata()).tolist()


def labels(fig: Figure) -> set[str]:
    return {str(c.get_label()) for ax in fig.axes for c in ax.collections}


@pytest.mark.parametrize("name", ["objective.png", "pareto.png"])
def test_plots_are_valid_pngs(tmp_path: Path, name: str) -> None:
    store = mixed_study(tmp_path)
    build_report(store, STUDY)
    data = store.read_bytes(Layout(STUDY).report(name))
    assert data.startswith(PNG_MAGIC)
    image = imread(io.BytesIO(data), format="png")
    height, width = image.shape[:2]
    assert width >= 800 and height >= 350
    assert float(np.std(image)) > 0.01  # something was drawn, not a blank canvas


def test_pareto_figure_marks_the_front(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_trial(store, 0, None, "complete", kind="baseline", metrics=run(100.0, 800.0))
    points = {1: (150.0, 500.0), 2: (165.0, 900.0), 3: (140.0, 600.0), 4: (120.0, 400.0),
              5: (130.0, 450.0)}  # fmt: skip
    for slot, (tok_s, ttft_ms) in points.items():
        add_trial(store, slot, {"parallel": slot, "threads": 1, "ubatch-size": 64}, "complete",
                  metrics=run(tok_s, ttft_ms))  # fmt: skip
    add_trial(store, 6, {"parallel": 8, "threads": 2, "ubatch-size": 64}, "infeasible",
              metrics=run(300.0, 2000.0), reason="SLO ttft_p90_ms exceeded")  # fmt: skip
    fig = pareto_figure(load_study(store, STUDY))
    front = offsets(fig, "Pareto front")
    # (TTFT p90 ms, tok/s) of slots 4, 5, 1, 2; slot 3 and the baseline are dominated,
    # and the infeasible slot 6 (best numbers, but it broke the SLO) is never on the front
    assert np.allclose(front, [(400, 120), (450, 130), (500, 150), (900, 165)])
    dominated = offsets(fig, "complete trial (dominated)")
    assert sorted(map(tuple, dominated.tolist())) == [(600.0, 140.0), (800.0, 100.0)]
    assert np.allclose(offsets(fig, "infeasible"), [(2000, 300)])
    assert np.allclose(offsets(fig, "baseline"), [(800, 100)])
    notes = [t.get_text() for t in fig.axes[0].texts]
    assert "best (slot 2)" in notes and "#4" in notes


def test_objective_figure_best_so_far_and_unscored_marks(tmp_path: Path) -> None:
    fig = objective_figure(load_study(mixed_study(tmp_path), STUDY))
    ax = fig.axes[0]
    xs, ys = line_data(fig, "best so far")
    # slots 0..6: baseline 100, 150, 165, then held while 3, 4 fail, 5 scores 120, 6 runs
    assert xs == [0, 1, 2, 3, 4, 5, 6]
    assert ys == [100, 150, 165, 165, 165, 165, 165]
    assert np.allclose(offsets(fig, "baseline"), [(0, 100)])
    assert offsets(fig, "best (slot 2)")[0][0] == 2
    assert [p[0] for p in offsets(fig, "infeasible")] == [3]
    assert [p[0] for p in offsets(fig, "failed")] == [4]
    assert [p[0] for p in offsets(fig, "running")] == [6]
    assert ax.get_ylabel() == "output throughput (tok/s)" and ax.get_xlabel() == "trial slot"


def test_objective_figure_for_a_latency_objective_is_in_ms(tmp_path: Path) -> None:
    fig = objective_figure(load_study(mixed_study(tmp_path, metric="ttft", stat="p90"), STUDY))
    ax = fig.axes[0]
    assert ax.get_ylabel() == "TTFT p90 (ms)" and "lower is better" in ax.get_title()
    assert line_data(fig, "best so far")[1] == pytest.approx([800, 500, 500, 500, 500, 400, 400])


def test_plots_without_any_complete_trial(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_trial(store, 0, None, "infeasible", kind="baseline", reason="OOMKilled")
    study = load_study(store, STUDY)
    objective = objective_figure(study)
    assert "no complete trial yet" in [t.get_text() for t in objective.axes[0].texts]
    assert "complete trial" not in labels(objective)
    pareto = pareto_figure(study)
    assert any("no complete trial" in t.get_text() for t in pareto.axes[0].texts)
