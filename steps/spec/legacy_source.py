"""A legacy task being converted: which of its keys were mapped, reported or left over.

The converter's promise is that nothing is dropped silently: every key of the
prototype's file is either mapped into the new spec or named in a problem (could not
be converted) or a note (converted, with a choice the user should know about).
``Source`` records that per key path, so the leftovers can be reported at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Source:
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    handled: set[str] = field(default_factory=set)

    def get(self, path: str, default: Any = None) -> Any:
        """The value at a dotted path, marked as mapped."""
        self.handled.add(path)
        return self.peek(path, default)

    def peek(self, path: str, default: Any = None) -> Any:
        """The value at a dotted path, without marking it."""
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def has(self, path: str) -> bool:
        marker = object()
        return self.peek(path, marker) is not marker

    def problem(self, path: str, message: str) -> None:
        """``path`` could not be converted."""
        self.handled.add(path)
        self.problems.append(f"{path}: {message}")

    def note(self, path: str, message: str) -> None:
        """``path`` was converted with a choice the user should know about."""
        self.handled.add(path)
        self.notes.append(f"{path}: {message}")

    def leftovers(self) -> list[str]:
        """Leaf key paths that nothing mapped or reported (nor any of their parents)."""
        return [p for p in leaf_paths(self.data) if not self._covered(p)]

    def _covered(self, path: str) -> bool:
        parts = path.split(".")
        return any(".".join(parts[:n]) in self.handled for n in range(1, len(parts) + 1))


def leaf_paths(data: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every value that is not a non-empty mapping."""
    if not isinstance(data, dict) or not data:
        return [prefix] if prefix else []
    paths = []
    for key, value in data.items():
        paths += leaf_paths(value, f"{prefix}.{key}" if prefix else str(key))
    return paths
