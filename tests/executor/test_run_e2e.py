"""``autotune run`` / ``retry`` / ``status`` end to end: real llama-server, real genai-bench,
the compiled manifest on the local executor."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pipelines.executor.status import parse_timestamp
from pipelines.executor.store_sink import read_status
from steps.deploy.process import is_running
from steps.records import TrialParams, TrialResult
from steps.store import Layout, LocalStore
from tests.e2e.test_study_steps import ONE_REFUSED_OF_TWO, engine_pids, write_task

pytestmark = [pytest.mark.engine, pytest.mark.genai_bench, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def autotune(*args: str) -> list[str]:
    return [sys.executable, "-m", "steps", *args]


def run(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        autotune(*args), capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def live_engines(store: LocalStore, study: str, slots: int) -> list[int]:
    return [
        p for p, start in engine_pids(store, Layout(study), range(slots)) if is_running(p, start)
    ]


def wait_for(check: Any, timeout: float, proc: subprocess.Popen[str]) -> None:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if check():
            return
        assert proc.poll() is None, f"autotune run ended early: {proc.communicate()}"
        time.sleep(0.5)
    raise AssertionError("timed out")


def test_three_slots_two_at_a_time(
    tmp_path: Path, demo_model: Path, llama_server: str, genai_bench: str, workdir: Path
) -> None:
    task = write_task(
        tmp_path / "task.yaml", demo_model, name="exec-e2e", search={"parallelism": 2}
    )
    store = LocalStore(tmp_path / "store")
    done = run("run", str(task), "--store", str(store.root), "--progress", "plain")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "workflow exec-e2e: Succeeded" in done.stdout
    assert "3 complete, 0 infeasible" in done.stdout  # the report's summary
    assert "slots 3/3 done" in done.stdout
    layout = Layout("exec-e2e")
    results = [store.read_model(layout.result(k), TrialResult) for k in range(3)]
    assert [r.state for r in results] == ["complete"] * 3, [r.reason for r in results]
    assert store.exists(layout.report("best.json"))
    assert not live_engines(store, "exec-e2e", 3)

    status = read_status(store, "exec-e2e")
    assert status is not None and status["phase"] == "Succeeded"
    nodes = {n["name"]: n for n in status["nodes"].values()}
    # two chains: slot 2 starts once slot 0 has ended, while slot 1 may still run
    slot = {k: nodes[f"exec-e2e.slot-{k}"] for k in range(3)}
    assert slot[2]["startedAt"] >= slot[0]["finishedAt"]
    assert slot[1]["startedAt"] < slot[0]["finishedAt"]

    # orchestration overhead: slot wall time beyond engine start-up and benchmark
    overhead = {}
    for k, result in enumerate(results):
        wall = parse_timestamp(slot[k]["finishedAt"]) - parse_timestamp(slot[k]["startedAt"])  # type: ignore[operator]
        busy = result.timings["engine_start_s"] + result.timings["benchmark_s"]
        overhead[k] = {
            "slot_wall_s": wall,
            "engine_and_benchmark_s": busy,
            "overhead_s": wall - busy,
        }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "executor-overhead.json").write_text(json.dumps(overhead, indent=2))
    assert all(o["overhead_s"] < 30 for o in overhead.values()), overhead

    table = run("status", "exec-e2e", "--store", str(store.root))
    assert table.returncode == 0 and "benchmark" in table.stdout and "Succeeded" in table.stdout


def test_sigterm_tears_engines_down_and_run_resumes(
    tmp_path: Path, demo_model: Path, llama_server: str, genai_bench: str, workdir: Path
) -> None:
    task = write_task(
        tmp_path / "task.yaml", demo_model, name="exec-stop", search={"parallelism": 2}
    )
    store = LocalStore(tmp_path / "store")
    layout = Layout("exec-stop")
    command = autotune("run", str(task), "--store", str(store.root), "--progress", "plain")
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # stop once slot 0 is done and slot 2 has an engine: one slot kept, two to resume
        wait_for(
            lambda: store.exists(layout.result(0)) and store.exists(layout.deploy(2)), 600, proc
        )
        os.kill(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, out + err
    assert "Resume with `autotune run`" in err
    assert not live_engines(store, "exec-stop", 3), "an engine outlived the interrupted run"
    status = read_status(store, "exec-stop")
    assert status is not None and status["message"] == "interrupted (SIGTERM)"
    finished = {
        k: store.read_model(layout.params(k), TrialParams)
        for k in range(3)
        if store.exists(layout.result(k))
    }
    assert 0 in finished and 2 not in finished

    again = run("run", str(task), "--store", str(store.root), "--progress", "plain")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "resuming; kept from the last run: slot-0" in again.stdout
    for k, params in finished.items():
        assert store.read_model(layout.params(k), TrialParams) == params, f"slot {k} was rerun"
    results = [store.read_model(layout.result(k), TrialResult) for k in range(3)]
    assert [r.state for r in results] == ["complete"] * 3
    assert not live_engines(store, "exec-stop", 3)


def test_retry_reruns_a_slot_and_the_report_includes_it(
    tmp_path: Path, demo_model: Path, llama_server: str, genai_bench: str, workdir: Path
) -> None:
    task = write_task(
        tmp_path / "task.yaml",
        demo_model,
        name="exec-retry",
        search=ONE_REFUSED_OF_TWO,
    )
    store = LocalStore(tmp_path / "store")
    layout = Layout("exec-retry")
    first = run("run", str(task), "--store", str(store.root), "--progress", "none")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 complete, 1 infeasible" in first.stdout
    by_state = {store.read_model(layout.result(k), TrialResult).state: k for k in range(2)}
    good, bad = by_state["complete"], by_state["infeasible"]
    kept_before = {n["name"]: n for n in read_status(store, "exec-retry")["nodes"].values()}  # type: ignore[index]

    # a transient loss: the complete slot's result is corrupted; retry measures it again
    store.write_text(layout.result(good), "{not json")
    again = run(
        "retry", "exec-retry", "--slot", str(good), "--store", str(store.root), "--progress", "none"
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 complete, 1 infeasible" in again.stdout
    assert store.read_model(layout.result(good), TrialResult).state == "complete"
    nodes = {n["name"]: n for n in read_status(store, "exec-retry")["nodes"].values()}  # type: ignore[index]
    other = f"exec-retry.slot-{bad}"
    assert nodes[other] == kept_before[other], "the other slot must be kept, not rerun"
    assert nodes[f"exec-retry.slot-{good}"]["startedAt"] >= kept_before["exec-retry"]["finishedAt"]

    # the infeasible slot, retried with nothing changed, is infeasible again
    same = run(
        "retry", "exec-retry", "--slot", str(bad), "--store", str(store.root), "--progress", "none"
    )
    assert same.returncode == 0, same.stdout + same.stderr
    assert store.read_model(layout.result(bad), TrialResult).state == "infeasible"
    assert not live_engines(store, "exec-retry", 2)
