"""The ``autotune`` console script."""

from __future__ import annotations

import importlib

from steps.cli.app import main

# Each module attaches its commands to ``main`` or ``main.step`` on import.
_COMMAND_MODULES = (
    "steps.cli.task_cmds",
    "steps.cli.step_cmds",
    "steps.cli.setup_cmds",
    "steps.cli.report_cmds",
    "steps.cli.cluster_cmds",
    "pipelines.commands",
    "pipelines.run_cmds",
    "pipelines.argo_cmds",
    "ui.cli",
)

for _module in _COMMAND_MODULES:
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as exc:
        # Modules arrive one by one while the project grows; a missing sibling module must
        # not take the whole CLI down, but a missing dependency inside one must.
        if exc.name != _module:
            raise

__all__ = ["main"]
