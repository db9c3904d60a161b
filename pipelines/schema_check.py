"""Closed-world validation of compiled manifests against the real Argo CRD schemas.

The CRDs' openAPIV3Schema, like hera's models, lets unknown fields through; the API
server drops or rejects them (strict field validation), so a typo would ship silently.
Here every object schema that does not say ``x-kubernetes-preserve-unknown-fields``
and has no ``additionalProperties`` of its own (a map) is closed with
``additionalProperties: false``: an unknown field anywhere is an error.

The CRDs leave the top-level ``metadata`` as a bare object (the API server checks
ObjectMeta itself); it is replaced by the ObjectMeta fields and the label rules. The
CRDs' CEL rules (``x-kubernetes-validations``) run as the Python checks in
``pipelines.crd_rules`` under a keyword of their own, ``x-cel``.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator, ValidationError, validators

from pipelines.crd_rules import check_for

ARGO_VERSION = "v4.1.2"
CRD_FILES = {
    "Workflow": "argoproj.io_workflows.yaml",
    "WorkflowTemplate": "argoproj.io_workflowtemplates.yaml",
    "CronWorkflow": "argoproj.io_cronworkflows.yaml",
}
_QUALIFIED = r"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
_LABEL_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
OBJECT_META: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"},
        "generateName": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]{0,240}[-a-z0-9])?$"},
        "namespace": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"},
        "labels": {
            "type": "object",
            "propertyNames": {"pattern": f"^{_QUALIFIED}{_LABEL_NAME}$"},
            "additionalProperties": {"type": "string", "pattern": f"^({_LABEL_NAME})?$"},
        },
        "annotations": _STRING_MAP,
        "finalizers": {"type": "array", "items": {"type": "string"}},
        **{key: {} for key in ("uid", "resourceVersion", "generation", "creationTimestamp")},
        **{key: {} for key in ("deletionTimestamp", "ownerReferences", "managedFields")},
    },
}


class SchemasUnavailable(RuntimeError):
    """The CRD files are not where the project expects them (``../shared/schemas``)."""


def schema_dir() -> Path:
    """``$AUTOTUNE_ARGO_SCHEMAS``, else ``<checkout>/../shared/schemas/argo-workflows-<v>``."""
    override = os.environ.get("AUTOTUNE_ARGO_SCHEMAS")
    if override:
        return Path(override)
    checkout = Path(__file__).resolve().parents[1]
    return checkout.parent / "shared" / "schemas" / f"argo-workflows-{ARGO_VERSION}"


def available() -> bool:
    return all((schema_dir() / name).is_file() for name in CRD_FILES.values())


def schema_problems(manifest: dict[str, Any]) -> list[str]:
    """One line per violation: ``Kind path: message``; empty when the manifest is valid."""
    kind = manifest.get("kind")
    if kind not in CRD_FILES:
        return [f"kind: {kind!r} is not one of {', '.join(CRD_FILES)}"]
    validator = _validator(kind)
    problems = []
    for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(part) for part in error.absolute_path) or "<root>"
        problems.append(f"{kind} {path}: {_describe(error)}")
    return problems


def _describe(error: ValidationError) -> str:
    """jsonschema's message, unless it would print a whole (possibly huge) instance."""
    if len(error.message) <= 300:
        return error.message
    if error.validator in ("maxItems", "minItems") and isinstance(error.instance, list):
        limit = f"{error.validator}={error.validator_value}"
        return f"has {len(error.instance)} items; the CRD allows {limit}"
    return f"fails {error.validator}={str(error.validator_value)[:200]}"


def closed_schema(kind: str) -> dict[str, Any]:
    """The CRD's schema for ``kind`` (served version), closed and with real ObjectMeta."""
    path = schema_dir() / CRD_FILES[kind]
    if not path.is_file():
        raise SchemasUnavailable(f"{path}: the Argo {ARGO_VERSION} CRD is not there")
    return copy.deepcopy(_load_closed(path))


@functools.cache
def _load_closed(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # 2.8 MB each: C loader if present
    crd = yaml.load(path.read_text(), Loader=loader)
    version = next(v for v in crd["spec"]["versions"] if v.get("served", True))
    schema = _close(version["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"] = OBJECT_META
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    schema["properties"]["apiVersion"] = {"enum": [f"{group}/{version['name']}"]}
    schema["properties"]["kind"] = {"enum": [kind]}
    schema.setdefault("required", [])
    schema["required"] = sorted({*schema["required"], "apiVersion", "kind"})
    return schema


def _close(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` where every object schema without a way to be open is closed.

    Walks schema keywords only, so a field that happens to be named ``type`` or
    ``properties`` is never mistaken for a keyword.
    """
    closed = dict(schema)
    if "x-kubernetes-validations" in closed:
        # Resolved now, so a rule without a Python check fails at load, not silently.
        rules = closed.pop("x-kubernetes-validations")
        for rule in rules:
            check_for(rule["rule"])
        closed["x-cel"] = [(rule["rule"], rule.get("message", rule["rule"])) for rule in rules]
    if "properties" in closed:
        closed["properties"] = {name: _close(sub) for name, sub in closed["properties"].items()}
    for keyword in ("additionalProperties", "items", "not"):
        if isinstance(closed.get(keyword), dict):
            closed[keyword] = _close(closed[keyword])
    for keyword in ("anyOf", "allOf", "oneOf"):
        if keyword in closed:
            closed[keyword] = [_close(sub) for sub in closed[keyword]]
    is_object = closed.get("type") == "object" or "properties" in closed
    if (
        is_object
        and "additionalProperties" not in closed
        and not closed.get("x-kubernetes-preserve-unknown-fields")
    ):
        closed["additionalProperties"] = False
    return closed


def _cel(validator: Any, rules: list[tuple[str, str]], instance: Any, schema: Any) -> Any:
    for rule, message in rules:
        if not check_for(rule)(instance):
            yield ValidationError(f"{message} (CRD rule: {rule})")


# OpenAPI v3.0 schemas are a draft-4 dialect (boolean exclusiveMinimum and so on).
_CrdValidator = validators.extend(Draft4Validator, {"x-cel": _cel})


@functools.cache
def _validator(kind: str) -> Any:
    return _CrdValidator(closed_schema(kind))
