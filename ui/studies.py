"""The studies of a store, one summary each: phase, slots done/total, best, times.

The store is the only state (DESIGN.md): the task, the trial records and the executor's
node-status record say everything, plus the runner record of a run the app started,
which tells a study whose runner died (its status still says Running) from one that
is really running.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.executor.status import parse_timestamp
from pipelines.executor.store_sink import read_status
from steps.errors import AutotuneError
from steps.report.loading import StudyData, load_study
from steps.report.objectives import objectives
from steps.report.ranking import best_trial
from steps.store import Layout, Store
from ui.runs import Runner, read_runner

RUNNER_GONE = "the local run ended without recording its end (killed?); its console log says why"


@dataclass(frozen=True)
class StudySummary:
    study: str
    source: str  # "local" | "argo"
    phase: str
    message: str
    done: int  # slots with a decided result
    total: int
    best: str  # the best objective in words, "" when there is none yet
    best_slot: int | None
    started: float | None
    finished: float | None
    engine: str = ""
    strategy: str = ""
    workflow: str = ""  # the Argo workflow name (argo source)
    namespace: str = ""

    def row(self) -> dict[str, Any]:
        """The studies table's row (times as seconds: the page formats them)."""
        return {
            "study": self.study,
            "where": self.source,
            "phase": self.phase,
            "slots": f"{self.done}/{self.total}",
            "best": self.best,
            "started": self.started,
            "finished": self.finished,
            "engine": self.engine,
            "message": self.message,
        }


def study_names(store: Store) -> list[str]:
    """Studies with a task, or with a run the app started (before its init step ran)."""
    names = set()
    for key in store.list("studies/"):
        parts = key.split("/")
        if parts[2:] == ["task.yaml"] or parts[2:] == ["ui", "runner.json"]:
            names.add(parts[1])
    return sorted(names)


def local_studies(store: Store) -> list[StudySummary]:
    return [summarize(store, name) for name in study_names(store)]


def phase_of(
    status: dict[str, Any] | None, runner: Runner | None, has_task: bool
) -> tuple[str, str]:
    """(phase, message) from the status record, corrected by what the runner says."""
    alive = runner is not None and runner.alive()
    recorded = str(status.get("phase") or "") if status else ""
    message = str(status.get("message") or "") if status else ""
    if alive:
        assert runner is not None
        if runner.stopped_at is not None:
            return "Running", "stopping: engines are being torn down"
        if recorded == "Running":
            return "Running", message
        return "Running", f"starting ({runner.action})"
    if runner is not None and runner.here and recorded in ("", "Running", "Pending"):
        status_started = parse_timestamp((status or {}).get("startedAt"))
        later_run = status_started is not None and status_started > runner.started_at + 30
        if not later_run:  # a run started elsewhere (a terminal) owns a later record
            return "Failed", (runner.log_tail(1) if not recorded else RUNNER_GONE)
    if recorded:
        return recorded, message
    return ("Pending" if has_task else "Unknown"), ""


def summarize(store: Store, study: str, data: StudyData | None = None) -> StudySummary:
    """``data``: the study's records when the caller has read them already."""
    layout = Layout(study)
    runner = read_runner(store, study)
    status = read_status(store, study)
    has_task = store.exists(layout.task)
    phase, message = phase_of(status, runner, has_task)
    if data is None and has_task:
        data = load_data(store, study)
    started = parse_timestamp((status or {}).get("startedAt"))
    finished = parse_timestamp((status or {}).get("finishedAt"))
    if runner is not None and (started is None or runner.started_at > started):
        started, finished = runner.started_at, None if phase == "Running" else finished
    if phase == "Running":
        finished = None
    best, best_slot = best_text(data)
    return StudySummary(
        study=study,
        source="local",
        phase=phase,
        message=message,
        done=sum(t.state != "running" for t in data.trials) if data else 0,
        total=data.task.search.trials if data else 0,
        best=best,
        best_slot=best_slot,
        started=started,
        finished=finished,
        engine=data.task.engine.kind if data else "",
        strategy=data.task.search.strategy if data else "",
    )


def best_text(data: StudyData | None) -> tuple[str, int | None]:
    """The best trial's objective values in words, and its slot."""
    if data is None:
        return "", None
    objs = objectives(data.task)
    best = best_trial(data.trials, objs)
    if best is None or not best.values:
        return "", None
    words = ", ".join(o.describe(best.values[o.index]) for o in objs)
    return f"{words} (slot {best.slot})", best.slot


def load_data(store: Store, study: str) -> StudyData | None:
    try:
        return load_study(store, study)
    except (AutotuneError, ValueError):
        return None  # a record being replaced right now, or a task another version wrote
