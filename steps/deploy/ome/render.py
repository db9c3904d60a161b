"""The InferenceService of one candidate, rendered from ``templates/inferenceservice.yaml.j2``.

``render_inferenceservice`` needs no cluster: the deployer gives it the
ClusterServingRuntime it read from the API; ``autotune step deploy --dry-run`` gives it
one read from a file; the report exports the best trial's manifest in the same form.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from steps.deploy.ome import names
from steps.deploy.ome.command import flag_value, set_flags
from steps.engines import Engine, get_engine
from steps.errors import TaskError
from steps.records import Scalar
from steps.spec import Task

TEMPLATE = "inferenceservice.yaml.j2"
DEFAULT_PORT = 8080  # OME's engine port
# Flags whose product is the GPUs one engine replica uses.
PARALLEL_FLAGS = {
    "sglang": ("tp-size", "dp-size"),
    "vllm": ("tensor-parallel-size", "pipeline-parallel-size"),
}


def templates_dir() -> Path:
    """``$AUTOTUNE_TEMPLATES``, else ``templates/`` of the checkout (the steps image has it)."""
    override = os.environ.get("AUTOTUNE_TEMPLATES")
    return Path(override) if override else Path(__file__).resolve().parents[3] / "templates"


@dataclass(frozen=True)
class RuntimeRunner:
    """What the deployer needs from a ClusterServingRuntime's ``engineConfig.runner``."""

    name: str
    field: str  # "command", or "args" where the runtime keeps the engine's flags there
    command: list[str]
    port: int


def runtime_runner(runtime: Mapping[str, Any], runtime_name: str) -> RuntimeRunner:
    where = f"deploy.runtime: ClusterServingRuntime {runtime_name!r}"
    if runtime.get("kind") not in (None, "ClusterServingRuntime", "ServingRuntime"):
        raise TaskError(f"{where}: the object is a {runtime.get('kind')}, not a serving runtime")
    spec = runtime.get("spec") or {}
    if spec.get("disabled"):
        raise TaskError(
            f"{where} is disabled (spec.disabled: true); fix: enable it or pick another"
        )
    runner = (spec.get("engineConfig") or {}).get("runner")
    if not isinstance(runner, dict):
        raise TaskError(
            f"{where} has no engineConfig.runner; allowed: a runtime whose engine "
            "runner holds the engine command (see ../shared/ome-samples)"
        )
    field = "command"
    if not any(str(t).startswith("--") for t in runner.get("command") or []) and any(
        str(t).startswith("--") for t in runner.get("args") or []
    ):
        field = "args"
    command = [str(token) for token in runner.get(field) or []]
    if not command or any(
        token in ("-c", "bash", "sh", "/bin/sh", "/bin/bash") for token in command[:2]
    ):
        raise TaskError(
            f"{where}: engineConfig.runner.{field} is {command!r}; allowed: the engine's "
            "argv as a list (python3 -m sglang.launch_server --flag value ...), not a "
            "shell script, whose flags cannot be rewritten safely"
        )
    ports = [p.get("containerPort") for p in runner.get("ports") or [] if isinstance(p, dict)]
    return RuntimeRunner(
        str(runner.get("name") or ""),
        field,
        command,
        int(ports[0]) if ports and ports[0] else DEFAULT_PORT,
    )


def gpus_per_replica(task: Task, command: list[str], engine: Engine) -> int:
    """``deploy.gpus_per_replica``, else the product of the command's parallel sizes."""
    if task.deploy.gpus_per_replica is not None:
        return task.deploy.gpus_per_replica
    sizes = []
    for flag in PARALLEL_FLAGS.get(engine.kind, ()):
        value = flag_value(command, flag, engine)
        try:
            sizes.append(int(value) if value is not None else 1)
        except ValueError:
            raise TaskError(
                f"--{flag} {value!r} in the engine command is not an integer; "
                "fix: set deploy.gpus_per_replica"
            ) from None
    return math.prod(sizes) if sizes else 1


def engine_command(task: Task, flags: Mapping[str, Scalar], runner: RuntimeRunner) -> list[str]:
    """The runtime's command with the candidate's flags and the served model name set."""
    engine = get_engine(task.engine.kind)
    # the benchmark asks for model.name: the engine must serve it under that name
    return set_flags(runner.command, {**flags, "served-model-name": task.model.name}, engine)


def render_inferenceservice(
    task: Task, study: str, slot: int, flags: Mapping[str, Scalar], runtime_obj: Mapping[str, Any]
) -> dict[str, Any]:
    """The InferenceService that deploys ``flags`` for ``slot`` of ``study`` (a dict)."""
    if task.deploy.runtime is None:
        raise TaskError("deploy.runtime: missing; the ome backend needs the ClusterServingRuntime")
    if not task.model.path:
        raise TaskError(
            "model.path: missing; with the ome backend it names the ClusterBaseModel "
            "to serve (kubectl get clusterbasemodels)"
        )
    runner = runtime_runner(runtime_obj, task.deploy.runtime)
    command = engine_command(task, flags, runner)
    text = _template().render(
        name=names.isvc_name(study, slot),
        namespace=task.deploy.namespace,
        study=study,
        study_label=names.label_value(study),
        slot=slot,
        model=task.model.path,
        runtime=task.deploy.runtime,
        runner_name=runner.name,
        command_field=runner.field,
        command=command,
        gpus=gpus_per_replica(task, command, get_engine(task.engine.kind)),
    )
    manifest = yaml.safe_load(text)
    assert isinstance(manifest, dict), "the template must render one mapping"
    return manifest


@functools.cache
def _template_for(directory: Path) -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        undefined=jinja2.StrictUndefined,  # a missing variable is an error, not ""
        autoescape=False,
        keep_trailing_newline=True,
    )
    return env.get_template(TEMPLATE)


def _template() -> Any:
    directory = templates_dir()
    if not (directory / TEMPLATE).is_file():
        raise TaskError(
            f"{directory / TEMPLATE} is missing; set AUTOTUNE_TEMPLATES to the "
            "project's templates/ folder"
        )
    return _template_for(directory)
