"""The ``Deployer`` plug-in point: start a candidate, wait for it, tear it down.

Steps run as separate processes (one Argo pod each), so a deployment is handed
from step to step as its ``DeployRecord`` in the store, never as a live object.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

from steps.records import DeployRecord, Scalar
from steps.spec import Task


class Deployer(ABC):
    """One backend that runs engine candidates (a local process, an OME InferenceService)."""

    backend: str

    def __init__(self, task: Task, study: str) -> None:
        self.task = task
        self.study = study

    @abstractmethod
    def deploy(self, slot: int, flags: Mapping[str, Scalar]) -> DeployRecord:
        """Start the candidate; raise ``Infeasible`` when it is refused outright."""

    @abstractmethod
    def wait_ready(self, record: DeployRecord, timeout_s: float) -> DeployRecord:
        """Block until it serves; return the record with endpoint and ready time.

        Raise ``Infeasible`` with the reason (process exited, OOMKilled, timeout ...).
        """

    @abstractmethod
    def teardown(self, record: DeployRecord) -> None:
        """Stop and remove everything ``deploy`` started. Idempotent; never raises for
        something that is already gone."""

    @abstractmethod
    def logs(self, record: DeployRecord) -> str:
        """The engine's log (or pod logs and events) so far; empty when there is none."""
