"""The task spec: what to tune, on which engine, against which workload and objective.

Pydantic models, closed-world (an unknown key is an error, so typos never pass
silently). Rules that need several fields at once, or the engine's flag table,
live in ``steps.spec.checks``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from steps.spec.scenarios import normalize, scenario_problem

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Values end up in argv lists, Kubernetes manifests and Argo templates: a conservative
# alphabet keeps shell, Jinja and Argo `{{...}}` syntax out of all three.
SAFE_TOKEN = re.compile(r"^[A-Za-z0-9._:/@+=,~-]+$")
SAFE_HINT = "letters, digits and . _ : / @ + = , ~ - (no spaces, quotes, $, {, }, ;, |, &)"

Scalar = str | int | float | bool
Metric = Literal["output_throughput", "request_throughput", "ttft", "tpot", "e2e_latency"]
Direction = Literal["maximize", "minimize"]
Stat = Literal["mean", "p50", "p90", "p99"]
THROUGHPUT_METRICS = ("output_throughput", "request_throughput")
LATENCY_METRICS = ("ttft", "tpot", "e2e_latency")


def safe_token(value: str) -> str:
    if not SAFE_TOKEN.match(value):
        raise ValueError(f"{value!r} has characters that are not allowed; allowed: {SAFE_HINT}")
    return value


SafeStr = Annotated[str, Field(min_length=1, max_length=512)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSpec(Strict):
    name: SafeStr = Field(description="served model name the benchmark asks for")
    path: SafeStr | None = Field(None, description="weights: a local file or folder, or a model id")
    tokenizer: SafeStr | None = Field(None, description="HF-format tokenizer folder or id")

    _safe = field_validator("name", "path", "tokenizer")(
        lambda v: v if v is None else safe_token(v)
    )


class EngineSpec(Strict):
    kind: Literal["sglang", "vllm", "llama.cpp"]
    binary: SafeStr | None = Field(None, description="engine executable (local backend)")

    _safe = field_validator("binary")(lambda v: v if v is None else safe_token(v))


class DeploySpec(Strict):
    backend: Literal["local", "ome"] = "local"
    ready_timeout_s: int = Field(600, gt=0, le=86_400)
    namespace: str = Field("default", description="Kubernetes namespace (ome backend)")
    runtime: SafeStr | None = Field(None, description="OME ClusterServingRuntime name")

    @field_validator("namespace")
    @classmethod
    def _dns(cls, value: str) -> str:
        return _dns_label(value, 63)


class IntParam(Strict):
    type: Literal["int"]
    low: int | None = None
    high: int | None = None
    step: int = Field(1, ge=1)
    log: bool = False
    values: list[int] | None = None
    raw: bool = False

    @model_validator(mode="after")
    def _range(self) -> IntParam:
        _check_range(self.low, self.high, self.log, self.values, self.step != 1)
        return self


class FloatParam(Strict):
    type: Literal["float"]
    low: float | None = None
    high: float | None = None
    step: float | None = Field(None, gt=0)
    log: bool = False
    values: list[float] | None = None
    raw: bool = False

    @model_validator(mode="after")
    def _range(self) -> FloatParam:
        _check_range(self.low, self.high, self.log, self.values, self.step is not None)
        return self


class CategoricalParam(Strict):
    type: Literal["categorical"]
    choices: list[Scalar]
    raw: bool = False

    @field_validator("choices")
    @classmethod
    def _choices(cls, choices: list[Scalar]) -> list[Scalar]:
        if not choices:
            raise ValueError("choices is empty; give at least one value")
        for choice in choices:
            if isinstance(choice, str):
                safe_token(choice)
        if len({repr(c) for c in choices}) != len(choices):
            raise ValueError(f"choices {choices} has repeats")
        return choices


Parameter = Annotated[IntParam | FloatParam | CategoricalParam, Field(discriminator="type")]


class SearchSpec(Strict):
    strategy: Literal["grid", "random", "tpe", "nsga2"] = "tpe"
    trials: int = Field(10, ge=1, le=1000)
    parallelism: int = Field(1, ge=1, le=64)
    seed: int = Field(0, ge=0)
    baseline: bool = True
    parameters: dict[str, Parameter] = Field(min_length=1)
    fixed: dict[str, Scalar] = Field(default_factory=dict)

    @field_validator("parameters", "fixed")
    @classmethod
    def _names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not re.match(r"^[a-z0-9][a-z0-9-]*$", name):
                raise ValueError(
                    f"flag name {name!r} is not allowed; use the engine's long flag without "
                    "dashes, e.g. 'max-running-requests'"
                )
        return value

    @field_validator("fixed")
    @classmethod
    def _fixed_values(cls, value: dict[str, Scalar]) -> dict[str, Scalar]:
        for item in value.values():
            if isinstance(item, str):
                safe_token(item)
        return value


class RunRef(Strict):
    scenario: str
    concurrency: int = Field(gt=0)

    @field_validator("scenario")
    @classmethod
    def _scenario(cls, value: str) -> str:
        return _scenario(value)


class SLO(Strict):
    """Constraints on the scored run; a trial that violates one is infeasible."""

    ttft_mean_ms: float | None = Field(None, gt=0)
    ttft_p50_ms: float | None = Field(None, gt=0)
    ttft_p90_ms: float | None = Field(None, gt=0)
    ttft_p99_ms: float | None = Field(None, gt=0)
    tpot_mean_ms: float | None = Field(None, gt=0)
    tpot_p50_ms: float | None = Field(None, gt=0)
    tpot_p90_ms: float | None = Field(None, gt=0)
    tpot_p99_ms: float | None = Field(None, gt=0)
    e2e_latency_mean_ms: float | None = Field(None, gt=0)
    e2e_latency_p50_ms: float | None = Field(None, gt=0)
    e2e_latency_p90_ms: float | None = Field(None, gt=0)
    e2e_latency_p99_ms: float | None = Field(None, gt=0)
    max_error_rate: float | None = Field(None, ge=0, le=1)
    min_output_throughput: float | None = Field(None, gt=0)
    min_request_throughput: float | None = Field(None, gt=0)

    def items(self) -> list[tuple[str, float]]:
        return [(k, v) for k, v in self.model_dump().items() if v is not None]


class Objective(Strict):
    metric: Metric | list[Metric] = "output_throughput"
    direction: Direction | list[Direction] | None = None
    stat: Stat = Field("mean", description="statistic of a latency metric")
    at: RunRef | None = Field(None, description="the benchmark run that scores a trial")
    slo: SLO = Field(default_factory=SLO)

    @property
    def metrics(self) -> list[str]:
        return list(self.metric) if isinstance(self.metric, list) else [self.metric]

    @property
    def directions(self) -> list[str]:
        if self.direction is None:
            return ["maximize" if m in THROUGHPUT_METRICS else "minimize" for m in self.metrics]
        return list(self.direction) if isinstance(self.direction, list) else [self.direction]


class BenchmarkSpec(Strict):
    task: Literal["text-to-text"] = "text-to-text"
    scenarios: list[str] = Field(min_length=1)
    concurrency: list[Annotated[int, Field(gt=0, le=4096)]] = Field(min_length=1)
    max_requests_per_run: int = Field(60, gt=0)
    max_time_per_run_min: int = Field(1, gt=0, description="genai-bench counts whole minutes")
    api_key_env: str | None = Field(None, description="env var holding the engine's API key")
    warmup_ratio: float = Field(0.0, ge=0, lt=1)

    @field_validator("scenarios")
    @classmethod
    def _scenarios(cls, value: list[str]) -> list[str]:
        return [_scenario(s) for s in value]


class PipelineSpec(Strict):
    image: SafeStr = "inference-autotuner/steps:0.1.0"
    trial_timeout_s: int = Field(3600, gt=0, description="deadline of one whole trial slot")
    step_retries: int = Field(2, ge=0, le=10, description="retries of a transient step failure")
    schedule: str | None = Field(None, description="cron expression for recurring tuning")

    _safe = field_validator("image")(safe_token)


class Task(Strict):
    name: str = Field(description="DNS-1123 label, <= 40 characters")
    description: str = ""
    model: ModelSpec
    engine: EngineSpec
    deploy: DeploySpec = Field(default_factory=DeploySpec)  # type: ignore[arg-type]
    search: SearchSpec
    objective: Objective = Field(default_factory=Objective)  # type: ignore[arg-type]
    benchmark: BenchmarkSpec
    pipeline: PipelineSpec = Field(default_factory=PipelineSpec)  # type: ignore[arg-type]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _dns_label(value, 40)

    @property
    def scored_run(self) -> RunRef:
        """The run that scores a trial: ``objective.at``, else the first scenario and level."""
        if self.objective.at is not None:
            return self.objective.at
        return RunRef(scenario=self.benchmark.scenarios[0], concurrency=self.benchmark.concurrency[0])


def _dns_label(value: str, limit: int) -> str:
    if len(value) > limit or not DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a DNS-1123 label; allowed: lowercase letters, digits and '-', "
            f"starting and ending with a letter or digit, at most {limit} characters"
        )
    return value


def _scenario(value: str) -> str:
    problem = scenario_problem(value)
    if problem:
        raise ValueError(f"{value!r} is {problem}")
    return normalize(value)


def _check_range(
    low: float | None, high: float | None, log: bool, values: list[Any] | None, stepped: bool
) -> None:
    if values is not None:
        if low is not None or high is not None or log:
            raise ValueError("give either values or low/high (with log/step), not both")
        if not values:
            raise ValueError("values is empty; give at least one value")
        if len(set(values)) != len(values):
            raise ValueError(f"values {values} has repeats")
        return
    if low is None or high is None:
        raise ValueError("give low and high, or a list of values")
    if low >= high:
        raise ValueError(f"low < high must hold, but got low={low}, high={high}")
    if log and low <= 0:
        raise ValueError(f"log=true needs low > 0, but got low={low}")
    if log and stepped:
        raise ValueError("log=true cannot be combined with step")
