"""spec.onExit runs after the workflow, whatever happened, and sees its outcome."""

from __future__ import annotations

from pathlib import Path

from .conftest import dag, nodes_by_path, python, run, task, workflow

WRITE = "import sys; open(sys.argv[1],'w').write(sys.argv[2])"


def handler(tmp_path: Path) -> dict:
    return python("exit", WRITE, str(tmp_path / "seen"), "{{workflow.status}}")


def test_the_exit_handler_runs_after_a_failure_and_sees_it(tmp_path: Path) -> None:
    main = dag("main", [task("a", "boom")])
    manifest = workflow(
        [python("boom", "raise SystemExit(1)"), handler(tmp_path), main], onExit="exit"
    )
    outcome = run(manifest)
    assert (tmp_path / "seen").read_text() == "Failed"
    node = nodes_by_path(outcome)
    assert outcome.status.to_dict()["nodes"]
    exit_node = outcome.status.by_name("wf.onExit")
    assert exit_node is not None and exit_node.phase == "Succeeded"
    assert exit_node.display_name == "wf.onExit"
    assert outcome.status.phase == "Failed"
    assert node["a"]["phase"] == "Failed"


def test_a_failing_exit_handler_fails_a_successful_workflow(tmp_path: Path) -> None:
    main = dag("main", [task("a", "ok")])
    manifest = workflow(
        [python("ok", "pass"), python("exit", "raise SystemExit(4)"), main], onExit="exit"
    )
    outcome = run(manifest)
    assert outcome.status.phase == "Failed"
    assert outcome.status.message.startswith("exit handler Failed")


def test_the_exit_handler_sees_success(tmp_path: Path) -> None:
    main = dag("main", [task("a", "ok")])
    outcome = run(workflow([python("ok", "pass"), handler(tmp_path), main], onExit="exit"))
    assert outcome.succeeded and (tmp_path / "seen").read_text() == "Succeeded"
