"""PATCH bodies: JSON merge patch (RFC 7386, also used for strategic merge) and JSON patch."""

from __future__ import annotations

import copy
from typing import Any

from tests.kube.errors import ApiError


def apply_patch(current: dict[str, Any], patch: Any, content_type: str) -> dict[str, Any]:
    if "json-patch" in content_type:
        return _json_patch(current, patch)
    if not isinstance(patch, dict):
        raise ApiError(400, "BadRequest", "a merge patch must be a JSON object")
    # strategic merge is treated as a merge patch: lists are replaced whole
    return _merge(copy.deepcopy(current), patch)


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = _merge(target.get(key), value)
    return target


def _json_patch(current: dict[str, Any], ops: Any) -> dict[str, Any]:
    if not isinstance(ops, list):
        raise ApiError(400, "BadRequest", "a JSON patch must be a list of operations")
    doc = copy.deepcopy(current)
    for op in ops:
        *parents, last = [
            p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]
        ]
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if op["op"] in ("add", "replace"):
            if isinstance(node, list):
                index = len(node) if last == "-" else int(last)
                node[index : index + (op["op"] == "replace")] = [op["value"]]
            else:
                node[last] = op["value"]
        elif op["op"] == "remove":
            del node[int(last) if isinstance(node, list) else last]
        else:
            raise ApiError(400, "BadRequest", f"unsupported JSON patch op {op['op']!r}")
    return doc
