"""cluster-check.sh against a fake kubectl: the report lines and the exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from steps.cluster_manifests import read_versions

from .fake_kubectl import install

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "third_party" / "cluster-check.sh"
BASH = shutil.which("bash") or "/bin/bash"
ARGO = read_versions()["ARGO_WORKFLOWS_VERSION"]
DEPLOYMENTS = [
    "argo/workflow-controller", "cert-manager/cert-manager", "cert-manager/cert-manager-webhook",
    "cert-manager/cert-manager-cainjector", "keda/keda-operator", "ome/ome-controller-manager",
    "argo/minio",
]  # fmt: skip
CRDS = [
    "workflows.argoproj.io", "workflowtemplates.argoproj.io", "cronworkflows.argoproj.io",
    "workflowtaskresults.argoproj.io", "certificates.cert-manager.io", "issuers.cert-manager.io",
    "scaledobjects.keda.sh", "inferenceservices.ome.io", "clusterservingruntimes.ome.io",
    "clusterbasemodels.ome.io", "podmonitors.monitoring.coreos.com",
]  # fmt: skip
IN_NAMESPACE = [
    "serviceaccount/inference-autotuner", "role/inference-autotuner",
    "rolebinding/inference-autotuner", "configmap/inference-autotuner-semaphore",
    "configmap/artifact-repositories", "service/minio", "secret/inference-autotuner-s3",
]  # fmt: skip
GRANTS = [
    "create inferenceservices.ome.io", "get clusterservingruntimes.ome.io", "get pods/log",
    "create workflowtaskresults.argoproj.io",
]  # fmt: skip


def healthy() -> dict[str, Any]:
    """A cluster where everything cluster-up installs is there and working."""
    objects = [f"crd//{crd}" for crd in CRDS]
    objects += [f"deployment/{d}" for d in DEPLOYMENTS]
    objects += [f"{kind}/autotuner/{name}" for kind, name in (o.split("/") for o in IN_NAMESPACE)]
    objects += ["namespace//autotuner", "certificate/ome/serving-cert",
                "job/argo/inference-autotuner-bucket"]  # fmt: skip
    return {
        "reachable": True,
        "context": "kind-inference-autotuner",
        "objects": objects,
        "available": {d: "1" for d in DEPLOYMENTS},
        "images": {"argo/workflow-controller": f"quay.io/argoproj/workflow-controller:{ARGO}"},
        "args": {"argo/workflow-controller": []},
        "ready": {"ome/serving-cert": "True"},
        "succeeded": {"argo/inference-autotuner-bucket": "1"},
        "can_i": list(GRANTS),
        "gpus": ["1", "0"],
    }


@dataclass
class Report:
    code: int
    lines: list[str]
    calls: list[list[str]]

    def status(self, what: str) -> str:
        """``ok``/``missing``/``warn`` of the one line that starts with ``what``."""
        found = [line.split()[0] for line in self.lines if line[9:].startswith(what)]
        assert len(found) == 1, (what, self.lines)
        return found[0]

    def fix_after(self, what: str) -> str:
        index = next(i for i, line in enumerate(self.lines) if line[9:].startswith(what))
        fix = self.lines[index + 1]
        assert fix.startswith("         fix: "), fix
        return fix.removeprefix("         fix: ")


def run_check(tmp_path: Path, state: dict[str, Any] | None, **env: str) -> Report:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("dirname", "tr"):  # what the script runs besides kubectl and builtins
        target = bin_dir / tool
        if not target.exists():
            target.symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    if state is not None:
        install(bin_dir)
    (tmp_path / "state.json").write_text(json.dumps(state or {}))
    log = tmp_path / "calls.log"
    log.write_text("")
    environment = {
        "PATH": str(bin_dir),  # only the fake: a real kubectl on this machine stays out
        "HOME": str(tmp_path),
        "FAKE_KUBE_STATE": str(tmp_path / "state.json"),
        "FAKE_KUBE_LOG": str(log),
        **env,
    }
    done = subprocess.run(
        [BASH, str(SCRIPT)], env=environment, capture_output=True, text=True, timeout=60
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert done.stderr == "", done.stderr
    return Report(done.returncode, done.stdout.splitlines(), calls)


def _drop(state: dict[str, Any], *objects: str) -> dict[str, Any]:
    state["objects"] = [o for o in state["objects"] if o not in objects]
    return state


def test_a_complete_cluster_is_all_ok(tmp_path):
    report = run_check(tmp_path, healthy())
    assert report.code == 0, "\n".join(report.lines)
    statuses = {
        line.split()[0] for line in report.lines if line and not line.startswith("cluster-")
    }
    assert statuses == {"ok"}
    assert report.lines[-1] == "cluster-check: everything in place (0 warnings)."
    assert report.status("cluster: reachable") == "ok"
    assert report.status("gpu: 1 nvidia.com/gpu allocatable") == "ok"
    assert report.status("rbac: inference-autotuner may create inferenceservices.ome.io") == "ok"


def test_no_cluster_is_reported_clearly_and_nothing_else(tmp_path):
    report = run_check(tmp_path, {"reachable": False, "context": "kind-gone"})
    assert report.code == 2
    assert report.lines[0].startswith(
        "missing  cluster: no cluster reachable (context: kind-gone): The connection to the server"
    )
    assert "make cluster-up" in report.fix_after("cluster:")
    assert len(report.lines) == 2


def test_no_kubectl(tmp_path):
    report = run_check(tmp_path, None)
    assert report.code == 2
    assert report.lines[0] == "missing  kubectl: not on PATH"


def test_missing_keda_is_named_with_its_fix(tmp_path):
    state = _drop(healthy(), "crd//scaledobjects.keda.sh", "deployment/keda/keda-operator")
    report = run_check(tmp_path, state)
    assert report.code == 1
    assert report.status("keda: CRD scaledobjects.keda.sh not installed") == "missing"
    assert report.status("keda: deployment keda/keda-operator not found") == "missing"
    assert "make cluster-up" in report.fix_after("keda: CRD")
    assert report.lines[-1].startswith("cluster-check: 2 missing")


def test_ome_webhook_certificate_not_ready(tmp_path):
    state = healthy()
    state["ready"] = {"ome/serving-cert": "False"}
    report = run_check(tmp_path, state)
    assert report.code == 1
    assert report.status("ome: webhook certificate ome/serving-cert not Ready") == "missing"
    assert "certificate/serving-cert" in report.fix_after("ome: webhook")


def test_a_deployment_without_replicas_is_not_the_same_as_absent(tmp_path):
    state = healthy()
    state["available"]["ome/ome-controller-manager"] = ""
    report = run_check(tmp_path, state)
    assert report.code == 1
    assert report.status("ome: deployment ome/ome-controller-manager has no available") == "missing"
    assert "describe deployment" in report.fix_after("ome: deployment")


def test_wrong_argo_version_and_a_namespaced_controller(tmp_path):
    state = healthy()
    state["images"]["argo/workflow-controller"] = "quay.io/argoproj/workflow-controller:v3.6.5"
    state["args"]["argo/workflow-controller"] = ["--namespaced"]
    report = run_check(tmp_path, state)
    assert report.code == 1
    assert report.status("argo: workflow-controller runs quay.io/") == "missing"
    assert report.status("argo: the controller is a namespaced install") == "missing"


def test_namespace_objects_and_rbac(tmp_path):
    state = _drop(healthy(), "configmap/autotuner/inference-autotuner-semaphore",
                  "secret/autotuner/inference-autotuner-s3")  # fmt: skip
    state["can_i"].remove("create workflowtaskresults.argoproj.io")
    report = run_check(tmp_path, state)
    assert report.code == 1
    assert (
        report.status("namespace autotuner: configmap/inference-autotuner-semaphore") == "missing"
    )
    assert "autotune cluster-manifests" in report.fix_after("namespace autotuner: configmap/inf")
    assert report.status("namespace autotuner: secret/inference-autotuner-s3") == "missing"
    assert (
        report.status("rbac: inference-autotuner may not create workflowtaskresults") == "missing"
    )
    assert report.lines[-1].startswith("cluster-check: 3 missing")


def test_absent_namespace_skips_its_objects(tmp_path):
    report = run_check(tmp_path, _drop(healthy(), "namespace//autotuner"))
    assert report.code == 1
    assert report.status("namespace: autotuner not found") == "missing"
    assert not any("rbac:" in line for line in report.lines)


def test_no_gpu_is_missing_unless_not_required(tmp_path):
    state = healthy()
    state["gpus"] = ["0", ""]
    report = run_check(tmp_path, state)
    assert report.code == 1
    assert report.status("gpu: no node advertises nvidia.com/gpu") == "missing"
    fix = report.fix_after("gpu:")
    assert "NVIDIA_DEVICE_PLUGIN=1" in fix and "Minikube" in fix
    relaxed = run_check(tmp_path, state, REQUIRE_GPU="0")
    assert relaxed.code == 0
    assert relaxed.status("gpu: no node advertises") == "warn"
    assert relaxed.lines[-1] == "cluster-check: everything in place (1 warnings)."


def test_podmonitor_crd_is_only_a_warning(tmp_path):
    report = run_check(tmp_path, _drop(healthy(), "crd//podmonitors.monitoring.coreos.com"))
    assert report.code == 0
    assert report.status("ome: CRD podmonitors.monitoring.coreos.com not installed") == "warn"


def test_other_namespace_and_service_account(tmp_path):
    state = healthy()
    state["objects"] = [o.replace("/autotuner/", "/tuning/") for o in state["objects"]]
    state["objects"] = [o.replace("inference-autotuner", "tuner") if o.split("/")[0] in
                        ("serviceaccount", "role", "rolebinding") else o
                        for o in state["objects"]] + ["namespace//tuning"]  # fmt: skip
    report = run_check(tmp_path, state, AUTOTUNER_NAMESPACE="tuning", AUTOTUNER_SA="tuner")
    assert report.code == 0, "\n".join(report.lines)
    can_i = [call for call in report.calls if call[:2] == ["auth", "can-i"]]
    assert can_i and all("--as=system:serviceaccount:tuning:tuner" in call for call in can_i)


def test_the_script_only_reads(tmp_path):
    report = run_check(tmp_path, healthy())
    verbs = {call[0] for call in report.calls}
    assert verbs <= {"get", "auth", "config"}
    assert all(call[:2] != ["config", "use-context"] for call in report.calls)


@pytest.mark.skipif(os.name != "posix", reason="bash script")
def test_runs_without_versions_drift(tmp_path):
    # The script reads versions.env: a version named in a fix is the pinned one.
    report = run_check(tmp_path, _drop(healthy(), "deployment/argo/workflow-controller"))
    assert ARGO in report.fix_after("argo: deployment argo/workflow-controller not found")
