"""Deployers, chosen by ``deploy.backend`` through an explicit registry.

Backends are imported on demand: the ``ome`` backend pulls in the kubernetes client.
"""

from __future__ import annotations

import importlib

from steps.deploy.base import Deployer
from steps.errors import TaskError
from steps.spec import Task

DEPLOYERS: dict[str, str] = {
    "local": "steps.deploy.local:LocalDeployer",
    "ome": "steps.deploy.ome.deployer:OmeDeployer",
}


def get_deployer(task: Task, study: str) -> Deployer:
    backend = task.deploy.backend
    target = DEPLOYERS.get(backend)
    if target is None:
        raise TaskError(
            f"deploy.backend: {backend!r} has no deployer in this build; "
            f"allowed: {', '.join(DEPLOYERS)}"
        )
    module, _, name = target.partition(":")
    cls: type[Deployer] = getattr(importlib.import_module(module), name)
    return cls(task, study)


__all__ = ["DEPLOYERS", "Deployer", "get_deployer"]
