"""``autotune submit`` and ``autotune schedule``: studies on an Argo server.

    autotune submit TASK --argo-server URL [--namespace NS] [--token-env VAR]
    autotune schedule TASK --cron '0 3 * * 1' --argo-server URL
    autotune schedule list | suspend NAME | resume NAME

``autotune status`` and ``autotune retry`` belong to the local executor
(``pipelines.run_cmds``); their ``--argo-server`` branch calls ``argo_status`` and
``argo_retry`` here, with the options ``pipelines.argo.target.argo_options`` adds.

The token is read from the variable ``--token-env`` names (``ARGO_TOKEN``) and never
printed. ``ARGO_SERVER``, ``ARGO_NAMESPACE`` and ``ARGO_INSECURE_SKIP_VERIFY`` work as
for the ``argo`` CLI, for ``submit`` and ``schedule``; ``status`` and ``retry`` go to
Argo only with an explicit ``--argo-server``, so a shell that exports ``ARGO_SERVER``
still reads local studies by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from pipelines.argo.target import ArgoTarget, argo_options
from pipelines.options import DEFAULT_STORE
from steps.cli.app import guarded, main

F = TypeVar("F", bound=Callable[..., Any])


def _settings(store: str, image: str | None, service_account: str | None) -> dict[str, Any]:
    return {"store": store, "image": image, "service_account": service_account}


def _cluster_namespace(task: Any) -> str:
    return task.cluster.namespace or task.deploy.namespace


compile_options = [
    click.option(
        "--store",
        default=DEFAULT_STORE,
        show_default=True,
        help="Results store the step pods use (s3://bucket/prefix; credentials from the "
        "task's cluster.s3 Secret).",
    ),
    click.option("--image", help="Steps image (default: the task's pipeline.image)."),
    click.option(
        "--service-account", help="Service account of the step pods (default: the task's)."
    ),
]


def _with(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


@main.command("submit")
@click.argument("task_file", metavar="TASK", type=click.Path(dir_okay=False))
@_with(compile_options)
@guarded
@argo_options(required=True, from_env=True, task=True)
def submit_cmd(
    task_file: str, store: str, image: str | None, service_account: str | None, argo: ArgoTarget
) -> None:
    """Run TASK on Argo: compile it for the cluster, check it, submit it."""
    from pipelines.argo.client import ArgoClient
    from pipelines.argo.studies import submit_study
    from steps.spec import load_task

    task = load_task(task_file)
    connection = argo.connection(_cluster_namespace(task))
    with ArgoClient(connection) as client:
        created = submit_study(client, task, **_settings(store, image, service_account))
    name = created["metadata"]["name"]
    click.echo(f"workflow {name} submitted to namespace {connection.namespace}")
    click.echo(connection.workflow_url(name))
    click.echo(f"follow it: autotune status {name} --argo-server {connection.server}", err=True)


class _CreateByDefault(click.Group):
    """``autotune schedule TASK ...`` means ``autotune schedule create TASK ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@main.group("schedule", cls=_CreateByDefault)
def schedule() -> None:
    """Recurring studies (CronWorkflows): `schedule TASK --cron EXPR`, list, suspend, resume."""


@schedule.command("create")
@click.argument("task_file", metavar="TASK", type=click.Path(dir_okay=False))
@click.option(
    "--cron", "cron_expr", metavar="EXPR", help="Cron schedule (default: pipeline.schedule)."
)
@_with(compile_options)
@guarded
@argo_options(required=True, from_env=True, task=True)
def schedule_create_cmd(
    task_file: str,
    cron_expr: str | None,
    store: str,
    image: str | None,
    service_account: str | None,
    argo: ArgoTarget,
) -> None:
    """Tune TASK on a schedule: each run is a new study named after the run."""
    from pipelines.argo.client import ArgoClient
    from pipelines.argo.studies import schedule_study
    from steps.spec import load_task

    task = load_task(task_file)
    connection = argo.connection(_cluster_namespace(task))
    with ArgoClient(connection) as client:
        created = schedule_study(
            client, task, cron_expr, **_settings(store, image, service_account)
        )
    name, spec = created["metadata"]["name"], created.get("spec") or {}
    schedules = ", ".join(spec.get("schedules") or [])
    click.echo(f"cron workflow {name} created in namespace {connection.namespace}: {schedules}")
    click.echo(f"{connection.server}/cron-workflows/{connection.namespace}/{name}")


def _cron_command(action: str, help_text: str) -> None:
    @schedule.command(action, help=help_text)
    @click.argument("name")
    @guarded
    @argo_options(required=True, from_env=True)
    def command(name: str, argo: ArgoTarget) -> None:
        from pipelines.argo.client import ArgoClient

        connection = argo.connection()
        with ArgoClient(connection) as client:
            changed = getattr(client, f"{action}_cron")(name)
        state = "suspended" if (changed.get("spec") or {}).get("suspend") else "active"
        click.echo(f"cron workflow {name} in namespace {connection.namespace}: {state}")


_cron_command("suspend", "Stop starting new runs of the recurring study NAME.")
_cron_command("resume", "Start the recurring study NAME's runs again.")


@schedule.command("list")
@guarded
@argo_options(required=True, from_env=True)
def schedule_list_cmd(argo: ArgoTarget) -> None:
    """The recurring studies in the namespace: schedule, state, last run."""
    from rich.console import Console

    from pipelines.argo.client import ArgoClient
    from pipelines.argo.views import render_crons

    with ArgoClient(argo.connection()) as client:
        crons = client.list_crons()
    render_crons(crons, Console())


def argo_status(argo: ArgoTarget, name: str) -> None:
    """``autotune status NAME --argo-server URL``: the node table of the run (or study) NAME."""
    from rich.console import Console

    from pipelines.argo.client import ArgoClient
    from pipelines.argo.views import render_status

    connection = argo.connection()
    with ArgoClient(connection) as client:
        workflow = client.find(name)
    render_status(workflow, connection, Console())


def argo_retry(argo: ArgoTarget, name: str, slot: int) -> None:
    """``autotune retry NAME --slot K --argo-server URL``: rerun slot K from scratch.

    Checks first (finished workflow, slot K ran), then deletes the slot's records from
    the study's store, then asks Argo to retry the slot's nodes: in that order, so the
    rerun never reads the old records.
    """
    from pipelines.argo.client import ArgoClient
    from pipelines.argo.slots import check_retryable, forget_slot, study_of

    connection = argo.connection()
    with ArgoClient(connection) as client:
        workflow = client.find(name)
        run = workflow["metadata"]["name"]
        check_retryable(workflow, slot)
        store = forget_slot(workflow, slot)
        click.echo(f"study {study_of(workflow)}: slot {slot} records deleted from {store}")
        retried = client.retry_slot(run, slot)
    phase = (retried.get("status") or {}).get("phase") or "Running"
    click.echo(f"workflow {run}: slot {slot} restarted ({phase})")
    click.echo(connection.workflow_url(run))
