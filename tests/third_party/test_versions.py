"""third_party/versions.env is the one list of pins: it agrees with pyproject.toml, the
Argo CRDs the compiler validates against, the task's default image, and itself."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import kubernetes_validate.utils
import pytest
import yaml

from pipelines import schema_check
from steps.cluster_manifests import VERSIONS_FILE, read_versions
from steps.spec.model import PipelineSpec

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
PINS = read_versions()
REQUIRED = {
    "HERA_VERSION", "GENAI_BENCH_VERSION", "ARGO_WORKFLOWS_VERSION", "OME_CHART_VERSION",
    "CERT_MANAGER_VERSION", "KEDA_CHART_VERSION", "PROMETHEUS_OPERATOR_VERSION",
    "NVIDIA_DEVICE_PLUGIN_VERSION", "SGLANG_IMAGE", "MINIO_IMAGE", "MC_IMAGE",
    "PYTHON_BASE_IMAGE", "STEPS_IMAGE", "KUBERNETES_VERSION", "KIND_VERSION",
    "KIND_NODE_IMAGE", "K3S_IMAGE",
}  # fmt: skip


def test_every_pin_is_there_and_exact():
    assert set(PINS) >= REQUIRED
    for key, value in PINS.items():
        assert value and value == value.strip() and not re.search(r"[\s'\"$`]", value), key
        assert "latest" not in value, key
        if key.endswith("_IMAGE"):
            assert re.match(r"^[\w./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?$", value), key


def test_python_pins_match_pyproject():
    dependencies = PYPROJECT["project"]["dependencies"]
    assert f"hera=={PINS['HERA_VERSION']}" in dependencies
    bench = PYPROJECT["project"]["optional-dependencies"]["bench"]
    assert f"genai-bench=={PINS['GENAI_BENCH_VERSION']}" in bench


def test_argo_pin_is_the_version_of_the_crds_the_compiler_checks():
    assert PINS["ARGO_WORKFLOWS_VERSION"] == schema_check.ARGO_VERSION


def test_steps_image_is_the_default_tasks_run():
    assert PipelineSpec().image == PINS["STEPS_IMAGE"]
    assert PINS["STEPS_IMAGE"].endswith(":" + PYPROJECT["project"]["version"])


def test_local_cluster_images_run_the_pinned_kubernetes():
    major_minor = ".".join(PINS["KUBERNETES_VERSION"].split(".")[:2])
    assert PINS["KIND_NODE_IMAGE"].startswith(f"kindest/node:v{PINS['KUBERNETES_VERSION']}@")
    assert PINS["K3S_IMAGE"].startswith(f"rancher/k3s:v{major_minor}.")
    # ...and the strict validator has schemas for that version (no silent fallback).
    served = kubernetes_validate.utils.all_versions()  # like "1.34.0"
    assert any(version.startswith(major_minor + ".") for version in served)


def test_sglang_image_is_the_one_the_shared_ome_samples_run(shared_dir):
    runtimes = sorted((shared_dir / "ome-samples").glob("runtimes__*.yaml"))
    assert runtimes
    for path in runtimes:
        runtime = yaml.safe_load(path.read_text())
        assert runtime["spec"]["engineConfig"]["runner"]["image"] == PINS["SGLANG_IMAGE"]


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_shell_and_python_read_the_same_value(key):
    done = subprocess.run(
        ["bash", "-c", f'set -eu; . "{VERSIONS_FILE}"; printf %s "${key}"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == PINS[key]
