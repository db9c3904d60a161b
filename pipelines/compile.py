"""Compile a validated task into an Argo Workflow, WorkflowTemplate or CronWorkflow.

hera builds every Argo object; this module only decides which ones and wires them:

    study (DAG):  init -> slot-0 .. slot-{N-1} (P chains) -> report
    trial (DAG):  suggest -> deploy -> wait-ready -> benchmark -> score, + teardown
    (large studies group each chain's slots into chain-<c>-<part> DAGs: pipelines.study)

Parameters are limited to what DESIGN.md allows a step to receive: the store URI and
the study id (workflow arguments) and the slot (trial input). For the ``workflow`` kind
the study id is an argument defaulting to the task name, so a resubmission continues
the same study. A WorkflowTemplate or CronWorkflow is run many times, each run a new
study, so there the study id is the run's own name, ``{{workflow.name}}``, used
directly: Argo does not substitute variables inside an argument's default value, so
``study: "{{workflow.name}}"`` would reach the steps literally.

``options.mode == "cluster"`` adds what only Argo runs (``pipelines.cluster``): Secret
env, output artifacts, the GPU semaphore on ``trial``, pod GC, a TTL and the exit
handler. Local mode emits none of it: the local executor refuses what it cannot run.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import yaml
from hera.workflows import CronWorkflow, Parameter, Workflow, WorkflowTemplate
from hera.workflows.models import LabelValueFrom, WorkflowMetadata

from pipelines import naming
from pipelines.cluster import ClusterSettings
from pipelines.containers import (
    StepContext,
    init_step,
    report_step,
    step_deadline,
    teardown_all_step,
    trial_step,
)
from pipelines.exit_handler import exit_handler
from pipelines.naming import PARAM_STUDY
from pipelines.options import CRON_HINT, CompileOptions, is_cron
from pipelines.study import MAX_DAG_TASKS, study_templates
from pipelines.trial import trial_dag
from steps.errors import TaskError
from steps.spec import Task, dump_task

# Between steps: pod scheduling, image pulls, retries' back-off.
WORKFLOW_MARGIN_S = 900


def compile_task(task: Task, options: CompileOptions | None = None) -> dict[str, Any]:
    """The manifest of ``task`` as a plain dict, ready for YAML, the API or the executor."""
    return build(task, options).to_dict()


def build(task: Task, options: CompileOptions | None = None) -> Workflow:
    """The hera object (Workflow, or its WorkflowTemplate / CronWorkflow subclass)."""
    options = (options or CompileOptions()).check()
    cluster = ClusterSettings.resolve(task, options) if options.mode == "cluster" else None
    per_run = options.kind != "workflow"  # templates and crons: one study per run
    study_ref = "{{workflow.name}}" if per_run else f"{{{{workflow.parameters.{PARAM_STUDY}}}}}"
    labels = {naming.LABEL_PART_OF: naming.PART_OF, naming.LABEL_TASK: task.name}
    arguments = [Parameter(name=naming.PARAM_STORE, value=options.store)]
    if not per_run:
        arguments.append(Parameter(name=PARAM_STUDY, value=task.name))
    common: dict[str, Any] = dict(
        namespace=cluster.namespace if cluster else options.namespace,
        labels=labels,
        entrypoint=naming.ENTRYPOINT,
        arguments=arguments,
        templates=_templates(task, options, study_ref, cluster),
        active_deadline_seconds=workflow_deadline(task),
        service_account_name=cluster.service_account if cluster else options.service_account,
        # Runs made from a template or a cron get the labels too, and every run is
        # labelled with its study id (an expression Argo evaluates when the run starts).
        workflow_metadata=WorkflowMetadata(
            labels=labels,
            labels_from={
                naming.LABEL_STUDY: LabelValueFrom(
                    expression="workflow.name" if per_run else f"workflow.parameters.{PARAM_STUDY}"
                )
            },
        ),
    )
    if cluster is not None:
        common.update(cluster.workflow_fields(), on_exit=naming.EXIT_HANDLER)
    if options.kind == "template":
        return WorkflowTemplate(name=task.name, **common)
    if options.kind == "cron":
        return CronWorkflow(
            name=task.name,
            schedules=[cron_schedule(task, options)],
            # Each run is its own study; two at once would compete for the same hardware.
            concurrency_policy="Forbid",
            **common,
        )
    return Workflow(generate_name=f"{task.name}-", **common)


def _templates(
    task: Task, options: CompileOptions, study_ref: str, cluster: ClusterSettings | None
) -> list[Any]:
    """Every template, the entrypoint first, then in the order a reader follows a run."""
    image = options.image or task.pipeline.image
    ctx = StepContext(task=task, image=image, study_ref=study_ref, cluster=cluster)
    steps = {step: trial_step(ctx, step) for step in naming.TRIAL_STEPS}
    init, report = init_step(ctx, task_b64(task)), report_step(ctx)
    trial = trial_dag(steps, cluster.semaphore() if cluster else None)
    dags = study_templates(task.search.trials, task.search.parallelism, init, trial, report)
    templates = [dags[0], trial, *dags[1:], init, *steps.values(), report]
    if cluster is not None:
        teardown_all = teardown_all_step(ctx)
        templates += [exit_handler(teardown_all), teardown_all]
    if len(templates) > MAX_DAG_TASKS:  # not reachable within the spec's bounds today
        raise TaskError(
            f"search: the study needs {len(templates)} templates, over Argo's limit of "
            f"{MAX_DAG_TASKS}; lower search.parallelism or search.trials"
        )
    return templates


def to_yaml(manifest: dict[str, Any]) -> str:
    # Wide lines: a long `depends` stays on one line, so golden diffs stay readable.
    return yaml.safe_dump(manifest, sort_keys=False, width=1 << 20)


def task_b64(task: Task) -> str:
    return base64.b64encode(dump_task(task).encode()).decode()


def workflow_deadline(task: Task) -> int:
    """init + the slot chains (each slot within its trial budget) + report + margin."""
    rounds = math.ceil(task.search.trials / task.search.parallelism)
    return (
        step_deadline(task, naming.INIT)
        + rounds * task.pipeline.trial_timeout_s
        + step_deadline(task, naming.REPORT)
        + WORKFLOW_MARGIN_S
    )


def cron_schedule(task: Task, options: CompileOptions) -> str:
    schedule = options.schedule or task.pipeline.schedule
    if schedule is None:
        raise TaskError(
            "pipeline.schedule: a cron workflow needs a schedule; set pipeline.schedule in "
            "the task or pass --schedule (e.g. '0 3 * * *')"
        )
    if not is_cron(schedule):
        raise TaskError(f"pipeline.schedule: {schedule!r} {CRON_HINT}")
    return schedule
