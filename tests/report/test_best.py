"""The best config: best.json, and a command line that launches it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from steps.records import DeployRecord
from steps.report import build_report
from steps.report.command import engine_argv
from steps.spec import task_from_dict
from steps.store.base import Layout
from tests.report.studies import STUDY, mixed_study, task_dict

LAYOUT = Layout(STUDY)


@pytest.fixture
def no_llama_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine where llama-server was never built: every lookup comes up empty."""
    monkeypatch.delenv("LLAMA_SERVER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("AUTOTUNE_CACHE", str(tmp_path / "no-cache"))


def test_best_command_launches_the_best_flags(tmp_path: Path, no_llama_server: None) -> None:
    store = mixed_study(tmp_path)
    build_report(store, STUDY)
    command = store.read_text(LAYOUT.report("best_command.txt")).strip()
    argv = shlex.split(command)
    # no llama-server here: the report names the plain binary instead of failing
    assert argv[0] == "llama-server"
    assert argv[argv.index("--parallel") + 1] == "8"
    assert argv[argv.index("--threads") + 1] == "2"
    assert argv[argv.index("--ubatch-size") + 1] == "512"
    assert argv[argv.index("--ctx-size") + 1] == "4096"  # fixed flags are part of the config
    assert argv[argv.index("--model") + 1] == "/models/tiny-llama/model.gguf"
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert argv[argv.index("--port") + 1] == "8080"

    best = json.loads(store.read_text(LAYOUT.report("best.json")))
    assert best["slot"] == 2 and best["kind"] == "sampled"
    assert best["params"] == {"parallel": 8, "threads": 2, "ubatch-size": 512}
    assert best["flags"] == {"ctx-size": 4096, "parallel": 8, "threads": 2, "ubatch-size": 512}
    assert best["values"] == [165.0]
    assert best["objectives"] == {"obj_output_throughput": 165.0}
    assert best["metrics"]["output_throughput"] == 165.0
    assert best["key_metrics"]["ttft_p90_ms"] == pytest.approx(900.0)
    assert best["command"] == argv
    assert best["pareto_front_slots"] == [2]


def test_a_built_llama_server_is_named_by_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_llama_server: None
) -> None:
    binary = tmp_path / "bin" / "llama-server"
    binary.parent.mkdir()
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("LLAMA_SERVER", str(binary))
    task = task_from_dict(task_dict())
    assert engine_argv(task, {"parallel": 2})[0] == str(binary)


def test_other_engines_get_their_own_command_line() -> None:
    data = task_dict()
    data["engine"] = {"kind": "sglang"}
    data["search"]["parameters"] = {"max-running-requests": {"type": "int", "low": 8, "high": 64}}
    data["search"]["fixed"] = {}
    task = task_from_dict(data)
    argv = engine_argv(task, {"max-running-requests": 32})
    assert argv[:3] == ["python3", "-m", "sglang.launch_server"]
    assert argv[argv.index("--max-running-requests") + 1] == "32"
    assert argv[argv.index("--model-path") + 1] == "/models/tiny-llama/model.gguf"


def test_deployed_manifest_of_the_best_is_kept_and_dropped_when_stale(tmp_path: Path) -> None:
    store = mixed_study(tmp_path)
    manifest = {"apiVersion": "ome.io/v1beta1", "kind": "InferenceService",
                "metadata": {"name": "llama-tune-2"}}  # fmt: skip
    deployed = DeployRecord(slot=2, backend="ome", manifest=manifest, endpoint="http://x:8080")
    store.write_model(LAYOUT.deploy(2), deployed)
    build_report(store, STUDY)
    assert yaml.safe_load(store.read_text(LAYOUT.report("best_manifest.yaml"))) == manifest
    best = json.loads(store.read_text(LAYOUT.report("best.json")))
    assert best["deployed"] == {"backend": "ome", "command": [], "endpoint": "http://x:8080"}

    store.delete(LAYOUT.deploy(2))
    build_report(store, STUDY)
    assert not store.exists(LAYOUT.report("best_manifest.yaml"))
