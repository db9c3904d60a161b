"""One trial slot as its page section shows it: parameters, outcome, runs, logs.

The engine log is in the store once the slot is torn down (or failed to get ready);
while the engine runs, the local deployer's own log file is read instead, so the log
grows on the page as the engine writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.executor.store_sink import log_key
from steps.errors import NotFound
from steps.records import BenchRecord, DeployRecord, RunMetrics, TrialParams, TrialResult
from steps.store import Layout, Store

LOG_LIMIT = 200_000  # characters of a log shown on the page (the tail: where errors are)


@dataclass
class TrialDetail:
    slot: int
    state: str  # a result state, or "running" / "not started"
    kind: str = ""
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    endpoint: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    engine_log: str | None = None
    engine_log_live: bool = False  # read from the running engine's own file
    step_logs: dict[str, str] = field(default_factory=dict)  # "benchmark(0)" -> text


def run_row(run: RunMetrics) -> dict[str, Any]:
    """One genai-bench run in the units people read: tok/s, req/s, ms, %."""

    def ms(stats: Any, stat: str) -> float | None:
        return None if stats is None else round(getattr(stats, stat) * 1000.0, 1)

    return {
        "scenario": run.scenario,
        "concurrency": run.concurrency,
        "requests": run.num_requests,
        "errors": run.num_errors,
        "error rate %": round(run.error_rate * 100.0, 2),
        "output tok/s": round(run.output_throughput, 2),
        "req/s": round(run.request_throughput, 3),
        "TTFT p50 ms": ms(run.ttft, "p50"),
        "TTFT p90 ms": ms(run.ttft, "p90"),
        "TPOT p50 ms": ms(run.tpot, "p50"),
        "E2E p90 ms": ms(run.e2e_latency, "p90"),
    }


def trial_detail(store: Store, study: str, slot: int, workflow: str | None = None) -> TrialDetail:
    layout = Layout(study)
    asked = store.read_model_or_none(layout.params(slot), TrialParams)
    result = store.read_model_or_none(layout.result(slot), TrialResult)
    deploy = store.read_model_or_none(layout.deploy(slot), DeployRecord)
    bench = store.read_model_or_none(layout.metrics(slot), BenchRecord)
    state = result.state if result else ("running" if asked or deploy else "not started")
    detail = TrialDetail(slot=slot, state=state)
    if asked is not None:
        detail.kind, detail.params, detail.flags = asked.kind, dict(asked.params), asked.flags
    if result is not None:
        detail.reason = result.reason or ""
        detail.kind = detail.kind or result.kind
        detail.params = detail.params or dict(result.params)
        detail.timings = dict(result.timings)
    if deploy is not None:
        detail.command, detail.endpoint = list(deploy.command), deploy.endpoint or ""
    if bench is not None:
        detail.runs = [run_row(run) for run in bench.runs]
    elif result is not None and result.metrics is not None:
        detail.runs = [run_row(result.metrics)]
    detail.engine_log, detail.engine_log_live = _engine_log(store, layout, slot, deploy)
    detail.step_logs = step_logs(store, study, slot, workflow or study)
    return detail


def step_logs(store: Store, study: str, slot: int, workflow: str) -> dict[str, str]:
    """Each step attempt's output the local executor stored, in step order."""
    prefix = log_key(study, workflow, f"{workflow}.slot-{slot}.")
    prefix = prefix[: -len(".log")]  # log_key appends it to the (empty) step name
    logs = {}
    for key in store.list(prefix):
        name = key[len(prefix) :].removesuffix(".log")
        logs[name] = _tail(store.read_text(key))
    order = ["suggest", "deploy", "wait-ready", "benchmark", "score", "teardown"]
    return dict(sorted(logs.items(), key=lambda kv: (_rank(kv[0], order), kv[0])))


def _rank(name: str, order: list[str]) -> int:
    step = name.split("(", 1)[0]
    return order.index(step) if step in order else len(order)


def _engine_log(
    store: Store, layout: Layout, slot: int, deploy: DeployRecord | None
) -> tuple[str | None, bool]:
    try:
        return _tail(store.read_text(layout.engine_log(slot))), False
    except NotFound:
        pass
    path = (deploy.handle.get("log_path") if deploy is not None else None) or ""
    if path and Path(path).is_file():
        try:
            return _tail(Path(path).read_text(errors="replace")), True
        except OSError:
            return None, False
    return None, False


def _tail(text: str) -> str:
    if len(text) <= LOG_LIMIT:
        return text
    return f"... ({len(text) - LOG_LIMIT} earlier characters not shown)\n" + text[-LOG_LIMIT:]
