"""Start and stop the detached port-forward helper (``steps.deploy.ome.forward``).

The helper's pid, process start time and local port go into deploy.json's handle
(teardown stops the group, like a local engine) and into ``forward.json`` in the
slot's work folder, so a teardown on this machine finds it even when the record that
names it was never written (wait-ready interrupted after starting it).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from steps.deploy.ome.podlogs import tail
from steps.deploy.process import free_port, start_time, stop_group
from steps.errors import TaskError, TransientError

HOST = "127.0.0.1"
VIA_ENV = "AUTOTUNE_PORT_FORWARD"
STATE_FILE = "forward.json"
PORT_ATTEMPTS = 3  # a free port can be taken between choosing it and the helper binding it


def via() -> str:
    """``$AUTOTUNE_PORT_FORWARD``: api (the kubernetes client), kubectl, or auto (the client,
    else kubectl when it is on the PATH)."""
    chosen = os.environ.get(VIA_ENV, "auto")
    if chosen not in ("auto", "api", "kubectl"):
        raise TaskError(f"{VIA_ENV}={chosen!r}; allowed: auto, api, kubectl")
    return chosen


def start(
    *,
    namespace: str,
    isvc: str,
    pod: str,
    port: int,
    workdir: Path,
    health_path: str,
    timeout_s: float,
) -> dict[str, Any]:
    """Start the helper and wait until ``health_path`` answers through it."""
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "forward.log"
    for _ in range(PORT_ATTEMPTS):
        local = free_port(HOST)
        argv = [
            sys.executable,
            "-m",
            "steps.deploy.ome.forward",
            "--via",
            via(),
            "--namespace",
            namespace,
            "--pod",
            pod,
            "--isvc",
            isvc,
            "--port",
            str(port),
            "--local-port",
            str(local),
        ]
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(  # argv list, never a shell
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own group: outlives this step, stopped as a whole
            )
        info = {
            "pid": proc.pid,
            "pgid": proc.pid,
            "start_time": start_time(proc.pid),
            "port": local,
            "pod": pod,
            "log_path": str(log_path),
        }
        (workdir / STATE_FILE).write_text(json.dumps(info))
        try:
            if _wait_serving(proc, f"http://{HOST}:{local}{health_path}", timeout_s):
                return info
        except BaseException:
            stop(info, workdir)
            raise
        if "Address already in use" not in log_path.read_text(errors="replace"):
            break
    stop(info, workdir)
    text = tail(log_path.read_text(errors="replace"), 8)
    if proc.returncode == 2:  # the helper says: permission (RBAC) or a refused port
        raise TaskError(f"port-forward to pod {namespace}/{pod} refused:\n{text}")
    raise TransientError(
        f"port-forward to pod {namespace}/{pod} did not serve {health_path}:\n{text}"
    )


def stop(info: dict[str, Any] | None, workdir: Path | None = None) -> None:
    """Stop the helper named by ``info`` and the one in ``workdir``'s state file. Idempotent."""
    found = [info] if info else []
    state = workdir / STATE_FILE if workdir is not None else None
    if state is not None and state.is_file():
        with contextlib.suppress(ValueError, OSError):
            found.append(json.loads(state.read_text()))
    for entry in found:
        if entry.get("pgid"):
            stop_group(int(entry["pgid"]), entry.get("start_time"), grace_s=5.0)
    if state is not None:
        state.unlink(missing_ok=True)


def _wait_serving(proc: subprocess.Popen[bytes], url: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _healthy(url):
            return True
        time.sleep(0.1)
    return False


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False
