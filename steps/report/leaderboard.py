"""The leaderboard: every slot, best first, as CSV (spreadsheets), JSON (programs) and
Markdown (people, the Argo UI and the summary)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from steps.report.loading import StudyData, Trial
from steps.report.objectives import KEY_METRICS, ObjectiveInfo, key_metrics, objectives
from steps.report.ranking import baseline_trial, gain_pct, ranked

Row = dict[str, Any]


def param_names(study: StudyData) -> list[str]:
    """Tuned flags in the task's order, then any a trial has that the task no longer lists."""
    names = list(study.task.search.parameters)
    extra = sorted({n for t in study.trials for n in t.params} - set(names))
    return names + extra


def rows(study: StudyData) -> list[Row]:
    """One flat row per slot, best first; the column order is the dict order."""
    objs = objectives(study.task)
    baseline = baseline_trial(study.trials)
    names = param_names(study)
    out = []
    rank = 0
    for trial in ranked(study.trials, objs):
        if trial.complete:
            rank += 1
        out.append(_row(trial, rank if trial.complete else None, objs, baseline, names))
    return out


def _row(
    trial: Trial,
    rank: int | None,
    objs: Sequence[ObjectiveInfo],
    baseline: Trial | None,
    names: Sequence[str],
) -> Row:
    row: Row = {"rank": rank, "slot": trial.slot, "kind": trial.kind, "state": trial.state}
    for o in objs:
        row[o.column] = None if not trial.values else trial.values[o.index]
    gain = None
    if trial.complete and baseline is not None and trial.values and baseline.values:
        gain = gain_pct(trial.values[0], baseline.values[0], objs[0])
    row["gain_vs_baseline_pct"] = gain
    row.update(key_metrics(trial.metrics))
    for name in names:
        row[f"--{name}"] = trial.params.get(name)
    row["reason"] = trial.reason or ""
    return row


def _rounded(value: Any) -> Any:
    # Full float precision is noise at this measurement accuracy and hard to read.
    return round(value, 4) if isinstance(value, float) else value


def to_csv(table: Sequence[Row]) -> str:
    if not table:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({k: "" if v is None else _rounded(v) for k, v in row.items()})
    return buffer.getvalue()


def to_json(study: StudyData, table: Sequence[Row]) -> str:
    doc = {
        "study": study.name,
        "engine": study.task.engine.kind,
        "objectives": [
            {"column": o.column, "metric": o.metric, "stat": o.stat, "direction": o.direction}
            for o in objectives(study.task)
        ],
        "units": {"latency": "ms", "output_tok_s": "tokens/s", "req_s": "requests/s"},
        "rows": [{k: _rounded(v) for k, v in row.items()} for row in table],
    }
    return json.dumps(doc, indent=2) + "\n"


def _cell(column: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if column == "error_rate":
        return f"{value * 100:.1f}%"
    if column == "gain_vs_baseline_pct":
        return f"{value:+.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"
    # A '|' in a failure reason would split the Markdown cell.
    return str(value).replace("|", "\\|").replace("\n", " ")


_MD_HEADERS = {
    "gain_vs_baseline_pct": "vs baseline",
    "error_rate": "errors",
    **{c: c for c in KEY_METRICS},
}


def to_markdown(
    table: Sequence[Row], objs: Sequence[ObjectiveInfo], limit: int | None = None
) -> str:
    if not table:
        return "_no trials recorded yet_\n"
    headers = {o.column: f"{o.label} {'↑' if o.maximize else '↓'}" for o in objs}
    if len(objs) > 1:
        # the gain column compares the first objective only; say which
        headers["gain_vs_baseline_pct"] = f"{objs[0].label} vs baseline"
    columns = list(table[0])
    lines = [
        "| " + " | ".join(headers.get(c, _MD_HEADERS.get(c, c)) for c in columns) + " |",
        "|"
        + "|".join("---:" if c not in ("kind", "state", "reason") else "---" for c in columns)
        + "|",
    ]
    shown = table if limit is None else table[:limit]
    for row in shown:
        lines.append("| " + " | ".join(_cell(c, row[c]) for c in columns) + " |")
    if limit is not None and len(table) > limit:
        lines.append(f"\n_{len(table) - limit} more in leaderboard.md_")
    return "\n".join(lines) + "\n"
