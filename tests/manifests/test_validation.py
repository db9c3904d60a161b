"""Every rendered object is valid: built-in kinds with kubernetes-validate in strict mode
(unknown field = error) at the Kubernetes version the recipe installs, OME kinds
closed-world against the real CRDs in ../shared/schemas."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest

from .helpers import KUBERNETES_VERSION, OME_CRD_FILES, VARIANTS, crd_problems, ome_available
from .helpers import render as render_variant

BUILT_IN = {
    "Namespace", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
    "ConfigMap", "PersistentVolumeClaim", "Deployment", "Service", "Job",
}  # fmt: skip


def _strict(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def _cases() -> list[Any]:
    cases = []
    for variant in VARIANTS:
        for index, obj in enumerate(render_variant(variant)):
            label = f"{variant}-{index}-{obj['kind']}-{obj['metadata']['name']}"
            cases.append(pytest.param(variant, index, id=label))
    return cases


@pytest.mark.parametrize(("variant", "index"), _cases())
def test_every_object_is_valid(variant: str, index: int):
    obj = render_variant(variant)[index]
    if obj["kind"] in BUILT_IN:
        _strict(obj)
    elif obj["kind"] in OME_CRD_FILES:
        if not ome_available():
            pytest.skip("the OME CRDs are not in ../shared/schemas")
        assert crd_problems(obj) == []
    else:
        pytest.fail(f"{obj['kind']}: no validator for this kind; add it to the test")


def test_only_known_kinds_and_no_secrets():
    kinds = {obj["kind"] for variant in VARIANTS for obj in render_variant(variant)}
    assert kinds <= BUILT_IN | set(OME_CRD_FILES)
    assert "Secret" not in kinds  # credentials are created by cluster-up, never rendered


def test_namespaced_objects_carry_the_namespace_and_cluster_objects_do_not():
    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding", *OME_CRD_FILES}
    for obj in render_variant("custom"):
        has_namespace = "namespace" in obj["metadata"]
        assert has_namespace != (obj["kind"] in cluster_scoped), obj["kind"]


# The validators must really be strict, or the tests above prove nothing.
@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("Role", ("rules", 0, "verbz")),
        ("ConfigMap", ("metadata", "labelz")),
        ("Deployment", ("spec", "template", "spec", "containers", 0, "imagePullPolicyy")),
        ("Job", ("spec", "backofLimit")),
        ("ClusterRoleBinding", ("subjects", 0, "namespaces")),
    ],
)
def test_strict_validation_rejects_an_unknown_field(kind: str, path: tuple[Any, ...]):
    obj = copy.deepcopy(next(o for o in render_variant("everything") if o["kind"] == kind))
    _inject(obj, path)
    with pytest.raises(kubernetes_validate.ValidationError):
        _strict(obj)


@pytest.mark.skipif(not ome_available(), reason="the OME CRDs are not in ../shared/schemas")
@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("ClusterBaseModel", ("spec", "storage", "storageURI")),
        ("ClusterServingRuntime", ("spec", "engineConfig", "runner", "commands")),
        ("ClusterServingRuntime", ("metadata", "namespace")),
    ],
)
def test_crd_validation_rejects_unknown_fields_and_a_namespace(kind: str, path: tuple[Any, ...]):
    obj = copy.deepcopy(next(o for o in render_variant("everything") if o["kind"] == kind))
    _inject(obj, path, value="x")
    assert crd_problems(obj) != []


def _inject(obj: dict[str, Any], path: tuple[Any, ...], value: Any = 1) -> None:
    node: Any = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
