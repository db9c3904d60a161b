"""Fixtures shared by every test folder: the repo, ../shared, the engine and demo model."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO_MODEL = REPO / "examples" / "models" / "tiny-llama"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "DESIGN.md").exists():
        pytest.skip(f"../shared is not beside the checkout (looked at {SHARED})")
    return SHARED


@pytest.fixture(scope="session")
def llama_server() -> str:
    from steps.engines.llamacpp import find_llama_server
    from steps.errors import TaskError

    try:
        return find_llama_server()
    except TaskError:
        pytest.skip("llama-server is not built (run `make setup`)")


@pytest.fixture(scope="session")
def demo_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo model folder (model.gguf + tokenizer); made by `make setup`, else generated."""
    if (DEMO_MODEL / "model.gguf").exists():
        return DEMO_MODEL
    if importlib.util.find_spec("gguf") is None:
        pytest.skip("the demo model needs the gguf package (pip install -e '.[demo]')")
    from steps.demo_model import generate_demo_model

    return generate_demo_model(tmp_path_factory.mktemp("model") / "tiny-llama", seed=0)


@pytest.fixture(scope="session")
def genai_bench() -> str:
    import shutil

    found = shutil.which("genai-bench") or str(Path(os.sys.executable).parent / "genai-bench")
    if not os.access(found, os.X_OK):
        pytest.skip("genai-bench is not installed (pip install -e '.[bench]')")
    return found


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Engine logs of local deployments go here instead of the user's cache."""
    path = tmp_path / "work"
    monkeypatch.setenv("AUTOTUNE_WORKDIR", str(path))
    return path
