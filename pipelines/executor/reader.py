"""Reading plain data (a parsed YAML/JSON manifest) against explicit allowlists.

Every problem becomes one line, ``<path>: <what is wrong>; <what is allowed>``, and
reading goes on, so a manifest's problems are all reported at once.
"""

from __future__ import annotations

from typing import Any


class Reader:
    """Reads plain data against allowlists, collecting one problem line per bad value."""

    hints: dict[str, str] = {}  # key -> why it is refused, where "not supported" is vague

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, text: str) -> None:
        self.problems.append(f"{path}: {text}")

    def obj(
        self, value: Any, path: str, allowed: tuple[str, ...], handled: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """``value`` as a mapping; every key outside ``allowed`` is a problem, except the
        ``handled`` ones, which the caller reports in its own words."""
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, got {type(value).__name__}")
            return {}
        for key in value:
            if key not in allowed and key not in handled:
                hint = self.hints.get(key, f"{key!r} is not supported by the local executor")
                self.fail(f"{path}.{key}", f"{hint}; supported here: {', '.join(allowed)}")
        return value

    def text(self, value: Any, path: str, *, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value):
            self.fail(path, f"expected a non-empty string, got {value!r}")
            return None
        return value

    def integer(self, value: Any, path: str, low: int = 0) -> int | None:
        if value is None:
            return None
        # Argo's IntOrString fields accept "3" as well as 3.
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(path, f"expected an integer >= {low}, got {value!r}")
            return None
        return value

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(path, f"expected a list of strings, got {value!r}")
            return ()
        return tuple(value)

    def pairs(self, value: Any, path: str, value_key: str, *, required: bool) -> list[Any]:
        """``[{name, <value_key>}]`` lists: arguments, inputs, env."""
        out: list[Any] = []
        if value is None:
            return out
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {type(value).__name__}")
            return out
        for i, item in enumerate(value):
            entry = self.obj(item, f"{path}[{i}]", ("name", value_key))
            name = self.text(entry.get("name"), f"{path}[{i}].name")
            raw = entry.get(value_key)
            if raw is None and required and "valueFrom" not in entry:  # that one is reported
                self.fail(f"{path}[{i}].{value_key}", "is required")
            if raw is not None and not isinstance(raw, str | int | float | bool):
                self.fail(f"{path}[{i}].{value_key}", f"expected a scalar, got {raw!r}")
            shown = (
                None if raw is None else (str(raw).lower() if isinstance(raw, bool) else str(raw))
            )
            if name is not None:
                out.append((name, shown))
        return out
