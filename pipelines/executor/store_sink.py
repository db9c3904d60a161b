"""Where a study's workflow status and step logs live in the store.

``studies/<study>/workflow/status.json`` holds the node-status record (Argo's
``status.nodes`` shape) and ``studies/<study>/workflow/logs/<node>.log`` each attempt's
output, ``<node>`` being the node name without the workflow prefix
(``slot-3.benchmark(0)``). These two functions are the only place that spells the keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.executor.status import Node
from steps.errors import NotFound
from steps.store import Layout, Store


def status_key(study: str) -> str:
    return f"{Layout(study).root}/workflow/status.json"


def log_key(study: str, workflow: str, node_name: str) -> str:
    short = node_name.removeprefix(f"{workflow}.") if node_name != workflow else workflow
    return f"{Layout(study).root}/workflow/logs/{short}.log"


def read_status(store: Store, study: str) -> dict[str, Any] | None:
    try:
        data = json.loads(store.read_text(status_key(study)))
    except NotFound:
        return None
    return data if isinstance(data, dict) else None


def read_log(store: Store, study: str, workflow: str, node_name: str) -> str | None:
    try:
        return store.read_text(log_key(study, workflow, node_name))
    except NotFound:
        return None


class StoreSink:
    """``StatusSink`` writing into the study's folder of the store."""

    def __init__(self, store: Store, study: str, workflow: str) -> None:
        self.store, self.study, self.workflow = store, study, workflow

    def write_status(self, status: dict[str, Any]) -> None:
        self.store.write_json(status_key(self.study), status)

    def write_log(self, node: Node, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError:
            return
        self.store.write_bytes(log_key(self.study, self.workflow, node.name), data)
