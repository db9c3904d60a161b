"""pytest fixtures around the fake API server; import them into a conftest to use them.

    from tests.kube.fixtures import fake_kube, kube_env, ome_controller  # noqa: F401

``fake_kube`` serves the real OME CRDs from ../shared/schemas (closed-world validated)
with the ClusterServingRuntimes and ClusterBaseModels of ../shared/ome-samples loaded;
it skips, with the reason, when ../shared is not beside the checkout.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SHARED
from tests.kube.crd_schema import Crd, load_crd
from tests.kube.fake_api import FakeKube
from tests.kube.ome_controller import OmeController

OME_SCHEMAS = SHARED / "schemas" / "ome-17b77ed"
OME_SAMPLES = SHARED / "ome-samples"
OME_CRDS = ("inferenceservices", "clusterservingruntimes", "clusterbasemodels")
NAMESPACE = "autotuner"


def ome_available() -> bool:
    return all((OME_SCHEMAS / f"ome.io_{plural}.yaml").is_file() for plural in OME_CRDS)


def require_ome() -> None:
    if not ome_available():
        pytest.skip(f"the OME CRDs are not at {OME_SCHEMAS} (../shared beside the checkout)")


def ome_crds() -> list[Crd]:
    return [load_crd(OME_SCHEMAS / f"ome.io_{plural}.yaml") for plural in OME_CRDS]


def ome_crd(plural: str) -> Crd:
    return load_crd(OME_SCHEMAS / f"ome.io_{plural}.yaml")


def samples(prefix: str) -> list[dict[str, Any]]:
    """The objects of ../shared/ome-samples whose file name starts with ``prefix``
    (the calling test is skipped when ../shared is not beside the checkout)."""
    if not OME_SAMPLES.is_dir():
        pytest.skip(f"the OME samples are not at {OME_SAMPLES} (../shared beside the checkout)")
    found = []
    for path in sorted(OME_SAMPLES.glob(f"{prefix}*.yaml")):
        found += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def runtime_sample(name: str = "srt-llama-3-2-1b-instruct") -> dict[str, Any]:
    return next(doc for doc in samples("runtimes__") if doc["metadata"]["name"] == name)


def runtime_file(name: str = "srt-llama-3-2-1b-instruct") -> Path:
    if not OME_SAMPLES.is_dir():
        pytest.skip(f"the OME samples are not at {OME_SAMPLES} (../shared beside the checkout)")
    return next(p for p in sorted(OME_SAMPLES.glob("runtimes__*.yaml")) if name in p.read_text())


def loaded_kube() -> FakeKube:
    """A started fake with the OME CRDs, the sample runtimes and models and a namespace."""
    kube = FakeKube(crds=ome_crds(), enforce_namespaces=True)
    for doc in samples("runtimes__"):
        kube.put("ome.io", "clusterservingruntimes", doc)
    for doc in samples("models__"):
        kube.put("ome.io", "clusterbasemodels", doc)
    kube.put(
        "", "namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
    )
    kube.start()
    return kube


@pytest.fixture
def fake_kube() -> Iterator[FakeKube]:
    require_ome()
    kube = loaded_kube()
    try:
        yield kube
    finally:
        kube.stop()


@pytest.fixture
def ome_controller(fake_kube: FakeKube) -> Iterator[OmeController]:
    controller = OmeController(fake_kube).start()
    try:
        yield controller
    finally:
        controller.stop()
    assert not controller.errors, f"the simulated controller failed: {controller.errors}"


@pytest.fixture
def kube_env(fake_kube: FakeKube, monkeypatch: pytest.MonkeyPatch) -> FakeKube:
    """Point the project's Kubernetes client (and its port-forward helper) at the fake."""
    monkeypatch.setenv("AUTOTUNE_KUBE_HOST", fake_kube.url)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    return fake_kube
