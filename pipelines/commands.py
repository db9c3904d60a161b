"""``autotune compile``: a task file in, an Argo manifest (YAML) out.

Cluster mode (``pipelines.options``) is chosen with ``--cluster``, or by an s3:// store
(the default store is the cluster's MinIO); ``--local`` compiles what the local
executor runs even for an S3 store.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.options import DEFAULT_STORE, KINDS
from steps.cli.app import guarded, main


@main.command("compile")
@click.argument("task_file", metavar="TASK", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here, not stdout.")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="workflow",
    show_default=True,
    help="workflow: run once; template: a WorkflowTemplate to submit many times; "
    "cron: a CronWorkflow on the task's pipeline.schedule.",
)
@click.option(
    "--store",
    default=DEFAULT_STORE,
    show_default=True,
    help="Results store the steps use: file:///path, s3://bucket/prefix, or a folder.",
)
@click.option("--image", help="Steps image (default: the task's pipeline.image).")
@click.option("--schedule", help="Cron schedule for --kind cron (default: pipeline.schedule).")
@click.option("--namespace", help="metadata.namespace of the manifest.")
@click.option("--service-account", help="Service account the step pods run as.")
@click.option(
    "--cluster/--local",
    default=None,
    help="Compile for Argo on Kubernetes (Secret env, artifacts, GPU semaphore, exit "
    "handler) or for the local executor. Default: --cluster when the store is s3://.",
)
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="Lint the manifest and validate it closed-world against the Argo CRDs (when present).",
)
@guarded
def compile_cmd(
    task_file: str,
    output: str | None,
    kind: str,
    store: str,
    image: str | None,
    schedule: str | None,
    namespace: str | None,
    service_account: str | None,
    cluster: bool | None,
    check: bool,
) -> None:
    """Compile TASK into an Argo Workflow, WorkflowTemplate or CronWorkflow."""
    from pipelines.checks import check_manifest
    from pipelines.compile import compile_task, to_yaml
    from pipelines.options import CompileOptions, resolve_mode
    from steps.spec import load_task

    task = load_task(task_file)
    if "://" not in store:
        store = Path(store).resolve().as_uri()  # a folder: the steps need it absolute
    options = CompileOptions(
        store=store,
        image=image,
        kind=kind,  # type: ignore[arg-type]  # click.Choice(KINDS) guarantees a Kind
        namespace=namespace,
        service_account=service_account,
        schedule=schedule,
        mode=resolve_mode(store, cluster),
    )
    manifest = compile_task(task, options)
    if check and not check_manifest(manifest):
        from pipelines.schema_check import schema_dir

        click.echo(f"note: CRD check skipped, no schemas at {schema_dir()}", err=True)
    text = to_yaml(manifest)
    if output is None:
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text)
        click.echo(f"{output}: {manifest['kind']} for task {task.name}", err=True)
