"""A fake Argo server on a loopback port, a token only it accepts, and a compiled study."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pipelines.argo import ArgoClient, ArgoConnection
from pipelines.compile import compile_task
from pipelines.options import CompileOptions
from tests.argo.fake_server import FakeArgoServer
from tests.pipelines.helpers import make_task

# Distinctive, so a test can prove it never shows up in output, logs or errors.
TOKEN = "v2:argo-Fake-Token.NEVER-PRINTED-7f3k"
NAMESPACE = "tuning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # hera 7.1's generated service calls pydantic's deprecated .json(); not ours to fix.
    mark = pytest.mark.filterwarnings("ignore:The `json` method is deprecated")
    for item in items:
        if "tests/argo/" in str(item.fspath):
            item.add_marker(mark)


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ARGO_TOKEN", TOKEN)
    for name in ("ARGO_SERVER", "ARGO_NAMESPACE", "ARGO_INSECURE_SKIP_VERIFY"):
        monkeypatch.delenv(name, raising=False)
    return TOKEN


@pytest.fixture
def argo(token: str) -> Iterator[FakeArgoServer]:
    with FakeArgoServer(token=token) as server:
        yield server


@pytest.fixture
def connection(argo: FakeArgoServer) -> ArgoConnection:
    return ArgoConnection.create(argo.url, NAMESPACE)


@pytest.fixture
def client(connection: ArgoConnection) -> Iterator[ArgoClient]:
    with ArgoClient(connection) as client:
        yield client


def study_manifest(store: str = "s3://inference-autotuner", **sections: Any) -> dict[str, Any]:
    """A compiled cluster-mode study (task ``demo``: 5 slots, parallelism 2)."""
    task = make_task(cluster={"namespace": NAMESPACE}, **sections)
    return compile_task(task, CompileOptions(store=store, mode="cluster"))
