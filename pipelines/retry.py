"""The retryStrategy every step template carries: retry transient failures only.

A step's exit code says whether trying again can help (DESIGN.md, steps/errors.py):
2 (bad input) and 3 (infeasible candidate) are decided outcomes, anything else is
transient. ``retryPolicy: Always`` also covers what never produced an exit code
(a deleted pod, a controller error); Argo then reports the exit code as "-1", which the
expression lets through.
"""

from __future__ import annotations

from hera.workflows import RetryStrategy
from hera.workflows.models import Backoff

from steps.errors import EXIT_BAD_INPUT, EXIT_INFEASIBLE
from steps.spec import Task

NEVER_RETRIED = (EXIT_BAD_INPUT, EXIT_INFEASIBLE)
# Waits of 15 s, 30 s, 60 s ... capped at 5 min: long enough for an API server or
# an S3 endpoint to come back, short next to a trial.
BACKOFF = Backoff(duration="15s", factor=2, cap="5m")


def retry_expression(codes: tuple[int, ...] = NEVER_RETRIED) -> str:
    """Argo expression that is true when the last attempt's exit code is worth retrying."""
    return " && ".join(f"asInt(lastRetry.exitCode) != {code}" for code in codes)


def step_retry(task: Task) -> RetryStrategy | None:
    """The retry strategy of one step, or None when the task asks for no retries."""
    limit = task.pipeline.step_retries
    if limit == 0:
        return None
    return RetryStrategy(
        limit=limit,
        retry_policy="Always",
        expression=retry_expression(),
        backoff=BACKOFF,
    )
