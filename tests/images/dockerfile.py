"""A small reader for images/steps/Dockerfile and .dockerignore (only what the tests need).

Instructions are joined across backslash continuations; comments and blank lines drop
out. .dockerignore follows Docker's rules as far as these files use them: patterns in
order, the last match wins, ``!`` re-includes, and a pattern that matches a folder
matches everything under it.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case
    value: str  # the rest of the instruction, continuations joined

    def exec_form(self) -> list[str]:
        """A JSON-array argument (ENTRYPOINT ["autotune"]), or ValueError."""
        parsed = json.loads(self.value)
        if not (isinstance(parsed, list) and all(isinstance(p, str) for p in parsed)):
            raise ValueError(f"{self.keyword} {self.value}: not a JSON array of strings")
        return parsed

    def copy_sources(self) -> list[str]:
        """Sources of COPY/ADD (flags and the destination left out)."""
        words = self.exec_form() if self.value.startswith("[") else self.value.split()
        words = [word for word in words if not word.startswith("--")]
        return words[:-1]


def instructions(path: Path) -> list[Instruction]:
    joined: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, f"{path}: ends inside a continued line"
    result = []
    for text in joined:
        keyword, _, value = text.partition(" ")
        result.append(Instruction(keyword.upper(), value.strip()))
    return result


def ignore_patterns(path: Path) -> list[str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def is_ignored(relative: str, patterns: list[str]) -> bool:
    """Whether Docker leaves ``relative`` (a path from the context root) out of the context."""
    path = PurePosixPath(relative)
    candidates = [str(path), *(str(parent) for parent in path.parents if str(parent) != ".")]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        body = body.strip("/")
        if any(_match(candidate, body) for candidate in candidates):
            ignored = not negate
    return ignored


def _match(path: str, pattern: str) -> bool:
    if pattern.startswith("**/"):
        tail = pattern[3:]
        return fnmatch.fnmatchcase(path, tail) or fnmatch.fnmatchcase(path, pattern)
    # Docker's `*` does not cross `/`: compare segment by segment.
    parts, globs = path.split("/"), pattern.split("/")
    return len(parts) == len(globs) and all(
        fnmatch.fnmatchcase(part, glob) for part, glob in zip(parts, globs, strict=True)
    )
