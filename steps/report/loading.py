"""Read one study back from the store: its task and what every slot asked for and got.

The report is built from the store alone (DESIGN.md: nothing else holds study state),
so a slot's state is whatever its records say: a result decides it, params without a
result means the slot is still running.
"""

from __future__ import annotations

from dataclasses import dataclass

from steps.errors import NotFound
from steps.records import DeployRecord, RunMetrics, Scalar, TrialParams, TrialResult
from steps.spec import Task, parse_text, task_from_dict
from steps.store.base import Layout, Store

RUNNING = "running"


@dataclass(frozen=True)
class Trial:
    """One slot as the report sees it."""

    slot: int
    kind: str
    state: str  # a TrialState, or "running" when no result is recorded yet
    params: dict[str, Scalar]
    flags: dict[str, Scalar]
    values: list[float] | None
    metrics: RunMetrics | None
    reason: str | None
    deploy: DeployRecord | None
    created_at: float | None = None  # when suggest asked for it

    @property
    def complete(self) -> bool:
        # A complete result without values cannot be ranked; treat it like a failure.
        return self.state == "complete" and bool(self.values)


@dataclass(frozen=True)
class StudyData:
    name: str
    task: Task
    trials: list[Trial]  # ascending slot


def load_study(store: Store, study: str) -> StudyData:
    layout = Layout(study)
    if not store.exists(layout.task):
        raise NotFound(f"study {study!r}: no {layout.task} in {store.uri}")
    task = task_from_dict(parse_text(store.read_text(layout.task), layout.task))
    trials = [_trial(store, layout, task, slot) for slot in layout.slots(store)]
    return StudyData(name=study, task=task, trials=trials)


def _trial(store: Store, layout: Layout, task: Task, slot: int) -> Trial:
    asked = store.read_model_or_none(layout.params(slot), TrialParams)
    result = store.read_model_or_none(layout.result(slot), TrialResult)
    deploy = store.read_model_or_none(layout.deploy(slot), DeployRecord)
    kind: str
    if asked is not None:
        kind, params, flags = asked.kind, dict(asked.params), asked.flags
    elif result is not None:
        # suggest itself can decide a slot (bad parameters) before params.json exists
        kind, params = result.kind, dict(result.params)
        flags = {**task.search.fixed, **params}
    else:
        kind, params, flags = "unknown", {}, dict(task.search.fixed)
    return Trial(
        slot=slot,
        kind=kind,
        state=result.state if result is not None else RUNNING,
        params=params,
        flags=flags,
        values=list(result.values) if result is not None and result.values else None,
        metrics=result.metrics if result is not None else None,
        reason=result.reason if result is not None else None,
        deploy=deploy,
        created_at=asked.created_at if asked is not None else None,
    )
