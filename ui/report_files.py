"""The report a study's ``report`` step wrote (``studies/<study>/report/``), for the page.

Read-only: the report step owns these files. Missing files are normal while the study
runs (the report is written after every slot ended).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from steps.errors import NotFound
from steps.store import Layout, Store

TEXT_FILES = ("summary.md", "best_command.txt", "best_manifest.yaml", "leaderboard.md",
              "leaderboard.csv", "leaderboard.json", "best.json")  # fmt: skip
IMAGES = ("objective.png", "pareto.png", "importance.png")
MIME = {".md": "text/markdown", ".txt": "text/plain", ".yaml": "text/yaml",
        ".csv": "text/csv", ".json": "application/json", ".png": "image/png"}  # fmt: skip


@dataclass
class ReportFiles:
    texts: dict[str, str] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)

    @property
    def present(self) -> bool:
        return bool(self.texts or self.images)

    @property
    def best(self) -> dict[str, Any] | None:
        text = self.texts.get("best.json")
        if not text:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def downloads(self) -> list[tuple[str, bytes, str]]:
        """(file name, bytes, mime type) of every file, texts first."""
        items = [(n, t.encode(), _mime(n)) for n, t in self.texts.items()]
        return items + [(n, b, _mime(n)) for n, b in self.images.items()]


def read_report(store: Store, study: str) -> ReportFiles:
    layout = Layout(study)
    files = ReportFiles()
    for name in TEXT_FILES:
        try:
            files.texts[name] = store.read_text(layout.report(name))
        except NotFound:
            continue
    for name in IMAGES:
        try:
            files.images[name] = store.read_bytes(layout.report(name))
        except NotFound:
            continue
    return files


def _mime(name: str) -> str:
    return MIME.get(name[name.rfind(".") :], "application/octet-stream")
