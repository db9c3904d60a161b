"""Start a real llama-server for a test and always tear it down (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
RESERVED_PORTS = {8443}  # the Kubernetes Dashboard's port is never touched


def free_port() -> int:
    while True:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in RESERVED_PORTS:
            return port


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    ready_s: float
    log: Path

    def post(self, path: str, body: dict[str, Any], api_key: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), headers=headers
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


@contextlib.contextmanager
def start_llama_server(
    binary: str, model: Path, log: Path, *flags: str, alias: str = "tiny-llama"
) -> Iterator[Server]:
    port = free_port()
    argv = [
        binary,
        "--model",
        str(model),
        "--alias",
        alias,
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-webui",
        *flags,
    ]
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        ready_s = _wait_ready(f"http://{HOST}:{port}", proc, log, started)
        yield Server(f"http://{HOST}:{port}", proc, ready_s, log)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, started: float) -> float:
    deadline = started + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama-server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            # /health answers 503 while the model loads, 200 once requests are served
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.02)
    raise RuntimeError(f"llama-server not ready after 60 s:\n{log.read_text()}")
