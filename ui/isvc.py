"""The best configuration as an OME InferenceService to download.

A study deployed through OME records the InferenceService it applied, and the report
keeps the best one (``report/best_manifest.yaml``): that is the file to apply. A study
tuned elsewhere (the local backend) has none, so one is drafted from the task and the
best flags, following OME's rules (DESIGN.md): ``spec.engine`` always set, the engine's
``runner.command`` carrying the whole command with the tuned flags, because a list in
the override replaces the runtime's list whole.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import yaml

from steps.engines import get_engine
from steps.records import Scalar
from steps.report.command import PLAIN_BINARY
from steps.spec import Task

ENGINE_PORT = 8080  # OME's engine port
MODEL_PATH = "$(MODEL_PATH)"  # OME sets it in the engine container
RUNTIME_PLACEHOLDER = "REPLACE-with-your-ClusterServingRuntime"


def drafted_command(task: Task, flags: Mapping[str, Scalar]) -> list[str]:
    engine = get_engine(task.engine.kind)

    def launch(binary: str | None) -> list[str]:
        return engine.launch(
            flags,
            model_path=MODEL_PATH,
            served_model_name=task.model.name,
            host="0.0.0.0",
            port=ENGINE_PORT,
            binary=binary,
        ).argv

    if task.engine.kind != "llama.cpp":
        return launch(None)
    # llama.cpp's base command looks its binary up on this machine; any executable passes
    # the lookup, and the manifest names the plain binary the image has on its PATH
    argv = launch(sys.executable)
    return [PLAIN_BINARY["llama.cpp"] if a == sys.executable else a for a in argv]


def drafted_isvc(task: Task, study: str, flags: Mapping[str, Scalar]) -> dict[str, Any]:
    name = f"{study}-best"[:63].rstrip("-")
    return {
        "apiVersion": "ome.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {
            "name": name,
            "namespace": task.deploy.namespace,
            "labels": {"app.kubernetes.io/part-of": "inference-autotuner"},
        },
        "spec": {
            # with the ome backend, model.path names the ClusterBaseModel
            "model": {"name": task.model.path or task.model.name},
            "runtime": {"name": task.deploy.runtime or RUNTIME_PLACEHOLDER},
            "engine": {
                "minReplicas": 1,
                "maxReplicas": 1,
                "runner": {"name": "ome-container", "command": drafted_command(task, flags)},
            },
        },
    }


def isvc_yaml(
    task: Task, study: str, flags: Mapping[str, Scalar], recorded: str | None
) -> tuple[str, bool]:
    """(YAML, drafted?): the recorded manifest when the study has one, else a draft."""
    if recorded:
        return recorded, False
    text = yaml.safe_dump(drafted_isvc(task, study, flags), sort_keys=False)
    head = (
        "# Drafted by inference-autotuner from the best flags of a study that did not run\n"
        "# through OME: check spec.model and spec.runtime before applying.\n"
    )
    return head + text, True
