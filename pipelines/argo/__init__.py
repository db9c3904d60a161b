"""The Argo client: a study submitted to, read from and retried on an Argo server.

``ArgoConnection`` says where (server URL, namespace, token variable, TLS),
``ArgoClient`` does the requests through hera's ``WorkflowsService``, ``slots`` knows
which nodes and records are a trial slot's, and ``argo_ui_node_url`` links a node to
its page in the Argo UI.

Names are imported on first use: the CLI imports ``pipelines.argo.target`` to declare
its options, and ``autotune --help`` must not pay for hera's models.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ArgoClient": "pipelines.argo.client",
    "as_dict": "pipelines.argo.client",
    "DEFAULT_TOKEN_ENV": "pipelines.argo.connection",
    "ArgoConnection": "pipelines.argo.connection",
    "argo_ui_node_url": "pipelines.argo.connection",
    "argo_ui_workflow_url": "pipelines.argo.connection",
    "ArgoError": "pipelines.argo.errors",
    "ArgoUnavailable": "pipelines.argo.errors",
    "slot_nodes": "pipelines.argo.slots",
    "slot_selector": "pipelines.argo.slots",
    "submit_study": "pipelines.argo.studies",
    "schedule_study": "pipelines.argo.studies",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pipelines.argo' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
