"""A tuning study on the local executor: compile, run, resume, retry a slot, clean up.

The executor is generic; this module is where it meets the study's shape
(``pipelines.naming``): which nodes belong to slot k, which slots had an engine when a
run stopped, and how to tear those down (``autotune step teardown --interrupted``,
built from the manifest's own teardown template, so it reaches the same store).

A study compiled in cluster mode (``prepare(..., mode="cluster")``: S3 credentials from a
Secret, artifacts, the GPU semaphore, the exit handler) runs too: ``secrets`` and
``semaphore_limits`` are handed to the executor, and the interruption teardown gets the
teardown template's environment, secrets included.

Resume: the workflow is named after the study, so a rerun names its nodes exactly as
the interrupted run did. A slot whose DAG succeeded and whose ``result.json`` exists is
kept from the earlier record instead of being rerun (its steps would return at once
anyway: they are idempotent); everything else runs again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines import naming
from pipelines.compile import compile_task
from pipelines.executor import artifacts
from pipelines.executor import secrets as secret_refs
from pipelines.executor.executor import Executor
from pipelines.executor.manifest import parse_workflow
from pipelines.executor.runtime import ExecutorOptions
from pipelines.executor.spec import FULFILLED, OMITTED, SUCCEEDED, SecretRef, Workflow
from pipelines.executor.status import WorkflowStatus
from pipelines.executor.store_sink import StoreSink, read_status
from pipelines.executor.substitute import render, scope_for
from pipelines.options import CompileOptions, Mode
from steps.errors import TaskError
from steps.spec import Task, parse_text, task_from_dict
from steps.store import Layout, Store

TEARDOWN_TIMEOUT_S = 120


@dataclass
class LocalStudy:
    task: Task
    store: Store
    study: str
    manifest: dict[str, Any]
    workflow: Workflow
    # argv[0] of the steps -> the local command (tests put a stand-in program here)
    aliases: dict[str, list[str]] = field(default_factory=lambda: ExecutorOptions().aliases)
    # cluster mode: secretKeyRef values (None: from the environment) and semaphore limits
    secrets: dict[tuple[str, str], str] | None = field(default=None, repr=False)
    semaphore_limits: dict[str, int] = field(default_factory=dict)

    @classmethod
    def prepare(
        cls, task: Task, store: Store, study: str | None = None, mode: Mode = "local"
    ) -> LocalStudy:
        """Compile ``task`` for ``store``; the manifest is refused here if it cannot run."""
        manifest = compile_task(task, CompileOptions(store=store.uri, mode=mode))
        return cls(task, store, study or task.name, manifest, parse_workflow(manifest))

    def options(self, max_parallel: int | None = None) -> ExecutorOptions:
        return ExecutorOptions(
            aliases=self.aliases,
            max_parallel=max_parallel,
            parameters={naming.PARAM_STUDY: self.study},
            workflow_name=self.study,
            secrets=self.secrets,
            semaphore_limits=self.semaphore_limits,
        )

    @property
    def layout(self) -> Layout:
        return Layout(self.study)

    def executor(
        self,
        keep: list[dict[str, Any]],
        on_tick: Callable[[WorkflowStatus], None] | None = None,
        max_parallel: int | None = None,
    ) -> Executor:
        return Executor(
            self.workflow,
            self.options(max_parallel),
            sink=StoreSink(self.store, self.study, self.study),
            keep=keep,
            on_tick=on_tick,
            on_abort=lambda status, reason: self.teardown(self.engine_slots(status)),
        )

    def node_slot(self, name: str) -> tuple[int | None, str] | None:
        return naming.parse_node_name(self.study, name)

    def previous_nodes(self) -> list[dict[str, Any]]:
        previous = read_status(self.store, self.study)
        if previous is None or previous.get("name") != self.study:
            return []
        return [n for n in previous.get("nodes", {}).values() if isinstance(n, dict)]

    def resume_keep(self) -> list[dict[str, Any]]:
        """Nodes of the slots an earlier run finished, whose results are in the store.

        Nothing is kept when the store holds another task under this study id: the
        init step then refuses the run, and no earlier slot may pass for this task's."""
        if self.store.exists(self.layout.task):
            stored = task_from_dict(parse_text(self.store.read_text(self.layout.task)))
            if stored != self.task:
                return []
        nodes = self.previous_nodes()
        done = {
            slot
            for node in nodes
            if (slot := naming.slot_of(node.get("displayName", ""))) is not None
            and node.get("name") == f"{self.study}.{naming.slot_task(slot)}"
            and node.get("phase") == SUCCEEDED
            and self.store.exists(self.layout.result(slot))
        }
        return [n for n in nodes if self._slot_of_node(n["name"]) in done]

    def retry_keep(self, slot: int) -> list[dict[str, Any]]:
        """Every node of the earlier run but the slot's, the report's and the root."""
        nodes = self.previous_nodes()
        # a slot is kept whole or not at all: half a slot would resume mid-trial
        ended = {
            self._slot_of_node(n["name"])
            for n in nodes
            if n.get("type") == "DAG" and n.get("phase") in FULFILLED
        }
        init_ok = any(
            n["name"] == f"{self.study}.{naming.INIT}" and n.get("phase") == SUCCEEDED
            for n in nodes
        )
        kept = []
        for node in nodes:
            name = node["name"]
            owner = self._slot_of_node(name)
            top = name.removeprefix(f"{self.study}.").split("(", 1)[0].split(".", 1)[0]
            if name == self.study or top in ("onExit", naming.REPORT):
                continue
            if owner == slot or (owner is not None and owner not in ended):
                continue
            if top == naming.INIT and not init_ok:
                continue
            kept.append(node)
        return kept

    def _slot_of_node(self, name: str) -> int | None:
        rest = name.removeprefix(f"{self.study}.")
        return naming.slot_of(rest.split(".", 1)[0].split("(", 1)[0])

    def check_slot(self, slot: int) -> None:
        trials = self.task.search.trials
        if not 0 <= slot < trials:
            raise TaskError(f"--slot {slot}: study {self.study!r} has slots 0..{trials - 1}")

    def forget_slot(self, slot: int) -> None:
        """Stop the slot's engine if one is recorded, then delete every record of the slot,
        so its next run suggests and measures it anew."""
        if self.store.exists(self.layout.deploy(slot)):
            self.teardown([slot])
        self.store.delete_prefix(self.layout.trial(slot) + "/")

    def engine_slots(self, status: WorkflowStatus) -> list[int]:
        """Slots whose deploy ran in this run and whose teardown did not succeed."""
        deployed: set[int] = set()
        torn_down: set[int] = set()
        for node in status.nodes.values():
            parsed = self.node_slot(node.name)
            if parsed is None or node.name.endswith(")"):
                continue  # not a step, or a retry attempt (its task node says it all)
            slot, step = parsed
            if slot is None:
                continue
            if step == "deploy" and node.phase != OMITTED:
                deployed.add(slot)
            if step == naming.TEARDOWN and node.phase == SUCCEEDED:
                torn_down.add(slot)
        return sorted(deployed - torn_down)

    def teardown(self, slots: list[int]) -> None:
        """``teardown --interrupted`` for ``slots``, all at once: engines stop, records stay."""
        if not slots:
            return
        print(f"stopping the engines of slot(s) {', '.join(map(str, slots))} ...", file=sys.stderr)
        # the template's secrets too: a cluster-mode study's S3 credentials come from there
        values = secret_refs.resolve(self.workflow, self.secrets, os.environ)
        # the engine log copy --artifacts makes is for Argo's UI: nobody collects it here
        scratch = Path(tempfile.mkdtemp(prefix="autotune-teardown-"))
        try:
            procs = {
                slot: self._start_teardown(slot, values, scratch / str(slot)) for slot in slots
            }
            for slot, proc in procs.items():
                try:
                    output, _ = proc.communicate(timeout=TEARDOWN_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)
                    output, _ = proc.communicate()
                if proc.returncode != 0:
                    for value in values.values():  # shown on the terminal: never a secret
                        output = output.replace(value, "***")
                    print(
                        f"warning: teardown of slot {slot} failed:\n{output.strip()}",
                        file=sys.stderr,
                    )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _start_teardown(
        self, slot: int, secrets: dict[SecretRef, str], scratch: Path
    ) -> subprocess.Popen[str]:
        template = self.workflow.templates[naming.TEARDOWN]
        assert template.container is not None
        container = template.container
        parameters = {**self.workflow.parameters, naming.PARAM_STUDY: self.study}
        workflow_vars = {"workflow.name": self.study, "workflow.status": "Failed"}
        scope = scope_for(workflow_vars, {naming.PARAM_SLOT: str(slot)}, parameters)
        argv = [render(part, scope) for part in container.argv]
        argv = artifacts.private_argv(argv, template.outputs, scratch)
        alias = self.aliases.get(argv[0])
        argv = [*(alias or argv[:1]), *argv[1:], "--interrupted"]
        env = {**os.environ, **{name: render(value, scope) for name, value in container.env}}
        env.update({ref.env: secrets[ref] for ref in container.secret_env})
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # a second Ctrl-C at the terminal must not cut it short
            env={**env, "PYTHONUNBUFFERED": "1"},
        )
