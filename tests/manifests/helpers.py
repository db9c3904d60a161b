"""Rendered variants to test, and the validators: strict Kubernetes and closed-world CRD."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from steps.cluster_manifests import ClusterSettings, ExampleModel, read_versions, render_all

REPO = Path(__file__).resolve().parents[2]
OME_SCHEMAS = REPO.parent / "shared" / "schemas" / "ome-17b77ed"
OME_CRD_FILES = {
    "ClusterBaseModel": "ome.io_clusterbasemodels.yaml",
    "ClusterServingRuntime": "ome.io_clusterservingruntimes.yaml",
}
# The version the local clusters run (third_party/versions.env): validate at that one.
KUBERNETES_VERSION = read_versions()["KUBERNETES_VERSION"]

VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "everything": {"minio": True, "example": ExampleModel()},
    "custom": {
        "settings": ClusterSettings(
            namespace="tuning-2",
            service_account="tuner",
            gpu_trials=4,
            s3_endpoint="s3.example.internal:443",
            bucket="my.bucket-1",
            s3_secret="creds",
        ),
        "minio": True,
        "example": ExampleModel(hf_model_id="meta-llama/Llama-3.2-1B-Instruct", gpus=2,
                                hf_token_secret="hf-token",
                                model_architecture="LlamaForCausalLM"),
    },
}  # fmt: skip


def render(variant: str) -> list[dict[str, Any]]:
    return render_all(**VARIANTS[variant])


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] == kind]


def one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = by_kind(objects, kind)
    return found


def ome_available() -> bool:
    return all((OME_SCHEMAS / name).is_file() for name in OME_CRD_FILES.values())


def crd_problems(manifest: dict[str, Any]) -> list[str]:
    """Closed-world problems of an OME object against ../shared/schemas (as the API server
    with strict field validation would report them); empty when valid."""
    validator = _ome_validator(manifest["kind"])
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '<root>'}: {error.message[:300]}"
        for error in validator.iter_errors(manifest)
    ]


@functools.cache
def _ome_validator(kind: str) -> Any:
    # pipelines.schema_check closes the Argo CRDs; its closing walk and ObjectMeta rules
    # fit any CRD, so they are reused here for OME's (which carry no CEL rules).
    from pipelines import schema_check

    crd = yaml.load((OME_SCHEMAS / OME_CRD_FILES[kind]).read_text(), Loader=_loader())
    version = next(v for v in crd["spec"]["versions"] if v.get("served", True))
    schema = schema_check._close(version["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"] = schema_check.OBJECT_META
    schema["properties"]["apiVersion"] = {"enum": [f"{crd['spec']['group']}/{version['name']}"]}
    schema["properties"]["kind"] = {"enum": [crd["spec"]["names"]["kind"]]}
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind"})
    if crd["spec"]["scope"] == "Cluster":
        schema["properties"]["metadata"] = {
            **schema_check.OBJECT_META,
            "not": {"required": ["namespace"]},
        }
    return schema_check._CrdValidator(schema)


def _loader() -> Any:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)
