"""Recurring tuning: compare a study's best with the previous study's, publish the new best.

A scheduled study re-measures the previous best right after its baseline (see
``steps.study.suggest``); the report then says whether today's best is worse than
the previous best by more than run-to-run noise, which is what a regression is.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from steps.records import PreviousBest
from steps.report.loading import StudyData, Trial
from steps.report.objectives import ObjectiveInfo
from steps.report.ranking import NOISE_THRESHOLD_PCT, gain_pct
from steps.store.base import Layout, Store


@dataclass(frozen=True)
class Comparison:
    previous_study: str
    previous_value: float
    remeasured_value: float | None  # the previous best measured again in this study
    best_value: float | None
    change_pct: float | None  # best vs previous, positive = better
    noise_pct: float
    regression: bool

    def text(self, objective: ObjectiveInfo) -> str:
        unit = f" {objective.unit}" if objective.unit else ""
        parts = [f"previous best (study {self.previous_study}) {self.previous_value:.4g}{unit}"]
        if self.remeasured_value is not None:
            parts.append(f"re-measured now {self.remeasured_value:.4g}{unit}")
        if self.best_value is None or self.change_pct is None:
            return "; ".join([*parts, "no complete trial to compare"])
        parts.append(f"best now {self.best_value:.4g}{unit} ({self.change_pct:+.1f}%)")
        verdict = (
            f"REGRESSION: worse than the previous best beyond {self.noise_pct:g}% noise"
            if self.regression
            else f"no regression (threshold {self.noise_pct:g}% run-to-run noise)"
        )
        return "; ".join([*parts, verdict])


def compare(
    store: Store, data: StudyData, best: Trial | None, objective: ObjectiveInfo
) -> Comparison | None:
    previous = store.read_model_or_none(Layout(data.name).previous, PreviousBest)
    if previous is None or not previous.values:
        return None
    prev_value = previous.values[objective.index]
    remeasured = next(
        (
            t.values[objective.index]
            for t in data.trials
            if t.kind == "enqueued" and t.complete and t.values
        ),
        None,
    )
    value = best.values[objective.index] if best is not None and best.values else None
    change = None if value is None else gain_pct(value, prev_value, objective)
    return Comparison(
        previous_study=previous.study,
        previous_value=prev_value,
        remeasured_value=remeasured,
        best_value=value,
        change_pct=change,
        noise_pct=NOISE_THRESHOLD_PCT,
        regression=change is not None and change < -NOISE_THRESHOLD_PCT,
    )


def to_json(comparison: Comparison) -> str:
    return json.dumps(asdict(comparison), indent=2) + "\n"


def publish(store: Store, data: StudyData, best: Trial | None, started_at: float) -> bool:
    """Make this study's best the reference for the next study of the same task, unless
    a study that started later has already published its own."""
    if best is None or not best.values:
        return False
    key = Layout.series(data.task.name)
    latest = store.read_model_or_none(key, PreviousBest)
    if latest is not None and latest.study != data.name and latest.finished_at > started_at:
        return False
    record = PreviousBest(
        study=data.name,
        slot=best.slot,
        params=best.params,
        values=list(best.values),
        directions=list(data.task.objective.directions),
    )
    store.write_model(key, record)
    return True
