"""The closed-world walk over a CRD schema: what strict field validation accepts and rejects."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.kube.crd_schema import problems
from tests.kube.fixtures import ome_crd, require_ome, samples

pytestmark = pytest.mark.shared


@pytest.fixture(autouse=True)
def _needs_ome() -> None:
    require_ome()


def _isvc() -> dict[str, Any]:
    return copy.deepcopy(
        next(doc for doc in samples("samples__isvc__") if doc["kind"] == "InferenceService")
    )


@pytest.mark.parametrize("prefix", ["samples__isvc__", "runtimes__", "models__"])
def test_every_ome_sample_is_valid(prefix: str) -> None:
    plurals = {
        "InferenceService": "inferenceservices",
        "ClusterServingRuntime": "clusterservingruntimes",
        "ClusterBaseModel": "clusterbasemodels",
    }
    docs = [doc for doc in samples(prefix) if doc["kind"] in plurals]
    assert docs
    for doc in docs:
        assert ome_crd(plurals[doc["kind"]]).problems(doc) == [], doc["metadata"]["name"]


@pytest.mark.parametrize(
    "path",
    [
        ("spec",),
        ("spec", "engine"),
        ("spec", "model"),
        ("spec", "runtime"),
    ],
)
def test_an_unknown_field_is_an_error_at_any_depth(path: tuple[str, ...]) -> None:
    isvc = _isvc()
    node = isvc
    for key in path:
        node = node[key]
    node["bogus"] = 1
    assert ome_crd("inferenceservices").problems(isvc) == [
        f'unknown field "{".".join(path)}.bogus"'
    ]


def test_unknown_fields_inside_containers_and_lists() -> None:
    isvc = _isvc()
    isvc["spec"]["engine"]["runner"] = {
        "name": "c",
        "ports": [{"containerPort": 8080, "hostPorrt": 1}],
        "resources": {"limits": {"nvidia.com/gpu": 2, "cpu": "1"}},
    }
    assert ome_crd("inferenceservices").problems(isvc) == [
        'unknown field "spec.engine.runner.ports[0].hostPorrt"'
    ]


def test_preserve_unknown_fields_keeps_extra_keys_but_types_known_ones() -> None:
    isvc = _isvc()
    isvc["status"] = {"anything": {"goes": True}, "url": "http://x"}
    assert ome_crd("inferenceservices").problems(isvc) == []
    isvc["status"]["url"] = 5
    assert ome_crd("inferenceservices").problems(isvc) == [
        "status.url: Invalid value: 5: must be of type string"
    ]


def test_types_required_enums_and_int_or_string() -> None:
    isvc = _isvc()
    isvc["spec"]["engine"]["minReplicas"] = "1"
    del isvc["spec"]["model"]["name"]
    isvc["spec"]["engine"]["runner"] = {"resources": {"limits": {"nvidia.com/gpu": True}}}
    found = ome_crd("inferenceservices").problems(isvc)
    assert 'spec.engine.minReplicas: Invalid value: "1": must be of type integer' in found
    assert "spec.model.name: Required value" in found
    assert any("nvidia.com/gpu" in line and "integer or a string" in line for line in found)
    assert len(found) == 3


def test_list_map_keys_must_be_unique() -> None:
    schema = {
        "type": "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        "items": {"type": "object", "properties": {"name": {"type": "string"}}},
    }
    assert problems(schema, [{"name": "a"}, {"name": "b"}]) == []
    assert problems(schema, [{"name": "a"}, {"name": "a"}]) == ['[1]: Duplicate value: ["a"]']


def test_a_boolean_is_not_an_integer_and_null_is_not_a_value() -> None:
    assert problems({"type": "integer"}, True) == [
        "<root>: Invalid value: true: must be of type integer"
    ]
    assert problems({"type": "string"}, None) == ["<root>: Invalid value: null: must not be null"]
    assert problems({"type": "string", "nullable": True}, None) == []
