"""Reading the Argo fields that only cluster-mode manifests carry, each in its one narrow form.

- ``env[].valueFrom.secretKeyRef {name, key}``: resolved from a local mapping (``secrets``);
- a container template's ``outputs.artifacts[] {name, path, optional, archive: {none: {}}}``:
  copied out of the attempt's private folder when it ends (``artifacts``);
- a dag template's ``synchronization.semaphores[].configMapKeyRef {name, key}``: a local
  counting semaphore (``semaphores``);
- a DAG task's ``when`` of the form the compiler emits (``when``);
- Workflow spec fields with no meaning on one machine: accepted and ignored (``IGNORED_SPEC``).

Anything else in these places (configMapKeyRef env, output parameters, mutexes, another
archive strategy) is refused with its path, like every other unsupported key.
"""

from __future__ import annotations

from typing import Any

from pipelines.executor import when
from pipelines.executor.reader import Reader
from pipelines.executor.spec import OutputArtifact, SecretRef

# Accepted and ignored locally; why, in one line each.
IGNORED_SPEC = {
    "podGC": "there are no pods to collect: a step's process is gone when it ends",
    "ttlStrategy": "there is no Workflow object to expire: the record lives with the study",
    "artifactRepositoryRef": "artifacts go to the study's store (workflow/artifacts/)",
    "serviceAccountName": "steps run as the user who runs the executor",
    "workflowMetadata": "it labels the Workflow object, which does not exist here",
}
_ENV = ("name", "value", "valueFrom")
_ARTIFACT = ("name", "path", "optional", "archive")


def read_env(reader: Reader, raw: Any, path: str) -> tuple[list[tuple[str, str]], list[SecretRef]]:
    """A container's env: literal values, and secret references resolved later."""
    values: list[tuple[str, str]] = []
    refs: list[SecretRef] = []
    if raw is None:
        return values, refs
    if not isinstance(raw, list):
        reader.fail(path, f"expected a list, got {type(raw).__name__}")
        return values, refs
    for i, item in enumerate(raw):
        where = f"{path}[{i}]"
        entry = reader.obj(item, where, _ENV)
        name = reader.text(entry.get("name"), f"{where}.name")
        if ("value" in entry) == ("valueFrom" in entry):
            reader.fail(where, "give exactly one of value or valueFrom")
            continue
        if "valueFrom" in entry:
            source = reader.obj(entry["valueFrom"], f"{where}.valueFrom", ("secretKeyRef",))
            ref = reader.obj(
                source.get("secretKeyRef"), f"{where}.valueFrom.secretKeyRef", ("name", "key")
            )
            secret = reader.text(ref.get("name"), f"{where}.valueFrom.secretKeyRef.name")
            key = reader.text(ref.get("key"), f"{where}.valueFrom.secretKeyRef.key")
            if name and secret and key:
                refs.append(SecretRef(name, secret, key))
            continue
        value = entry["value"]
        if not isinstance(value, str | int | float | bool):
            reader.fail(f"{where}.value", f"expected a scalar, got {value!r}")
        elif name:
            values.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    return values, refs


def read_outputs(reader: Reader, raw: Any, path: str) -> tuple[OutputArtifact, ...]:
    body = reader.obj(raw, path, ("artifacts",))
    items = body.get("artifacts") or []
    if not isinstance(items, list):
        reader.fail(f"{path}.artifacts", f"expected a list, got {type(items).__name__}")
        return ()
    out: list[OutputArtifact] = []
    for i, item in enumerate(items):
        where = f"{path}.artifacts[{i}]"
        entry = reader.obj(item, where, _ARTIFACT)
        name = reader.text(entry.get("name"), f"{where}.name")
        target = reader.text(entry.get("path"), f"{where}.path")
        if target is not None and (
            not target.startswith("/") or target == "/" or ".." in target.split("/")
        ):
            reader.fail(f"{where}.path", f"{target!r}: expected an absolute path below /")
            target = None
        optional = entry.get("optional", False)
        if not isinstance(optional, bool):
            reader.fail(f"{where}.optional", f"expected true or false, got {optional!r}")
        archive = entry.get("archive")
        if archive is None:
            reader.fail(
                f"{where}.archive",
                "is required here: archive: {none: {}} (artifacts are copied as they are; "
                "Argo's default would be a tarball)",
            )
        else:
            strategy = reader.obj(archive, f"{where}.archive", ("none",))
            if strategy.get("none") not in ({}, None) or "none" not in strategy:
                reader.fail(f"{where}.archive", "only archive: {none: {}} is supported")
        if name in {a.name for a in out}:
            reader.fail(f"{where}.name", f"artifact {name!r} is defined twice")
        elif name and target:
            out.append(OutputArtifact(name, target, optional is True))
    return tuple(out)


def read_semaphores(reader: Reader, raw: Any, path: str) -> tuple[str, ...]:
    """``synchronization``: ConfigMap semaphores only, as ``"configmap/key"``."""
    body = reader.obj(raw, path, ("semaphores",))
    items = body.get("semaphores")
    if not isinstance(items, list) or not items:
        reader.fail(f"{path}.semaphores", "expected a non-empty list of semaphores")
        return ()
    keys: list[str] = []
    for i, item in enumerate(items):
        where = f"{path}.semaphores[{i}]"
        entry = reader.obj(item, where, ("configMapKeyRef",))
        ref = reader.obj(entry.get("configMapKeyRef"), f"{where}.configMapKeyRef", ("name", "key"))
        name = reader.text(ref.get("name"), f"{where}.configMapKeyRef.name")
        key = reader.text(ref.get("key"), f"{where}.configMapKeyRef.key")
        if name and key:
            keys.append(f"{name}/{key}")
    return tuple(keys)


def read_when(reader: Reader, raw: Any, path: str) -> str | None:
    text = reader.text(raw, path, required=False)
    if text is None:
        return None
    problem = when.problem(text)
    if problem:
        reader.fail(path, problem)
        return None
    return text
