"""The Deployer contract, run against every backend (see conftest's ``deployer_case``)."""

from __future__ import annotations

import time
import urllib.request

import pytest

from steps.errors import Infeasible
from steps.records import DeployRecord

from .conftest import DeployerCase


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return int(response.status)


def test_deploy_ready_serve_teardown(deployer_case: DeployerCase) -> None:
    deployer = deployer_case.make()
    record = deployer.deploy(0, deployer_case.good_flags)
    ready = deployer.wait_ready(record, deployer_case.ready_timeout_s)
    assert ready.endpoint and ready.ready_at is not None and ready.ready_s is not None
    assert _get(f"{ready.endpoint}/health") == 200
    expected = deployer_case.expect_argv
    assert any(
        ready.command[i : i + len(expected)] == expected for i in range(len(ready.command))
    ), f"{expected} not in {ready.command}"
    deployer.teardown(ready)
    assert deployer_case.leftovers(ready) == []


def test_teardown_is_idempotent_and_works_from_a_fresh_process_view(
    deployer_case: DeployerCase,
) -> None:
    record = deployer_case.make().deploy(1, deployer_case.good_flags)
    # later steps see only the stored record, through a new deployer instance
    stored = DeployRecord.model_validate_json(record.model_dump_json())
    other = deployer_case.make()
    other.wait_ready(stored, deployer_case.ready_timeout_s)
    other.teardown(stored)
    other.teardown(stored)
    assert deployer_case.leftovers(stored) == []


def test_engine_that_exits_at_start_is_infeasible_with_its_log(
    deployer_case: DeployerCase,
) -> None:
    deployer = deployer_case.make()
    started = time.monotonic()
    with pytest.raises(Infeasible) as caught:
        record = deployer.deploy(2, deployer_case.crash_flags)
        deployer.wait_ready(record, deployer_case.ready_timeout_s)
    assert time.monotonic() - started < deployer_case.ready_timeout_s / 2, "fails fast"
    assert deployer_case.crash_reason in caught.value.reason
    assert caught.value.exit_code == 3


def test_not_ready_in_time_is_infeasible_and_names_the_timeout(
    deployer_case: DeployerCase,
) -> None:
    deployer = deployer_case.make()
    record = deployer.deploy(3, deployer_case.good_flags)
    try:
        with pytest.raises(Infeasible) as caught:
            deployer.wait_ready(record, 0.001)
        assert "ready_timeout_s" in caught.value.reason
    finally:
        deployer.teardown(record)
    assert deployer_case.leftovers(record) == []


def test_logs_are_available(deployer_case: DeployerCase) -> None:
    deployer = deployer_case.make()
    record = deployer.deploy(4, deployer_case.good_flags)
    try:
        deployer.wait_ready(record, deployer_case.ready_timeout_s)
        assert deployer.logs(record).strip()
    finally:
        deployer.teardown(record)
