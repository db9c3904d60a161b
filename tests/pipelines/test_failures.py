"""What runs when a step fails: simulated with Argo's DAG rules over the compiled manifest."""

from __future__ import annotations

import pytest

from pipelines import naming
from pipelines.compile import compile_task

from .helpers import make_task, simulate

STEPS = naming.TRIAL_SEQUENCE


def _failing(*paths: str, phase: str = "Failed"):
    return lambda path: phase if path in paths else "Succeeded"


def test_everything_runs_and_teardown_comes_last_in_each_slot():
    phase, run = simulate(compile_task(make_task(search={"trials": 4, "parallelism": 2})))
    assert phase == "Succeeded"
    for k in range(4):
        slot_nodes = [p for p in run.order if p.startswith(f"slot-{k}.")]
        assert slot_nodes == [f"slot-{k}.{s}" for s in (*STEPS, "teardown")]
    assert run.order[0] == "init" and run.order[-1] == "report"


@pytest.mark.parametrize("failed_phase", ["Failed", "Errored"])
@pytest.mark.parametrize("step", STEPS)
def test_teardown_runs_whatever_step_failed(step: str, failed_phase: str):
    manifest = compile_task(make_task(search={"trials": 3, "parallelism": 1}))
    phase, run = simulate(manifest, _failing(f"slot-1.{step}", phase=failed_phase))
    assert run.phases[f"slot-1.{step}"] == failed_phase
    later = STEPS[STEPS.index(step) + 1 :]
    assert all(run.phases[f"slot-1.{s}"] == "Omitted" for s in later)
    assert run.phases["slot-1.teardown"] == "Succeeded"
    slot_nodes = [p for p in run.order if p.startswith("slot-1.")]
    assert slot_nodes[-1] == "slot-1.teardown"  # after every other step of the slot ended
    # The failure is the trial's result, not the study's: the chain and the report go on.
    assert run.phases["slot-1"] == "Succeeded"
    assert run.ran("slot-2.benchmark") and run.ran("report")
    assert phase == "Succeeded"


def test_a_failed_teardown_fails_its_slot_but_not_the_chain_or_the_report():
    manifest = compile_task(make_task(search={"trials": 3, "parallelism": 1}))
    phase, run = simulate(manifest, _failing("slot-0.teardown"))
    assert run.phases["slot-0"] == "Failed"
    assert run.ran("slot-1.suggest") and run.ran("report")
    assert phase == "Succeeded"


def test_every_slot_failing_still_reports():
    manifest = compile_task(make_task(search={"trials": 4, "parallelism": 2}))
    failing = {f"slot-{k}.wait-ready" for k in range(4)}
    phase, run = simulate(manifest, lambda path: "Failed" if path in failing else "Succeeded")
    assert all(run.phases[f"slot-{k}.teardown"] == "Succeeded" for k in range(4))
    assert run.phases["report"] == "Succeeded" and phase == "Succeeded"


def test_a_failed_report_fails_the_study():
    phase, _ = simulate(compile_task(make_task()), _failing("report"))
    assert phase == "Failed"


def test_a_failed_init_runs_nothing_and_fails_the_study():
    manifest = compile_task(make_task(search={"trials": 3, "parallelism": 1}))
    phase, run = simulate(manifest, _failing("init"))
    assert [p for p in run.order if run.ran(p)] == ["init"]
    assert all(run.phases[f"slot-{k}"] == "Omitted" for k in range(3))
    assert run.phases["report"] == "Omitted"
    assert phase == "Failed"


def test_chained_studies_behave_the_same():
    trials = 210
    manifest = compile_task(make_task(search={"trials": trials, "parallelism": 1}))
    phase, run = simulate(manifest, _failing("chain-0-0.slot-199.deploy"))
    assert run.phases["chain-0-0.slot-199.teardown"] == "Succeeded"
    assert run.ran("chain-0-1.slot-200.suggest") and run.ran("report")
    finished = [p for p in run.order if p.endswith(".teardown")]
    assert finished == [f"chain-0-{k // 200}.slot-{k}.teardown" for k in range(trials)]
    assert phase == "Succeeded"
