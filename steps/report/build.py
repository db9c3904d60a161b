"""``build_report``: everything under ``studies/<study>/report/``, rebuilt from the store.

Rerunning it overwrites every file and removes the ones that no longer apply (an
importance plot after a slot retry left too few trials), so the report always matches
the records it was built from.
"""

from __future__ import annotations

import json
import shlex
import time
from typing import Any

import yaml

from steps.report.command import engine_argv
from steps.report.importance import importance, importance_plot
from steps.report.leaderboard import rows, to_csv, to_json, to_markdown
from steps.report.loading import StudyData, Trial, load_study
from steps.report.objectives import key_metrics, objectives
from steps.report.plots import objective_plot, pareto_plot
from steps.report.ranking import Gain, baseline_trial, front, gains
from steps.report.series import compare, publish
from steps.report.series import to_json as comparison_json
from steps.report.summary import ReportSummary, format_summary, summary_markdown
from steps.store.base import Layout, Store

STATES = ("complete", "infeasible", "failed", "pruned", "running")


def count_states(study: StudyData) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for t in study.trials:
        # a "complete" record without objective values cannot be ranked: count it as failed
        state = "complete" if t.complete else ("failed" if t.state == "complete" else t.state)
        counts[state] = counts.get(state, 0) + 1
    return counts


def no_best_reason(study: StudyData) -> str:
    if not study.trials:
        return "no trial has been recorded yet"
    counts = count_states(study)
    decided = ", ".join(f"{n} {s}" for s, n in counts.items() if n and s != "complete")
    return f"no trial completed ({decided})"


def best_record(study: StudyData, best: Trial, command: list[str]) -> dict[str, Any]:
    objs = objectives(study.task)
    deployed = None
    if best.deploy is not None:
        deployed = {
            "backend": best.deploy.backend,
            "command": best.deploy.command,
            "endpoint": best.deploy.endpoint,
        }
    return {
        "slot": best.slot,
        "kind": best.kind,
        "params": best.params,
        "flags": best.flags,
        "values": best.values,
        "objectives": {o.column: (best.values or [])[o.index] for o in objs},
        "metrics": best.metrics.model_dump(mode="json") if best.metrics else None,
        "key_metrics": key_metrics(best.metrics),
        "pareto_front_slots": [t.slot for t in front(study.trials, objs)],
        "command": command,
        "deployed": deployed,
    }


def build_report(store: Store, study: str) -> ReportSummary:
    data = load_study(store, study)
    layout = Layout(study)
    objs = objectives(data.task)
    written: list[str] = []

    def put(name: str, payload: str | bytes | None) -> None:
        """Write one report file; ``None`` removes a file an earlier run wrote."""
        key = layout.report(name)
        if payload is None:
            store.delete(key)
            return
        store.write_bytes(key, payload.encode() if isinstance(payload, str) else payload)
        written.append(key)

    table = rows(data)
    put("leaderboard.csv", to_csv(table))
    put("leaderboard.json", to_json(data, table))
    put("leaderboard.md", f"# Leaderboard: {study}\n\n" + to_markdown(table, objs))

    on_front = front(data.trials, objs)
    best = on_front[0] if on_front else None
    command: str | None = None
    reason = None if best is not None else no_best_reason(data)
    if best is not None:
        argv = engine_argv(data.task, best.flags)
        command = shlex.join(argv)
        put("best.json", json.dumps(best_record(data, best, argv), indent=2) + "\n")
        put("best_command.txt", command + "\n")
    else:
        put("best.json", json.dumps({"slot": None, "reason": reason}, indent=2) + "\n")
        put("best_command.txt", f"# no best config: {reason}\n")
    manifest = best.deploy.manifest if best is not None and best.deploy is not None else None
    # the OME backend records the rendered InferenceService: the best one is ready to apply
    rendered = yaml.safe_dump(manifest, sort_keys=False) if manifest else None
    put("best_manifest.yaml", rendered)

    gain_list: list[Gain] = gains(best, baseline_trial(data.trials), objs)
    put("objective.png", objective_plot(data))
    put("pareto.png", pareto_plot(data))
    found, note = importance(data)
    plot = importance_plot(data, found) if found is not None else None
    put("importance.png", plot)

    comparison = compare(store, data, best, objs[0])
    put("regression.json", None if comparison is None else comparison_json(comparison))
    asked = [t.created_at for t in data.trials if t.created_at is not None]
    publish(store, data, best, started_at=min(asked, default=time.time()))

    counts = count_states(data)
    summary = ReportSummary(
        study=study,
        store_uri=store.uri,
        counts=counts,
        not_started=max(0, data.task.search.trials - len(data.trials)),
        best_slot=None if best is None else best.slot,
        best_command=command,
        no_best_reason=reason,
        gains=[g.text() for g in gain_list],
        importance=None if found is None else found.values,
        importance_note=note,
        previous=None if comparison is None else comparison.text(objs[0]),
        regression=comparison is not None and comparison.regression,
    )
    put("summary.md", summary_markdown(data, summary, table, on_front, gain_list))
    summary.files = written
    summary.text = format_summary(summary)
    return summary
