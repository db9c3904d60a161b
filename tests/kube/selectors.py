"""Label and field selectors, as the API server reads ``labelSelector`` / ``fieldSelector``.

Label selectors: ``k``, ``!k``, ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``,
comma-separated (commas inside parentheses belong to the set). Field selectors: dotted
paths with ``=``, ``==`` or ``!=`` (``metadata.name``, ``involvedObject.name``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]

_SET_REQUIREMENT = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQUALITY = re.compile(r"^\s*([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s*$")


class SelectorError(ValueError):
    """The selector does not parse (the API server answers 400)."""


def _split(selector: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def label_selector(selector: str | None) -> Predicate:
    if not selector:
        return lambda obj: True
    tests = [_label_requirement(part) for part in _split(selector)]

    def matches(obj: dict[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(test(labels) for test in tests)

    return matches


def _label_requirement(text: str) -> Callable[[dict[str, str]], bool]:
    if match := _SET_REQUIREMENT.match(text):
        key, op, raw = match.groups()
        values = {value.strip() for value in raw.split(",") if value.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if match := _EQUALITY.match(text):
        key, op, value = match.groups()
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if match := _EXISTS.match(text):
        negated, key = match.groups()
        return lambda labels: (key in labels) != bool(negated)
    raise SelectorError(f"unable to parse requirement: {text!r}")


def field_selector(selector: str | None) -> Predicate:
    if not selector:
        return lambda obj: True
    tests = []
    for part in _split(selector):
        match = _EQUALITY.match(part)
        if match is None:
            raise SelectorError(f"invalid field selector: {part!r}")
        tests.append(match.groups())

    def matches(obj: dict[str, Any]) -> bool:
        for path, op, value in tests:
            actual = _field(obj, path)
            if (actual == value) != (op != "!="):
                return False
        return True

    return matches


def _field(obj: dict[str, Any], path: str) -> str:
    node: Any = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return "" if node is None else str(node)
