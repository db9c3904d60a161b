"""The fake API server answers the real kubernetes client the way an API server does."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward

from tests.kube.engine_stub import EngineStub
from tests.kube.fake_api import FakeKube
from tests.kube.fixtures import NAMESPACE

pytestmark = pytest.mark.shared

GROUP, VERSION, PLURAL = "ome.io", "v1beta1", "inferenceservices"


def _isvc(name: str, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "InferenceService",
        "metadata": {"name": name, "labels": labels},
        "spec": {"model": {"name": "m"}, "runtime": {"name": "r"}, "engine": {"minReplicas": 1}},
    }


@pytest.fixture
def api(fake_kube: FakeKube) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(client.ApiClient(fake_kube.configuration()))


@pytest.fixture
def core(fake_kube: FakeKube) -> client.CoreV1Api:
    return client.CoreV1Api(client.ApiClient(fake_kube.configuration()))


def _message(exc: ApiException) -> str:
    return str(json.loads(exc.body)["message"])


def _create(api: client.CustomObjectsApi, body: dict[str, Any]) -> dict[str, Any]:
    return api.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, body)


def test_create_get_conflict_and_not_found(api: client.CustomObjectsApi) -> None:
    made = _create(api, _isvc("a"))
    assert made["metadata"]["uid"] and int(made["metadata"]["resourceVersion"]) > 0
    got = api.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "a")
    assert got["metadata"]["resourceVersion"] == made["metadata"]["resourceVersion"]
    with pytest.raises(ApiException) as conflict:
        _create(api, _isvc("a"))
    assert conflict.value.status == 409 and "already exists" in _message(conflict.value)
    with pytest.raises(ApiException) as missing:
        api.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "b")
    assert missing.value.status == 404


def test_creating_in_a_missing_namespace_is_404(api: client.CustomObjectsApi) -> None:
    with pytest.raises(ApiException) as caught:
        api.create_namespaced_custom_object(GROUP, VERSION, "nowhere", PLURAL, _isvc("a"))
    assert caught.value.status == 404
    assert _message(caught.value) == 'namespaces "nowhere" not found'


def test_an_unknown_field_is_rejected_closed_world(api: client.CustomObjectsApi) -> None:
    body = _isvc("a")
    body["spec"]["engine"]["runner"] = {"name": "x", "comand": ["typo"]}
    with pytest.raises(ApiException) as caught:
        _create(api, body)
    assert caught.value.status == 422
    assert 'unknown field "spec.engine.runner.comand"' in _message(caught.value)


def test_status_is_written_through_the_subresource_only(api: client.CustomObjectsApi) -> None:
    body = _isvc("a")
    body["status"] = {"url": "http://ignored"}
    made = _create(api, body)
    assert "status" not in made
    made["status"] = {"url": "http://x", "conditions": [{"type": "Ready", "status": "True"}]}
    api.replace_namespaced_custom_object_status(GROUP, VERSION, NAMESPACE, PLURAL, "a", made)
    got = api.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "a")
    assert got["status"]["url"] == "http://x"
    stale = dict(got, metadata=dict(got["metadata"], resourceVersion="1"))
    with pytest.raises(ApiException) as caught:
        api.replace_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "a", stale)
    assert caught.value.status == 409


def test_list_with_label_and_field_selectors(api: client.CustomObjectsApi) -> None:
    _create(api, _isvc("a", study="s1", slot="0"))
    _create(api, _isvc("b", study="s1", slot="1"))
    _create(api, _isvc("c", study="s2", slot="0"))

    def names(**kwargs: str) -> list[str]:
        listing = api.list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, **kwargs)
        return [item["metadata"]["name"] for item in listing["items"]]

    assert names(label_selector="study=s1") == ["a", "b"]
    assert names(label_selector="study=s1,slot!=0") == ["b"]
    assert names(label_selector="study in (s2, s3)") == ["c"]
    assert names(label_selector="!study") == []
    assert names(field_selector="metadata.name=c") == ["c"]


def test_watch_replays_from_a_version_and_ends_at_its_timeout(api: client.CustomObjectsApi) -> None:
    listing = api.list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL)
    version = listing["metadata"]["resourceVersion"]
    _create(api, _isvc("a"))
    api.delete_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "a")
    started = time.monotonic()
    events = [
        (e["type"], e["object"]["metadata"]["name"])
        for e in watch.Watch().stream(
            api.list_namespaced_custom_object,
            GROUP,
            VERSION,
            NAMESPACE,
            PLURAL,
            resource_version=version,
            timeout_seconds=1,
        )
    ]
    assert events == [("ADDED", "a"), ("DELETED", "a")]
    assert 0.9 < time.monotonic() - started < 5


def test_watch_from_a_compacted_version_is_gone(fake_kube: FakeKube, api: Any) -> None:
    _create(api, _isvc("a"))
    fake_kube.store.compact()
    with pytest.raises(ApiException) as caught:
        for _ in watch.Watch().stream(
            api.list_namespaced_custom_object,
            GROUP,
            VERSION,
            NAMESPACE,
            PLURAL,
            resource_version="1",
            timeout_seconds=1,
        ):
            pass
    assert caught.value.status == 410


def test_foreground_delete_waits_for_the_finalizer(fake_kube: FakeKube, api: Any) -> None:
    _create(api, _isvc("a"))
    api.delete_namespaced_custom_object(
        GROUP, VERSION, NAMESPACE, PLURAL, "a", propagation_policy="Foreground"
    )
    pending = api.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "a")
    assert pending["metadata"]["deletionTimestamp"]
    pending["metadata"]["finalizers"] = []
    api.replace_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "a", pending)
    with pytest.raises(ApiException) as gone:
        api.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, "a")
    assert gone.value.status == 404


def test_denied_requests_say_what_rbac_would(fake_kube: FakeKube, api: Any) -> None:
    fake_kube.deny("create", PLURAL, GROUP, NAMESPACE)
    with pytest.raises(ApiException) as caught:
        _create(api, _isvc("a"))
    assert caught.value.status == 403
    assert 'cannot create resource "inferenceservices" in API group "ome.io"' in _message(
        caught.value
    )


def test_injected_faults_answer_then_stop(fake_kube: FakeKube, api: Any) -> None:
    fake_kube.inject(429, method="POST", path=PLURAL, times=1, retry_after=0)
    with pytest.raises(ApiException) as caught:
        _create(api, _isvc("a"))
    assert caught.value.status == 429 and caught.value.headers["Retry-After"] == "0"
    assert _create(api, _isvc("a"))["metadata"]["name"] == "a"


def test_pod_logs_and_events(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": NAMESPACE, "labels": {"app": "x"}},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }
    fake_kube.put("", "pods", pod)
    fake_kube.logs[(NAMESPACE, "p", "c", False)] = "one\ntwo\nthree\n"
    # kubernetes 36 turns a text body into "b'...'" unless the raw response is read
    raw = core.read_namespaced_pod_log("p", NAMESPACE, tail_lines=2, _preload_content=False)
    assert raw.data.decode() == "two\nthree\n"
    with pytest.raises(ApiException) as caught:
        core.read_namespaced_pod_log("p", NAMESPACE, previous=True)
    assert caught.value.status == 400
    assert [
        p.metadata.name for p in core.list_namespaced_pod(NAMESPACE, label_selector="app=x").items
    ] == ["p"]
    fake_kube.put(
        "",
        "events",
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "p.1", "namespace": NAMESPACE},
            "involvedObject": {"kind": "Pod", "name": "p"},
            "reason": "Started",
            "message": "m",
            "type": "Normal",
        },
    )
    events = core.list_namespaced_event(NAMESPACE, field_selector="involvedObject.name=p")
    assert [e.reason for e in events.items] == ["Started"]


def test_port_forward_reaches_the_pod_port(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    fake_kube.put(
        "",
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": NAMESPACE},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
        },
    )
    stub = EngineStub("m")
    try:
        fake_kube.port_targets[(NAMESPACE, "p", 8080)] = ("127.0.0.1", stub.port)
        forward = portforward(
            core.connect_get_namespaced_pod_portforward, "p", NAMESPACE, ports="8080"
        )
        sock = forward.socket(8080)
        sock.settimeout(5)
        sock.sendall(b"GET /health HTTP/1.0\r\nHost: x\r\n\r\n")
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
        assert reply.startswith(b"HTTP/1.0 200")
        assert stub.hits == ["/health"]
        sock.close()
    finally:
        stub.stop()


def test_stop_ends_open_watches(fake_kube: FakeKube, api: Any) -> None:
    done = threading.Event()

    def watching() -> None:
        for _ in watch.Watch().stream(
            api.list_namespaced_custom_object, GROUP, VERSION, NAMESPACE, PLURAL, timeout_seconds=60
        ):
            pass
        done.set()

    threading.Thread(target=watching, daemon=True).start()
    time.sleep(0.2)
    port = int(fake_kube.url.rsplit(":", 1)[1])
    fake_kube.stop()
    assert done.wait(5), "a watch outlived the fake server"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
