"""A fake cluster (API server + simulated OME controller) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.ome.helpers import Cluster, running_cluster


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Cluster]:
    with running_cluster(monkeypatch, tmp_path / "work") as running:
        yield running
