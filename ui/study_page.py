"""Everything the study page shows about one local study, read from the store at once.

The page reloads this every couple of seconds while the study runs; each record is
small, and a record being replaced is read whole or not at all (atomic writes), so a
half-updated page is at worst one refresh behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.executor.store_sink import read_status
from steps.report.leaderboard import rows
from steps.report.loading import StudyData
from steps.store import Store
from ui.nodes import FAILED_PHASES, NodeGrid, node_grid
from ui.phases import running
from ui.plotdata import objective_points, pareto_points
from ui.report_files import ReportFiles, read_report
from ui.runs import Runner, read_runner
from ui.studies import StudySummary, load_data, summarize

# "infeasible" is a measured answer (SLO violated, engine refused the flags): rerunning
# it asks the same question again; a failed step (its node) or a failed trial is worth it
RETRYABLE_STATES = ("failed",)


@dataclass
class PageData:
    study: str
    summary: StudySummary
    grid: NodeGrid
    data: StudyData | None
    runner: Runner | None
    report: ReportFiles
    leaderboard: list[dict[str, Any]] = field(default_factory=list)
    objective: list[dict[str, Any]] = field(default_factory=list)
    pareto: list[dict[str, Any]] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return running(self.summary.phase)

    @property
    def runner_alive(self) -> bool:
        return self.runner is not None and self.runner.alive()

    def retryable(self) -> list[int]:
        """Slots worth a retry: a step failed in the workflow, or the trial failed."""
        slots = set(self.grid.failed_slots())
        if self.data is not None:
            slots |= {t.slot for t in self.data.trials if t.state in RETRYABLE_STATES}
        return sorted(slots)

    def slots(self) -> list[int]:
        return [row.slot for row in self.grid.slots]


def load_local(store: Store, study: str) -> PageData:
    data = load_data(store, study)
    summary = summarize(store, study, data)
    trials = data.task.search.trials if data is not None else 0
    grid = node_grid(read_status(store, study), trials, workflow=study)
    page = PageData(
        study=study,
        summary=summary,
        grid=grid,
        data=data,
        runner=read_runner(store, study),
        report=read_report(store, study),
    )
    return _with_records(page)


def load_argo(wf: dict[str, Any], store: Store | None) -> PageData:
    """A study run by Argo: the node grid from the workflow, the records from ``store``
    when the app can read the study's store (it is the one the app was started with)."""
    from ui import argo_side

    summary = argo_side.summary(wf)
    name = summary.workflow
    grid = node_grid(argo_side.status_record(wf), argo_side.slot_count(wf), workflow=name)
    data = load_data(store, summary.study) if store is not None else None
    page = PageData(
        study=summary.study,
        summary=summary,
        grid=grid,
        data=data,
        runner=None,
        report=read_report(store, summary.study) if store is not None else ReportFiles(),
    )
    return _with_records(page)


def _with_records(page: PageData) -> PageData:
    if page.data is None:
        return page
    page.leaderboard = rows(page.data)
    page.objective = objective_points(page.data)
    page.pareto = pareto_points(page.data)
    # a failed step says "exit code 3"; the slot's result says why: show both
    reasons = {t.slot: t.reason for t in page.data.trials if t.reason}
    for row in page.grid.slots:
        reason = reasons.get(row.slot, "").strip()
        for cell in row.cells.values():
            if reason and cell.phase in FAILED_PHASES and reason not in cell.message:
                cell.message = f"{cell.message}; trial {row.slot}: {reason}".lstrip("; ")
    return page


def load_page(store: Store, study: str | None, argo_run: str | None, target: Any) -> PageData:
    """The page's data: an Argo run (``argo_run`` on ``target``) or a local ``study``.

    The app reads an Argo study's records only from its own store: another store may
    be unreachable from here (MinIO inside the cluster).
    """
    if argo_run:
        from ui import argo_side

        wf = argo_side.workflow(target, argo_run)
        return load_argo(wf, store if argo_side.study_store(wf) == store.uri else None)
    if study is None:
        raise ValueError("a local study page needs a study id")
    return load_local(store, study)
