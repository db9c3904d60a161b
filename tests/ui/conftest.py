"""Fixtures of the UI tests: an isolated store and state folder, and real studies."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from steps.store import LocalStore
from tests.ui.helpers import env_for_runs, real_engine_task, task_dict, write_task

ARGO_ENV = ("ARGO_SERVER", "ARGO_NAMESPACE", "ARGO_TOKEN", "ARGO_UI_URL")


@dataclass
class UiEnv:
    store: LocalStore
    state: Path
    tmp: Path


@pytest.fixture
def ui_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UiEnv:
    """The app's store, its run-state folder and the engines' work folder, all in tmp."""
    store = LocalStore(tmp_path / "store")
    monkeypatch.setenv("AUTOTUNE_STORE", str(store.root))
    monkeypatch.setenv("AUTOTUNE_UI_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("AUTOTUNE_WORKDIR", str(tmp_path / "work"))
    for name in ARGO_ENV:
        monkeypatch.delenv(name, raising=False)
    return UiEnv(store, tmp_path / "state", tmp_path)


def run_study(tmp: Path, data: dict[str, Any], timeout: float) -> LocalStore:
    store = LocalStore(tmp / "store")
    task = write_task(tmp, data)
    subprocess.run(
        [sys.executable, "-m", "steps", "run", str(task), "--store", str(store.root),
         "--progress", "none"],
        env=env_for_runs(tmp), timeout=timeout, capture_output=True, check=False,
    )  # fmt: skip
    return store


@pytest.fixture(scope="session")
def failed_study(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalStore, str]]:
    """A real local study whose engine exits at once: every slot ends infeasible."""
    tmp = tmp_path_factory.mktemp("failed-study")
    yield run_study(tmp, task_dict(name="ui-failing"), timeout=300), "ui-failing"


@pytest.fixture(scope="session")
def real_study(
    tmp_path_factory: pytest.TempPathFactory, llama_server: str, demo_model: Path, genai_bench: str
) -> tuple[LocalStore, str]:
    """A real tiny study: llama-server on the demo model, benchmarked by genai-bench."""
    tmp = tmp_path_factory.mktemp("real-study")
    store = run_study(tmp, real_engine_task(demo_model, llama_server), timeout=600)
    return store, "ui-real"
