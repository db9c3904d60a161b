"""``env[].valueFrom.secretKeyRef``: resolved before anything runs, and never written down.

Argo reads the Secret when it creates a step's pod, and a pod whose Secret or key is
missing never starts (CreateContainerConfigError). There is no Secret API here: the caller
gives a mapping ``{(secret name, key): value}`` (``ExecutorOptions.secrets``) or, without
one, each variable is taken from the executor's own environment under the same name
(``AWS_ACCESS_KEY_ID`` ...). Every reference of every template is resolved before the
first step starts, so a missing one refuses the run instead of failing it half-way.

Values live in memory and in the step processes' environment only: the status record
holds no env, and each step's log is scrubbed of them before it is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pipelines.executor.spec import SecretRef, Workflow
from steps.errors import TaskError

MASK = b"***"
_MIN_SCRUBBED = 4  # shorter values would mask ordinary text and hide nothing


class MissingSecret(TaskError):
    """A secretKeyRef has no value here; nothing was started."""


def resolve(
    workflow: Workflow,
    secrets: Mapping[tuple[str, str], str] | None,
    environ: Mapping[str, str],
) -> dict[SecretRef, str]:
    """The value of every secret reference in ``workflow``; raise MissingSecret."""
    values: dict[SecretRef, str] = {}
    missing: dict[SecretRef, list[str]] = {}
    for template in workflow.templates.values():
        for ref in template.container.secret_env if template.container else ():
            value = (
                secrets.get((ref.secret, ref.key)) if secrets is not None else environ.get(ref.env)
            )
            if value is None:
                missing.setdefault(ref, []).append(template.name)
            else:
                values[ref] = value
    if missing:
        raise MissingSecret(
            [_problem(ref, users, secrets is not None) for ref, users in missing.items()]
        )
    return values


def _problem(ref: SecretRef, users: list[str], mapped: bool) -> str:
    where = f"env {ref.env} of {', '.join(sorted(set(users)))}"
    if mapped:
        fix = "add it to the secrets given to the executor"
    else:
        fix = f"set {ref.env} in the executor's environment, or give the executor a secrets mapping"
    return (
        f"Secret {ref.secret!r} key {ref.key!r} ({where}) has no value here; {fix} "
        "(Argo would not start the pod: CreateContainerConfigError)"
    )


def scrub(path: Path, values: Iterable[str]) -> None:
    """Mask every secret value in the file at ``path`` (a step's log), in place."""
    secrets = sorted({v.encode() for v in values if len(v) >= _MIN_SCRUBBED}, key=len, reverse=True)
    if not secrets:
        return
    try:
        data = path.read_bytes()
    except OSError:
        return
    clean = data
    for secret in secrets:
        clean = clean.replace(secret, MASK)
    if clean != data:
        path.write_bytes(clean)
