"""Where a study's workflow status and step logs live in the store.

``studies/<study>/workflow/status.json`` holds the node-status record (Argo's
``status.nodes`` shape), ``studies/<study>/workflow/logs/<node>.log`` each attempt's
output and ``studies/<study>/workflow/artifacts/<node>/<artifact>`` each attempt's output
artifacts (cluster-mode manifests: the store is the local artifact repository), ``<node>``
being the node name without the workflow prefix (``slot-3.benchmark(0)``). The functions
below are the only place that spells the keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.executor.status import Node
from steps.errors import NotFound
from steps.store import Layout, S3Store, Store


def status_key(study: str) -> str:
    return f"{Layout(study).root}/workflow/status.json"


def log_key(study: str, workflow: str, node_name: str) -> str:
    short = node_name.removeprefix(f"{workflow}.") if node_name != workflow else workflow
    return f"{Layout(study).root}/workflow/logs/{short}.log"


def artifact_key(study: str, workflow: str, node_name: str, artifact: str) -> str:
    short = node_name.removeprefix(f"{workflow}.") if node_name != workflow else workflow
    return f"{Layout(study).root}/workflow/artifacts/{short}/{artifact}"


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

    def write_artifact(self, node: Node, name: str, path: Path) -> dict[str, Any]:
        """Upload a file, or every file of a folder, as Argo does with ``archive: none``.

        The location is recorded the way Argo records an S3 artifact (``s3.key``); a
        folder store has no Argo location type, and the key below the store says where."""
        key = artifact_key(self.study, self.workflow, node.name, name)
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            target = key if file == path else f"{key}/{file.relative_to(path).as_posix()}"
            self.store.write_bytes(target, file.read_bytes())
        if isinstance(self.store, S3Store):
            full = f"{self.store.prefix}/{key}" if self.store.prefix else key
            return {"s3": {"bucket": self.store.bucket, "key": full}}
        return {}
