"""The study's objectives as the report shows them: names, units, directions.

Units: a trial's objective values are recorded with latencies in milliseconds
(``steps.score.objective_values``), while ``RunMetrics`` keeps genai-bench's seconds;
every latency leaves the report in ms, with the unit in its name.
"""

from __future__ import annotations

from dataclasses import dataclass

from steps.records import RunMetrics
from steps.spec import Task
from steps.spec.model import LATENCY_METRICS

# metric -> (human name, unit of its objective value)
DISPLAY = {
    "output_throughput": ("output throughput", "tok/s"),
    "request_throughput": ("request throughput", "req/s"),
    "ttft": ("TTFT", "ms"),
    "tpot": ("TPOT", "ms"),
    "e2e_latency": ("E2E latency", "ms"),
}

# The scored run's figures every leaderboard row carries, whatever the objective is:
# column -> (metric, statistic, factor from RunMetrics' unit)
KEY_METRICS: dict[str, tuple[str, str, float]] = {
    "output_tok_s": ("output_throughput", "mean", 1.0),
    "req_s": ("request_throughput", "mean", 1.0),
    "ttft_p50_ms": ("ttft", "p50", 1000.0),
    "ttft_p90_ms": ("ttft", "p90", 1000.0),
    "tpot_p50_ms": ("tpot", "p50", 1000.0),
    "e2e_p90_ms": ("e2e_latency", "p90", 1000.0),
}


@dataclass(frozen=True)
class ObjectiveInfo:
    index: int
    metric: str
    direction: str  # "maximize" | "minimize"
    stat: str

    @property
    def maximize(self) -> bool:
        return self.direction == "maximize"

    @property
    def latency(self) -> bool:
        return self.metric in LATENCY_METRICS

    @property
    def unit(self) -> str:
        return DISPLAY[self.metric][1]

    @property
    def label(self) -> str:
        """For people: ``TTFT p90 (ms)``, ``output throughput (tok/s)``."""
        name = DISPLAY[self.metric][0]
        return f"{name} {self.stat} ({self.unit})" if self.latency else f"{name} ({self.unit})"

    @property
    def column(self) -> str:
        """For machines: ``obj_ttft_p90_ms``, ``obj_output_throughput``."""
        return f"obj_{self.metric}_{self.stat}_ms" if self.latency else f"obj_{self.metric}"

    def describe(self, value: float) -> str:
        """A recorded value in a sentence: ``TTFT p90 412 ms``, ``output throughput 165 tok/s``."""
        name = DISPLAY[self.metric][0] + (f" {self.stat}" if self.latency else "")
        return f"{name} {value:.4g} {self.unit}"

    def key_metric(self) -> str | None:
        """The leaderboard metric column that repeats this objective, if one does."""
        for column, (metric, stat, _) in KEY_METRICS.items():
            if metric == self.metric and (stat == self.stat or not self.latency):
                return column
        return None

    def better(self, a: float, b: float) -> bool:
        return a > b if self.maximize else a < b


def objectives(task: Task) -> list[ObjectiveInfo]:
    obj = task.objective
    return [
        ObjectiveInfo(index=i, metric=m, direction=d, stat=obj.stat)
        for i, (m, d) in enumerate(zip(obj.metrics, obj.directions, strict=True))
    ]


def key_metrics(run: RunMetrics | None) -> dict[str, float | None]:
    """The leaderboard's metric columns for one scored run (None where not measured)."""
    out: dict[str, float | None] = {}
    for column, (metric, stat, factor) in KEY_METRICS.items():
        value = None if run is None else run.value(metric, stat)
        out[column] = None if value is None else value * factor
    out["error_rate"] = None if run is None else run.error_rate
    return out
