"""The container templates: one per step, each running ``autotune step NAME ...``.

Every step gets the same three things and nothing else: the store URI, the study id
and (trial steps) the slot; it reads and writes everything else in the store. The
local executor runs these very argv lists as child processes, image ignored.

Deadlines (``activeDeadlineSeconds``) sit here because Argo accepts them on leaf
templates only: the CRD (a CEL rule) and its validator reject one on a DAG template
("only valid for leaf templates"), so a trial slot's budget is enforced step by step.

In cluster mode (``StepContext.cluster``) every container also gets the store's
credentials from a Secret, and the steps people read in the Argo UI (teardown,
benchmark, report) write a copy of their records as output artifacts
(``pipelines.artifacts``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hera.workflows import Container, Parameter

from pipelines import naming
from pipelines.artifacts import artifact_args, outputs
from pipelines.cluster import ClusterSettings
from pipelines.retry import step_retry
from steps.spec import Task

# Counted from pod start, so they include an image pull (the steps image is large).
SHORT_STEP_S = 600
REPORT_S = 1800
READY_MARGIN_S = 300

STORE_REF = f"{{{{workflow.parameters.{naming.PARAM_STORE}}}}}"
SLOT_REF = f"{{{{inputs.parameters.{naming.PARAM_SLOT}}}}}"


@dataclass(frozen=True)
class StepContext:
    """What every step template shares within one compiled study."""

    task: Task
    image: str
    study_ref: str  # `{{workflow.parameters.study}}`, or `{{workflow.name}}` for cron/template
    cluster: ClusterSettings | None = None  # None: local mode


def step_deadline(task: Task, step: str) -> int:
    """Seconds one attempt of ``step`` may run; never more than the trial budget."""
    budget = task.pipeline.trial_timeout_s
    if step == "wait-ready":
        return min(task.deploy.ready_timeout_s + READY_MARGIN_S, budget)
    if step == "benchmark":
        return budget
    if step in (naming.REPORT, naming.TEARDOWN_ALL):  # teardown-all: every slot, one by one
        return REPORT_S
    if step == naming.INIT:
        return SHORT_STEP_S
    return min(SHORT_STEP_S, budget)


def trial_step(ctx: StepContext, step: str) -> Container:
    """``autotune step STEP --store S --study ID --slot K`` for one step of a trial."""
    return _container(
        ctx,
        step,
        ["--slot", SLOT_REF],
        inputs=[Parameter(name=naming.PARAM_SLOT)],
        labels={naming.LABEL_SLOT: SLOT_REF},
    )


def init_step(ctx: StepContext, task_b64: str) -> Container:
    """Writes the validated task into the store; the task travels inside the manifest.

    Base64 keeps the task's YAML out of Argo's ``{{...}}`` substitution and quoting.
    """
    return _container(ctx, naming.INIT, ["--task-b64", task_b64])


def report_step(ctx: StepContext) -> Container:
    return _container(ctx, naming.REPORT, [])


def teardown_all_step(ctx: StepContext) -> Container:
    """``autotune step teardown --all --interrupted``: the exit handler's one step."""
    return _container(
        ctx, naming.TEARDOWN, ["--all", "--interrupted"], template=naming.TEARDOWN_ALL
    )


def _container(
    ctx: StepContext,
    step: str,
    extra_args: list[str],
    inputs: list[Parameter] | None = None,
    labels: dict[str, str] | None = None,
    template: str | None = None,
) -> Container:
    name = template or step
    env, artifacts = None, None
    if ctx.cluster is not None:
        env = ctx.cluster.env() or None
        if template is None:  # the step's own template: the one people open in the UI
            extra_args = [*extra_args, *artifact_args(step)]
            artifacts = outputs(step) or None
    return Container(
        name=name,
        image=ctx.image,
        command=["autotune"],
        args=["step", step, "--store", STORE_REF, "--study", ctx.study_ref, *extra_args],
        inputs=inputs,
        labels={
            naming.LABEL_PART_OF: naming.PART_OF,
            naming.LABEL_STUDY: ctx.study_ref,
            naming.LABEL_STEP: name,
            **(labels or {}),
        },
        active_deadline_seconds=step_deadline(ctx.task, name),
        retry_strategy=step_retry(ctx.task),
        env=env,
        outputs=artifacts,
    )
