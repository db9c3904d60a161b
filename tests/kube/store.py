"""The fake API server's object store: resourceVersion, finalizers, change history for watches.

One global resourceVersion counter, as etcd's revision: every write gets the next one,
and every change is kept in a history that watches replay from a given version. ``compact``
forgets the history, so a watch from an older version gets 410 Gone, as after etcd
compaction. Objects go in and out as deep copies: nobody aliases the stored state.
"""

from __future__ import annotations

import builtins
import copy
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.kube.crd_schema import Crd
from tests.kube.errors import ApiError
from tests.kube.meta import metadata_problems

Obj = dict[str, Any]
Predicate = Callable[[Obj], bool]


@dataclass(frozen=True)
class Resource:
    group: str  # "" for the core API
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    status_subresource: bool = False
    crd: Crd | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.plural)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @staticmethod
    def of_crd(crd: Crd) -> Resource:
        return Resource(
            crd.group,
            crd.version,
            crd.plural,
            crd.kind,
            crd.namespaced,
            crd.status_subresource,
            crd,
        )


@dataclass(frozen=True)
class Change:
    rv: int
    resource: tuple[str, str]
    namespace: str
    type: str  # ADDED | MODIFIED | DELETED
    obj: Obj
    old: Obj | None = None


@dataclass
class ObjectStore:
    resources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    _objects: dict[tuple[tuple[str, str], str, str], Obj] = field(default_factory=dict)
    _history: list[Change] = field(default_factory=list)
    _rv: int = 0
    _compacted: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def register(self, resource: Resource) -> None:
        self.resources[resource.key] = resource

    def resource(self, group: str, plural: str) -> Resource:
        found = self.resources.get((group, plural))
        if found is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return found

    @property
    def resource_version(self) -> int:
        with self._cond:
            return self._rv

    # -- reads ---------------------------------------------------------------------------
    def get(self, res: Resource, namespace: str, name: str) -> Obj:
        with self._cond:
            obj = self._objects.get((res.key, namespace, name))
            if obj is None:
                raise _not_found(res, name)
            return copy.deepcopy(obj)

    def list(self, res: Resource, namespace: str | None, match: Predicate) -> tuple[list[Obj], int]:
        with self._cond:
            items = [
                copy.deepcopy(obj)
                for (key, ns, _), obj in sorted(self._objects.items())
                if key == res.key and (namespace is None or ns == namespace) and match(obj)
            ]
            return items, self._rv

    # -- writes --------------------------------------------------------------------------
    def create(self, res: Resource, namespace: str, obj: Obj) -> Obj:
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if res.namespaced:
            meta["namespace"] = namespace
        if res.status_subresource:
            obj.pop("status", None)  # status is written through /status only
        self._validate(res, obj)
        name = meta["name"]
        with self._cond:
            if (res.key, namespace, name) in self._objects:
                raise ApiError(
                    409,
                    "AlreadyExists",
                    f'{_what(res)} "{name}" already exists',
                    {"name": name, "group": res.group, "kind": res.plural},
                )
            meta.update(
                uid=str(uuid.uuid4()),
                creationTimestamp=_now(),
                generation=1,
            )
            self._commit(res, namespace, name, "ADDED", obj, None)
            return copy.deepcopy(obj)

    def replace(self, res: Resource, namespace: str, name: str, obj: Obj, *, status: bool) -> Obj:
        obj = copy.deepcopy(obj)
        with self._cond:
            current = self._objects.get((res.key, namespace, name))
            if current is None:
                raise _not_found(res, name)
            sent_rv = (obj.get("metadata") or {}).get("resourceVersion")
            if sent_rv and sent_rv != current["metadata"]["resourceVersion"]:
                raise ApiError(
                    409,
                    "Conflict",
                    f"Operation cannot be fulfilled on {_what(res)} "
                    f'"{name}": the object has been modified; please apply your '
                    "changes to the latest version and try again",
                )
            new = copy.deepcopy(current)
            if status:
                new["status"] = obj.get("status")
            else:
                for key, value in obj.items():
                    if key not in ("metadata", "status") or not res.status_subresource:
                        new[key] = value
                for key in ("labels", "annotations", "finalizers", "ownerReferences"):
                    if key in obj.get("metadata", {}):
                        new["metadata"][key] = obj["metadata"][key]
                if new.get("spec") != current.get("spec"):
                    new["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
            self._validate(res, new)
            meta = new["metadata"]
            if meta.get("deletionTimestamp") and not meta.get("finalizers"):
                self._commit(res, namespace, name, "DELETED", new, current)
            else:
                self._commit(res, namespace, name, "MODIFIED", new, current)
            return copy.deepcopy(new)

    def delete(self, res: Resource, namespace: str, name: str, propagation: str | None) -> Obj:
        with self._cond:
            current = self._objects.get((res.key, namespace, name))
            if current is None:
                raise _not_found(res, name)
            new = copy.deepcopy(current)
            meta = new["metadata"]
            finalizers = list(meta.get("finalizers") or [])
            if propagation == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")  # the garbage collector removes it
            if not finalizers:
                self._commit(res, namespace, name, "DELETED", new, current)
                return copy.deepcopy(new)
            if not meta.get("deletionTimestamp"):
                meta.update(deletionTimestamp=_now(), finalizers=finalizers)
                self._commit(res, namespace, name, "MODIFIED", new, current)
            return copy.deepcopy(self._objects[(res.key, namespace, name)])

    def _commit(
        self, res: Resource, ns: str, name: str, kind: str, obj: Obj, old: Obj | None
    ) -> None:
        self._rv += 1
        obj["metadata"]["resourceVersion"] = str(self._rv)
        if kind == "DELETED":
            self._objects.pop((res.key, ns, name), None)
        else:
            self._objects[(res.key, ns, name)] = obj
        self._history.append(Change(self._rv, res.key, ns, kind, copy.deepcopy(obj), old))
        self._cond.notify_all()

    def _validate(self, res: Resource, obj: Obj) -> None:
        causes = metadata_problems(obj.get("metadata"), namespaced=res.namespaced)
        if res.crd is not None:
            causes += res.crd.problems(obj)
        if causes:
            name = (obj.get("metadata") or {}).get("name", "")
            raise ApiError(
                422,
                "Invalid",
                f'{res.kind}.{res.group or "core"} "{name}" is invalid: ' + "; ".join(causes),
                {
                    "name": name,
                    "group": res.group,
                    "kind": res.kind,
                    "causes": [{"message": cause} for cause in causes],
                },
            )

    # -- history -------------------------------------------------------------------------
    def compact(self) -> None:
        """Forget the change history (etcd compaction): older watches get 410 Gone."""
        with self._cond:
            self._history.clear()
            self._compacted = self._rv

    def wait(self, after: int, timeout_s: float) -> builtins.list[Change]:
        """The changes after ``after``, waiting up to ``timeout_s`` for the first one."""
        with self._cond:
            if not self._history or self._history[-1].rv <= after:
                self._cond.wait(timeout_s)
            return [change for change in self._history if change.rv > after]

    def changes(self, after: int, timeout_s: float, stop: threading.Event) -> Iterator[Change]:
        """Changes with rv > ``after``, as they happen, until ``timeout_s`` or ``stop``."""
        if after < self._compacted:
            raise ApiError(410, "Expired", f"too old resource version: {after} ({self._compacted})")
        deadline = time.monotonic() + timeout_s
        position = after
        while not stop.is_set():
            with self._cond:
                fresh = [change for change in self._history if change.rv > position]
                if not fresh:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return
                    self._cond.wait(min(remaining, 0.2))
                    continue
            for change in fresh:
                position = change.rv
                yield change


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _what(res: Resource) -> str:
    return f"{res.plural}.{res.group}" if res.group else res.plural


def _not_found(res: Resource, name: str) -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'{_what(res)} "{name}" not found',
        {"name": name, "group": res.group, "kind": res.plural},
    )
