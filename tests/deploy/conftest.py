"""One ``DeployerCase`` per deployer; the contract suite runs against each of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
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


@pytest.fixture(params=["local"])
def deployer_case(
    request: pytest.FixtureRequest, llama_server: str, demo_model: Path, workdir: Path
) -> Iterator[DeployerCase]:
    task = local_task(demo_model)
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
