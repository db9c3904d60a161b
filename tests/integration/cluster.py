"""The cluster path's surroundings on one machine: S3 on moto's server, the fake Kubernetes
API with the real OME CRDs and sample ClusterServingRuntime, the simulated OME controller
starting a real llama-server for each InferenceService it makes Ready.

``cluster_path`` starts them all, points this process's environment at them (the steps
inherit it through the executor), and stops every one of them whatever happened.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.integration.llama_engines import LlamaEngines
from tests.kube.fake_api import FakeKube
from tests.kube.fixtures import loaded_kube, require_ome
from tests.kube.ome_controller import Candidate, OmeController, Outcome
from tests.store.conftest import FAKE_KEY_ID, FAKE_SECRET

BUCKET = "cluster-path"
REGION = "us-east-1"
# Variables that would let boto3 or the kubernetes client find something else than the fakes.
FOREIGN_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "KUBERNETES_SERVICE_HOST",
    "KUBECONFIG",
)


@dataclass
class ClusterPath:
    s3_endpoint: str
    kube: FakeKube
    controller: OmeController
    engines: LlamaEngines

    def s3(self) -> Any:
        """A boto3 client of the test itself, with the fake credentials given explicitly."""
        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name=REGION,
            aws_access_key_id=FAKE_KEY_ID,
            aws_secret_access_key=FAKE_SECRET,
        )

    def objects(self, prefix: str) -> dict[str, bytes]:
        """Every object under ``prefix``, by key."""
        client, found = self.s3(), {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
                found[item["Key"]] = body
        return found


@contextlib.contextmanager
def cluster_path(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    llama_server: str,
    demo_model: Path,
    decide: Callable[[Candidate, OmeController], Outcome] | None = None,
) -> Iterator[ClusterPath]:
    require_ome()
    for name in FOREIGN_ENV:
        monkeypatch.delenv(name, raising=False)
    # No credentials in the environment: the steps get theirs from the executor's secrets.
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AUTOTUNE_WORKDIR", str(tmp_path / "work"))
    with contextlib.ExitStack() as stack:
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        stack.callback(moto.stop)
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        kube = loaded_kube()
        stack.callback(kube.stop)
        engines = LlamaEngines(llama_server, demo_model, tmp_path / "engines")
        stack.callback(engines.stop_all)  # runs after the controller's own stop
        controller = OmeController(kube, engine=engines)
        if decide is not None:
            controller.decide = lambda candidate: decide(candidate, controller)
        controller.start()
        stack.callback(controller.stop)
        running = ClusterPath(endpoint, kube, controller, engines)
        running.s3().create_bucket(Bucket=BUCKET)
        monkeypatch.setenv("AUTOTUNE_S3_ENDPOINT", endpoint)
        monkeypatch.setenv("AUTOTUNE_KUBE_HOST", kube.url)
        yield running
    assert not controller.errors, f"the simulated controller failed: {controller.errors}"
