"""Which tuned flags mattered: optuna's parameter importance on the recorded trials.

The evaluator is PED-ANOVA because optuna's default (fANOVA) needs scikit-learn, which
the steps image does not carry. Importances from a handful of points are guesses, so
none are computed below ``MIN_TRIALS`` complete trials.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import optuna
from matplotlib.figure import Figure
from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances
from optuna.study import StudyDirection
from optuna.trial import TrialState, create_trial

from steps.report.loading import StudyData, Trial
from steps.report.objectives import objectives
from steps.report.plots import png
from steps.study import distributions

MIN_TRIALS = 8
# PED-ANOVA asks "what sets the top quantile apart"; optuna's 10% would be a single trial
# in a small study, so the top set holds at least three trials (at most half the study).
MIN_TOP_TRIALS = 3


@dataclass(frozen=True)
class Importance:
    values: dict[str, float]  # flag -> share of the total importance, largest first
    trials: int
    target: str  # what the importance is of, for titles


def usable_trials(study: StudyData) -> list[Trial]:
    """Complete trials whose parameters lie in the task's search space (baseline excluded:
    it runs the engine's defaults, which are not points of the space)."""
    dists = distributions(study.task)
    out = []
    for t in study.trials:
        if not t.complete or t.kind == "baseline" or set(t.params) != set(dists):
            continue
        if all(dists[n]._contains(dists[n].to_internal_repr(v)) for n, v in t.params.items()):
            out.append(t)
    return out


def importance(study: StudyData) -> tuple[Importance | None, str]:
    """The importances, or None and the reason there are none."""
    trials = usable_trials(study)
    if len(trials) < MIN_TRIALS:
        return None, (
            f"parameter importance needs >= {MIN_TRIALS} complete sampled trials, "
            f"this study has {len(trials)}"
        )
    objs = objectives(study.task)
    dists = distributions(study.task)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions = [StudyDirection.MAXIMIZE if o.maximize else StudyDirection.MINIMIZE for o in objs]
    rebuilt = optuna.create_study(directions=directions)
    for t in trials:
        rebuilt.add_trial(
            create_trial(
                state=TrialState.COMPLETE, params=t.params, distributions=dists, values=t.values
            )
        )
    quantile = min(0.5, max(0.1, MIN_TOP_TRIALS / len(trials)))
    evaluator = PedAnovaImportanceEvaluator(target_quantile=quantile)
    with warnings.catch_warnings():
        # "Target and region quantiles select the same set" etc.: small-study caveats the
        # threshold above already accounts for.
        warnings.simplefilter("ignore")
        values = get_param_importances(rebuilt, evaluator=evaluator)
    values = {k: (0.0 if math.isnan(v) else float(v)) for k, v in values.items()}
    target = objs[0].label if len(objs) == 1 else "reaching the Pareto front"
    return Importance(values=values, trials=len(trials), target=target), ""


def importance_plot(study: StudyData, result: Importance) -> bytes:
    names = list(result.values)[::-1]  # largest at the top of a horizontal bar chart
    shares = [result.values[n] for n in names]
    fig = Figure(figsize=(8.5, 1.6 + 0.45 * len(names)), layout="constrained")
    ax = fig.subplots()
    bars = ax.barh([f"--{n}" for n in names], shares, color="tab:blue")
    ax.bar_label(bars, labels=[f"{s:.0%}" for s in shares], padding=3, fontsize=9)
    ax.set_xlim(0, max([*shares, 0.01]) * 1.18)
    ax.set_xlabel("share of total importance (PED-ANOVA; shares sum to 100%)")
    ax.set_title(
        f"Study {study.name}: parameter importance for {result.target}\n"
        f"{result.trials} complete sampled trials",
        fontsize=11,
    )
    ax.grid(True, axis="x", alpha=0.3)
    return png(fig)
