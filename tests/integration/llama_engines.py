"""Real llama-server processes standing in for the SGLang engines OME would start.

The simulated OME controller (``tests.kube.ome_controller``) calls ``LlamaEngines`` for each
InferenceService it makes Ready and points ``status.url`` at the server it returns; it
stops the server when the InferenceService is deleted. SGLang cannot run here (CUDA torch,
AMX), so the candidate's SGLang command is mapped onto llama-server's nearest flags:
``--max-running-requests`` becomes ``--parallel`` (both cap the requests decoded at
once), ``--served-model-name`` the ``--alias``; the rest keeps fixed small values.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tests.engines.llama_proc import Server, start_llama_server
from tests.kube.ome_controller import Candidate

MAX_PARALLEL = 4  # two cores: more slots than this only queue
FIXED_FLAGS = ("--threads", "1", "--ctx-size", "2048")


def flag(command: list[str], name: str) -> str | None:
    for i, token in enumerate(command):
        if token == f"--{name}" and i + 1 < len(command):
            return command[i + 1]
        if token.startswith(f"--{name}="):
            return token.split("=", 1)[1]
    return None


def llama_flags(command: list[str]) -> tuple[list[str], str]:
    """llama-server flags for an SGLang command, and the model name it serves."""
    running = flag(command, "max-running-requests")
    parallel = min(int(running), MAX_PARALLEL) if running and running.isdigit() else 2
    alias = flag(command, "served-model-name") or "model"
    return ["--parallel", str(max(parallel, 1)), *FIXED_FLAGS], alias


@dataclass
class LlamaEngine:
    """One running server; ``stop`` is idempotent (teardown and the controller both call it)."""

    server: Server
    flags: list[str]
    _stack: contextlib.ExitStack
    _on_stop: list[LlamaEngine]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return int(self.server.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        self._stack.close()  # SIGTERM to the group, SIGKILL after 10 s (llama_proc.stop)
        with contextlib.suppress(ValueError):
            self._on_stop.remove(self)


@dataclass
class LlamaEngines:
    binary: str
    model: Path  # the demo model folder
    logs: Path
    started: list[LlamaEngine] = field(default_factory=list)
    live: list[LlamaEngine] = field(default_factory=list)
    most_live: int = 0  # the most servers up at once: the GPU semaphore's footprint
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, candidate: Candidate) -> LlamaEngine:
        flags, alias = llama_flags(candidate.command)
        name = candidate.isvc["metadata"]["name"]
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}-{len(self.started)}.log"
        stack = contextlib.ExitStack()
        server = stack.enter_context(
            start_llama_server(self.binary, self.model / "model.gguf", log, *flags, alias=alias)
        )
        engine = LlamaEngine(server, flags, stack, self.live)
        with self._lock:
            self.started.append(engine)
            self.live.append(engine)
            self.most_live = max(self.most_live, len(self.live))
        return engine

    def stop_all(self) -> None:
        for engine in list(self.live):
            engine.stop()

    def running(self) -> list[int]:
        """Pids of the servers still running (none once every InferenceService is gone)."""
        return [e.server.proc.pid for e in self.started if e.server.proc.poll() is None]
