"""Output artifacts (cluster mode): what a study shows in the Argo UI.

The store stays the data channel (DESIGN.md); artifacts are copies for people reading
a run in the Argo UI: the engine log after teardown, genai-bench's raw output after
benchmark, the report after report. The step copies its records from the store into
``ARTIFACTS_DIR`` when given ``--artifacts`` (``autotune step teardown --artifacts DIR``
writes ``DIR/engine.log``), and Argo uploads that path to the repository the workflow's
``artifactRepositoryRef`` names.

Every artifact is optional: a slot decided before its benchmark has no bench folder, a
slot that never deployed has no engine log, and neither is an error. ``archive: none``
uploads files as they are, so the UI shows the log and the report's pages directly
instead of a tarball.
"""

from __future__ import annotations

from dataclasses import dataclass

from hera.workflows import Artifact, NoneArchiveStrategy

from pipelines import naming

# In the step container's own filesystem, which the executor collects outputs from.
ARTIFACTS_DIR = "/tmp/autotune-artifacts"
ARTIFACTS_FLAG = "--artifacts"


@dataclass(frozen=True)
class StepArtifact:
    name: str  # the artifact's name in the Argo UI
    file: str  # what the step writes under ``--artifacts DIR`` (a file or a folder)

    @property
    def path(self) -> str:
        return f"{ARTIFACTS_DIR}/{self.file}"


STEP_ARTIFACTS = {
    naming.TEARDOWN: StepArtifact("engine-log", "engine.log"),
    "benchmark": StepArtifact("bench", "bench"),
    naming.REPORT: StepArtifact("report", "report"),
}


def artifact_args(step: str) -> list[str]:
    """The extra step arguments that make ``step`` write its artifact copy, if it has one."""
    return [ARTIFACTS_FLAG, ARTIFACTS_DIR] if step in STEP_ARTIFACTS else []


def outputs(step: str) -> list[Artifact]:
    """The template's output artifacts: what ``artifact_args`` makes the step write."""
    artifact = STEP_ARTIFACTS.get(step)
    if artifact is None:
        return []
    return [
        Artifact(
            name=artifact.name,
            path=artifact.path,
            optional=True,
            archive=NoneArchiveStrategy(),
        )
    ]
