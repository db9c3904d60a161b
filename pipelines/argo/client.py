"""The Argo client: submit, read and retry studies, manage recurring ones (CronWorkflows).

A thin layer over hera's ``WorkflowsService`` (the Argo server's REST API) that adds
what the autotuner needs: project errors instead of HTTP exceptions
(``pipelines.argo.errors``), a study found by its workflow name or by its study id,
and the retry of one trial slot. Objects come back as plain dicts in Argo's JSON shape
(``status.nodes`` and all), the form the CLI's table and the UI read.
"""

from __future__ import annotations

from typing import Any

from hera.workflows import CronWorkflow, Workflow
from hera.workflows.models import (
    CreateCronWorkflowRequest,
    CronWorkflowResumeRequest,
    CronWorkflowSuspendRequest,
    WorkflowCreateRequest,
    WorkflowRetryRequest,
    WorkflowStopRequest,
)

from pipelines import naming
from pipelines.argo.connection import ArgoConnection
from pipelines.argo.errors import ArgoError, translated
from pipelines.argo.slots import slot_selector
from steps.errors import TaskError

PART_OF = f"{naming.LABEL_PART_OF}={naming.PART_OF}"


def as_dict(model: Any) -> dict[str, Any]:
    """A hera wire model as Argo's JSON (camelCase keys, RFC 3339 times, no nulls)."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


class ArgoClient:
    def __init__(self, connection: ArgoConnection) -> None:
        self.connection = connection
        self.namespace = connection.namespace
        self._service = connection.service()

    def close(self) -> None:
        self._service.close()

    def __enter__(self) -> ArgoClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # Workflows

    def submit(self, workflow: Workflow) -> dict[str, Any]:
        """Create ``workflow`` (a compiled study); the created object, name filled in."""
        model = workflow.build()
        self._same_namespace(model.metadata.namespace)
        what = f"workflow {model.metadata.generate_name or model.metadata.name}"
        request = WorkflowCreateRequest(workflow=model, namespace=self.namespace)
        with translated(self.connection, what, "create"):
            return as_dict(self._service.create_workflow(request, namespace=self.namespace))

    def get(self, name: str) -> dict[str, Any]:
        with translated(self.connection, f"workflow {name}", "read"):
            return as_dict(self._service.get_workflow(name, namespace=self.namespace))

    def list_workflows(self, label_selector: str = PART_OF) -> list[dict[str, Any]]:
        """The workflows with the label selector, newest first."""
        with translated(self.connection, "workflows", "list"):
            found = self._service.list_workflows(
                namespace=self.namespace, label_selector=label_selector
            )
        items = [as_dict(item) for item in found.items or []]
        return sorted(items, key=_created, reverse=True)

    def find(self, name: str) -> dict[str, Any]:
        """The workflow named ``name``, else the newest run of the study ``name``.

        ``autotune status`` and ``retry`` take a study id; on Argo a study's run is named
        ``<task>-<suffix>``, and labelled with the study id when it starts.
        """
        try:
            return self.get(name)
        except ArgoError as missing:
            runs = []
            if _is_label(name):
                runs = self.list_workflows(f"{PART_OF},{naming.LABEL_STUDY}={name}")
            if not runs:
                raise ArgoError(
                    f"workflow {name} not found in namespace {self.namespace}, nor a run of a "
                    f"study {name} (server {self.connection.server})"
                ) from missing
            return runs[0]

    def retry_slot(self, name: str, slot: int) -> dict[str, Any]:
        """Rerun trial slot ``slot`` of the finished workflow ``name``.

        Selects the slot's nodes by their ``slot`` input (the slot's DAG node and its step
        nodes carry it; nothing else does) and restarts them even when Succeeded, which
        is how a slot whose failure was handled ends. Argo deletes the selected nodes
        with everything downstream of them (later slots of the chain, the report) and
        runs those again; their steps find their records and return at once.
        """
        request = WorkflowRetryRequest(
            name=name,
            namespace=self.namespace,
            node_field_selector=slot_selector(slot),
            restart_successful=True,
        )
        with translated(self.connection, f"workflow {name}", "retry"):
            return as_dict(self._service.retry_workflow(name, request, namespace=self.namespace))

    def stop(self, name: str) -> dict[str, Any]:
        """``argo stop``: no new steps start, running ones end, the exit handler still runs
        (and tears the engines down; ``terminate`` would skip it)."""
        request = WorkflowStopRequest(name=name, namespace=self.namespace)
        with translated(self.connection, f"workflow {name}", "stop"):
            return as_dict(self._service.stop_workflow(name, request, namespace=self.namespace))

    # CronWorkflows

    def create_cron(self, cron: CronWorkflow) -> dict[str, Any]:
        model = cron.build()
        self._same_namespace(model.metadata.namespace)
        request = CreateCronWorkflowRequest(cron_workflow=model, namespace=self.namespace)
        with translated(self.connection, f"cron workflow {model.metadata.name}", "create"):
            created = self._service.create_cron_workflow(request, namespace=self.namespace)
        return as_dict(created)

    def list_crons(self, label_selector: str = PART_OF) -> list[dict[str, Any]]:
        with translated(self.connection, "cron workflows", "list"):
            found = self._service.list_cron_workflows(
                namespace=self.namespace, label_selector=label_selector
            )
        return sorted((as_dict(item) for item in found.items or []), key=_name)

    def suspend_cron(self, name: str) -> dict[str, Any]:
        request = CronWorkflowSuspendRequest(name=name, namespace=self.namespace)
        with translated(self.connection, f"cron workflow {name}", "suspend"):
            return as_dict(
                self._service.suspend_cron_workflow(name, request, namespace=self.namespace)
            )

    def resume_cron(self, name: str) -> dict[str, Any]:
        request = CronWorkflowResumeRequest(name=name, namespace=self.namespace)
        with translated(self.connection, f"cron workflow {name}", "resume"):
            return as_dict(
                self._service.resume_cron_workflow(name, request, namespace=self.namespace)
            )

    def _same_namespace(self, namespace: str | None) -> None:
        if namespace is not None and namespace != self.namespace:
            raise TaskError(
                f"the manifest is for namespace {namespace} but the request goes to "
                f"{self.namespace}; compile with --namespace {self.namespace}"
            )


def _created(item: dict[str, Any]) -> str:
    return str(item.get("metadata", {}).get("creationTimestamp", ""))


def _name(item: dict[str, Any]) -> str:
    return str(item.get("metadata", {}).get("name", ""))


def _is_label(value: str) -> bool:
    return 0 < len(value) <= 63 and value.replace("-", "").replace(".", "").isalnum()
