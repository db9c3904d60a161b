"""The task spec: what to tune, on which engine, against which workload and objective.

Pydantic models, closed-world (an unknown key is an error, so typos never pass
silently). Single-value rules live in ``steps.spec.values``; rules that need several
fields at once, or the engine's flag table, live in ``steps.spec.checks``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic import Strict as StrictType

from steps.spec.scenarios import normalize, scenario_problem
from steps.spec.values import (
    cron,
    dns_label,
    dns_subdomain,
    env_name,
    free_text,
    one_or_list,
    safe_token,
    scalar,
)

Scalar = str | int | float | bool
Metric = Literal["output_throughput", "request_throughput", "ttft", "tpot", "e2e_latency"]
Direction = Literal["maximize", "minimize"]
Stat = Literal["mean", "p50", "p90", "p99"]
THROUGHPUT_METRICS = ("output_throughput", "request_throughput")
LATENCY_METRICS = ("ttft", "tpot", "e2e_latency")
FLAG_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

SafeStr = Annotated[str, Field(min_length=1, max_length=512), AfterValidator(safe_token)]
# A flag value: checked in one step before the union, so a bad value gives one clear line
# instead of one line per union member (str, int, float, bool).
SafeScalar = Annotated[Scalar, BeforeValidator(scalar)]
# Strict: YAML `true` must not become the integer 1, nor "8" the number 8.
StrictInt = Annotated[int, StrictType()]
StrictFloat = Annotated[float, StrictType()]


def _flag_name(name: str) -> str:
    if not FLAG_NAME.match(name):
        raise ValueError(
            f"{name!r} is not a flag name; allowed: the engine's long flag without the "
            "leading dashes, lowercase, e.g. 'max-running-requests'"
        )
    return name


FlagName = Annotated[str, AfterValidator(_flag_name)]


def _scenario(value: str) -> str:
    problem = scenario_problem(value)
    if problem:
        raise ValueError(f"{value!r} is {problem}")
    return normalize(value)


Scenario = Annotated[str, AfterValidator(_scenario)]
Metrics = Annotated[
    Metric | list[Metric],
    BeforeValidator(lambda v: one_or_list(v, get_args(Metric), "metric")),
]
Directions = Annotated[
    Direction | list[Direction] | None,
    BeforeValidator(lambda v: v if v is None else one_or_list(v, get_args(Direction), "direction")),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSpec(Strict):
    name: SafeStr = Field(description="served model name the benchmark asks for")
    path: SafeStr | None = Field(
        None,
        description="weights: a local file or folder, or a model id; "
        "with the ome backend, the ClusterBaseModel to serve",
    )
    tokenizer: SafeStr | None = Field(None, description="HF-format tokenizer folder or id")


class EngineSpec(Strict):
    kind: Literal["sglang", "vllm", "llama.cpp"]
    binary: SafeStr | None = Field(None, description="engine executable (local backend)")


class DeploySpec(Strict):
    backend: Literal["local", "ome"] = "local"
    ready_timeout_s: int = Field(600, gt=0, le=86_400)
    namespace: Annotated[str, AfterValidator(lambda v: dns_label(v, 63))] = Field(
        "default", description="Kubernetes namespace (ome backend)"
    )
    runtime: Annotated[str, AfterValidator(dns_subdomain)] | None = Field(
        None, description="OME ClusterServingRuntime name"
    )
    access: Literal["auto", "service", "port-forward"] = Field(
        "auto",
        description="ome: how the benchmark reaches the engine: the InferenceService's "
        "status.url (service), a port-forward to the engine pod on a free loopback port, "
        "or auto: service inside a pod (KUBERNETES_SERVICE_HOST set), else port-forward",
    )
    gpus_per_replica: int | None = Field(
        None,
        ge=0,
        le=64,
        description="ome: nvidia.com/gpu of the engine pod; default: the candidate's "
        "tp-size x dp-size (0: request no GPU)",
    )

    @model_validator(mode="after")
    def _ome_needs_runtime(self) -> DeploySpec:
        if self.backend == "ome" and self.runtime is None:
            raise ValueError(
                "runtime is missing; the ome backend overrides the command of a "
                "ClusterServingRuntime: set deploy.runtime to its name "
                "(kubectl get clusterservingruntimes)"
            )
        return self


class IntParam(Strict):
    type: Literal["int"]
    low: StrictInt | None = None
    high: StrictInt | None = None
    step: StrictInt = Field(1, ge=1)
    log: bool = False
    values: list[StrictInt] | None = None
    raw: bool = False

    @model_validator(mode="after")
    def _range(self) -> IntParam:
        _check_range(self.low, self.high, self.log, self.values, self.step != 1)
        return self


class FloatParam(Strict):
    type: Literal["float"]
    low: StrictFloat | None = None
    high: StrictFloat | None = None
    step: StrictFloat | None = Field(None, gt=0)
    log: bool = False
    values: list[StrictFloat] | None = None
    raw: bool = False

    @model_validator(mode="after")
    def _range(self) -> FloatParam:
        _check_range(self.low, self.high, self.log, self.values, self.step is not None)
        return self


class CategoricalParam(Strict):
    type: Literal["categorical"]
    choices: list[SafeScalar]
    raw: bool = False

    @field_validator("choices")
    @classmethod
    def _choices(cls, choices: list[Scalar]) -> list[Scalar]:
        if not choices:
            raise ValueError("the list is empty; allowed: at least one value")
        _no_repeats(choices)
        return choices


Parameter = Annotated[IntParam | FloatParam | CategoricalParam, Field(discriminator="type")]


class SearchSpec(Strict):
    strategy: Literal["grid", "random", "tpe", "nsga2"] = "tpe"
    trials: int = Field(10, ge=1, le=2000)
    parallelism: int = Field(1, ge=1, le=64)
    seed: int = Field(0, ge=0)
    baseline: bool = True
    parameters: dict[FlagName, Parameter] = Field(min_length=1)
    fixed: dict[FlagName, SafeScalar] = Field(default_factory=dict)


class RunRef(Strict):
    scenario: Scenario
    concurrency: int = Field(gt=0)


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
    metric: Metrics = "output_throughput"
    direction: Directions = None
    stat: Stat = Field("mean", description="statistic of a latency metric")
    at: RunRef | None = Field(None, description="the benchmark run that scores a trial")
    slo: SLO = Field(default_factory=SLO)

    @property
    def metrics(self) -> list[str]:
        return list(self.metric) if isinstance(self.metric, list) else [self.metric]

    @property
    def directions(self) -> list[Direction]:
        if self.direction is None:
            return ["maximize" if m in THROUGHPUT_METRICS else "minimize" for m in self.metrics]
        return list(self.direction) if isinstance(self.direction, list) else [self.direction]


class BenchmarkSpec(Strict):
    task: Literal["text-to-text"] = "text-to-text"
    scenarios: list[Scenario] = Field(min_length=1)
    concurrency: list[Annotated[int, Field(gt=0, le=4096)]] = Field(min_length=1)
    max_requests_per_run: int = Field(60, gt=0)
    max_time_per_run_min: int = Field(1, gt=0, description="genai-bench counts whole minutes")
    api_key_env: Annotated[str, AfterValidator(env_name)] | None = Field(
        None, description="env var holding the engine's API key"
    )
    warmup_ratio: float = Field(0.0, ge=0, lt=1)

    @field_validator("scenarios")
    @classmethod
    def _scenarios(cls, value: list[str]) -> list[str]:
        return _no_repeats(value)

    @field_validator("concurrency")
    @classmethod
    def _levels(cls, value: list[int]) -> list[int]:
        return _no_repeats(value)


class PipelineSpec(Strict):
    image: SafeStr = "inference-autotuner/steps:0.1.0"
    trial_timeout_s: int = Field(3600, gt=0, description="deadline of one whole trial slot")
    step_retries: int = Field(2, ge=0, le=10, description="retries of a transient step failure")
    schedule: Annotated[str, AfterValidator(cron)] | None = Field(
        None, description="cron expression for recurring tuning"
    )


# Cluster mode (Argo on Kubernetes). Defaults name the objects templates/ creates.
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")
IN_CLUSTER_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$")
K8sName = Annotated[str, AfterValidator(dns_subdomain)]


def _config_key(value: str) -> str:
    if not CONFIG_KEY.match(value):
        raise ValueError(
            f"{value!r} is not a Secret/ConfigMap key; allowed: letters, digits, '-', '_', '.'"
        )
    return value


def _in_cluster_url(value: str) -> str:
    # No user:password@ (credentials come from the Secret), no path, no query.
    if not IN_CLUSTER_URL.match(value):
        raise ValueError(
            f"{value!r} is not an endpoint URL; allowed: http(s)://host[:port], e.g. "
            "http://minio:9000"
        )
    return value


ConfigKey = Annotated[str, AfterValidator(_config_key)]


class S3Access(Strict):
    """How step pods reach the S3 store: credentials from a Secret, never in the manifest."""

    secret: K8sName = Field("inference-autotuner-s3", description="Secret with the S3 keys")
    access_key: ConfigKey = Field("accesskey", description="its key holding AWS_ACCESS_KEY_ID")
    secret_key: ConfigKey = Field("secretkey", description="its key holding AWS_SECRET_ACCESS_KEY")
    endpoint: Annotated[str, AfterValidator(_in_cluster_url)] | None = Field(
        "http://minio:9000", description="S3 endpoint seen from the pods; null: AWS's own"
    )


class SemaphoreRef(Strict):
    configmap: K8sName = Field(
        "inference-autotuner-semaphore", description="ConfigMap holding the semaphore limit"
    )
    key: ConfigKey = Field("gpu-trials", description="its key: how many trials hold GPUs at once")


class ArtifactRepositoryRef(Strict):
    configmap: K8sName = Field(
        "artifact-repositories", description="ConfigMap of Argo artifact repositories"
    )
    key: ConfigKey = Field("inference-autotuner", description="its key naming the repository")


class ClusterSpec(Strict):
    """Settings of a study run by Argo on Kubernetes (ignored by the local executor)."""

    namespace: Annotated[str, AfterValidator(lambda v: dns_label(v, 63))] | None = Field(
        None, description="namespace of the workflow and its pods; null: deploy.namespace"
    )
    service_account: K8sName = Field(
        "inference-autotuner", description="ServiceAccount the step pods run as"
    )
    s3: S3Access = Field(default_factory=S3Access)
    artifact_repository: ArtifactRepositoryRef = Field(default_factory=ArtifactRepositoryRef)
    semaphore: SemaphoreRef = Field(default_factory=SemaphoreRef)
    pod_gc: Literal[
        "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"
    ] = Field("OnPodSuccess", description="when Argo deletes step pods (failed ones kept)")
    ttl_s: int = Field(
        7 * 86_400, gt=0, le=2**31 - 1, description="seconds a finished workflow is kept"
    )


class Task(Strict):
    name: Annotated[str, AfterValidator(lambda v: dns_label(v, 40))] = Field(
        description="DNS-1123 label, <= 40 characters (it names Kubernetes objects)"
    )
    description: Annotated[str, AfterValidator(free_text)] = ""
    model: ModelSpec
    engine: EngineSpec
    deploy: DeploySpec = Field(default_factory=DeploySpec)
    search: SearchSpec
    objective: Objective = Field(default_factory=Objective)
    benchmark: BenchmarkSpec
    pipeline: PipelineSpec = Field(default_factory=PipelineSpec)
    cluster: ClusterSpec = Field(default_factory=ClusterSpec)

    @property
    def scored_run(self) -> RunRef:
        """The run that scores a trial: ``objective.at``, else the first scenario and level."""
        if self.objective.at is not None:
            return self.objective.at
        return RunRef(
            scenario=self.benchmark.scenarios[0], concurrency=self.benchmark.concurrency[0]
        )


def _no_repeats(values: list[Any]) -> list[Any]:
    seen: set[str] = set()
    for value in values:
        if repr(value) in seen:
            raise ValueError(f"{value!r} appears twice in {values}; allowed: each value once")
        seen.add(repr(value))
    return values


def _check_range(
    low: float | None, high: float | None, log: bool, values: list[Any] | None, stepped: bool
) -> None:
    if values is not None:
        if low is not None or high is not None or log:
            raise ValueError("gives both values and low/high/log; allowed: one of the two")
        if not values:
            raise ValueError("values is an empty list; allowed: at least one value")
        _no_repeats(values)
        return
    if low is None or high is None:
        raise ValueError("needs low and high, or a list of values")
    if low >= high:
        raise ValueError(f"low={low} is not below high={high}; allowed: low < high")
    if log and low <= 0:
        raise ValueError(f"log: true with low={low}; allowed: low > 0 on a log scale")
    if log and stepped:
        raise ValueError("log: true cannot be combined with step; allowed: one of the two")
