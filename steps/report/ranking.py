"""Which trial is best, in what order the others come, and how far the best beats the baseline.

One objective: best = the best value in its direction. Two objectives: the Pareto front
of the complete trials, and "the" best is the front's first by objective 0, so the
report still names one config to deploy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from steps.report.loading import Trial
from steps.report.objectives import ObjectiveInfo

# DESIGN.md: repeats of one config differ by 3.1% (median) on the embedded default;
# a gain below this threshold may be a lucky run rather than a better config.
NOISE_MEDIAN_PCT = 3.1
NOISE_THRESHOLD_PCT = 5.0
NOISE_NOTE = f"within run-to-run noise (median repeat noise {NOISE_MEDIAN_PCT}%)"

# Order of the undecided or unusable slots after the ranked ones: the most informative first.
_STATE_ORDER = {"infeasible": 0, "pruned": 1, "failed": 2, "running": 3}


def pareto_front(points: Sequence[Sequence[float]], maximize: Sequence[bool]) -> list[int]:
    """Indices of the points no other point dominates (ties all stay on the front)."""

    def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
        pairs = zip(a, b, maximize, strict=True)
        at_least = all((x >= y) if up else (x <= y) for x, y, up in pairs)
        return at_least and any(x != y for x, y in zip(a, b, strict=True))

    return [
        i
        for i, p in enumerate(points)
        if not any(dominates(q, p) for j, q in enumerate(points) if j != i)
    ]


def _sort_key(trial: Trial, objectives: Sequence[ObjectiveInfo]) -> tuple[float, ...]:
    assert trial.values is not None
    signed = [v if o.maximize else -v for v, o in zip(trial.values, objectives, strict=False)]
    return (*(-s for s in signed), float(trial.slot))


def ranked(trials: Sequence[Trial], objectives: Sequence[ObjectiveInfo]) -> list[Trial]:
    """Complete trials best first (objective 0, then 1, then slot), then the rest by state."""
    done = sorted((t for t in trials if t.complete), key=lambda t: _sort_key(t, objectives))
    rest = sorted((t for t in trials if not t.complete), key=lambda t: (_unranked(t), t.slot))
    return done + rest


def _unranked(trial: Trial) -> int:
    # "complete" without objective values is as useless as a failure
    state = "failed" if trial.state == "complete" else trial.state
    return _STATE_ORDER.get(state, len(_STATE_ORDER))


def front(trials: Sequence[Trial], objectives: Sequence[ObjectiveInfo]) -> list[Trial]:
    """The complete trials on the Pareto front of the objectives, best by objective 0 first."""
    done = ranked([t for t in trials if t.complete], objectives)
    points = [t.values or [] for t in done]
    keep = set(pareto_front(points, [o.maximize for o in objectives]))
    return [t for i, t in enumerate(done) if i in keep]


def best_trial(trials: Sequence[Trial], objectives: Sequence[ObjectiveInfo]) -> Trial | None:
    on_front = front(trials, objectives)
    return on_front[0] if on_front else None


def baseline_trial(trials: Sequence[Trial]) -> Trial | None:
    """The baseline when it was measured: engine defaults that break an SLO still give
    the reference a gain is counted from (and the gain says so)."""
    return next((t for t in trials if t.kind == "baseline" and t.values), None)


def gain_pct(value: float, base: float, objective: ObjectiveInfo) -> float | None:
    """How much better ``value`` is than ``base`` in % (positive = better, whatever the
    direction: a latency that drops from 100 to 80 ms is a +20% gain)."""
    if base == 0:
        return None
    change = (value - base) / abs(base) * 100.0
    return (change if objective.maximize else -change) + 0.0  # + 0.0: no "-0.0%"


@dataclass(frozen=True)
class Gain:
    objective: ObjectiveInfo
    best: float | None
    baseline: float | None
    percent: float | None
    note: str  # why there is no percent, or the noise caveat, or ""

    def text(self) -> str:
        if self.percent is None:
            return f"{self.objective.label}: n/a ({self.note})"
        assert self.best is not None and self.baseline is not None
        o = self.objective
        line = f"{o.label}: {self.percent:+.1f}% ({self.baseline:.4g} -> {self.best:.4g} {o.unit})"
        return f"{line}; {self.note}" if self.note else line


def gains(
    best: Trial | None, baseline: Trial | None, objectives: Sequence[ObjectiveInfo]
) -> list[Gain]:
    """The best trial against the complete baseline, one entry per objective."""
    if best is None or baseline is None:
        why = "no complete trial" if best is None else "the baseline was not measured"
        return [Gain(o, None, None, None, why) for o in objectives]
    assert best.values is not None and baseline.values is not None
    out = []
    for o in objectives:
        value, base = best.values[o.index], baseline.values[o.index]
        pct = gain_pct(value, base, o)
        if pct is None:
            note = "the baseline value is 0"
        elif best.slot == baseline.slot:
            note = "the baseline is the best config"
        elif abs(pct) < NOISE_THRESHOLD_PCT:
            note = NOISE_NOTE
        else:
            note = ""
        if baseline.state == "infeasible":
            caveat = "the baseline violates an SLO"
            note = f"{note}; {caveat}" if note else caveat
        out.append(Gain(o, value, base, pct, note))
    return out
