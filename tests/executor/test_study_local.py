"""The compiled study manifest on the executor, with a stand-in for the step programs:
the chain order of the slots, infeasible trials, the status record in the store,
interruption (engines torn down, resumable), resume and slot retry."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from pipelines.executor.store_sink import log_key, read_status, status_key
from pipelines.executor.study import LocalStudy
from steps.cli import main as cli
from steps.errors import TaskError
from steps.spec import load_task
from steps.store import LocalStore

from .conftest import FAKE_STEP, NODE_FIELDS, NODE_PHASES, NODE_TYPES
from .test_interrupt import alive, start, wait_for

TASK: dict[str, Any] = {
    "name": "fake",
    "model": {"name": "m", "path": "/nonexistent/model.gguf"},
    "engine": {"kind": "llama.cpp"},
    "search": {
        "trials": 3,
        "parallelism": 2,
        "parameters": {"parallel": {"type": "int", "values": [1, 4]}},
    },
    "benchmark": {"scenarios": ["D(64,32)"], "concurrency": [4]},
}


def study(tmp_path: Path, **search: Any) -> LocalStudy:
    task_file = tmp_path / "task.yaml"
    task_file.write_text(yaml.safe_dump({**TASK, "search": {**TASK["search"], **search}}))
    local = LocalStudy.prepare(load_task(task_file), LocalStore(tmp_path / "store"))
    local.aliases = {"autotune": [sys.executable, str(FAKE_STEP)]}
    return local


def calls(fake_dir: Path) -> list[dict[str, Any]]:
    path = fake_dir / "calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def ends(fake_dir: Path) -> dict[str, float]:
    lines = (fake_dir / "ends.jsonl").read_text().splitlines()
    return {row["key"]: row["end"] for row in map(json.loads, lines)}


def plan(fake_dir: Path, **entries: Any) -> None:
    (fake_dir / "plan.json").write_text(json.dumps(entries))


def test_slots_run_in_p_chains_and_the_record_is_in_the_store(
    tmp_path: Path, fake_dir: Path
) -> None:
    local = study(tmp_path)
    outcome = local.executor(keep=[]).run()
    assert outcome.succeeded
    started = {c["key"]: c["start"] for c in calls(fake_dir)}
    ended = ends(fake_dir)
    assert min(started.values()) == started["init"]
    assert started["slot-2.suggest"] >= ended["slot-0.teardown"]  # slot k waits for slot k-P
    assert started["slot-1.suggest"] < ended["slot-0.teardown"]  # P = 2 chains side by side
    assert started["report"] >= max(ended[f"slot-{k}.teardown"] for k in range(3))
    first = next(c for c in calls(fake_dir) if c["key"] == "slot-1.benchmark")
    store_uri = local.store.uri
    assert first["argv"] == [
        "step",
        "benchmark",
        "--store",
        store_uri,
        "--study",
        "fake",
        "--slot",
        "1",
    ]

    record = read_status(local.store, "fake")
    assert record is not None and record == json.loads(local.store.read_text(status_key("fake")))
    assert status_key("fake") == "studies/fake/workflow/status.json"
    assert record["phase"] == "Succeeded" and record["name"] == "fake"
    for node in record["nodes"].values():
        assert set(node) <= NODE_FIELDS and node["phase"] in NODE_PHASES
        assert node["type"] in NODE_TYPES
    names = {n["name"] for n in record["nodes"].values()}
    assert {
        "fake.slot-1",
        "fake.slot-1.benchmark",
        "fake.slot-1.benchmark(0)",
        "fake.report",
    } <= names
    log = local.store.read_text(log_key("fake", "fake", "fake.slot-1.benchmark(0)"))
    assert "fake slot-1.benchmark attempt 0: exit 0" in log


def test_an_infeasible_step_ends_its_slot_but_not_the_study(tmp_path: Path, fake_dir: Path) -> None:
    plan(fake_dir, **{"slot-1.wait-ready": {"codes": [3]}})
    outcome = study(tmp_path).executor(keep=[]).run()
    status = outcome.status
    phase = {n.name.removeprefix("fake."): n.phase for n in status.nodes.values()}
    assert phase["slot-1.wait-ready"] == "Failed"
    assert phase["slot-1.benchmark"] == phase["slot-1.score"] == "Omitted"
    assert phase["slot-1.teardown"] == "Succeeded"
    assert phase["slot-1"] == "Succeeded"  # the trial was decided, not broken
    assert outcome.succeeded and phase["report"] == "Succeeded"
    keys = [c["key"] for c in calls(fake_dir)]
    assert keys.count("slot-1.wait-ready") == 1  # exit 3 is never retried


def test_interrupted_study_tears_down_engines_and_resumes(tmp_path: Path, fake_dir: Path) -> None:
    local = study(tmp_path)
    task_file, store_root = str(tmp_path / "task.yaml"), str(tmp_path / "store")
    # slot 0 completes; slots 1 and 2 hang in their benchmark
    plan(fake_dir, **{"slot-1.benchmark": {"sleep": 60}, "slot-2.benchmark": {"sleep": 60}})
    proc = start("study", task_file, store_root)
    try:
        wait_for(
            lambda: {"slot-1.benchmark", "slot-2.benchmark"} <= {c["key"] for c in calls(fake_dir)}
        )
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    status = json.loads(out)
    assert status["phase"] == "Failed" and status["message"] == "interrupted (SIGINT)"
    teardowns = [c for c in calls(fake_dir) if "--interrupted" in c["argv"]]
    assert sorted(c["key"] for c in teardowns) == ["slot-1.teardown", "slot-2.teardown"]
    assert not alive([c["pid"] for c in calls(fake_dir)])

    plan(fake_dir)  # nothing hangs any more
    before = len(calls(fake_dir))
    proc = start("study", task_file, store_root)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    rerun = [c["key"] for c in calls(fake_dir)[before:]]
    assert not [k for k in rerun if k.startswith("slot-0.")], "a finished slot was rerun"
    assert "slot-1.suggest" in rerun and "slot-2.benchmark" in rerun and rerun[-1] == "report"
    final = json.loads(out)
    assert final["phase"] == "Succeeded"
    kept = {n["name"]: n for n in final["nodes"].values()}["fake.slot-0"]
    assert kept["phase"] == "Succeeded"
    assert kept == {n["name"]: n for n in status["nodes"].values()}["fake.slot-0"]
    assert read_status(local.store, "fake")["phase"] == "Succeeded"  # type: ignore[index]


def test_retry_reruns_one_slot_and_the_report(tmp_path: Path, fake_dir: Path) -> None:
    local = study(tmp_path)
    first = local.executor(keep=[]).run().status.to_dict()
    before = len(calls(fake_dir))
    keep = local.retry_keep(1)
    local.forget_slot(1)
    assert not local.store.exists(local.layout.result(1))
    second = local.executor(keep=keep).run()
    rerun = sorted({c["key"].split(".")[0] for c in calls(fake_dir)[before:]})
    assert rerun == ["report", "slot-1"]
    assert second.succeeded and local.store.exists(local.layout.result(1))
    nodes = {n["name"]: n for n in second.status.to_dict()["nodes"].values()}
    old = {n["name"]: n for n in first["nodes"].values()}
    assert nodes["fake.slot-0"] == old["fake.slot-0"] and nodes["fake.init"] == old["fake.init"]
    assert set(nodes) == set(old)
    with pytest.raises(TaskError, match=r"has slots 0\.\.2"):
        local.check_slot(3)


def test_status_command_prints_the_node_table(tmp_path: Path, fake_dir: Path) -> None:
    plan(fake_dir, **{"slot-2.deploy": {"codes": [3]}})
    study(tmp_path).executor(keep=[]).run()
    store = str(tmp_path / "store")
    result = CliRunner().invoke(cli, ["status", "fake", "--store", store], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = [line.strip("│ ") for line in result.output.splitlines()]
    names = [line.split()[0] for line in lines if line.split() and line[0].isalnum()]
    slot2 = names[names.index("slot-2") + 1 :][:12]
    assert slot2[:5] == ["suggest", "suggest(0)", "deploy", "deploy(0)", "wait-ready"]
    assert any(ln.startswith("deploy ") and "Failed" in ln and "expression" in ln for ln in lines)
    assert any(ln.startswith("benchmark ") and "Omitted" in ln for ln in lines)
    missing = CliRunner().invoke(cli, ["status", "nope", "--store", str(tmp_path / "store")])
    assert missing.exit_code == 2 and "autotune run" in missing.output


def test_kept_slots_are_not_taken_over_when_init_fails(tmp_path: Path, fake_dir: Path) -> None:
    local = study(tmp_path)
    assert local.executor(keep=[]).run().succeeded
    keep = local.resume_keep()
    assert {n["displayName"] for n in keep if n["type"] == "DAG"} == {"slot-0", "slot-1", "slot-2"}
    plan(fake_dir, init={"codes": [2]})
    outcome = local.executor(keep=keep).run()
    phases = {n.display_name: n.phase for n in outcome.status.nodes.values() if n.type != "Pod"}
    assert phases["init"] == "Failed"
    assert all(phases[f"slot-{k}"] == "Omitted" for k in range(3))
    assert phases["report"] == "Omitted" and outcome.status.phase == "Failed"


def test_nothing_is_kept_for_a_different_task_under_the_same_id(
    tmp_path: Path, fake_dir: Path
) -> None:
    local = study(tmp_path)
    # what the real init step does: the task goes into the store
    local.store.write_text(local.layout.task, (tmp_path / "task.yaml").read_text())
    assert local.executor(keep=[]).run().succeeded
    assert local.resume_keep()
    changed = study(tmp_path, trials=4)
    assert changed.resume_keep() == []
