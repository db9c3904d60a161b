"""Names the compiled study uses: tasks, templates, labels, and the Argo node names they give.

One place for them, because three readers depend on the same spelling: the compiler,
the local executor (which must name its nodes the way Argo does) and whatever reads
workflow status (the UI, ``autotune status``, retry by node).

Argo names a DAG task's node ``<boundary node name>.<task name>`` and shows the part
after the boundary as its ``displayName``. The study DAG is the workflow's root node,
so slot k's node is ``<workflow>.slot-k`` and its benchmark step's node is
``<workflow>.slot-k.benchmark`` (displayName ``benchmark``, drawn inside the ``slot-k``
group). ``node_path`` is that name without the workflow prefix: what a person reads.
Studies too big for one DAG (see ``pipelines.study``) add a chain level:
``chain-0-1.slot-3.benchmark``.
"""

from __future__ import annotations

import re

PART_OF = "inference-autotuner"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_TASK = "inference-autotuner/task"
LABEL_STUDY = "inference-autotuner/study"
LABEL_SLOT = "inference-autotuner/slot"
LABEL_STEP = "inference-autotuner/step"

ENTRYPOINT = "study"  # the top-level DAG template
TRIAL = "trial"  # the per-slot DAG template, reused by every slot through its `slot` input
INIT = "init"
REPORT = "report"
# The steps of one trial, in order; teardown is not among them: it runs whatever happened.
TRIAL_SEQUENCE = ("suggest", "deploy", "wait-ready", "benchmark", "score")
TEARDOWN = "teardown"
TRIAL_STEPS = (*TRIAL_SEQUENCE, TEARDOWN)
# Cluster mode's exit handler (spec.onExit): a DAG running one step; Argo names its
# nodes ``<workflow>.onExit`` and ``<workflow>.onExit.teardown-all``.
EXIT_HANDLER = "exit-handler"
TEARDOWN_ALL = "teardown-all"

# Workflow arguments and template inputs: the only values Argo passes to a step.
PARAM_STORE = "store"
PARAM_STUDY = "study"
PARAM_SLOT = "slot"

_SLOT_TASK = re.compile(r"^slot-(0|[1-9][0-9]*)$")
_CHAIN_TASK = re.compile(r"^chain-(0|[1-9][0-9]*)-(0|[1-9][0-9]*)$")


def slot_task(slot: int) -> str:
    """The study DAG task (and node display name) of trial slot ``slot``."""
    return f"slot-{slot}"


def chain_task(chain: int, part: int) -> str:
    """The task (and DAG template) holding part ``part`` of worker chain ``chain``."""
    return f"chain-{chain}-{part}"


def slot_of(task_name: str) -> int | None:
    """The slot number a study DAG task name stands for, or None for init/report."""
    match = _SLOT_TASK.match(task_name)
    return int(match.group(1)) if match else None


def node_path(slot: int | None, step: str, segment: str | None = None) -> str:
    """The readable node name: ``slot-3.benchmark`` (``init``, ``report`` for the ends).

    ``segment`` is the chain task holding the slot in a chained study
    (``pipelines.study.plan``), None in a flat one.
    """
    if slot is None:
        return step
    return ".".join(part for part in (segment, slot_task(slot), step) if part)


def node_name(workflow: str, slot: int | None, step: str, segment: str | None = None) -> str:
    """The Argo node name (``status.nodes[*].name``) of a step of a running study."""
    return f"{workflow}.{node_path(slot, step, segment)}"


def parse_node_name(workflow: str, name: str) -> tuple[int | None, str] | None:
    """``(slot, step)`` of an Argo node name, or None when it is not a step node.

    Retry attempts are child nodes named ``...benchmark(1)``; they map to their step.
    """
    prefix = f"{workflow}."
    if not name.startswith(prefix):
        return None
    parts = re.sub(r"\(\d+\)$", "", name[len(prefix) :]).split(".")
    if len(parts) == 1 and parts[0] in (INIT, REPORT):
        return None, parts[0]
    if len(parts) == 3 and _CHAIN_TASK.match(parts[0]):
        parts = parts[1:]
    if len(parts) == 2 and parts[1] in TRIAL_STEPS:
        slot = slot_of(parts[0])
        if slot is not None:
            return slot, parts[1]
    return None
