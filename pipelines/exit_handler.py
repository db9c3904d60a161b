"""The workflow's exit handler (cluster mode): stop the engines a stopped study leaves behind.

Each slot tears its own engine down (``teardown`` in the trial DAG). What that cannot
cover is a workflow that ends before its slots do: ``argo stop``, the workflow's
``activeDeadlineSeconds``, a slot whose teardown pod never got to run. Argo then runs
``spec.onExit``; this one runs ``autotune step teardown --all --interrupted`` (engines
stop and their logs are kept, slots stay open so a retry or resubmission resumes them),
and only when the workflow did not succeed: after a success every slot's own teardown
has already run. (``argo terminate`` skips exit handlers by design.)

A DAG around the one step, because ``when`` is a task's field, not a template's.
"""

from __future__ import annotations

from hera.workflows import DAG, Container, Task

from pipelines import naming

# Argo substitutes the workflow's phase (Succeeded, Failed or Error) in exit handlers.
RUN_WHEN = "{{workflow.status}} != Succeeded"


def exit_handler(teardown_all: Container) -> DAG:
    """The ``spec.onExit`` template over the ``teardown-all`` container template."""
    return DAG(
        name=naming.EXIT_HANDLER,
        tasks=[Task(name=naming.TEARDOWN_ALL, template=teardown_all, when=RUN_WHEN)],
    )
