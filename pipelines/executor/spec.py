"""The part of an Argo Workflow the local executor runs, as plain dataclasses.

``manifest.parse_workflow`` builds these from a compiled manifest and refuses anything
else, so the executor never meets an Argo feature it would half-execute. Strings still
hold their ``{{...}}`` references; they are resolved when a node starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A node's phases, as Argo spells them in status.nodes[*].phase.
PENDING = "Pending"
RUNNING = "Running"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
ERROR = "Error"
SKIPPED = "Skipped"
OMITTED = "Omitted"
PHASES = (PENDING, RUNNING, SUCCEEDED, FAILED, ERROR, SKIPPED, OMITTED)
FULFILLED = (SUCCEEDED, FAILED, ERROR, SKIPPED, OMITTED)
COMPLETED = (SUCCEEDED, FAILED, ERROR)  # Argo's Completed(): ran to an end (not skipped)

# Node types (status.nodes[*].type) the executor creates.
TYPE_POD = "Pod"
TYPE_RETRY = "Retry"
TYPE_DAG = "DAG"
TYPE_SKIPPED = "Skipped"

RETRY_POLICIES = ("Always", "OnFailure", "OnError")


@dataclass(frozen=True)
class Backoff:
    duration_s: float
    factor: float = 1.0
    cap_s: float | None = None
    max_duration_s: float | None = None

    def wait_s(self, attempts: int) -> float:
        """Argo's wait before the next attempt: duration x factor^(attempts - 1), capped."""
        wait = self.duration_s * (self.factor ** max(attempts - 1, 0) if self.factor > 0 else 1)
        return min(wait, self.cap_s) if self.cap_s is not None else wait


@dataclass(frozen=True)
class RetrySpec:
    limit: int
    policy: str = "Always"  # Argo's default when retryPolicy is not set
    expression: str | None = None  # checked by retry_expression when parsed
    backoff: Backoff | None = None

    def retries_phase(self, phase: str) -> bool:
        if self.policy == "Always":
            return phase in (FAILED, ERROR)
        return phase == (FAILED if self.policy == "OnFailure" else ERROR)


@dataclass(frozen=True)
class SecretRef:
    """``env[].valueFrom.secretKeyRef``: variable ``env`` gets key ``key`` of Secret ``secret``."""

    env: str
    secret: str
    key: str


@dataclass(frozen=True)
class Container:
    command: tuple[str, ...]
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    secret_env: tuple[SecretRef, ...] = ()  # resolved by ``secrets`` before the run starts

    @property
    def argv(self) -> tuple[str, ...]:
        return self.command + self.args


@dataclass(frozen=True)
class OutputArtifact:
    """``outputs.artifacts[]`` of a container template (``archive: none`` only)."""

    name: str
    path: str  # absolute, in the step's own filesystem (see ``artifacts``)
    optional: bool = False


@dataclass(frozen=True)
class DagTask:
    name: str
    template: str
    arguments: tuple[tuple[str, str], ...] = ()
    depends: str | None = None
    deps: tuple[str, ...] = ()  # the task names ``depends`` refers to
    when: str | None = None  # only ``{{workflow.status}} ==|!= PHASE`` (see ``when``)


@dataclass(frozen=True)
class Template:
    name: str
    path: str  # where it sits in the manifest, for messages: spec.templates[3]
    inputs: tuple[tuple[str, str | None], ...] = ()  # (name, default)
    container: Container | None = None
    tasks: tuple[DagTask, ...] = ()
    retry: RetrySpec | None = None
    deadline_s: int | None = None
    parallelism: int | None = None
    labels: tuple[tuple[str, str], ...] = ()  # checked for references, otherwise unused
    outputs: tuple[OutputArtifact, ...] = ()
    semaphores: tuple[str, ...] = ()  # ConfigMap semaphores held while it runs: "name/key"

    @property
    def is_dag(self) -> bool:
        return self.container is None

    def task(self, name: str) -> DagTask:
        return next(t for t in self.tasks if t.name == name)

    def leaves(self) -> list[str]:
        """Argo's default DAG targets: the tasks no other task depends on, sorted."""
        used = {dep for task in self.tasks for dep in task.deps}
        return sorted(task.name for task in self.tasks if task.name not in used)


@dataclass(frozen=True)
class Workflow:
    name: str | None
    generate_name: str | None
    namespace: str | None
    entrypoint: str
    templates: dict[str, Template]
    parameters: dict[str, str] = field(default_factory=dict)
    on_exit: str | None = None
    deadline_s: int | None = None
    parallelism: int | None = None
