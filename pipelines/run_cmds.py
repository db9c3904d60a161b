"""``autotune run``, ``autotune retry``, ``autotune status``: a study on this machine.

``run`` validates and compiles the task, then executes the very manifest Argo would run
with the local executor (steps as child processes, image ignored). Ctrl-C or SIGTERM
stops every step and engine and leaves the study resumable: ``run`` again with the
same task and store continues it (slots already done are kept, not rerun).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from pipelines.argo.target import ArgoTarget, argo_options
from steps.cli.app import guarded, main

DEFAULT_STORE = "autotune-store"  # a folder in the current directory: the embedded default
LOG_TAIL_LINES = 8

store_option = click.option(
    "--store",
    "store_uri",
    default=DEFAULT_STORE,
    show_default=True,
    envvar="AUTOTUNE_STORE",
    help="Results store: a folder, file:///path or s3://bucket/prefix.",
)
progress_option = click.option(
    "--progress",
    type=click.Choice(["auto", "live", "plain", "none"]),
    default="auto",
    show_default=True,
    help="auto: a live panel on a terminal, plain lines otherwise.",
)
max_parallel_option = click.option(
    "--max-parallel",
    type=click.IntRange(min=1),
    help="Cap on step processes running at once (default: the task's search.parallelism).",
)


@main.command("run")
@click.argument("task_file", metavar="TASK", type=click.Path(dir_okay=False))
@store_option
@click.option("--study", help="Study id (default: the task's name). The same id resumes.")
@max_parallel_option
@progress_option
@guarded
def run_cmd(
    task_file: str, store_uri: str, study: str | None, max_parallel: int | None, progress: str
) -> None:
    """Tune TASK on this machine: validate, compile, run every trial, print the report."""
    from pipelines.executor.study import LocalStudy
    from steps.spec import load_task
    from steps.store import open_store

    task = load_task(task_file)
    local = LocalStudy.prepare(task, open_store(store_uri), study)
    keep = local.resume_keep()
    done = sorted(
        {n["displayName"] for n in keep if n.get("type") == "DAG"},
        key=lambda name: (len(name), name),  # slot-2 before slot-10
    )
    if done:
        click.echo(f"study {local.study}: resuming; kept from the last run: {', '.join(done)}")
    _execute(local, keep, max_parallel, progress)


@main.command("retry")
@click.argument("study")
@click.option("--slot", type=click.IntRange(min=0), required=True, help="Trial slot to rerun.")
@store_option
@max_parallel_option
@progress_option
@guarded
@argo_options()
def retry_cmd(
    study: str,
    slot: int,
    store_uri: str,
    max_parallel: int | None,
    progress: str,
    argo: ArgoTarget | None,
) -> None:
    """Rerun one trial slot of STUDY from scratch (new suggestion), then the report.

    With --argo-server, STUDY is a workflow (or study) on Argo: the slot's records are
    deleted from the workflow's store and Argo retries the slot's nodes.
    """
    if argo is not None:
        from pipelines.argo_cmds import argo_retry

        return argo_retry(argo, study, slot)
    from pipelines.executor.study import LocalStudy
    from steps.programs import StudyContext
    from steps.store import open_store

    store = open_store(store_uri)
    local = LocalStudy.prepare(StudyContext(store, study).task, store, study)
    local.check_slot(slot)
    keep = local.retry_keep(slot)
    local.forget_slot(slot)
    click.echo(f"study {study}: slot {slot} records deleted; running it again")
    _execute(local, keep, max_parallel, progress)


@main.command("status")
@click.argument("study")
@store_option
@guarded
@argo_options()
def status_cmd(study: str, store_uri: str, argo: ArgoTarget | None) -> None:
    """Print the node table of STUDY's last local run (phase, duration, message).

    With --argo-server, of the Argo workflow STUDY (a run name, or a study id).
    """
    if argo is not None:
        from pipelines.argo_cmds import argo_status

        return argo_status(argo, study)
    from rich.console import Console

    from pipelines.executor.store_sink import read_status, status_key
    from pipelines.executor.table import render
    from steps.errors import NotFound
    from steps.store import open_store

    store = open_store(store_uri)
    status = read_status(store, study)
    if status is None:
        raise NotFound(
            f"study {study!r}: no {status_key(study)} in {store.uri}; run it with "
            "`autotune run TASK --store ...` first (a study run by Argo: `argo get`)"
        )
    render(status, Console())


def _execute(local: Any, keep: list[Any], max_parallel: int | None, progress: str) -> None:
    from pipelines.executor.progress import Progress

    live = {"live": True, "plain": False}.get(progress)
    show = Progress(local.store, local.study, local.task, live=live)
    if progress == "none":
        outcome = local.executor(keep, None, max_parallel).run()
    else:
        with show:
            outcome = local.executor(keep, show, max_parallel).run()
    _finish(local, outcome)


def _finish(local: Any, outcome: Any) -> None:
    from pipelines.executor.store_sink import read_log

    status = outcome.status
    click.echo(
        f"workflow {status.name}: {status.phase}"
        + (f" ({status.message})" if status.message else "")
    )
    if outcome.signum is not None:
        click.echo(
            f"study {local.study} stopped; every engine was torn down. Resume with "
            f"`autotune run` on the same task and store.",
            err=True,
        )
        sys.exit(128 + outcome.signum)
    if status.phase != "Succeeded":
        for node in status.nodes.values():
            if node.type == "Pod" and node.phase in ("Failed", "Error"):
                click.echo(f"  {node.name.removeprefix(status.name + '.')}: {node.message}")
                log = read_log(local.store, local.study, status.name, node.name) or ""
                for line in log.strip().splitlines()[-LOG_TAIL_LINES:]:
                    click.echo(f"    | {line}")
    report = status.by_name(f"{status.name}.report")
    if report is not None and report.children and report.type == "Retry":
        report = status.nodes.get(report.children[-1], report)
    text = read_log(local.store, local.study, status.name, report.name) if report else None
    if report is not None and report.phase == "Succeeded" and text:
        click.echo(text.rstrip())
    if status.phase != "Succeeded":
        sys.exit(1)
