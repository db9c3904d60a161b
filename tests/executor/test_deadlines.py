"""activeDeadlineSeconds on a step and on the workflow: the process group is killed."""

from __future__ import annotations

import time
from pathlib import Path

from .conftest import dag, nodes_by_path, python, run, task, workflow
from .test_interrupt import alive, pids_in

# Writes its pid and its child's pid to argv[1], then sleeps (the child too).
SLEEPER = (
    "import os,subprocess,sys,time; p=subprocess.Popen([sys.executable,'-c','import time; "
    "time.sleep(60)']); open(sys.argv[1],'a').write(f'{os.getpid()} {p.pid}\\n'); time.sleep(60)"
)


def test_a_step_past_its_deadline_is_killed_and_failed(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    slow = python("slow", SLEEPER, str(pids), activeDeadlineSeconds=1)
    started = time.monotonic()
    outcome = run(workflow([slow, dag("main", [task("s", "slow")])]))
    assert time.monotonic() - started < 10
    node = nodes_by_path(outcome)["s"]
    assert node["phase"] == "Failed"
    assert node["message"] == "Pod was active on the node longer than the specified deadline"
    assert not alive(pids_in(pids)), "the step's own child must die with it"


def test_the_workflow_deadline_stops_everything(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    slow = python("slow", SLEEPER, str(pids))
    after = python("after", "pass")
    main = dag("main", [task("s", "slow"), task("t", "slow"), task("u", "after", "s")])
    outcome = run(workflow([slow, after, main], activeDeadlineSeconds=1))
    nodes = nodes_by_path(outcome)
    assert outcome.status.phase == "Failed"
    assert outcome.status.message == "Workflow exceeded its deadline (1s)"
    assert nodes["s"]["phase"] == nodes["t"]["phase"] == "Failed"
    assert "u" not in nodes  # never started
    assert not alive(pids_in(pids))
