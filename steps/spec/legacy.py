"""The earlier prototype's JSON tasks, converted to the current spec (placeholder body)."""

from __future__ import annotations

from typing import Any


def convert_legacy(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    raise NotImplementedError
