"""``autotune step deploy --dry-run --runtime FILE``: the InferenceService, without a cluster."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from steps.deploy.ome.render import render_inferenceservice
from steps.errors import TaskError
from steps.records import Scalar
from steps.spec import Task


def load_runtime(path: str | Path, name: str | None) -> dict[str, Any]:
    """The ClusterServingRuntime in a YAML file (the one named ``name`` if it holds several)."""
    try:
        docs = [doc for doc in yaml.safe_load_all(Path(path).read_text()) if doc]
    except (OSError, yaml.YAMLError) as exc:
        raise TaskError(f"--runtime {path}: cannot read it as YAML: {exc}") from None
    runtimes = [
        doc
        for doc in docs
        if isinstance(doc, dict) and doc.get("kind") in ("ClusterServingRuntime", "ServingRuntime")
    ]
    if len(runtimes) > 1:
        runtimes = [doc for doc in runtimes if doc.get("metadata", {}).get("name") == name]
    if len(runtimes) != 1:
        raise TaskError(
            f"--runtime {path}: holds {len(runtimes)} ClusterServingRuntime objects named "
            f"{name!r}; allowed: a file with that runtime (kubectl get clusterservingruntime "
            f"{name} -o yaml)"
        )
    return runtimes[0]


def dry_run(task: Task, study: str, slot: int, flags: Mapping[str, Scalar], runtime: str) -> str:
    """The YAML of the InferenceService ``deploy`` would create for this slot."""
    if task.deploy.backend != "ome":
        raise TaskError(
            f"--dry-run: deploy.backend is {task.deploy.backend!r}; allowed: ome (the local "
            "backend creates no manifest)"
        )
    manifest = render_inferenceservice(
        task, study, slot, flags, load_runtime(runtime, task.deploy.runtime)
    )
    return yaml.safe_dump(manifest, sort_keys=False)
