"""Every check a compiled manifest passes before it is written or submitted.

The manifest lint always runs; the closed-world CRD check runs when the Argo CRDs are
beside the checkout (``pipelines.schema_check``). A problem here is a compiler bug,
not the task's fault: the task was validated before compiling.
"""

from __future__ import annotations

from typing import Any

from pipelines import manifest_lint, schema_check
from steps.errors import AutotuneError


class ManifestInvalid(AutotuneError):
    """The compiler produced a manifest Argo would refuse (a bug: report it)."""

    exit_code = 1  # neither bad input nor worth retrying


def manifest_problems(manifest: dict[str, Any]) -> tuple[list[str], bool]:
    """(problems, whether the CRD check ran)."""
    problems = manifest_lint.lint_manifest(manifest)
    checked = schema_check.available()
    if checked:
        problems += schema_check.schema_problems(manifest)
    return problems, checked


def check_manifest(manifest: dict[str, Any]) -> bool:
    """Raise ``ManifestInvalid`` listing every problem; return whether the CRDs were used."""
    problems, checked = manifest_problems(manifest)
    if problems:
        raise ManifestInvalid(
            "the compiled manifest fails its checks (a compiler bug):\n" + "\n".join(problems)
        )
    return checked
