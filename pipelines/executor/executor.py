"""Run a parsed Workflow on this machine: the loop that starts, polls and stops everything.

One thread, one loop: evaluate the DAGs until nothing changes, start queued attempts
while the caps allow (the workflow's ``parallelism``, the executor's ``max_parallel``),
poll the processes, write the status record, sleep a little. Signals only raise a flag
(``signals``); the loop answers it by stopping every attempt, waiting for them, and
handing over to ``on_abort`` (the study tears its engines down there).

Secret references are resolved when the executor is made (``secrets``): a missing one
refuses the run before anything starts. Finished attempts' logs and artifact copies go to
the sink before the status record that mentions them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import string
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipelines.executor import secrets as secret_refs
from pipelines.executor.process import KILL_GRACE_S
from pipelines.executor.runtime import ExecutorOptions, Run, Runtime, start_template
from pipelines.executor.signals import caught_signals
from pipelines.executor.spec import FAILED, FULFILLED, RUNNING, SUCCEEDED, Workflow
from pipelines.executor.status import Node, WorkflowStatus, node_from_dict
from steps.errors import AutotuneError, TaskError

INTERRUPTED = "interrupted"
STEP_DEADLINE = "Step exceeded its deadline"


class StatusSink(Protocol):
    """Where the status record and the attempts' logs go (the store, for a study)."""

    def write_status(self, status: dict[str, Any]) -> None: ...

    def write_log(self, node: Node, path: Path) -> None: ...

    def write_artifact(self, node: Node, name: str, path: Path) -> dict[str, Any]:
        """Store an artifact copy (a file or a folder); its location fields for the record."""
        ...


@dataclass
class Outcome:
    status: WorkflowStatus
    signum: int | None  # the signal that interrupted the run, if one did
    log_dir: Path | None  # attempts' logs by node id, kept when ExecutorOptions.log_dir is set

    @property
    def succeeded(self) -> bool:
        return self.status.phase == SUCCEEDED


