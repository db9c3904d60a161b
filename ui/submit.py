"""Submitting the form: checks that only make sense at submit time, then the local run.

Nothing is started unless the task validates; the study id names store folders and
workflow nodes, so it follows the task name's rule.
"""

from __future__ import annotations

from pathlib import Path

from steps.errors import TaskError
from steps.spec import Task, task_from_dict
from steps.spec.values import dns_label
from steps.store import Layout, Store
from ui import runs
from ui.taskfile import for_submit
from ui.validation import Checked


def study_problem(study: str) -> str | None:
    try:
        dns_label(study, 63)
    except ValueError as exc:
        return f"study: {exc}"
    return None


def study_exists(store: Store, study: str) -> bool:
    return store.exists(Layout(study).task)


def task_to_submit(checked: Checked, cwd: Path | None = None) -> Task:
    """The checked task, with ./ model paths made absolute; TaskError when invalid."""
    if not checked.ok:
        raise TaskError(checked.problems or ["the task is not valid"])
    return task_from_dict(for_submit(checked.data, cwd))


def submit_local(
    store: Store, checked: Checked, study: str, state_dir: Path, cwd: Path | None = None
) -> runs.Runner:
    """Start the study on this machine in the background; resumes a study of the same id."""
    problem = study_problem(study)
    if problem:
        raise TaskError(problem)
    # an ome task runs here too: its steps reach the cluster through the kubeconfig
    return runs.start_run(store, task_to_submit(checked, cwd), study, state_dir)
