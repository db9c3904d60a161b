"""The ``local`` backend: the engine as a child process group on a loopback port."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from steps.deploy.base import Deployer
from steps.deploy.process import free_port, is_running, start_time, stop_group
from steps.engines import Launch, get_engine
from steps.errors import Infeasible, TaskError
from steps.records import DeployRecord, Scalar

HOST = "127.0.0.1"
LOG_TAIL_LINES = 15


def workdir_root() -> Path:
    """Where engine logs live while the engine runs (the store gets a copy at the end)."""
    default = Path.home() / ".cache" / "inference-autotuner" / "work"
    return Path(os.environ.get("AUTOTUNE_WORKDIR", default))


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    kept = [line for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join(kept)


class LocalDeployer(Deployer):
    backend = "local"

    def deploy(self, slot: int, flags: Mapping[str, Scalar]) -> DeployRecord:
        engine = get_engine(self.task.engine.kind)
        problems = engine.combination_problems(flags)
        if problems:
            raise Infeasible(
                f"{self.task.engine.kind} refuses this combination: {'; '.join(problems)}"
            )
        model = self.task.model
        if not model.path:
            raise TaskError("model.path: the local backend needs a model file or folder to serve")
        port = free_port(HOST)
        launch = engine.launch(
            flags,
            model_path=model.path,
            served_model_name=model.name,
            host=HOST,
            port=port,
            binary=self.task.engine.binary,
        )
        log_path = workdir_root() / self.study / str(slot) / "engine.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log:
            try:
                proc = subprocess.Popen(  # argv list, never a shell
                    launch.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # own process group: teardown kills it whole
                    env={**os.environ, **launch.env},
                )
            except OSError as exc:
                raise Infeasible(f"cannot start {launch.argv[0]}: {exc.strerror}") from None
        try:
            return self._record(slot, proc.pid, port, launch, log_path)
        except BaseException:
            stop_group(proc.pid, None)
            raise

    def _record(
        self, slot: int, pid: int, port: int, launch: Launch, log_path: Path
    ) -> DeployRecord:
        return DeployRecord(
            slot=slot,
            backend=self.backend,
            command=launch.argv,
            endpoint=f"http://{HOST}:{port}",
            served_model_name=launch.served_model_name,
            handle={
                "pid": pid,
                "pgid": pid,
                "start_time": start_time(pid),
                "log_path": str(log_path),
                "health_path": launch.health_path,
            },
        )

    def wait_ready(self, record: DeployRecord, timeout_s: float) -> DeployRecord:
        pid, started = int(record.handle["pid"]), record.handle.get("start_time")
        url = f"{record.endpoint}{record.handle['health_path']}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not is_running(pid, started):
                raise Infeasible(f"engine exited before it was ready:\n{tail(self.logs(record))}")
            if _healthy(url):
                return record.model_copy(update={"ready_at": time.time()})
            time.sleep(0.1)
        raise Infeasible(
            f"engine not ready within {timeout_s:g}s (deploy.ready_timeout_s):\n"
            f"{tail(self.logs(record))}"
        )

    def teardown(self, record: DeployRecord) -> None:
        if "pgid" in record.handle:
            stop_group(int(record.handle["pgid"]), record.handle.get("start_time"))

    def logs(self, record: DeployRecord) -> str:
        path = record.handle.get("log_path")
        try:
            return Path(path).read_text(errors="replace") if path else ""
        except OSError:
            return ""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False
