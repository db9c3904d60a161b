"""A study on Argo: compile a task in cluster mode, check it, submit or schedule it.

What ``autotune submit`` / ``autotune schedule`` and the UI's submit page share. The
manifest is compiled for the namespace the request goes to, so the two always agree,
and checked (lint, closed-world CRD schema) before anything is sent.
"""

from __future__ import annotations

from typing import Any

from hera.workflows import CronWorkflow

from pipelines.argo.client import ArgoClient
from pipelines.checks import check_manifest
from pipelines.compile import build
from pipelines.options import DEFAULT_STORE, CompileOptions, Kind
from steps.errors import TaskError
from steps.spec import Task


def cluster_options(
    client: ArgoClient,
    kind: Kind,
    store: str = DEFAULT_STORE,
    image: str | None = None,
    service_account: str | None = None,
    schedule: str | None = None,
) -> CompileOptions:
    if not store.startswith("s3://"):
        # A folder would be each pod's own: the study's records would vanish with it.
        raise TaskError(
            f"--store: {store!r} is not shared by the cluster's pods; a study on Argo needs "
            "an S3 store (s3://bucket/prefix, the default s3://inference-autotuner)"
        )
    return CompileOptions(
        store=store,
        image=image,
        kind=kind,
        namespace=client.namespace,
        service_account=service_account,
        schedule=schedule,
        mode="cluster",
    )


def submit_study(client: ArgoClient, task: Task, **settings: Any) -> dict[str, Any]:
    """Run ``task`` once on Argo; the created Workflow (``metadata.name`` is its run)."""
    workflow = build(task, cluster_options(client, "workflow", **settings))
    check_manifest(workflow.to_dict())
    return client.submit(workflow)


def schedule_study(
    client: ArgoClient, task: Task, schedule: str | None = None, **settings: Any
) -> dict[str, Any]:
    """Tune ``task`` on a schedule (``schedule``, else its ``pipeline.schedule``)."""
    cron = build(task, cluster_options(client, "cron", schedule=schedule, **settings))
    assert isinstance(cron, CronWorkflow)  # what kind "cron" builds
    check_manifest(cron.to_dict())
    return client.create_cron(cron)
