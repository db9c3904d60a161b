"""``autotune step deploy --dry-run --runtime FILE``: the manifest, with no cluster at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from steps.programs import init
from steps.records import DeployRecord, TrialParams
from steps.spec import task_from_dict
from steps.store import open_store
from steps.store.base import Layout
from tests.deploy.ome.helpers import TASK, Cluster
from tests.kube.fixtures import ome_crd, require_ome, runtime_file

pytestmark = pytest.mark.shared
STUDY = "dry"
# the step, in a process of its own; it also says whether the kubernetes client was imported
RUN = (
    "import sys; from steps.cli import main\n"
    "try:\n    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    print('kubernetes' in sys.modules, file=sys.stderr); raise\n"
)


@pytest.fixture(autouse=True)
def _needs_ome() -> None:
    require_ome()


def _autotune(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def _study(tmp_path: Path, task: dict[str, Any] | None = None) -> str:
    """A store holding the task and slot 0's params (what init and suggest would write)."""
    store = str(tmp_path / "store")
    init(open_store(store), STUDY, task_from_dict(task or TASK))
    params = TrialParams(slot=0, kind="sampled", params={"max-running-requests": 48, "tp-size": 2})
    open_store(store).write_model(Layout(STUDY).params(0), params)
    return store


def _dry_run(store: str, *extra: str, env: dict[str, str] | None = None) -> Any:
    return _autotune(
        "step", "deploy", "--store", store, "--study", STUDY, "--slot", "0", *extra, env=env
    )


def test_dry_run_prints_a_crd_valid_manifest_without_a_cluster(tmp_path: Path) -> None:
    store = _study(tmp_path)
    # a kubeconfig that points nowhere: any attempt to reach a cluster would fail
    env = {"KUBECONFIG": str(tmp_path / "missing"), "AUTOTUNE_KUBE_HOST": "http://127.0.0.1:9"}
    result = _dry_run(store, "--dry-run", "--runtime", str(runtime_file()), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "False", "the kubernetes client was not even imported"
    manifest = yaml.safe_load(result.stdout)
    assert ome_crd("inferenceservices").problems(manifest) == []
    command = manifest["spec"]["engine"]["runner"]["command"]
    assert command[command.index("--tp-size") + 1] == "2"
    assert command[command.index("--max-running-requests") + 1] == "48"
    assert manifest["spec"]["engine"]["runner"]["resources"]["limits"] == {"nvidia.com/gpu": 2}
    assert manifest["metadata"]["name"] == "dry-0"
    assert not open_store(store).exists(Layout(STUDY).deploy(0)), "a dry run records nothing"


def test_the_deploy_record_holds_what_dry_run_prints(tmp_path: Path, cluster: Cluster) -> None:
    store = _study(tmp_path)
    printed = yaml.safe_load(_dry_run(store, "--dry-run", "--runtime", str(runtime_file())).stdout)
    record = cluster.deployer(study=STUDY).deploy(0, {"max-running-requests": 48, "tp-size": 2})
    stored = DeployRecord.model_validate_json(record.model_dump_json())  # via the store
    assert stored.manifest == printed  # the report exports it as best_manifest.yaml


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runtime", "x.yaml"], "--dry-run and --runtime FILE go together"),
        (["--dry-run"], "--dry-run and --runtime FILE go together"),
    ],
)
def test_dry_run_options_go_together(tmp_path: Path, args: list[str], message: str) -> None:
    result = _dry_run(_study(tmp_path), *args)
    assert result.returncode == 2 and message in result.stderr


def test_a_runtime_file_without_the_runtime_is_bad_input(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    )
    result = _dry_run(_study(tmp_path), "--dry-run", "--runtime", str(other))
    assert result.returncode == 2
    assert (
        "holds 0 ClusterServingRuntime objects named 'srt-llama-3-2-1b-instruct'" in result.stderr
    )


def test_dry_run_needs_the_ome_backend(tmp_path: Path) -> None:
    local = {**TASK, "deploy": {"backend": "local"}}
    result = _dry_run(_study(tmp_path, local), "--dry-run", "--runtime", str(runtime_file()))
    assert result.returncode == 2 and "deploy.backend is 'local'; allowed: ome" in result.stderr
