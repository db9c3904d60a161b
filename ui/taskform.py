"""The new-study form's values, and how they become a task dict (and back, on import).

The form manages the keys a person sets when starting a study; any other key of an
imported file (``benchmark.warmup_ratio``, or a typo) is kept in ``extra`` and passed
through, so an import followed by an export loses nothing, and a typo still gets the
CLI's "unknown key" message instead of vanishing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

from ui.paramtable import (
    fixed_to_rows,
    parameters_to_rows,
    rows_to_fixed,
    rows_to_parameters,
    rows_to_slo,
    slo_to_rows,
)

AUTO = "auto"
# section -> keys the form has a widget for (everything else is passed through)
MANAGED: dict[str, tuple[str, ...]] = {
    "model": ("name", "path", "tokenizer"),
    "engine": ("kind", "binary"),
    "deploy": ("backend", "namespace", "runtime", "ready_timeout_s"),
    "search": ("strategy", "trials", "parallelism", "seed", "baseline", "parameters", "fixed"),
    "objective": ("metric", "direction", "stat", "at", "slo"),
    "benchmark": (
        "scenarios",
        "concurrency",
        "max_requests_per_run",
        "max_time_per_run_min",
        "api_key_env",
    ),
    "pipeline": ("schedule", "image", "trial_timeout_s", "step_retries"),
}
TOP_LEVEL = ("name", "description")


@dataclass
class FormValues:
    name: str = "my-study"
    description: str = ""
    model_name: str = ""
    model_path: str = ""
    model_tokenizer: str = ""
    engine_kind: str = "llama.cpp"
    engine_binary: str = ""
    backend: str = "local"
    namespace: str = "default"
    runtime: str = ""
    ready_timeout_s: int = 600
    strategy: str = "tpe"
    trials: int = 10
    parallelism: int = 1
    seed: int = 0
    baseline: bool = True
    params: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[str] = field(default_factory=lambda: ["output_throughput"])
    direction: str = AUTO  # "auto", or one direction per metric joined by ", "
    stat: str = "mean"
    at: str = AUTO  # "auto" or "<scenario> @ <concurrency>"
    slos: list[dict[str, Any]] = field(default_factory=list)
    scenarios: str = "D(100,64)"  # whitespace-separated: a scenario has commas inside
    concurrency: str = "8"  # comma-separated
    max_requests_per_run: int = 60
    max_time_per_run_min: int = 1
    api_key_env: str = ""
    schedule: str = ""
    image: str = "inference-autotuner/steps:0.1.0"
    trial_timeout_s: int = 3600
    step_retries: int = 2
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def run_label(scenario: str, concurrency: int | str) -> str:
    return f"{scenario} @ {concurrency}"


def split_scenarios(text: str) -> list[str]:
    return [s for s in text.replace(";", " ").split() if s]


def split_levels(text: str) -> list[Any]:
    """Concurrency levels; a token that is not a whole number is kept for the model to name."""
    levels: list[Any] = []
    for token in text.replace(" ", ",").split(","):
        if token.strip():
            levels.append(int(token) if token.strip().isdigit() else token.strip())
    return levels


def to_task_dict(v: FormValues) -> tuple[dict[str, Any], list[str]]:
    """The task the form describes, and the problems only a form can have."""
    parameters, problems = rows_to_parameters(v.params)
    fixed, fixed_problems = rows_to_fixed(v.fixed)
    slo, slo_problems = rows_to_slo(v.slos)
    problems += fixed_problems + slo_problems
    data: dict[str, Any] = {"name": v.name.strip()}
    if v.description.strip():
        data["description"] = v.description
    data["model"] = _present(name=v.model_name, path=v.model_path, tokenizer=v.model_tokenizer)
    data["engine"] = _present(kind=v.engine_kind, binary=v.engine_binary)
    deploy: dict[str, Any] = {"backend": v.backend, "ready_timeout_s": v.ready_timeout_s}
    if v.backend == "ome":
        deploy |= _present(namespace=v.namespace, runtime=v.runtime)
    data["deploy"] = deploy
    data["search"] = {
        "strategy": v.strategy,
        "trials": v.trials,
        "parallelism": v.parallelism,
        "seed": v.seed,
        "baseline": v.baseline,
        "parameters": parameters,
        "fixed": fixed,
    }
    objective: dict[str, Any] = {"metric": v.metrics[0] if len(v.metrics) == 1 else v.metrics}
    if v.direction != AUTO:
        directions = [d.strip() for d in v.direction.split(",")]
        objective["direction"] = directions[0] if len(directions) == 1 else directions
    objective["stat"] = v.stat
    if v.at != AUTO and " @ " in v.at:
        scenario, _, level = v.at.rpartition(" @ ")
        objective["at"] = {"scenario": scenario, "concurrency": _int_or_text(level)}
    objective["slo"] = slo
    data["objective"] = objective
    data["benchmark"] = {
        "scenarios": split_scenarios(v.scenarios),
        "concurrency": split_levels(v.concurrency),
        "max_requests_per_run": v.max_requests_per_run,
        "max_time_per_run_min": v.max_time_per_run_min,
    } | _present(api_key_env=v.api_key_env)
    data["pipeline"] = {
        "image": v.image.strip(),
        "trial_timeout_s": v.trial_timeout_s,
        "step_retries": v.step_retries,
    } | _present(schedule=v.schedule)
    return _merge(copy.deepcopy(v.extra), data), problems


def from_task_dict(data: dict[str, Any]) -> FormValues:
    """Form values from a task dict (valid or not: whatever fits a widget is taken)."""
    d = FormValues()
    v = FormValues(extra=unmanaged(data))
    model, engine, deploy = (
        _section(data, "model"),
        _section(data, "engine"),
        _section(data, "deploy"),
    )
    search, objective = _section(data, "search"), _section(data, "objective")
    bench, pipeline = _section(data, "benchmark"), _section(data, "pipeline")
    v.name, v.description = _text(data.get("name")), _text(data.get("description"))
    v.model_name, v.model_path = _text(model.get("name")), _text(model.get("path"))
    v.model_tokenizer = _text(model.get("tokenizer"))
    v.engine_kind = _text(engine.get("kind")) or d.engine_kind
    v.engine_binary = _text(engine.get("binary"))
    v.backend = _text(deploy.get("backend")) or d.backend
    v.namespace = _text(deploy.get("namespace")) or d.namespace
    v.runtime = _text(deploy.get("runtime"))
    v.ready_timeout_s = _int(deploy.get("ready_timeout_s"), d.ready_timeout_s)
    v.strategy = _text(search.get("strategy")) or d.strategy
    v.trials = _int(search.get("trials"), d.trials)
    v.parallelism = _int(search.get("parallelism"), d.parallelism)
    v.seed = _int(search.get("seed"), d.seed)
    v.baseline = bool(search.get("baseline", True))
    v.params = parameters_to_rows(search.get("parameters"))
    v.fixed = fixed_to_rows(search.get("fixed"))
    metric = objective.get("metric", d.metrics[0])
    v.metrics = [str(m) for m in (metric if isinstance(metric, list) else [metric])]
    direction = objective.get("direction")
    if direction is not None:
        v.direction = ", ".join(map(str, direction if isinstance(direction, list) else [direction]))
    v.stat = _text(objective.get("stat")) or d.stat
    at = objective.get("at")
    if isinstance(at, dict) and "scenario" in at and "concurrency" in at:
        v.at = run_label(str(at["scenario"]), str(at["concurrency"]))
    v.slos = slo_to_rows(objective.get("slo"))
    scenarios = bench.get("scenarios")
    v.scenarios = " ".join(map(str, scenarios)) if isinstance(scenarios, list) else ""
    levels = bench.get("concurrency")
    v.concurrency = ", ".join(map(str, levels)) if isinstance(levels, list) else ""
    v.max_requests_per_run = _int(bench.get("max_requests_per_run"), d.max_requests_per_run)
    v.max_time_per_run_min = _int(bench.get("max_time_per_run_min"), d.max_time_per_run_min)
    v.api_key_env = _text(bench.get("api_key_env"))
    v.schedule = _text(pipeline.get("schedule"))
    v.image = _text(pipeline.get("image")) or d.image
    v.trial_timeout_s = _int(pipeline.get("trial_timeout_s"), d.trial_timeout_s)
    v.step_retries = _int(pipeline.get("step_retries"), d.step_retries)
    return v


def unmanaged(data: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``data`` the form has no widget for."""
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key in TOP_LEVEL:
            continue
        if key in MANAGED and isinstance(value, dict):
            rest = {k: v for k, v in value.items() if k not in MANAGED[key]}
            if rest:
                extra[key] = rest
        elif key not in MANAGED:
            extra[key] = value
    return extra


def extra_paths(extra: dict[str, Any]) -> list[str]:
    """``benchmark.warmup_ratio``-style names of the passed-through keys."""
    paths = []
    for key, value in extra.items():
        if key in MANAGED and isinstance(value, dict):
            paths += [f"{key}.{k}" for k in value]
        else:
            paths.append(key)
    return paths


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _merge(base[key], value)
        else:
            base[key] = value
    return base


def _present(**values: str) -> dict[str, str]:
    return {k: v.strip() for k, v in values.items() if v and v.strip()}


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _int_or_text(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text
