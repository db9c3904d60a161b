"""retryStrategy: transient exit codes are retried with backoff, decided ones are not."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from pipelines.retry import retry_expression

from .conftest import dag, nodes_by_path, python, run, task, workflow

# Exits with the codes in argv[2] (comma-separated), one per call, counting calls in argv[1].
SEQUENCE = (
    "import pathlib,sys,time; c=pathlib.Path(sys.argv[1]); n=int(c.read_text()) if c.exists() "
    "else 0; c.write_text(str(n+1)); open(str(c)+'.times','a').write(f'{time.time()}\\n'); "
    "codes=sys.argv[2].split(','); sys.exit(int(codes[min(n,len(codes)-1)]))"
)
COMPILED = {"limit": 2, "retryPolicy": "Always", "expression": retry_expression()}


def sequence(tmp_path: Path, codes: str, retry: dict[str, object]) -> tuple[dict, Path]:
    counter = tmp_path / "count"
    template = python("step", SEQUENCE, str(counter), codes, retryStrategy=retry)
    return workflow([template, dag("main", [task("s", "step")])]), counter


def test_a_transient_failure_is_retried_until_it_succeeds(tmp_path: Path) -> None:
    manifest, counter = sequence(tmp_path, "75,1,0", {**COMPILED, "backoff": {"duration": "0"}})
    outcome = run(manifest)
    nodes = nodes_by_path(outcome)
    assert outcome.succeeded and counter.read_text() == "3"
    retry = nodes["s"]
    assert retry["type"] == "Retry" and retry["phase"] == "Succeeded"
    attempts = [nodes[f"s({i})"] for i in range(3)]
    assert retry["children"] == [a["id"] for a in attempts]
    assert [a["phase"] for a in attempts] == ["Failed", "Failed", "Succeeded"]
    assert [a["outputs"]["exitCode"] for a in attempts] == ["75", "1", "0"]
    assert attempts[0]["displayName"] == "s(0)" and attempts[0]["type"] == "Pod"


def test_exit_codes_2_and_3_are_not_retried(tmp_path: Path) -> None:
    for code in ("2", "3"):
        folder = tmp_path / code
        folder.mkdir()
        manifest, counter = sequence(folder, f"{code},0", COMPILED)
        outcome = run(manifest)
        nodes = nodes_by_path(outcome)
        assert counter.read_text() == "1", f"exit code {code} was retried"
        assert nodes["s"]["phase"] == "Failed"
        assert nodes["s"]["message"] == "retryStrategy.expression evaluated to false"
        assert nodes["s(0)"]["message"] == f"Error (exit code {code})"
        assert not outcome.succeeded


def test_the_limit_ends_retries(tmp_path: Path) -> None:
    manifest, counter = sequence(tmp_path, "1", {"limit": 2})
    outcome = run(manifest)
    assert counter.read_text() == "3"  # the first attempt and 2 retries
    assert nodes_by_path(outcome)["s"]["message"] == "No more retries left"


def test_backoff_waits_grow_by_the_factor(tmp_path: Path) -> None:
    retry = {"limit": 2, "backoff": {"duration": "0.3s", "factor": 2}}
    manifest, counter = sequence(tmp_path, "1,1,0", retry)
    assert run(manifest).succeeded
    starts = [float(t) for t in Path(str(counter) + ".times").read_text().split()]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert 0.3 <= gaps[0] < 0.3 + 0.5 and 0.6 <= gaps[1] < 0.6 + 0.5, gaps


def test_max_duration_stops_a_backoff_that_would_run_past_it(tmp_path: Path) -> None:
    retry = {"limit": 5, "backoff": {"duration": "2s", "maxDuration": "1s"}}
    manifest, counter = sequence(tmp_path, "1", retry)
    outcome = run(manifest)
    assert counter.read_text() == "1"
    assert nodes_by_path(outcome)["s"]["message"] == "Backoff would exceed max duration limit"


def test_retry_policy_on_error_does_not_retry_a_failed_step(tmp_path: Path) -> None:
    manifest, counter = sequence(tmp_path, "1,0", {"limit": 3, "retryPolicy": "OnError"})
    outcome = run(manifest)
    assert counter.read_text() == "1" and not outcome.succeeded


def test_a_program_that_cannot_start_is_an_error(tmp_path: Path) -> None:
    template = {"name": "missing", "container": {"image": "x", "command": [str(tmp_path / "nope")]}}
    outcome = run(workflow([template, dag("main", [task("m", "missing")])]))
    node = nodes_by_path(outcome)["m"]
    assert node["phase"] == "Error" and "failed to start" in node["message"]
    assert node["outputs"]["exitCode"] == "-1"
    assert json.dumps(outcome.status.to_dict())  # the record stays serialisable
