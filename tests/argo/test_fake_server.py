"""The fake Argo server holds requests to Argo's shapes: what the client tests rely on."""

from __future__ import annotations

import copy

import pytest
import requests

from pipelines import schema_check
from tests.argo.conftest import NAMESPACE, TOKEN, study_manifest
from tests.argo.fake_server import FakeArgoServer
from tests.argo.statuses import finished_status

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _put_retry(argo: FakeArgoServer, body: object) -> requests.Response:
    url = f"{argo.url}/api/v1/workflows/{NAMESPACE}/demo-x7k2p/retry"
    return requests.put(url, json=body, headers=AUTH, timeout=5)


@pytest.fixture
def finished(argo: FakeArgoServer) -> FakeArgoServer:
    manifest = study_manifest()
    argo.put_workflow(manifest, "demo-x7k2p")
    argo.set_status(NAMESPACE, "demo-x7k2p", finished_status(manifest, "demo-x7k2p"))
    return argo


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"name": "demo-x7k2p", "restartSuccesful": True}, "unknown field 'restartSuccesful'"),
        ({"restartSuccessful": "yes"}, "restartSuccessful: str is not"),
        ({"nodeFieldSelector": ["a=b"]}, "nodeFieldSelector: list is not"),
        ({"parameters": [1]}, "every item must be a string"),
        ({"name": "other"}, "name 'other' is not the path's 'demo-x7k2p'"),
        ({"namespace": "default"}, "namespace 'default' is not the path's 'tuning'"),
    ],
)
def test_retry_bodies_are_closed_world(finished: FakeArgoServer, body: dict, problem: str):
    answer = _put_retry(finished, body)
    assert answer.status_code == 400 and problem in answer.json()["message"]
    assert answer.json()["code"] == 3


def test_a_succeeded_workflow_needs_restart_successful_and_a_selector(finished: FakeArgoServer):
    answer = _put_retry(finished, {"nodeFieldSelector": "inputs.parameters.slot.value=1"})
    assert answer.status_code == 400 and "restartSuccessful and nodeFieldSelector" in answer.text
    answer = _put_retry(finished, {"restartSuccessful": True, "nodeFieldSelector": "id=nope"})
    assert answer.status_code == 400 and "no node matches" in answer.text


def test_selectors_match_on_argos_node_fields(finished: FakeArgoServer):
    nodes = finished.workflow(NAMESPACE, "demo-x7k2p")["status"]["nodes"]
    slot4 = next(n for n in nodes.values() if n["displayName"] == "slot-4")
    answer = _put_retry(
        finished, {"restartSuccessful": True, "nodeFieldSelector": "displayName=slot-4"}
    )
    assert answer.status_code == 200
    left = finished.workflow(NAMESPACE, "demo-x7k2p")["status"]["nodes"]
    assert slot4["id"] not in left
    assert not [n for n in left.values() if n["name"].startswith("demo-x7k2p.slot-4")]


@pytest.mark.skipif(not schema_check.available(), reason="the Argo CRDs are not in ../shared")
def test_workflow_bodies_are_closed_world_against_the_crd(argo: FakeArgoServer):
    manifest = copy.deepcopy(study_manifest())
    manifest["spec"]["bogus"] = 1
    url = f"{argo.url}/api/v1/workflows/{NAMESPACE}"
    answer = requests.post(url, json={"workflow": manifest}, headers=AUTH, timeout=5)
    assert answer.status_code == 400
    assert "'bogus' was unexpected" in answer.json()["message"]
    assert argo.objects == {}


def test_the_request_envelope_is_closed_world_too(argo: FakeArgoServer):
    url = f"{argo.url}/api/v1/cron-workflows/{NAMESPACE}"
    answer = requests.post(url, json={"cronWorkflow": {}, "dryRun": True}, headers=AUTH, timeout=5)
    assert answer.status_code == 400 and "unknown field 'dryRun'" in answer.text


def test_requests_without_the_token_are_401_and_recorded_as_such(argo: FakeArgoServer):
    answer = requests.get(f"{argo.url}/api/v1/workflows/{NAMESPACE}", timeout=5)
    assert answer.status_code == 401 and answer.json()["code"] == 16
    assert argo.requests[-1].authorized is False
    assert TOKEN not in repr(argo.requests)  # the header itself is never recorded


def test_list_filters_by_label_selector(argo: FakeArgoServer):
    argo.put_workflow(study_manifest(), "a")
    other = copy.deepcopy(study_manifest())
    other["metadata"]["labels"]["inference-autotuner/task"] = "other"
    argo.put_workflow(other, "b")
    url = f"{argo.url}/api/v1/workflows/{NAMESPACE}"
    selector = {"listOptions.labelSelector": "inference-autotuner/task=other"}
    answer = requests.get(url, params=selector, headers=AUTH, timeout=5).json()
    assert [item["metadata"]["name"] for item in answer["items"]] == ["b"]
