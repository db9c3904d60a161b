"""The simulated OME controller: what it makes of an InferenceService, seen through the API."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from kubernetes import client

from tests.kube.fake_api import FakeKube
from tests.kube.fixtures import NAMESPACE, runtime_sample, samples
from tests.kube.ome_controller import OmeController, merge_runner, unknown_flags

pytestmark = pytest.mark.shared


def _sample_isvc(runner: dict[str, Any] | None = None) -> dict[str, Any]:
    isvc = copy.deepcopy(
        next(d for d in samples("samples__isvc__meta") if d["kind"] == "InferenceService")
    )
    isvc["metadata"]["namespace"] = NAMESPACE
    if runner is not None:
        isvc["spec"]["engine"]["runner"] = runner
    return isvc


def _wait_for(check: Any, timeout_s: float = 10) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def test_runner_merge_replaces_lists_and_merges_resources() -> None:
    runtime = runtime_sample()["spec"]["engineConfig"]["runner"]
    merged = merge_runner(
        runtime, {"command": ["x"], "resources": {"limits": {"nvidia.com/gpu": 4}}}
    )
    assert merged["command"] == ["x"]
    assert merged["resources"]["limits"] == {"cpu": 10, "memory": "30Gi", "nvidia.com/gpu": 4}
    assert merged["image"] == runtime["image"] and merged["name"] == "ome-container"


def test_unknown_flags_are_what_sglang_would_refuse() -> None:
    command = runtime_sample()["spec"]["engineConfig"]["runner"]["command"]
    assert unknown_flags(command) == []
    assert unknown_flags([*command, "--max-running-requests", "8", "--nope"]) == ["nope"]


def test_the_sample_isvc_becomes_ready_with_a_valid_status(
    fake_kube: FakeKube, ome_controller: OmeController
) -> None:
    api = client.CustomObjectsApi(client.ApiClient(fake_kube.configuration()))
    api.create_namespaced_custom_object(
        "ome.io", "v1beta1", NAMESPACE, "inferenceservices", _sample_isvc()
    )

    def ready() -> Any:
        isvc = api.get_namespaced_custom_object(
            "ome.io", "v1beta1", NAMESPACE, "inferenceservices", "llama-3-2-1b-instruct"
        )
        conditions = (isvc.get("status") or {}).get("conditions") or []
        ok = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
        return isvc if ok else None

    isvc = _wait_for(ready)  # every status write was validated against the CRD on the way
    assert isvc["status"]["url"].startswith("http://127.0.0.1:")
    pods = fake_kube.objects("", "pods", NAMESPACE)
    assert [p["metadata"]["labels"] for p in pods] == [
        {"ome.io/inferenceservice": "llama-3-2-1b-instruct", "component": "engine"}
    ]
    # the sample runtime's own command is served unchanged (the sample sets no runner)
    assert (
        ome_controller.candidates[0].command
        == runtime_sample()["spec"]["engineConfig"]["runner"]["command"]
    )
