"""At most P steps at once: the workflow's parallelism, a DAG's, the executor's own cap.
Overlap is measured from the times the steps themselves write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import dag, max_overlap, run, span, spans, task, workflow

WIDTH = 5
SECONDS = 0.6


def fan_out(log: Path, **dag_extra: Any) -> list[dict[str, Any]]:
    tasks = [task(f"t{i}", "span", who=f"t{i}") for i in range(WIDTH)]
    return [span("span", log, SECONDS), dag("main", tasks, **dag_extra)]


def test_without_a_cap_independent_tasks_all_run_at_once(tmp_path: Path) -> None:
    log = tmp_path / "spans.jsonl"
    assert run(workflow(fan_out(log))).succeeded
    assert max_overlap(list(spans(log).values())) == WIDTH


def test_workflow_parallelism_caps_running_steps(tmp_path: Path) -> None:
    log = tmp_path / "spans.jsonl"
    outcome = run(workflow(fan_out(log), parallelism=2))
    assert outcome.succeeded and len(spans(log)) == WIDTH
    assert max_overlap(list(spans(log).values())) == 2


def test_dag_template_parallelism_caps_its_tasks(tmp_path: Path) -> None:
    log = tmp_path / "spans.jsonl"
    outcome = run(workflow(fan_out(log, parallelism=3)))
    assert outcome.succeeded
    assert max_overlap(list(spans(log).values())) == 3


def test_the_executor_cap_wins_when_it_is_lower(tmp_path: Path) -> None:
    log = tmp_path / "spans.jsonl"
    outcome = run(workflow(fan_out(log), parallelism=3), max_parallel=1)
    assert outcome.succeeded
    assert max_overlap(list(spans(log).values())) == 1
    # queued steps wait as Pending, then run: every node ends Succeeded
    assert all(n.phase == "Succeeded" for n in outcome.status.nodes.values())
