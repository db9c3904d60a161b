"""The ``Store`` interface and the study layout every implementation shares.

Layout (DESIGN.md): ``studies/<study>/task.yaml``, ``trials/<k>/{params,deploy,
metrics,result}.json``, ``trials/<k>/engine.log``, ``trials/<k>/bench/``,
``report/``. Keys are '/'-separated and relative to the store root.
"""

from __future__ import annotations

import builtins
import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from steps.errors import TaskError

M = TypeVar("M", bound=BaseModel)

KEY_RULE = "keys are '/'-separated relative paths without empty, '.' or '..' parts"


def check_key(key: str) -> str:
    """Return ``key`` if every store can hold it the same way, else raise TaskError.

    The same key must name the same record on a folder and on S3; '..' would
    also let a study name escape a LocalStore's root.
    """
    parts = key.split("/")
    if not key or "\0" in key or any(part in ("", ".", "..") for part in parts):
        raise TaskError(f"store key {key!r} is invalid; {KEY_RULE}")
    return key


def check_prefix(prefix: str) -> str:
    """Like ``check_key`` but allows ``""`` (everything) and a trailing '/'."""
    if prefix:
        check_key(prefix.removesuffix("/"))
    return prefix


class Store(ABC):
    """Whole-object reads and atomic whole-object writes under string keys."""

    uri: str

    @abstractmethod
    def read_bytes(self, key: str) -> bytes:
        """The object's bytes; raise ``steps.errors.NotFound`` when it does not exist."""

    @abstractmethod
    def write_bytes(self, key: str, data: bytes) -> None:
        """Replace the object atomically: a reader sees the old bytes or the new, never a mix."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """Every key that starts with ``prefix`` (recursive), sorted.

        ``prefix`` is a plain string prefix, as on S3: ``"trials/1"`` also matches
        ``"trials/10/x"``. End it with ``/`` to mean a folder (``"trials/1/"``).
        """

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove one object; removing a missing object is not an error."""

    # Conveniences built on the primitives above.

    def read_text(self, key: str) -> str:
        return self.read_bytes(key).decode()

    def write_text(self, key: str, text: str) -> None:
        self.write_bytes(key, text.encode())

    def read_model(self, key: str, model: type[M]) -> M:
        return model.model_validate_json(self.read_bytes(key))

    def read_model_or_none(self, key: str, model: type[M]) -> M | None:
        return self.read_model(key, model) if self.exists(key) else None

    def write_model(self, key: str, record: BaseModel) -> None:
        self.write_text(key, record.model_dump_json(indent=2))

    def write_json(self, key: str, data: object) -> None:
        self.write_text(key, json.dumps(data, indent=2, sort_keys=True))

    # builtins.list: inside this class body, plain ``list`` is the method above.
    def upload_dir(self, local: Path, prefix: str) -> builtins.list[str]:
        """Copy every file below ``local`` to ``prefix/<relative path>``; return the keys."""
        keys = []
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            key = f"{prefix.rstrip('/')}/{path.relative_to(local).as_posix()}"
            self.write_bytes(key, path.read_bytes())
            keys.append(key)
        return keys

    def delete_prefix(self, prefix: str) -> None:
        for key in self.list(prefix):
            self.delete(key)


class Layout:
    """Where a study's records live; the only place that spells the layout out."""

    def __init__(self, study: str) -> None:
        self.study = study
        self.root = f"studies/{study}"

    @property
    def task(self) -> str:
        return f"{self.root}/task.yaml"

    def trial(self, slot: int, name: str = "") -> str:
        base = f"{self.root}/trials/{slot}"
        return f"{base}/{name}" if name else base

    def params(self, slot: int) -> str:
        return self.trial(slot, "params.json")

    def deploy(self, slot: int) -> str:
        return self.trial(slot, "deploy.json")

    def metrics(self, slot: int) -> str:
        return self.trial(slot, "metrics.json")

    def result(self, slot: int) -> str:
        return self.trial(slot, "result.json")

    def engine_log(self, slot: int) -> str:
        return self.trial(slot, "engine.log")

    def bench_dir(self, slot: int) -> str:
        return self.trial(slot, "bench")

    @property
    def previous(self) -> str:
        """The earlier study's best this study started from (recurring tuning)."""
        return f"{self.root}/previous.json"

    @staticmethod
    def series(task_name: str) -> str:
        """The newest best configuration of every study of one task, across studies."""
        return f"series/{task_name}/latest.json"

    def report(self, name: str = "") -> str:
        return f"{self.root}/report/{name}" if name else f"{self.root}/report"

    def slots(self, store: Store) -> list[int]:
        """Slots that have any record, ascending."""
        found = set()
        for key in store.list(f"{self.root}/trials/"):
            part = key[len(f"{self.root}/trials/") :].split("/", 1)[0]
            if part.isdigit():
                found.add(int(part))
        return sorted(found)
