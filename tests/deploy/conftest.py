"""One ``DeployerCase`` per deployer; the contract suite runs against each of them.

``local``: llama-server on the demo model (needs ``make setup``). ``ome``: an
InferenceService on the project's fake Kubernetes API with the simulated OME
controller (needs ../shared for the OME CRDs and runtimes); its engine is a tiny HTTP
server that answers /health, reached through a real port-forward stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from steps.deploy import Deployer, get_deployer
from steps.deploy.process import group_members
from steps.records import DeployRecord, Scalar
from steps.spec import Task, task_from_dict


@dataclass
class DeployerCase:
    """How the contract suite drives one backend."""

    make: Callable[[], Deployer]
    good_flags: Mapping[str, Scalar]
    crash_flags: Mapping[str, Scalar]
    leftovers: Callable[[DeployRecord], list[str]]
    ready_timeout_s: float = 60.0
    # tokens the deployed command holds, in this order, for good_flags
    expect_argv: list[str] = field(default_factory=lambda: ["--parallel", "2"])
    # what the infeasible reason of crash_flags names (the engine's own complaint)
    crash_reason: str = "definitely-not-a-flag"


def local_task(model: Path) -> Task:
    return task_from_dict(
        {
            "name": "deploy-contract",
            "model": {
                "name": "tiny-llama",
                "path": str(model / "model.gguf"),
                "tokenizer": str(model),
            },
            "engine": {"kind": "llama.cpp"},
            "search": {"parameters": {"parallel": {"type": "int", "low": 1, "high": 4}}},
            "benchmark": {"scenarios": ["D(16,8)"], "concurrency": [1]},
        }
    )


def _local_leftovers(record: DeployRecord) -> list[str]:
    pgid = int(record.handle["pgid"])
    return [f"pid {pid}" for pid in group_members(pgid)]


def _local_case(request: pytest.FixtureRequest) -> Iterator[DeployerCase]:
    request.getfixturevalue("llama_server")
    request.getfixturevalue("workdir")
    task = local_task(request.getfixturevalue("demo_model"))
    started: list[DeployRecord] = []

    def make() -> Deployer:
        deployer = get_deployer(task, "contract")
        original = deployer.deploy

        def tracking_deploy(slot: int, flags: Mapping[str, Scalar]) -> DeployRecord:
            record = original(slot, flags)
            started.append(record)
            return record

        deployer.deploy = tracking_deploy  # type: ignore[method-assign]
        return deployer

    yield DeployerCase(
        make=make,
        good_flags={"parallel": 2, "ctx-size": 2048},
        # llama-server rejects an unknown flag and exits at once
        crash_flags={"definitely-not-a-flag": True},
        leftovers=_local_leftovers,
    )
    # whatever a failing test left behind is still torn down
    for record in started:
        get_deployer(task, "contract").teardown(record)


def _ome_case(request: pytest.FixtureRequest) -> Iterator[DeployerCase]:
    from tests.deploy.ome.helpers import running_cluster

    monkeypatch = request.getfixturevalue("monkeypatch")
    workdir = request.getfixturevalue("tmp_path") / "work"
    with running_cluster(monkeypatch, workdir) as cluster:
        yield DeployerCase(
            make=lambda: cluster.deployer(study="contract"),
            good_flags={"max-running-requests": 16, "mem-fraction-static": 0.8},
            # the simulated SGLang exits with argparse's complaint: CrashLoopBackOff
            crash_flags={"definitely-not-a-flag": True},
            leftovers=cluster.leftovers,
            ready_timeout_s=30.0,
            expect_argv=["--max-running-requests", "16"],
        )


@pytest.fixture(params=[pytest.param("local", marks=pytest.mark.engine), "ome"])
def deployer_case(request: pytest.FixtureRequest) -> Iterator[DeployerCase]:
    yield from (_local_case if request.param == "local" else _ome_case)(request)
