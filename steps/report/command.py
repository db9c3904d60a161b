"""The best config as the engine command line a person can paste into a shell."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping

from steps.engines import get_engine
from steps.errors import TaskError
from steps.records import Scalar
from steps.spec import Task

# Where the engine will run is unknown to the report: show the usual serving address.
PLACEHOLDER_HOST = "0.0.0.0"
PLACEHOLDER_PORT = 8080
# The executable named when the real one cannot be located on the machine writing the report.
PLAIN_BINARY = {"llama.cpp": "llama-server"}


def engine_argv(task: Task, flags: Mapping[str, Scalar]) -> list[str]:
    engine = get_engine(task.engine.kind)

    def launch(binary: str | None) -> list[str]:
        return engine.launch(
            flags,
            model_path=task.model.path or task.model.name,
            served_model_name=task.model.name,
            host=PLACEHOLDER_HOST,
            port=PLACEHOLDER_PORT,
            binary=binary,
        ).argv

    try:
        return launch(task.engine.binary)
    except TaskError:
        # The engine could not find its binary here (llama-server not built on the machine
        # that writes the report). Any executable satisfies the lookup; the command then
        # names the plain binary, which is what a reader runs on their own machine.
        argv = launch(sys.executable)
        plain = task.engine.binary or PLAIN_BINARY.get(task.engine.kind, task.engine.kind)
        return [plain if arg == sys.executable else arg for arg in argv]


def engine_command(task: Task, flags: Mapping[str, Scalar]) -> str:
    return shlex.join(engine_argv(task, flags))
