"""The port-forward helper process, against the fake API's websocket port-forward.

Verified here: the kubernetes client's real websocket port-forward code path, through
the helper, to a local server playing the pod's port; the helper's lifecycle (detached,
stopped by pid, gone when its pod is gone); the kubectl fallback's wiring, with a fake
``kubectl`` that proxies TCP. Not verified: a kubelet, real kubectl (it speaks SPDY,
which the fake does not), TLS and authentication.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from steps.deploy.ome import tunnel
from steps.deploy.process import free_port, is_running
from steps.errors import TaskError
from tests.deploy.ome.helpers import Cluster, forward_helpers
from tests.kube.engine_stub import EngineStub
from tests.kube.fixtures import NAMESPACE

pytestmark = pytest.mark.shared


def _ready(cluster: Cluster) -> tuple[Any, Any]:
    deployer = cluster.deployer()
    return deployer, deployer.wait_ready(deployer.deploy(0, {}), 20)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return bytes(response.read())


def _helper(pod: str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "steps.deploy.ome.forward", "--via", "api", "--namespace",
            NAMESPACE, "--pod", pod, "--isvc", "probe", "--port", "8080", "--local-port",
            str(port), *extra]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_until(check: Any, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_many_connections_through_one_forward(cluster: Cluster) -> None:
    _, record = _ready(cluster)
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(_get, [f"{record.endpoint}/v1/models"] * 16))
    assert all(b"meta-llama/Llama-3.2-1B-Instruct" in body for body in bodies)
    forwards = [r for r in cluster.kube.requests if r.resource == "pods/portforward"]
    assert len(forwards) >= 17  # one stream per connection (+ the probe and the health check)


def test_the_helper_exits_once_its_pod_is_gone(cluster: Cluster) -> None:
    _, record = _ready(cluster)
    pod = record.handle["forward"]["pod"]
    local = free_port()
    helper = _helper(pod, local, "--check-s", "0.2")
    try:
        _wait_until(lambda: _serves(f"http://127.0.0.1:{local}/health"))
        cluster.kube.store.delete(cluster.kube.resource("", "pods"), NAMESPACE, pod, None)
        assert helper.wait(timeout=15) == 0
        assert helper.stdout is not None and b"is gone; exiting" in helper.stdout.read()
    finally:
        helper.kill()
        helper.wait()


def test_the_reserved_dashboard_port_is_refused_without_binding_it() -> None:
    helper = _helper("p", 8443)
    assert helper.wait(timeout=30) == 2
    assert helper.stdout is not None and b"refusing port 8443" in helper.stdout.read()


@pytest.mark.parametrize("verb", ["get", "create"])
def test_a_forbidden_port_forward_names_the_rbac_rule(cluster: Cluster, verb: str) -> None:
    cluster.kube.deny(verb, "pods/portforward")
    deployer = cluster.deployer()
    record = deployer.deploy(0, {})
    with pytest.raises(TaskError, match=f"verb={verb} resource=pods/portforward apiGroup="):
        deployer.wait_ready(record, 20)
    assert forward_helpers("study-0") == []


FAKE_KUBECTL = """\
#!{python}
# A stand-in for kubectl port-forward: records its argv and proxies the local port to a
# local server (the fake API cannot speak kubectl's SPDY).
import json, os, socket, sys, threading
open(os.environ["FAKE_KUBECTL_ARGV"], "w").write(json.dumps(sys.argv[1:]))
local = int(sys.argv[sys.argv.index("--address") - 1].split(":")[0])
host, port = os.environ["FAKE_KUBECTL_TARGET"].split(":")
server = socket.create_server(("127.0.0.1", local))
def pipe(a, b):
    while data := a.recv(65536):
        b.sendall(data)
    b.close()
while True:
    conn, _ = server.accept()
    remote = socket.create_connection((host, int(port)))
    threading.Thread(target=pipe, args=(conn, remote), daemon=True).start()
    threading.Thread(target=pipe, args=(remote, conn), daemon=True).start()
"""


def test_kubectl_takes_over_when_the_client_cannot_forward(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    kubectl = bin_dir / "kubectl"
    kubectl.write_text(textwrap.dedent(FAKE_KUBECTL).format(python=sys.executable))
    kubectl.chmod(0o755)
    stub = EngineStub("m")
    monkeypatch.setenv("PATH", f"{bin_dir}:{Path(sys.executable).parent}:/usr/bin:/bin")
    monkeypatch.setenv("AUTOTUNE_PORT_FORWARD", "auto")  # the client, else kubectl
    monkeypatch.setenv("FAKE_KUBECTL_ARGV", str(tmp_path / "argv.json"))
    monkeypatch.setenv("FAKE_KUBECTL_TARGET", f"127.0.0.1:{stub.port}")
    cluster.kube.inject(500, path="/portforward", times=10_000)  # no websocket forward at all
    try:
        deployer, record = _ready(cluster)
        forward = record.handle["forward"]
        argv = (tmp_path / "argv.json").read_text()
        assert f'"--namespace", "{NAMESPACE}", "pod/{forward["pod"]}"' in argv
        assert f'"{forward["port"]}:8080", "--address", "127.0.0.1"' in argv
        assert f'"--server", "{cluster.kube.url}"' in argv
        cmdline = Path(f"/proc/{forward['pid']}/cmdline").read_bytes()
        assert str(kubectl).encode() in cmdline  # exec'd: the recorded pid is kubectl's
        assert stub.hits == ["/health"]
        deployer.teardown(record)
        assert not is_running(forward["pid"], forward["start_time"])
    finally:
        stub.stop()


def _serves(url: str) -> bool:
    return tunnel._healthy(url)
