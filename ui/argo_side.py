"""The app's Argo side, through the project's Argo client (``pipelines.argo``).

Every call opens a client for one request and closes it (a page run is short, and the
token is read from the environment at that moment: never kept, never shown). Errors
come back as ``ArgoProblem`` with the client's one-line message, for the page to show.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from pipelines import naming
from pipelines.executor.status import parse_timestamp
from steps.errors import AutotuneError
from steps.spec import Task
from steps.store import Store
from ui.settings import ArgoSettings
from ui.studies import StudySummary, best_text, load_data

CLUSTER_STORE = "s3://inference-autotuner"
UNAVAILABLE = "The Argo client (pipelines.argo) is not part of this build yet."
T = TypeVar("T")


class ArgoProblem(Exception):
    """The Argo server refused or could not be reached; the message says which."""


def available() -> bool:
    return importlib.util.find_spec("pipelines.argo") is not None


@contextmanager
def _client(target: ArgoSettings) -> Iterator[Any]:
    from pipelines.argo import ArgoClient, ArgoConnection

    try:
        connection = ArgoConnection.create(target.server, target.namespace)
        with ArgoClient(connection) as client:
            yield client
    except AutotuneError as exc:  # ArgoError, ArgoUnavailable, TaskError: all one line each
        raise ArgoProblem(str(exc)) from None


def _call(target: ArgoSettings, action: Callable[[Any], T]) -> T:
    with _client(target) as client:
        return action(client)


def submit(target: ArgoSettings, task: Task, store: str) -> str:
    """Submit ``task`` as a cluster-mode Workflow; the run's name."""
    from pipelines.argo.studies import submit_study

    created = _call(target, lambda c: submit_study(c, task, store=store))
    return str(created["metadata"]["name"])


def schedule(target: ArgoSettings, task: Task, cron: str | None, store: str) -> str:
    """Create a CronWorkflow for ``task``; its name."""
    from pipelines.argo.studies import schedule_study

    created = _call(target, lambda c: schedule_study(c, task, cron or None, store=store))
    return str(created["metadata"]["name"])


def workflow(target: ArgoSettings, name: str) -> dict[str, Any]:
    return _call(target, lambda c: c.get(name))


def list_studies(target: ArgoSettings, store: Store | None = None) -> list[StudySummary]:
    """The autotuner's runs in the namespace, newest first; the best objective too where
    the run's store is ``store`` (the app's own: the one it can read)."""
    found = []
    for wf in _call(target, lambda c: c.list_workflows()):
        row = summary(wf)
        if store is not None and study_store(wf) == store.uri:
            best, slot = best_text(load_data(store, row.study))
            row = replace(row, best=best, best_slot=slot)
        found.append(row)
    return found


def study_store(wf: dict[str, Any]) -> str:
    """The store URI the run's steps use ("" for a workflow that is not a study)."""
    from pipelines.argo.slots import store_of

    try:
        return store_of(wf)
    except AutotuneError:
        return ""


def summary(wf: dict[str, Any]) -> StudySummary:
    from pipelines.argo.slots import study_of

    status = wf.get("status") or {}
    metadata = wf.get("metadata") or {}
    nodes = [n for n in (status.get("nodes") or {}).values() if isinstance(n, dict)]
    done = sum(
        1
        for n in nodes
        if n.get("type") == "DAG"
        and n.get("templateName") == naming.TRIAL
        and n.get("phase") in ("Succeeded", "Failed", "Error", "Skipped", "Omitted")
    )
    return StudySummary(
        study=study_of(wf),
        source="argo",
        phase=str(status.get("phase") or "Pending"),
        message=str(status.get("message") or ""),
        done=done,
        total=slot_count(wf),
        best="",
        best_slot=None,
        started=parse_timestamp(status.get("startedAt")),
        finished=parse_timestamp(status.get("finishedAt")),
        workflow=str(metadata.get("name", "")),
        namespace=str(metadata.get("namespace", "")),
    )


def slot_count(wf: dict[str, Any]) -> int:
    """How many trial slots the workflow's DAGs hold (a run from a template keeps the
    template's spec in its status)."""
    spec = wf.get("spec") or {}
    templates = spec.get("templates") or (
        ((wf.get("status") or {}).get("storedWorkflowTemplateSpec") or {}).get("templates") or []
    )
    slots = {
        slot
        for template in templates
        for task in ((template.get("dag") or {}).get("tasks") or [])
        if (slot := naming.slot_of(str(task.get("name", "")))) is not None
    }
    return len(slots)


def status_record(wf: dict[str, Any]) -> dict[str, Any]:
    """The ``status`` shape the node grid reads (the local executor's record)."""
    return {"name": wf.get("metadata", {}).get("name", ""), **(wf.get("status") or {})}


def retry_slot(target: ArgoSettings, name: str, slot: int) -> str:
    """What ``autotune retry --argo-server`` does: check, forget the slot's records in the
    study's store, then retry the slot's nodes; the phase Argo answers with."""
    from pipelines.argo.slots import check_retryable, forget_slot

    def run(client: Any) -> str:
        wf = client.get(name)
        check_retryable(wf, slot)
        forget_slot(wf, slot)
        retried = client.retry_slot(name, slot)
        return str((retried.get("status") or {}).get("phase") or "Running")

    return _call(target, run)


def stop(target: ArgoSettings, name: str) -> None:
    """``argo stop``: the workflow stops and its exit handler (teardown) still runs."""
    _call(target, lambda client: client.stop(name))


def node_url(target: ArgoSettings, name: str, node_id: str) -> str:
    from pipelines.argo import argo_ui_node_url

    return argo_ui_node_url(target.link_base, target.namespace, name, node_id)


def crons(target: ArgoSettings) -> list[dict[str, Any]]:
    return _call(target, lambda c: c.list_crons())


def suspend_cron(target: ArgoSettings, name: str) -> None:
    _call(target, lambda c: c.suspend_cron(name))


def resume_cron(target: ArgoSettings, name: str) -> None:
    _call(target, lambda c: c.resume_cron(name))
