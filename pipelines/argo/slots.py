"""A study's trial slots as Argo sees them: which nodes are slot K's, where its records are.

Every node of slot K carries the input ``slot=K``: the slot's DAG node (template
``trial``) and each of its step nodes (and their retry attempts). No other node has a
``slot`` input, so ``inputs.parameters.slot.value=K``, one of the fields Argo's
``nodeFieldSelector`` matches on (``workflow/util.SelectorMatchesNode``), selects
exactly that slot. ``slot_nodes`` applies the same rule to a ``status.nodes`` map.

Retrying a slot also needs its records gone from the store: the steps are idempotent,
so with ``result.json`` still there the rerun would return at once with the old
outcome. ``forget_slot`` deletes them, as the local ``autotune retry`` does.
"""

from __future__ import annotations

from typing import Any

from pipelines import naming
from steps.errors import TaskError
from steps.store import Layout, open_store

# Argo refuses to retry a workflow in any other phase.
FINISHED = ("Succeeded", "Failed", "Error")


def slot_selector(slot: int) -> str:
    return f"inputs.parameters.{naming.PARAM_SLOT}.value={slot}"


def node_slot(node: dict[str, Any]) -> int | None:
    for param in (node.get("inputs") or {}).get("parameters") or []:
        if param.get("name") == naming.PARAM_SLOT and str(param.get("value", "")).isdigit():
            return int(param["value"])
    return None


def slot_nodes(workflow: dict[str, Any], slot: int) -> list[dict[str, Any]]:
    """The nodes ``slot_selector(slot)`` selects in the workflow's ``status.nodes``."""
    nodes = (workflow.get("status") or {}).get("nodes") or {}
    return [node for node in nodes.values() if node_slot(node) == slot]


def started_slots(workflow: dict[str, Any]) -> list[int]:
    nodes = (workflow.get("status") or {}).get("nodes") or {}
    return sorted({slot for node in nodes.values() if (slot := node_slot(node)) is not None})


def check_retryable(workflow: dict[str, Any], slot: int) -> None:
    """Raise ``TaskError`` unless the workflow has finished and slot ``slot`` has run."""
    name = workflow["metadata"]["name"]
    phase = (workflow.get("status") or {}).get("phase") or "Pending"
    if phase not in FINISHED:
        raise TaskError(
            f"workflow {name} is {phase}; a slot can be retried once the workflow has "
            "finished (or stop it first: argo stop)"
        )
    if not slot_nodes(workflow, slot):
        slots = started_slots(workflow)
        shown = f"slots {slots[0]}..{slots[-1]}" if slots else "no slot"
        raise TaskError(f"--slot {slot}: workflow {name} ran {shown}; nothing to retry")


def study_of(workflow: dict[str, Any]) -> str:
    """The study id: the run's study label, else its ``study`` argument, else its name."""
    metadata = workflow.get("metadata") or {}
    label = (metadata.get("labels") or {}).get(naming.LABEL_STUDY)
    return label or _argument(workflow, naming.PARAM_STUDY) or metadata["name"]


def store_of(workflow: dict[str, Any]) -> str:
    store = _argument(workflow, naming.PARAM_STORE)
    if not store:
        name = workflow.get("metadata", {}).get("name")
        raise TaskError(f"workflow {name} has no '{naming.PARAM_STORE}' argument: not a study")
    return store


def forget_slot(workflow: dict[str, Any], slot: int) -> str:
    """Delete slot ``slot``'s records from the study's store; returns the store's URI.

    Run from this machine: the store must be reachable from here (for MinIO inside the
    cluster, a port-forward and ``AUTOTUNE_S3_ENDPOINT`` plus the AWS credentials).
    """
    store = open_store(store_of(workflow))
    store.delete_prefix(Layout(study_of(workflow)).trial(slot) + "/")
    return store.uri


def _argument(workflow: dict[str, Any], name: str) -> str | None:
    # A run made from a WorkflowTemplate keeps the template's spec in its status.
    spec = workflow.get("spec") or {}
    stored = (workflow.get("status") or {}).get("storedWorkflowTemplateSpec") or {}
    for source in (spec, stored):
        for param in (source.get("arguments") or {}).get("parameters") or []:
            if param.get("name") == name and param.get("value"):
                return str(param["value"])
    return None
