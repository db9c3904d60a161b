"""What every running node shares: the workflow, its status, the launch queue, the options.

Also the start of any template instance (``start_template``): a container template
becomes a ``ContainerRun``, a DAG template a ``DagRun``, each with its node in the
status already, named the Argo way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pipelines.executor.semaphores import Semaphores
from pipelines.executor.spec import SecretRef, Template, Workflow
from pipelines.executor.status import Node, WorkflowStatus, node_id
from pipelines.executor.substitute import render, scope_for

if TYPE_CHECKING:
    from pipelines.executor.container import ContainerRun


@dataclass
class ExecutorOptions:
    """How the manifest's processes run on this machine."""

    max_parallel: int | None = None  # global cap on step processes running at once
    parameters: dict[str, str] = field(default_factory=dict)  # like `argo submit -p k=v`
    workflow_name: str | None = None  # default: metadata.name, else generateName + suffix
    # argv[0] of a container -> the local command: `autotune` runs with this interpreter.
    aliases: dict[str, list[str]] = field(
        default_factory=lambda: {"autotune": [sys.executable, "-m", "steps"]}
    )
    env: dict[str, str] = field(default_factory=dict)  # added to this process's environment
    poll_s: float = 0.05
    write_every_s: float = 0.5  # the status record is rewritten at most this often
    # Cluster-mode manifests. secretKeyRef values by (Secret name, key); None: each env
    # variable from this process's environment (see ``secrets``). Never shown in a repr.
    secrets: dict[tuple[str, str], str] | None = field(default=None, repr=False)
    # ConfigMap semaphores: "configmap/key" -> holders at once (default 1; ``semaphores``)
    semaphore_limits: dict[str, int] = field(default_factory=dict)


class Run(Protocol):
    node: Node

    def tick(self, now: float) -> bool:
        """Move on where possible; True when something changed."""

    def abort(self, message: str, now: float) -> None:
        """Stop: running processes get SIGTERM; nothing new starts."""


class Runtime:
    def __init__(
        self,
        workflow: Workflow,
        status: WorkflowStatus,
        options: ExecutorOptions,
        parameters: Mapping[str, str],
        log_dir: Path,
        secrets: Mapping[SecretRef, str] | None = None,
    ) -> None:
        self.workflow = workflow
        self.status = status
        self.options = options
        self.parameters = dict(parameters)
        self.log_dir = log_dir
        self.waiting: list[ContainerRun] = []  # attempts ready to start, first come first served
        self.running: list[ContainerRun] = []
        self.finished_logs: list[tuple[Node, Path]] = []  # attempt logs not yet stored
        # artifact copies not yet stored: the node, its record entry, the local copy
        self.finished_artifacts: list[tuple[Node, dict[str, str], Path]] = []
        self.secrets = dict(secrets or {})
        self.semaphores = Semaphores(options.semaphore_limits, workflow.namespace or "default")
        self.changed = True
        self.stopping = False  # interrupted or past the deadline: start nothing new
        self.exit_status: str | None = None  # {{workflow.status}} while the exit handler runs
        self.base_env = {**os.environ, **options.env, "PYTHONUNBUFFERED": "1"}

    @property
    def workflow_vars(self) -> dict[str, str]:
        phase = self.exit_status or self.status.phase
        values = {"workflow.name": self.status.name, "workflow.status": phase}
        values["workflow.namespace"] = self.workflow.namespace or "default"
        return values

    def scope(self, inputs: Mapping[str, str]) -> dict[str, str]:
        return scope_for(self.workflow_vars, inputs, self.parameters)

    def argv(self, command: Sequence[str]) -> list[str]:
        alias = self.options.aliases.get(command[0]) if command else None
        return [*alias, *command[1:]] if alias else list(command)

    def node(
        self,
        name: str,
        display: str,
        type_: str,
        template: str,
        boundary: str | None,
        inputs: Mapping[str, str] | None = None,
    ) -> Node:
        """The node called ``name``, new (or replacing one of an earlier run)."""
        node = Node(
            id=node_id(self.status.name, name),
            name=name,
            display_name=display,
            type=type_,
            template_name=template,
            boundary_id=boundary,
            inputs=list((inputs or {}).items()),
        )
        self.changed = True
        return self.status.add(node)

    def outbound(self, node: Node) -> list[str]:
        """Argo's outbound nodes: where the edges to a task's dependents start."""
        if node.type == "Retry":
            return node.children[-1:] or [node.id]
        if node.type == "DAG":
            return node.outbound or [node.id]
        return [node.id]

    def connect(self, parents: Sequence[Node], child: Node) -> None:
        for parent in parents:
            if child.id not in parent.children:
                parent.children.append(child.id)

    def log_path(self, node: Node) -> Path:
        return self.log_dir / f"{node.id}.log"

    def attempt_root(self, node: Node) -> Path:
        """The stand-in for an attempt's own filesystem (see ``artifacts``)."""
        return self.log_dir / "roots" / node.id

    def artifact_dir(self, node: Node) -> Path:
        return self.log_dir / "artifacts" / node.id


def start_template(
    rt: Runtime,
    template: Template,
    name: str,
    display: str,
    inputs: Mapping[str, str],
    boundary: str | None,
) -> Run:
    """Create the run (and node) of one instance of ``template``."""
    values = {n: inputs.get(n, default or "") for n, default in template.inputs}
    if template.is_dag:
        from pipelines.executor.dag import DagRun

        return DagRun(rt, template, name, display, values, boundary)
    from pipelines.executor.container import ContainerRun

    return ContainerRun(rt, template, name, display, values, boundary)


def render_arguments(
    rt: Runtime, pairs: Sequence[tuple[str, str | None]], inputs: Mapping[str, str]
) -> dict[str, str]:
    scope = rt.scope(inputs)
    return {name: render(value or "", scope) for name, value in pairs}
