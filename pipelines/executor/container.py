"""A container template instance: its attempts, deadline and retryStrategy.

With a retryStrategy the task's node is a ``Retry`` node and every attempt a ``Pod``
child named ``<name>(<n>)``, as in Argo; without one the task's node is the pod.
The retry decision follows Argo's order of checks and messages: retryPolicy, then
``limit`` ("No more retries left"), then ``expression`` ("retryStrategy.expression
evaluated to false"), then the backoff ("Backoff for 15 seconds", maxDuration).
Unlike Argo, the backoff is waited only when a retry will follow: a step that ends
with exit code 3 is decided at once instead of after the first backoff.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from pipelines.executor import artifacts, retry_expression, secrets
from pipelines.executor.durations import humanize
from pipelines.executor.process import Attempt
from pipelines.executor.runtime import Runtime
from pipelines.executor.spec import (
    ERROR,
    FAILED,
    SUCCEEDED,
    TYPE_POD,
    TYPE_RETRY,
    OutputArtifact,
    Template,
)
from pipelines.executor.status import Node
from pipelines.executor.substitute import render

DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


class ContainerRun:
    def __init__(
        self,
        rt: Runtime,
        template: Template,
        name: str,
        display: str,
        inputs: Mapping[str, str],
        boundary: str | None,
    ) -> None:
        assert template.container is not None
        self.rt, self.template = rt, template
        self.name, self.display, self.boundary = name, display, boundary
        scope = rt.scope(inputs)
        self.argv = rt.argv([render(part, scope) for part in template.container.argv])
        self.env = {**rt.base_env}
        self.env.update({k: render(v, scope) for k, v in template.container.env})
        self.env.update({ref.env: rt.secrets[ref] for ref in template.container.secret_env})
        kind = TYPE_RETRY if template.retry else TYPE_POD
        self.node = rt.node(name, display, kind, template.name, boundary, inputs)
        self.attempts: list[Node] = []
        self.process: Attempt | None = None
        self.retry_at: float | None = None  # monotonic time the backoff ends
        if template.retry:
            self.node.start(time.time())
        self._queue()

    @property
    def current(self) -> Node:
        return self.attempts[-1]

    def _queue(self) -> None:
        if self.template.retry:
            n = len(self.attempts)
            attempt = self.rt.node(
                f"{self.name}({n})",
                f"{self.display}({n})",
                TYPE_POD,
                self.template.name,
                self.boundary,
                dict(self.node.inputs),
            )
            self.rt.connect([self.node], attempt)
        else:
            attempt = self.node
        self.attempts.append(attempt)
        self.rt.waiting.append(self)

    def launch(self) -> None:
        """Start the queued attempt (the scheduler found room for it)."""
        node, now = self.current, time.time()
        argv = self.argv
        if self.template.outputs:  # a fresh "pod filesystem" for each attempt
            argv = artifacts.private_argv(argv, self.template.outputs, self.rt.attempt_root(node))
        try:
            self.process = Attempt(argv, self.env, self.rt.log_path(node))
        except OSError as exc:
            node.exit_code = "-1"
            self._ended(ERROR, f"failed to start {self.argv[0]!r}: {exc.strerror or exc}", now)
            return
        node.start(now)
        self.rt.running.append(self)
        self.rt.changed = True

    def tick(self, now: float) -> bool:
        process = self.process
        if process is not None:
            deadline = self.template.deadline_s
            if deadline is not None and time.monotonic() - process.started > deadline:
                process.stop(DEADLINE_MESSAGE)
            code = process.poll()
            if code is None:
                return False
            self.process = None
            self.rt.running.remove(self)
            self.current.exit_code = process.exit_code()
            secrets.scrub(process.log_path, self.rt.secrets.values())
            self.rt.finished_logs.append((self.current, process.log_path))
            missing = self._save_outputs()
            if process.stop_reason is not None:
                self._ended(FAILED, process.stop_reason, now)
            elif code == 0 and missing:
                self._ended(ERROR, artifacts.missing_message(missing), now)
            elif code == 0:
                self._ended(SUCCEEDED, "", now)
            else:
                self._ended(FAILED, f"Error (exit code {self.current.exit_code})", now)
            return True
        if self.retry_at is not None and time.monotonic() >= self.retry_at:
            self.retry_at = None
            self.node.message = ""
            self._queue()
            return True
        return False

    def _save_outputs(self) -> list[OutputArtifact]:
        """Copy the attempt's artifacts out of its root; the required ones that are missing."""
        if not self.template.outputs:
            return []
        node = self.current
        copies, missing = artifacts.collect(
            self.template.outputs, self.rt.attempt_root(node), self.rt.artifact_dir(node)
        )
        for artifact, copy in copies:
            entry = {"name": artifact.name, "path": artifact.path}
            node.artifacts.append(entry)
            self.rt.finished_artifacts.append((node, entry, copy))
        return missing

    def abort(self, message: str, now: float) -> None:
        if self.process is not None:
            self.process.stop(message)
        elif not self.node.fulfilled:
            # queued or backing off: no process to wait for
            if self in self.rt.waiting:
                self.rt.waiting.remove(self)
            if not self.current.fulfilled:
                self.current.finish(FAILED, now, message)
            self.node.finish(FAILED, now, message)
            self.retry_at = None
            self.rt.changed = True

    def _ended(self, phase: str, message: str, now: float) -> None:
        self.current.finish(phase, now, message)
        self.rt.changed = True
        retry = self.template.retry
        if retry is None:
            return
        verdict = self._verdict(phase, message)
        if verdict is None:
            return  # backing off; tick() queues the next attempt
        self.node.exit_code = self.current.exit_code
        self.node.artifacts = self.current.artifacts  # Argo: the last attempt's outputs
        self.node.finish(phase, now, verdict if phase != SUCCEEDED else "")

    def _verdict(self, phase: str, message: str) -> str | None:
        """The retry node's final message, or None when another attempt will follow."""
        retry = self.template.retry
        assert retry is not None
        if phase == SUCCEEDED or self.rt.stopping:
            return message
        if not retry.retries_phase(phase):
            return message
        if len(self.attempts) > retry.limit:
            return "No more retries left"
        code = self.current.exit_code or "-1"
        if retry.expression and not retry_expression.should_retry(retry.expression, code):
            return "retryStrategy.expression evaluated to false"
        wait = 0.0
        if retry.backoff is not None:
            wait = retry.backoff.wait_s(len(self.attempts))
            limit = retry.backoff.max_duration_s
            first = self.attempts[0].started_at or time.time()
            if limit is not None and time.time() - first > limit:
                return "Max duration limit exceeded"
            if limit is not None and time.time() + wait - first > limit:
                return "Backoff would exceed max duration limit"
        self.retry_at = time.monotonic() + wait
        self.node.message = f"Backoff for {humanize(wait)}" if wait else ""
        return None