class Executor:
    def __init__(
        self,
        workflow: Workflow,
        options: ExecutorOptions | None = None,
        sink: StatusSink | None = None,
        keep: Iterable[dict[str, Any]] = (),
        on_tick: Callable[[WorkflowStatus], None] | None = None,
        on_abort: Callable[[WorkflowStatus, str], None] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.workflow = workflow
        self.options = options or ExecutorOptions()
        self.sink, self.on_tick, self.on_abort = sink, on_tick, on_abort
        self.keep = list(keep)
        self.log_dir = log_dir
        unknown = sorted(set(self.options.parameters) - set(workflow.parameters))
        if unknown:
            raise TaskError(
                f"parameters {unknown} are not arguments of this workflow; "
                f"its arguments: {', '.join(sorted(workflow.parameters)) or 'none'}"
            )
        self.name = self.options.workflow_name or workflow.name or _generated(workflow)
        environ = {**os.environ, **self.options.env}
        self.secrets = secret_refs.resolve(workflow, self.options.secrets, environ)
        self._last_write = 0.0
        self._warned = False

    def run(self) -> Outcome:
        status = WorkflowStatus(self.name, phase=RUNNING, started_at=time.time())
        for data in self.keep:
            if data.get("phase") in FULFILLED:  # a node left Running by a killed run reruns
                status.add(node_from_dict(data))
        log_dir = self.log_dir or Path(tempfile.mkdtemp(prefix="autotune-executor-"))
        parameters = {**self.workflow.parameters, **self.options.parameters}
        rt = Runtime(self.workflow, status, self.options, parameters, log_dir, self.secrets)
        signum = None
        try:
            with caught_signals() as caught:
                try:
                    signum = self._loop(rt, caught)
                finally:
                    # Inside the handlers, so a second Ctrl-C cannot cut the cleanup short.
                    if status.phase == RUNNING:  # the loop raised: stop what it started
                        self._crashed(rt)
        finally:
            status.finished_at = status.finished_at or time.time()
            self._flush(rt, force=True)
            if self.log_dir is None:
                shutil.rmtree(log_dir, ignore_errors=True)
        return Outcome(status, signum, self.log_dir)

    def _loop(self, rt: Runtime, caught: Any) -> int | None:
        workflow, status = self.workflow, rt.status
        entry = workflow.templates[workflow.entrypoint]
        root: Run = start_template(rt, entry, self.name, self.name, rt.parameters, None)
        runs: list[Run] = [root]
        deadline = None if workflow.deadline_s is None else time.monotonic() + workflow.deadline_s
        stopped: str | None = None  # why the run is being stopped, once it is
        exit_started = False
        while True:
            now = time.time()
            if caught.signum is not None and stopped != INTERRUPTED:
                stopped = INTERRUPTED
                self._stop(rt, runs, f"{INTERRUPTED} ({caught.name})", now)
            elif deadline is not None and time.monotonic() > deadline and stopped is None:
                stopped = STEP_DEADLINE
                status.message = f"Workflow exceeded its deadline ({workflow.deadline_s}s)"
                self._stop(rt, runs, STEP_DEADLINE, now)
            while any(run.tick(now) for run in runs):
                pass
            if not rt.stopping:
                self._launch(rt)
            if stopped is not None and not rt.running and not exit_started:
                reason = f"{INTERRUPTED} ({caught.name})" if stopped == INTERRUPTED else stopped
                _fail_unfinished(status, reason, now)
                self._flush(rt, force=True)
                if self.on_abort is not None:
                    self.on_abort(status, reason)
                if stopped == INTERRUPTED or workflow.on_exit is None:
                    break
                rt.stopping = False  # Argo still runs the exit handler after the deadline
            if root.node.fulfilled and not exit_started and workflow.on_exit is not None:
                exit_started = True
                rt.exit_status = root.node.phase
                exit_template = workflow.templates[workflow.on_exit]
                name = f"{self.name}.onExit"
                runs.append(start_template(rt, exit_template, name, name, rt.parameters, None))
                continue
            if all(run.node.fulfilled for run in runs) and not rt.running:
                break
            self._flush(rt)
            time.sleep(self.options.poll_s)
        status.finished_at = time.time()
        status.phase = root.node.phase if root.node.fulfilled else FAILED
        exit_node = runs[-1].node if exit_started else None
        if status.phase == SUCCEEDED and exit_node is not None and exit_node.phase != SUCCEEDED:
            status.phase = FAILED
            status.message = f"exit handler {exit_node.phase}: {exit_node.message}".rstrip(": ")
        if stopped == INTERRUPTED:
            status.message = f"{INTERRUPTED} ({caught.name})"
        return caught.signum

    def _crashed(self, rt: Runtime) -> None:
        message = "the executor stopped unexpectedly"
        _stop_all(rt, message)
        _fail_unfinished(rt.status, message, time.time())
        rt.status.phase, rt.status.message = FAILED, message
        if self.on_abort is not None:
            self.on_abort(rt.status, message)

    def _stop(self, rt: Runtime, runs: list[Run], message: str, now: float) -> None:
        rt.stopping = True
        for run in runs:
            if not run.node.fulfilled:
                run.abort(message, now)
        rt.changed = True

    def _launch(self, rt: Runtime) -> None:
        caps = [c for c in (self.options.max_parallel, self.workflow.parallelism) if c]
        cap = min(caps) if caps else None
        while rt.waiting and (cap is None or len(rt.running) < cap):
            rt.waiting.pop(0).launch()

    def _flush(self, rt: Runtime, force: bool = False) -> None:
        """Store finished attempts' logs and artifacts, then the status record (throttled
        unless forced)."""
        sink = self.sink
        logs, rt.finished_logs = rt.finished_logs, []
        copies, rt.finished_artifacts = rt.finished_artifacts, []
        if sink is not None:
            for node, path in logs:
                self._guard(sink.write_log, node, path)
            for node, entry, path in copies:
                location = self._guard(sink.write_artifact, node, entry["name"], path)
                if location:
                    entry.update(location)
                    rt.changed = True
        now = time.monotonic()
        if not force and now - self._last_write < self.options.write_every_s:
            return
        self._last_write = now
        if sink is not None and (rt.changed or force):
            self._guard(sink.write_status, rt.status.to_dict())
        rt.changed = False
        if self.on_tick is not None:
            self.on_tick(rt.status)  # also when nothing changed: elapsed times move on

    def _guard(self, write: Callable[..., Any], *args: Any) -> Any:
        # A store that does not answer for a moment must not stop a study whose steps
        # are running: warn once, and the next write carries the whole record again.
        try:
            return write(*args)
        except AutotuneError as exc:
            if not self._warned:
                print(f"warning: cannot write the workflow status: {exc}", file=sys.stderr)
                self._warned = True
            return None


def _fail_unfinished(status: WorkflowStatus, message: str, now: float) -> None:
    for node in status.nodes.values():
        if not node.fulfilled:
            node.finish(FAILED, now, message)


def _stop_all(rt: Runtime, message: str) -> None:
    """Stop every attempt still running and wait for it, SIGKILL included."""
    for run in list(rt.running):
        if run.process is not None:
            run.process.stop(message)
    limit = time.monotonic() + KILL_GRACE_S + 5
    while rt.running and time.monotonic() < limit:
        for run in list(rt.running):
            run.tick(time.time())
        time.sleep(0.05)


def _generated(workflow: Workflow) -> str:
    prefix = workflow.generate_name or "workflow-"
    alphabet = string.ascii_lowercase + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(5))
