"""The report's PNG plots: the objective per trial and throughput against TTFT.

Figures are built with ``matplotlib.figure.Figure`` and rendered by the Agg canvas,
never through pyplot: no display is needed and no global figure state is shared with
whatever else runs in the process.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from steps.report.loading import StudyData, Trial
from steps.report.objectives import ObjectiveInfo, objectives
from steps.report.ranking import baseline_trial, best_trial, pareto_front

# Slots without an objective value sit on a rug at the bottom of the axes, one marker each.
_UNSCORED = {
    "infeasible": ("x", "tab:red", "infeasible"),
    "failed": ("v", "tab:gray", "failed"),
    "pruned": ("s", "tab:purple", "pruned"),
    "running": ("|", "tab:cyan", "running"),
}


def png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _no_data(ax: Axes, text: str, *, keep_x: bool = False) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.4")
    # autoscaled ticks around nothing (-0.04 ... 0.04) would read as measurements
    ax.set_yticks([])
    if not keep_x:
        ax.set_xticks([])


def objective_plot(study: StudyData) -> bytes:
    return png(objective_figure(study))


def objective_figure(study: StudyData) -> Figure:
    objs = objectives(study.task)
    fig = Figure(figsize=(10, 3.6 * len(objs) + 0.6), layout="constrained")
    axes = fig.subplots(len(objs), 1, sharex=True, squeeze=False)[:, 0]
    best = best_trial(study.trials, objs)
    for ax, o in zip(axes, objs, strict=True):
        _objective_axes(ax, study.trials, o, best)
    # every planned slot has room, so the empty right-hand part shows what is still to run
    last = max([study.task.search.trials - 1, *(t.slot for t in study.trials)])
    axes[-1].set_xlim(-0.5, last + 0.5)
    axes[-1].set_xlabel("trial slot")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(f"Study {study.name}: objective per trial ({study.task.engine.kind})")
    return fig


def _objective_axes(
    ax: Axes, trials: Sequence[Trial], o: ObjectiveInfo, best: Trial | None
) -> None:
    scored = [t for t in trials if t.complete and t.values]
    sampled = [t for t in scored if t.kind != "baseline"]
    if sampled:
        ax.scatter(
            [t.slot for t in sampled],
            [(t.values or [])[o.index] for t in sampled],
            color="tab:blue",
            s=36,
            zorder=3,
            label="complete trial",
        )
    baseline = baseline_trial(trials)
    if baseline is not None and baseline.values:
        y = baseline.values[o.index]
        ax.scatter(
            [baseline.slot],
            [y],
            marker="*",
            s=220,
            color="gold",
            edgecolor="black",
            zorder=4,
            label=f"baseline (slot {baseline.slot})",
        )
        ax.axhline(y, color="goldenrod", linestyle=":", linewidth=1)
    if best is not None and best.values:
        ax.scatter(
            [best.slot],
            [best.values[o.index]],
            s=200,
            facecolor="none",
            edgecolor="tab:green",
            linewidth=2,
            zorder=5,
            label=f"best (slot {best.slot})",
        )
    if scored:
        xs, ys = _best_so_far(trials, o)
        ax.step(xs, ys, where="post", color="tab:green", linewidth=1.5, label="best so far")
        # room below the lowest value for the rug of unscored slots
        low, high = ax.get_ylim()
        ax.set_ylim(low - 0.15 * (high - low), high)
    else:
        _no_data(ax, "no complete trial yet", keep_x=True)
    for state, (marker, color, label) in _UNSCORED.items():
        slots = [t.slot for t in trials if t.state == state or (state == "failed" and _unscored(t))]
        if slots:
            # x in data units, y in axes units: a rug just above the x axis
            ax.scatter(
                slots,
                [0.04] * len(slots),
                marker=marker,
                color=color,
                s=50,
                transform=ax.get_xaxis_transform(),
                clip_on=False,
                label=label,
            )
    arrow = "higher is better" if o.maximize else "lower is better"
    ax.set_ylabel(o.label)
    ax.set_title(f"{o.label}, {arrow}", fontsize=10)
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        # outside the axes: inside, it would hide the points it explains
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _unscored(trial: Trial) -> bool:
    # "complete" without values, or a state this report does not know: not rankable
    return trial.state not in _UNSCORED and not trial.complete


def _best_so_far(trials: Sequence[Trial], o: ObjectiveInfo) -> tuple[list[int], list[float]]:
    xs: list[int] = []
    ys: list[float] = []
    current: float | None = None
    for t in sorted(trials, key=lambda t: t.slot):
        if t.complete and t.values:
            value = t.values[o.index]
            if current is None or o.better(value, current):
                current = value
        if current is not None:
            xs.append(t.slot)
            ys.append(current)
    return xs, ys


def _ttft_throughput(trial: Trial) -> tuple[float, float] | None:
    """(TTFT p90 in ms, output tok/s) of a trial's scored run: the Pareto plot's (x, y)."""
    run = trial.metrics
    if run is None or run.ttft is None:
        return None
    return run.ttft.p90 * 1000.0, run.output_throughput


def pareto_plot(study: StudyData) -> bytes:
    return png(pareto_figure(study))


def pareto_figure(study: StudyData) -> Figure:
    fig = Figure(figsize=(10, 5.4), layout="constrained")
    ax = fig.subplots()
    points = [(t, xy) for t in study.trials if t.complete and (xy := _ttft_throughput(t))]
    # x = TTFT (minimize), y = throughput (maximize)
    on_front = set(pareto_front([xy for _, xy in points], [False, True]))
    dominated = [xy for i, (_, xy) in enumerate(points) if i not in on_front]
    front = sorted((points[i] for i in on_front), key=lambda p: p[1])
    if dominated:
        ax.scatter(
            [x for x, _ in dominated],
            [y for _, y in dominated],
            color="tab:blue",
            alpha=0.45,
            s=36,
            label="complete trial (dominated)",
        )
    if front:
        xs, ys = [x for _, (x, _) in front], [y for _, (_, y) in front]
        ax.step(xs, ys, where="post", color="tab:orange", linewidth=1.5)
        ax.scatter(
            xs,
            ys,
            color="tab:orange",
            edgecolor="black",
            s=60,
            zorder=4,
            label="Pareto front (max throughput, min TTFT p90)",
        )
        for t, xy in front:
            ax.annotate(f"#{t.slot}", xy, textcoords="offset points", xytext=(6, -11), fontsize=8)
    measured = ((t, _ttft_throughput(t)) for t in study.trials if t.state == "infeasible")
    infeasible = [xy for _, xy in measured if xy is not None]
    if infeasible:
        ax.scatter(
            [x for x, _ in infeasible],
            [y for _, y in infeasible],
            marker="x",
            color="tab:red",
            s=40,
            label="infeasible (measured, SLO violated)",
        )
    ax.margins(x=0.08, y=0.12)  # room for the slot labels and the "best" arrow
    _label_special(ax, study, points)
    if not points:
        _no_data(ax, "no complete trial with TTFT measurements yet")
    run = study.task.scored_run
    ax.set_title(
        f"Study {study.name}: output throughput vs TTFT p90\n"
        f"scored run {run.scenario} at concurrency {run.concurrency}",
        fontsize=11,
    )
    ax.set_xlabel("TTFT p90 (ms), lower is better")
    ax.set_ylabel("output throughput (tok/s), higher is better")
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _label_special(
    ax: Axes, study: StudyData, points: list[tuple[Trial, tuple[float, float]]]
) -> None:
    best = best_trial(study.trials, objectives(study.task))
    baseline = baseline_trial(study.trials)
    for t, xy in points:
        if baseline is not None and t.slot == baseline.slot:
            ax.scatter(
                *xy,
                marker="*",
                s=240,
                color="gold",
                edgecolor="black",
                zorder=5,
                label=f"baseline (slot {t.slot})",
            )
        if best is not None and t.slot == best.slot:
            # label towards the middle of the axes, so it stays inside them
            low, high = ax.get_xlim()
            left = xy[0] > (low + high) / 2
            ax.annotate(
                f"best (slot {t.slot})",
                xy,
                textcoords="offset points",
                xytext=(-16 if left else 16, 12),
                ha="right" if left else "left",
                fontsize=9,
                color="tab:green",
                arrowprops={"arrowstyle": "->", "color": "tab:green"},
            )
