"""What the compiler needs beyond the task: store, image, kind, and who runs it (mode).

``mode`` says who runs the manifest. ``local`` (the default, and what the local executor
compiles) emits only what the executor supports. ``cluster`` adds what a study needs on
Argo: S3 credentials from a Secret, output artifacts, the GPU semaphore, pod GC, a TTL
and an exit handler, with settings from the task's ``cluster:`` section; ``namespace``
and ``service_account`` given here override the task's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from steps.errors import TaskError

Kind = Literal["workflow", "template", "cron"]
KINDS: tuple[str, ...] = get_args(Kind)
Mode = Literal["local", "cluster"]
MODES: tuple[str, ...] = get_args(Mode)

# The cluster store the project's MinIO install creates; the local executor and
# `autotune compile --store` override it per run.
DEFAULT_STORE = "s3://inference-autotuner"

_STORE = re.compile(r"^(file:///|s3://[a-z0-9])[^\s{}]*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
# robfig/cron's standard parser, which Argo uses: five fields or an @-descriptor.
_CRON = re.compile(
    r"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every [0-9a-z.]+"
    r"|[0-9*/,?A-Za-z-]+( [0-9*/,?A-Za-z-]+){4})$"
)


@dataclass(frozen=True)
class CompileOptions:
    store: str = DEFAULT_STORE
    image: str | None = None  # None: the task's pipeline.image
    kind: Kind = "workflow"
    namespace: str | None = None
    service_account: str | None = None
    schedule: str | None = None  # None: the task's pipeline.schedule (cron kind only)
    mode: Mode = "local"

    def problems(self) -> list[str]:
        """Every invalid option, one line each: the option, the bad value, what is allowed."""
        problems = []
        if not _STORE.match(self.store):
            problems.append(
                f"--store: {self.store!r} is not allowed; use file:///absolute/path or "
                "s3://bucket/prefix (no spaces, no braces)"
            )
        if self.kind not in KINDS:
            problems.append(f"--kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.mode not in MODES:
            problems.append(f"mode: {self.mode!r} is not one of {', '.join(MODES)}")
        if self.image is not None and not re.match(r"^[A-Za-z0-9._:/@+-]+$", self.image):
            problems.append(f"--image: {self.image!r} is not an image reference")
        if self.namespace is not None and not _is_dns(self.namespace, _DNS_LABEL, 63):
            problems.append(f"--namespace: {self.namespace!r} is not a DNS-1123 label")
        if self.service_account is not None and not _is_dns(
            self.service_account, _DNS_SUBDOMAIN, 253
        ):
            problems.append(
                f"--service-account: {self.service_account!r} is not a DNS-1123 subdomain"
            )
        if self.schedule is not None and not _CRON.match(self.schedule):
            problems.append(f"--schedule: {self.schedule!r} {CRON_HINT}")
        return problems

    def check(self) -> CompileOptions:
        problems = self.problems()
        if problems:
            raise TaskError(problems)
        return self


CRON_HINT = "is not a cron schedule; use five fields ('0 3 * * *') or @daily/@hourly/@every 6h"


def resolve_mode(store: str, cluster: bool | None) -> Mode:
    """``--cluster``/``--local`` when given, else cluster exactly when the store is on S3.

    An S3 store is what a cluster's pods can share; a file:// store only this machine.
    """
    if cluster is not None:
        return "cluster" if cluster else "local"
    return "cluster" if store.startswith("s3://") else "local"


def is_cron(schedule: str) -> bool:
    return bool(_CRON.match(schedule))


def _is_dns(value: str, pattern: re.Pattern[str], limit: int) -> bool:
    return len(value) <= limit and bool(pattern.match(value))
