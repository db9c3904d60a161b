"""Local runs the app starts: ``autotune run`` / ``autotune retry`` as detached processes.

A browser refresh, a closed tab or a restart of the Streamlit server must not stop a
study, so the run gets a session of its own and the app keeps nothing in memory: the
runner's pid, its start time (a reused pid is never mistaken for it) and the host are
recorded in the store beside the study (``studies/<study>/ui/runner.json``), so any
page, and any later instance of the app on this machine, finds it again.

Stopping is SIGTERM to the runner alone: the executor catches it, stops its steps and
tears every engine down (``autotune run`` documents the same for Ctrl-C).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from steps.deploy.process import is_running, start_time
from steps.errors import NotFound, TaskError
from steps.spec import Task, dump_task
from steps.store import Layout, Store

AUTOTUNE = [sys.executable, "-m", "steps"]
LOG_TAIL_LINES = 30
# Popen objects of the runs this process started: holding them keeps Python from warning
# that a child is "still running" when the object is dropped (it is meant to be).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def runner_key(study: str) -> str:
    return f"{Layout(study).root}/ui/runner.json"


@dataclass(frozen=True)
class Runner:
    """One background ``autotune`` process started by the app."""

    study: str
    action: str  # "run" | "retry"
    pid: int
    started: int | None  # /proc start time in clock ticks: tells our pid from a reused one
    host: str
    argv: list[str]
    log_path: str
    started_at: float
    slot: int | None = None
    stopped_at: float | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def here(self) -> bool:
        return self.host == socket.gethostname()

    def alive(self) -> bool:
        """True while the process runs; False once it ended (or on another host: unknown)."""
        return self.here and is_running(self.pid, self.started)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = Path(self.log_path).read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])


def read_runner(store: Store, study: str) -> Runner | None:
    import json

    try:
        data = json.loads(store.read_text(runner_key(study)))
        return Runner(**data)
    except (NotFound, ValueError, TypeError):
        return None


def start_run(store: Store, task: Task, study: str | None, state_dir: Path) -> Runner:
    """Start tuning ``task`` in the background; the same study id resumes an earlier run."""
    study = study or task.name
    _refuse_if_busy(store, study)
    folder = _run_folder(state_dir, study)
    task_file = folder / "task.yaml"
    task_file.write_text(dump_task(task))
    argv = [*AUTOTUNE, "run", str(task_file), "--store", store.uri, "--study", study]
    return _launch(store, study, "run", [*argv, "--progress", "plain"], folder, None)


def start_retry(store: Store, study: str, slot: int, state_dir: Path) -> Runner:
    """Rerun one slot of a study (new suggestion), then its report, in the background."""
    _refuse_if_busy(store, study)
    if not store.exists(Layout(study).task):
        raise NotFound(f"study {study!r} has no task in {store.uri}; nothing to retry")
    folder = _run_folder(state_dir, study)
    argv = [*AUTOTUNE, "retry", study, "--slot", str(slot), "--store", store.uri]
    return _launch(store, study, "retry", [*argv, "--progress", "plain"], folder, slot)


def stop(store: Store, study: str) -> bool:
    """SIGTERM the study's runner; False when there is no live runner to stop."""
    runner = read_runner(store, study)
    if runner is None or not runner.alive():
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(runner.pid, signal.SIGTERM)
    store.write_json(runner_key(study), asdict(runner) | {"stopped_at": time.time()})
    return True


def wait(runner: Runner, timeout_s: float) -> bool:
    """Wait until the runner ends; True if it did within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while runner.alive():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _refuse_if_busy(store: Store, study: str) -> None:
    runner = read_runner(store, study)
    if runner is not None and runner.alive():
        raise TaskError(
            f"study {study!r} is already being worked on by pid {runner.pid} "
            f"({runner.action}); stop it first or wait until it ends"
        )


def _run_folder(state_dir: Path, study: str) -> Path:
    # the random part keeps two starts within one second apart
    folder = state_dir / f"{study}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    return folder


def _launch(
    store: Store, study: str, action: str, argv: list[str], folder: Path, slot: int | None
) -> Runner:
    log_path = folder / "console.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(  # an argv list, never a shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # its own session: the run outlives the page, the Streamlit server and any
            # signal a terminal sends to the app's process group
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=folder,
        )
    _CHILDREN[proc.pid] = proc
    runner = Runner(
        study=study,
        action=action,
        pid=proc.pid,
        started=start_time(proc.pid),
        host=socket.gethostname(),
        argv=argv,
        log_path=str(log_path),
        started_at=time.time(),
        slot=slot,
    )
    store.write_json(runner_key(study), asdict(runner))
    return runner
