"""The records steps write to the store: the one contract between steps.

``params.json`` (suggest), ``deploy.json`` (deploy / wait-ready), ``metrics.json``
(benchmark) and ``result.json`` (whichever step decides the trial's outcome).
Each is written once, atomically; a slot whose result.json exists is decided and
every later step of that slot leaves it alone.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool
TrialState = Literal["complete", "failed", "infeasible", "pruned"]
ParamsKind = Literal["baseline", "sampled", "enqueued", "exhausted"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrialParams(Record):
    """What ``suggest`` chose for a slot (``params.json``)."""

    slot: int
    kind: ParamsKind
    params: dict[str, Scalar] = Field(description="tuned flags; empty for the baseline")
    fixed: dict[str, Scalar] = Field(default_factory=dict)
    sampler: str = ""
    seed: int | None = None
    duplicates_answered: int = Field(0, description="proposals answered from recorded results")
    created_at: float = Field(default_factory=time.time)

    @property
    def flags(self) -> dict[str, Scalar]:
        """Everything the engine is launched with: fixed flags, then the tuned ones."""
        return {**self.fixed, **self.params}


class DeployRecord(Record):
    """What was deployed for a slot and where it answers (``deploy.json``)."""

    slot: int
    backend: str
    command: list[str] = Field(default_factory=list)
    manifest: dict[str, Any] | None = None
    endpoint: str | None = None
    served_model_name: str = ""
    handle: dict[str, Any] = Field(default_factory=dict, description="backend-specific ids")
    started_at: float = Field(default_factory=time.time)
    ready_at: float | None = None

    @property
    def ready_s(self) -> float | None:
        return None if self.ready_at is None else self.ready_at - self.started_at


class Stats(Record):
    mean: float
    p50: float
    p90: float
    p99: float


class RunMetrics(Record):
    """One genai-bench run (scenario x concurrency); latencies in seconds."""

    scenario: str
    concurrency: int
    num_requests: int
    num_errors: int
    error_rate: float
    output_throughput: float = Field(description="output tokens per second")
    request_throughput: float = Field(description="requests per second")
    ttft: Stats | None = None
    tpot: Stats | None = None
    e2e_latency: Stats | None = None
    duration_s: float = 0.0
    output_throughput_steady: float | None = Field(
        None,
        description="concurrency x mean output tokens / mean e2e latency (tok/s): steadier "
        "than output_throughput, which genai-bench divides by whole seconds",
    )

    def value(self, metric: str, stat: str = "mean") -> float | None:
        """A metric by its objective name; latency metrics take a statistic."""
        if metric in ("output_throughput", "request_throughput"):
            return float(getattr(self, metric))
        stats = getattr(self, metric, None)
        return None if stats is None else float(getattr(stats, stat))


class BenchRecord(Record):
    """Every run of one genai-bench invocation (``metrics.json``)."""

    slot: int
    runs: list[RunMetrics]
    command: list[str] = Field(default_factory=list, description="argv, API key scrubbed")
    started_at: float
    duration_s: float

    def run(self, scenario: str, concurrency: int) -> RunMetrics | None:
        for run in self.runs:
            if run.scenario == scenario and run.concurrency == concurrency:
                return run
        return None


class TrialResult(Record):
    """The outcome of a slot (``result.json``)."""

    slot: int
    state: TrialState
    reason: str | None = None
    decided_by: str = Field(description="the step that wrote this record")
    params: dict[str, Scalar] = Field(default_factory=dict)
    kind: ParamsKind = "sampled"
    values: list[float] | None = Field(None, description="objective values, task order")
    violations: dict[str, float] = Field(
        default_factory=dict, description="SLO key -> how far past the limit (> 0 = violated)"
    )
    metrics: RunMetrics | None = Field(None, description="the scored run")
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per phase")
    finished_at: float = Field(default_factory=time.time)


class PreviousBest(Record):
    """The best configuration an earlier study of the same task found.

    ``series/<task>/latest.json`` holds the newest; a study copies the one it starts
    from into ``previous.json`` so its report compares against a fixed reference.
    """

    study: str
    slot: int
    params: dict[str, Scalar]
    values: list[float]
    directions: list[str]
    finished_at: float = Field(default_factory=time.time)
