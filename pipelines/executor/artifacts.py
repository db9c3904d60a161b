"""Output artifacts: a private folder for each attempt, and the copy taken when it ends.

On Argo every pod has a filesystem of its own, so every step can write its artifacts to
the same ``/tmp/autotune-artifacts`` without meeting another. Here the steps share one
filesystem, and two slots (or a retry and a stale earlier copy) would mix their files.
So each attempt gets a private root standing in for its pod's filesystem: an argument
that names a folder holding an artifact path (the compiler's ``--artifacts DIR``) is
rewritten to the same path under that root. A path no argument leads to cannot be
redirected, so the manifest is refused when it is read (``uncovered``).

When the attempt ends, whatever its exit code (Argo's wait container saves outputs of
failed steps too), each artifact is copied from the root to the executor's artifacts
folder and the root is deleted. A missing optional artifact is skipped; a missing
required one fails the node, as on Argo. The executor hands the copies to its sink
(the study's store: ``workflow/artifacts/<node>/<name>``) and records them on the node
in Argo's shape (``outputs.artifacts[] {name, path, ...location}``).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from pipelines.executor.spec import OutputArtifact


def _covers(arg: str, path: str) -> bool:
    folder = arg.rstrip("/")
    return (
        arg.startswith("/") and bool(folder) and (path == folder or path.startswith(folder + "/"))
    )


def uncovered(argv: Sequence[str], outputs: Sequence[OutputArtifact]) -> list[OutputArtifact]:
    """The artifacts whose path no argument of ``argv`` leads to."""
    return [a for a in outputs if not any(_covers(arg, a.path) for arg in argv)]


def private_argv(argv: Sequence[str], outputs: Sequence[OutputArtifact], root: Path) -> list[str]:
    """``argv`` with every argument that leads to an artifact moved under ``root``."""
    return [f"{root}{arg}" if any(_covers(arg, a.path) for a in outputs) else arg for arg in argv]


def collect(
    outputs: Sequence[OutputArtifact], root: Path, dest: Path
) -> tuple[list[tuple[OutputArtifact, Path]], list[OutputArtifact]]:
    """Copy each artifact from ``root`` to ``dest/<name>``, then delete ``root``.

    Returns the copies and the required artifacts that were not there."""
    copies: list[tuple[OutputArtifact, Path]] = []
    missing: list[OutputArtifact] = []
    try:
        for artifact in outputs:
            source = root / artifact.path.lstrip("/")
            target = dest / artifact.name
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            else:
                if not artifact.optional:
                    missing.append(artifact)
                continue
            copies.append((artifact, target))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return copies, missing


def missing_message(missing: Sequence[OutputArtifact]) -> str:
    names = ", ".join(f"{a.name!r} ({a.path})" for a in missing)
    return f"failed to save outputs: no such file or directory: {names}"
