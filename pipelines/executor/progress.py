"""What ``autotune run`` shows while a study runs: slots done, each running slot's step,
the best objective so far with its parameters.

On a terminal it is a live panel (rich); anywhere else (CI, a log file) a plain line
whenever a slot starts a step or ends, and every ``PLAIN_EVERY_S`` seconds while a long
step runs.
Slot outcomes come from the store (``result.json``), where the steps record them;
the current steps come from the workflow status.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from typing import IO, Any

from pipelines import naming
from pipelines.executor.durations import short
from pipelines.executor.spec import PENDING, RUNNING, TYPE_RETRY
from pipelines.executor.status import WorkflowStatus
from steps.records import TrialResult
from steps.store import Layout, Store

PLAIN_EVERY_S = 30.0
RESULTS_EVERY_S = 2.0


@dataclass
class Snapshot:
    total: int
    done: int
    running: list[tuple[str, str, float]] = field(default_factory=list)  # (who, step, seconds)
    best: str | None = None
    elapsed: float = 0.0

    def line(self) -> str:
        running = ", ".join(f"{who} {step} {short(secs)}" for who, step, secs in self.running)
        parts = [f"slots {self.done}/{self.total} done", f"running: {running or '-'}"]
        parts.append(f"best: {self.best or '-'}")
        return " | ".join(parts)


class Progress:
    """The executor's ``on_tick``; use as a context manager around the run."""

    def __init__(
        self,
        store: Store,
        study: str,
        task: Any,
        stream: IO[str] | None = None,
        live: bool | None = None,
    ) -> None:
        self.store, self.layout, self.task = store, Layout(study), task
        self.study = study
        self.stream = stream or sys.stdout
        self.live_mode = self.stream.isatty() if live is None else live
        self._live: Any = None
        self._results: dict[int, TrialResult] = {}
        self._results_at = 0.0
        self._last_line: tuple[object, float] = (None, 0.0)
        self._started = time.monotonic()

    def __enter__(self) -> Progress:
        if self.live_mode:
            from rich.console import Console
            from rich.live import Live

            console = Console(file=self.stream)
            self._live = Live(console=console, refresh_per_second=4, transient=False)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()

    def __call__(self, status: WorkflowStatus) -> None:
        snap = self.snapshot(status)
        if self._live is not None:
            self._live.update(self._panel(snap))
            return
        # a line when a slot or a step changes, and a heartbeat while a long step runs
        key = (snap.done, tuple((who, step) for who, step, _ in snap.running), snap.best)
        last_key, at = self._last_line
        now = time.monotonic()
        if key != last_key or now - at >= PLAIN_EVERY_S:
            print(f"[{short(snap.elapsed)}] {snap.line()}", file=self.stream, flush=True)
            self._last_line = (key, now)

    def snapshot(self, status: WorkflowStatus) -> Snapshot:
        results = self.results(fresh=status.phase != RUNNING)  # the last look is exact
        total = self.task.search.trials
        snap = Snapshot(total=total, done=sum(k in results for k in range(total)))
        snap.elapsed = time.monotonic() - self._started
        now = time.time()
        for node in status.nodes.values():
            parsed = naming.parse_node_name(status.name, node.name)
            if parsed is None or node.name.endswith(")") or node.phase not in (RUNNING, PENDING):
                continue
            if node.phase == PENDING and node.type != TYPE_RETRY:
                continue
            slot, step = parsed
            label = step
            if node.type == TYPE_RETRY and len(node.children) > 1:
                label += f" (attempt {len(node.children)})"
            if node.message.startswith("Backoff"):
                label += f" ({node.message.lower()})"
            who = naming.slot_task(slot) if slot is not None else "study"
            snap.running.append((who, label, now - (node.started_at or now)))
        snap.running.sort(key=lambda r: (len(r[0]), r[0]))
        snap.best = self.best(results)
        return snap

    def results(self, fresh: bool = False) -> dict[int, TrialResult]:
        now = time.monotonic()
        if fresh or now - self._results_at >= RESULTS_EVERY_S:
            self._results_at = now
            found = {}
            for key in self.store.list(f"{self.layout.root}/trials/"):
                match = re.search(r"/trials/([0-9]+)/result\.json$", key)
                if match:
                    record = self.store.read_model_or_none(key, TrialResult)
                    if record is not None:
                        found[int(match.group(1))] = record
            self._results = found
        return self._results

    def best(self, results: dict[int, TrialResult]) -> str | None:
        from steps.report.objectives import objectives

        objective = objectives(self.task)[0]
        scored = [r for r in results.values() if r.state == "complete" and r.values]
        if not scored:
            return None
        best = scored[0]
        for result in scored[1:]:
            assert result.values is not None and best.values is not None
            if objective.better(result.values[0], best.values[0]):
                best = result
        assert best.values is not None
        params = " ".join(f"{k}={v}" for k, v in sorted(best.params.items())) or "engine defaults"
        return f"slot {best.slot}: {objective.describe(best.values[0])} ({params})"

    def _panel(self, snap: Snapshot) -> Any:
        from rich.panel import Panel
        from rich.table import Table

        table = Table.grid(padding=(0, 2))
        table.add_row("[bold]slots[/]", f"{snap.done}/{snap.total} done")
        for who, step, secs in snap.running:
            table.add_row(f"[cyan]{who}[/]", f"{step}  [dim]{short(secs)}[/]")
        table.add_row("[bold]best[/]", snap.best or "[dim]no complete trial yet[/]")
        title = f"study {self.study}  [dim]{short(snap.elapsed)}[/]"
        return Panel(table, title=title, title_align="left", expand=False)
