"""ObjectMeta rules the API server applies to every object (CRDs leave ``metadata`` open)."""

from __future__ import annotations

import re
from typing import Any

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
KNOWN = frozenset(
    {
        "name",
        "generateName",
        "namespace",
        "labels",
        "annotations",
        "finalizers",
        "ownerReferences",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "managedFields",
    }
)


def metadata_problems(meta: Any, *, namespaced: bool) -> list[str]:
    if not isinstance(meta, dict):
        return ["metadata: Required value"]
    found = [f'unknown field "metadata.{key}"' for key in meta if key not in KNOWN]
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        found.append("metadata.name: Required value: name or generateName is required")
    elif len(name) > 253 or not _SUBDOMAIN.match(name):
        found.append(
            f"metadata.name: Invalid value: {name!r}: a lowercase RFC 1123 subdomain must "
            "consist of lower case alphanumeric characters, '-' or '.'"
        )
    if namespaced and not meta.get("namespace"):
        found.append("metadata.namespace: Required value")
    for key, value in (meta.get("labels") or {}).items():
        found += _label_problems(key, value)
    for key, value in (meta.get("annotations") or {}).items():
        if not isinstance(value, str):
            found.append(f"metadata.annotations.{key}: Invalid value: must be a string")
    return found


def _label_problems(key: str, value: Any) -> list[str]:
    found = []
    prefix, _, name = key.rpartition("/")
    if (prefix and (len(prefix) > 253 or not _SUBDOMAIN.match(prefix))) or (
        len(name) > 63 or not _LABEL_NAME.match(name)
    ):
        found.append(f"metadata.labels: Invalid value: {key!r}: name part must be a valid label")
    if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
        found.append(
            f"metadata.labels: Invalid value: {value!r}: a valid label must be an empty string "
            "or consist of alphanumeric characters, '-', '_' or '.', at most 63 characters"
        )
    return found
