"""SIGINT / SIGTERM to a running executor: every step process and its children end,
the nodes are marked "interrupted", the exit code is 128 + the signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from steps.deploy.process import is_running

from .conftest import dag, python, task, workflow

RUNNER = Path(__file__).with_name("runner.py")
SLEEPER = (
    "import os,subprocess,sys,time; p=subprocess.Popen([sys.executable,'-c','import time; "
    "time.sleep(60)']); open(sys.argv[1],'a').write(f'{os.getpid()} {p.pid}\\n'); time.sleep(60)"
)


def pids_in(path: Path) -> list[int]:
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pids: list[int]) -> list[int]:
    return [pid for pid in pids if is_running(pid, None)]


def wait_for(check: object, timeout: float = 30) -> None:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def start(mode: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(RUNNER), mode, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_every_step_and_their_children(tmp_path: Path, sig: signal.Signals) -> None:
    pids = tmp_path / "pids"
    main = dag("main", [task("a", "slow"), task("b", "slow"), task("c", "slow", "a")])
    manifest = tmp_path / "wf.json"
    manifest.write_text(json.dumps(workflow([python("slow", SLEEPER, str(pids)), main])))
    proc = start("manifest", str(manifest))
    try:
        wait_for(lambda: len(pids_in(pids)) == 4)
        os.kill(proc.pid, sig)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + sig, err
    assert not alive(pids_in(pids))
    status = json.loads(out)
    reason = f"interrupted ({sig.name})"
    assert status["phase"] == "Failed" and status["message"] == reason
    nodes = {n["displayName"]: n for n in status["nodes"].values()}
    assert nodes["a"]["phase"] == nodes["b"]["phase"] == "Failed"
    assert nodes["a"]["message"] == reason and nodes["wf"]["message"] == reason
    assert "c" not in nodes  # nothing starts once stopping


def test_an_error_in_the_executor_still_stops_every_step(tmp_path: Path) -> None:
    from pipelines.executor import Executor, ExecutorOptions, parse_workflow

    pids = tmp_path / "pids"
    main = dag("main", [task("a", "slow"), task("b", "slow")])
    manifest = workflow([python("slow", SLEEPER, str(pids)), main])
    aborted: list[str] = []

    def tick(status: object) -> None:
        if len(pids_in(pids)) == 4:
            raise RuntimeError("display broke")

    executor = Executor(
        parse_workflow(manifest),
        ExecutorOptions(workflow_name="wf"),
        on_tick=tick,
        on_abort=lambda status, reason: aborted.append(reason),
    )
    with pytest.raises(RuntimeError, match="display broke"):
        executor.run()
    assert not alive(pids_in(pids))
    assert aborted == ["the executor stopped unexpectedly"]
