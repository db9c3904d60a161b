"""The step programs with the ome backend: records through the store, as Argo runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from steps.errors import Infeasible
from steps.programs import StudyContext, init, step_deploy, step_teardown, step_wait_ready
from steps.records import DeployRecord, Scalar, TrialParams, TrialResult
from steps.store import open_store
from tests.deploy.ome.helpers import Cluster, forward_helpers, ome_task
from tests.kube.fixtures import ome_crd

pytestmark = pytest.mark.shared


def _context(tmp_path: Path, flags: dict[str, Scalar]) -> StudyContext:
    ctx = StudyContext(open_store(str(tmp_path / "store")), "prog")
    init(ctx.store, "prog", ome_task())
    ctx.store.write_model(ctx.layout.params(0), TrialParams(slot=0, kind="sampled", params=flags))
    return ctx


def test_deploy_wait_ready_teardown_through_the_store(cluster: Cluster, tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"max-running-requests": 32})
    step_deploy(ctx, 0)
    stored = ctx.store.read_model(ctx.layout.deploy(0), DeployRecord)
    assert stored.backend == "ome" and stored.manifest is not None
    assert ome_crd("inferenceservices").problems(stored.manifest) == []
    ready = step_wait_ready(ctx, 0)
    assert ready is not None and ready.endpoint
    stored = ctx.store.read_model(ctx.layout.deploy(0), DeployRecord)
    assert stored.endpoint == ready.endpoint and "forward" in stored.handle  # for teardown
    step_teardown(ctx, 0)  # a later process: only the store knows the deployment
    log = ctx.store.read_text(ctx.layout.engine_log(0))
    assert "ready to roll" in log and "Scheduled" in log
    assert cluster.leftovers(stored) == [] and forward_helpers("prog-0") == []


def test_a_crashing_candidate_is_recorded_infeasible_with_its_log(
    cluster: Cluster, tmp_path: Path
) -> None:
    ctx = _context(tmp_path, {"definitely-not-a-flag": True})
    step_deploy(ctx, 0)
    with pytest.raises(Infeasible):
        step_wait_ready(ctx, 0)
    result = ctx.store.read_model(ctx.layout.result(0), TrialResult)
    assert result.state == "infeasible" and result.decided_by == "wait-ready"
    assert result.reason is not None and "CrashLoopBackOff" in result.reason
    assert "unrecognized arguments" in ctx.store.read_text(ctx.layout.engine_log(0))
    step_teardown(ctx, 0)
    assert cluster.leftovers(ctx.store.read_model(ctx.layout.deploy(0), DeployRecord)) == []
