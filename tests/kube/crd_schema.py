"""Closed-world validation of an object against a CRD, the way strict field validation does it.

A CRD's ``openAPIV3Schema`` is structural: every object schema lists its fields. The API
server with ``fieldValidation=Strict`` rejects a field the schema does not declare, except
under ``x-kubernetes-preserve-unknown-fields`` or where ``additionalProperties`` makes the
object a map. This walker follows the instance (not the 1.8 MB schema), so validating one
object costs what the object costs. Messages use the API server's wording: ``unknown field
"spec.x"``, ``<path>: Required value``, ``<path>: Invalid value: ...``.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


@dataclass(frozen=True)
class Crd:
    """What the fake API server needs from one CustomResourceDefinition (served version)."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    status_subresource: bool
    schema: dict[str, Any]

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"

    def problems(self, obj: dict[str, Any]) -> list[str]:
        """Schema problems of a whole object; ``metadata`` is ObjectMeta, checked elsewhere."""
        body = {k: v for k, v in obj.items() if k != "metadata"}
        found: list[str] = []
        if obj.get("apiVersion") != self.api_version:
            found.append(f"apiVersion: Invalid value: {obj.get('apiVersion')!r}")
        if obj.get("kind") != self.kind:
            found.append(f"kind: Invalid value: {obj.get('kind')!r}")
        schema = dict(self.schema)
        schema["properties"] = {
            k: v for k, v in schema.get("properties", {}).items() if k != "metadata"
        }
        walk(schema, body, "", found)
        return found


@functools.cache
def load_crd(path: Path) -> Crd:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the OME CRDs are ~1.8 MB each
    crd = yaml.load(path.read_text(), Loader=loader)
    spec = crd["spec"]
    served = [v for v in spec["versions"] if v.get("served", True)]
    version = next((v for v in served if v.get("storage")), served[0])
    return Crd(
        group=spec["group"],
        version=version["name"],
        kind=spec["names"]["kind"],
        plural=spec["names"]["plural"],
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        status_subresource="status" in (version.get("subresources") or {}),
        schema=version["schema"]["openAPIV3Schema"],
    )


def problems(schema: dict[str, Any], value: Any, path: str = "") -> list[str]:
    found: list[str] = []
    walk(schema, value, path, found)
    return found


def walk(schema: dict[str, Any], value: Any, path: str, out: list[str]) -> None:
    where = path or "<root>"
    if value is None:
        if not schema.get("nullable"):
            out.append(f"{where}: Invalid value: null: must not be null")
        return
    if schema.get("x-kubernetes-int-or-string"):
        # the anyOf beside it only restates this
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            out.append(f"{where}: Invalid value: {_show(value)}: must be an integer or a string")
        return
    expected = schema.get("type")
    if expected and not _is_type(expected, value):
        out.append(f"{where}: Invalid value: {_show(value)}: must be of type {expected}")
        return
    if isinstance(value, dict):
        _walk_object(schema, value, path, out)
    elif isinstance(value, list):
        _walk_array(schema, value, path, out)
    else:
        _check_scalar(schema, value, where, out)
    for sub in schema.get("allOf", []):
        walk(sub, value, path, out)


def _walk_object(schema: dict[str, Any], value: dict[str, Any], path: str, out: list[str]) -> None:
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    keeps_unknown = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    for key, item in value.items():
        child = f"{path}.{key}" if path else key
        if key in properties:
            walk(properties[key], item, child, out)
        elif isinstance(extra, dict):
            walk(extra, item, child, out)
        elif extra is True or keeps_unknown:
            continue
        else:
            out.append(f'unknown field "{child}"')
    for key in schema.get("required", []):
        if key not in value:
            out.append(f"{path + '.' if path else ''}{key}: Required value")


def _walk_array(schema: dict[str, Any], value: list[Any], path: str, out: list[str]) -> None:
    items = schema.get("items")
    for index, item in enumerate(value):
        if isinstance(items, dict):
            walk(items, item, f"{path}[{index}]", out)
    list_type = schema.get("x-kubernetes-list-type")
    keys = schema.get("x-kubernetes-list-map-keys") or []
    seen: set[str] = set()
    for index, item in enumerate(value):
        if list_type == "map" and keys and isinstance(item, dict):
            identity = json.dumps([item.get(k) for k in keys])
        elif list_type == "set":
            identity = json.dumps(item, sort_keys=True)
        else:
            continue
        if identity in seen:
            out.append(f"{path}[{index}]: Duplicate value: {identity}")
        seen.add(identity)


def _check_scalar(schema: dict[str, Any], value: Any, where: str, out: list[str]) -> None:
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(_show(v) for v in schema["enum"])
        out.append(f"{where}: Unsupported value: {_show(value)}: supported values: {allowed}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{where}: Invalid value: {_show(value)}: must match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            out.append(f"{where}: Invalid value: {_show(value)}: shorter than the minimum length")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{where}: Too long: may not be more than {schema['maxLength']} bytes")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{where}: Invalid value: {value}: must be >= {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{where}: Invalid value: {value}: must be <= {schema['maximum']}")


def _is_type(expected: str, value: Any) -> bool:
    if isinstance(value, bool) and expected != "boolean":
        return False  # JSON true is not the integer 1
    return isinstance(value, _TYPES.get(expected, (object,)))


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."
