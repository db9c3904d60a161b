"""The earlier prototype's JSON tasks, converted to the current spec.

Mapping (prototype key -> spec key; everything else is reported by name):

| prototype | spec |
|---|---|
| task_name | name (lowercased, ``_ . space`` -> ``-``; anything else is a problem) |
| description | description |
| model.id_or_path (or model.name) | model.path (the ClusterBaseModel with OME) |
| benchmark.model_name | model.name (the served name requests ask for; default: the id) |
| benchmark.model_tokenizer | model.tokenizer |
| model.namespace | deploy.namespace |
| deployment_mode ome (default) / local | deploy.backend ome / local; docker: problem |
| base_runtime | deploy.runtime (OME) and engine.kind (sglang, or vllm if named so) |
| parameters | search.parameters (``tp_size`` -> ``tp-size``; ``mem_frac`` is SGLang's |
|  | ``mem-fraction-static``) |
| optimization.strategy | search.strategy: grid_search grid, bayesian tpe, random random |
| optimization.objective | objective.metric/direction: minimize_latency e2e_latency, ... |
| optimization.max_iterations | search.trials = iterations + 1 (slot 0 is the baseline) |
| optimization.timeout_per_iteration | deploy.ready_timeout_s; pipeline.trial_timeout_s = 2x |
| benchmark.traffic_scenarios / num_concurrency | benchmark.scenarios / concurrency |
| benchmark.max_requests_per_iteration | benchmark.max_requests_per_run |
| benchmark.max_time_per_iteration | benchmark.max_time_per_run_min (the prototype passed |
|  | it to genai-bench's --max-time-per-run, which counts minutes, as is) |
| benchmark.additional_params.temperature 0 | nothing: genai-bench's default |
| slo.* with hard_fail | objective.slo.*_ms (see ``legacy_slo``) |
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml

from steps.spec.legacy_search import convert_optimization, convert_parameters
from steps.spec.legacy_slo import convert_slo, pick_scored_run
from steps.spec.legacy_source import Source
from steps.spec.values import DNS_LABEL

_NOT_CREATED = "the spec does not create {what} from presets; create {name!r} in the cluster first"


@dataclass
class Conversion:
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)  # not converted: `key.path: why`
    notes: list[str] = field(default_factory=list)  # converted with a choice: `key.path: what`
    handled: set[str] = field(default_factory=set)  # legacy key paths mapped or reported


def convert_legacy(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The new-format task and the problems (legacy key paths that could not be converted)."""
    conversion = legacy_conversion(data)
    return conversion.data, conversion.problems


def legacy_conversion(data: dict[str, Any]) -> Conversion:
    src = Source(data)
    out: dict[str, Any] = {}
    _name(src, out)
    if src.has("description"):
        out["description"] = src.get("description")
    backend = _backend(src)
    kind = _engine_kind(src)
    out["model"] = _model(src)
    out["engine"] = {"kind": kind}
    out["deploy"] = _deploy(src, backend)
    params = convert_parameters(src, kind)
    search, objective = convert_optimization(src, params)
    out["search"] = search
    out["benchmark"] = _benchmark(src)
    at = pick_scored_run(src, out["benchmark"]["scenarios"], out["benchmark"]["concurrency"])
    objective |= {"at": at} if at else {}
    slo = convert_slo(src)
    objective |= {"slo": slo} if slo else {}
    out["objective"] = objective
    timeout = out["deploy"].get("ready_timeout_s")
    if isinstance(timeout, int) and not isinstance(timeout, bool):
        out["pipeline"] = {"trial_timeout_s": 2 * timeout}
    for name, what in (("clusterbasemodel_config", "ClusterBaseModels"),
                       ("clusterservingruntime_config", "ClusterServingRuntimes")):  # fmt: skip
        if src.has(name):
            preset = src.peek(f"{name}.preset", src.peek(name))
            src.problem(name, _NOT_CREATED.format(what=what, name=preset) + "; not converted")
    if src.has("runtime_image_tag"):
        src.problem(
            "runtime_image_tag",
            f"{src.peek('runtime_image_tag')!r}: the spec deploys the runtime's own image "
            "(set it in the ClusterServingRuntime); not converted",
        )
    for path in src.leftovers():
        src.problem(path, "not a key this converter knows; not converted")
    order = ("name", "description", "model", "engine", "deploy", "search", "objective")
    ordered = {key: out[key] for key in (*order, "benchmark", "pipeline") if key in out}
    return Conversion(ordered, src.problems, src.notes, src.handled)


def _name(src: Source, out: dict[str, Any]) -> None:
    if not src.has("task_name"):
        src.problem("task_name", "missing; set name: in the output")
        return
    raw = src.get("task_name")
    name = str(raw).strip().lower().replace("_", "-").replace(" ", "-").replace(".", "-")
    if not DNS_LABEL.match(name) or len(name) > 40:
        src.problem("task_name", f"{raw!r} cannot be made a DNS-1123 label (<= 40); set name:")
        return
    if name != raw:
        src.note("task_name", f"{raw!r} became name {name!r} (a DNS-1123 label)")
    out["name"] = name


def _backend(src: Source) -> str:
    mode = src.get("deployment_mode", "ome")
    if mode in ("ome", "local"):
        return str(mode)
    src.problem(
        "deployment_mode",
        f"{mode!r} cannot be converted: the spec deploys through OME or as a local process, "
        "not in a container; allowed: ome, local (the output uses local)",
    )
    return "local"


def _engine_kind(src: Source) -> str:
    runtime = str(src.peek("base_runtime", ""))
    return "vllm" if "vllm" in runtime.lower() else "sglang"


def _model(src: Source) -> dict[str, Any]:
    model: dict[str, Any] = {}
    key = "model.id_or_path" if src.has("model.id_or_path") else "model.name"
    model_id = src.get(key)
    served = src.get("benchmark.model_name") if src.has("benchmark.model_name") else model_id
    if served is None:
        src.problem("model", "no model.id_or_path nor benchmark.model_name; set model.name")
    else:
        model["name"] = served
    if model_id is not None:
        model["path"] = model_id
    if src.has("benchmark.model_tokenizer"):
        model["tokenizer"] = src.get("benchmark.model_tokenizer")
    return model


def _deploy(src: Source, backend: str) -> dict[str, Any]:
    deploy: dict[str, Any] = {"backend": backend}
    if src.has("model.namespace"):
        deploy["namespace"] = src.get("model.namespace")
    if src.has("base_runtime"):
        runtime = src.get("base_runtime")
        if backend == "ome":
            deploy["runtime"] = runtime
        else:
            src.note("base_runtime", f"{runtime!r} names the engine kind only (not OME)")
    if src.has("optimization.timeout_per_iteration"):
        timeout = src.get("optimization.timeout_per_iteration")
        deploy["ready_timeout_s"] = timeout
        src.note(
            "optimization.timeout_per_iteration",
            f"the prototype allowed {timeout} s to get ready and again {timeout} s to "
            "benchmark: deploy.ready_timeout_s and twice that as pipeline.trial_timeout_s",
        )
    return deploy


def _benchmark(src: Source) -> dict[str, Any]:
    bench: dict[str, Any] = {}
    defaults = {"traffic_scenarios": ["D(100,100)"], "num_concurrency": [1]}
    for old, new in (("traffic_scenarios", "scenarios"), ("num_concurrency", "concurrency")):
        if not src.has(f"benchmark.{old}"):
            src.note(f"benchmark.{old}", f"absent; the prototype's default {defaults[old]} applies")
        bench[new] = src.get(f"benchmark.{old}", defaults[old])
    if src.has("benchmark.task"):
        bench["task"] = src.get("benchmark.task")
    if src.has("benchmark.max_requests_per_iteration"):
        bench["max_requests_per_run"] = src.get("benchmark.max_requests_per_iteration")
    if src.has("benchmark.max_time_per_iteration"):
        minutes = src.get("benchmark.max_time_per_iteration")
        if isinstance(minutes, int | float) and not isinstance(minutes, bool):
            bench["max_time_per_run_min"] = max(1, math.ceil(minutes))
            src.note(
                "benchmark.max_time_per_iteration",
                f"the prototype passed {minutes} to genai-bench's --max-time-per-run, which "
                f"counts minutes: max_time_per_run_min = {bench['max_time_per_run_min']}",
            )
        else:
            src.problem("benchmark.max_time_per_iteration", f"{minutes!r} is not a number")
    _request_params(src)
    return bench


def _request_params(src: Source) -> None:
    params = src.peek("benchmark.additional_params")
    if not isinstance(params, dict):
        return
    for key, value in params.items():
        path = f"benchmark.additional_params.{key}"
        if key == "temperature" and _is_zero(value):
            src.note(path, f"{value!r} is genai-bench's default; nothing to set")
        else:
            src.problem(
                path, f"{value!r}: the spec sends no extra request parameters; not converted"
            )


def _is_zero(value: Any) -> bool:
    try:
        return float(value) == 0.0
    except (TypeError, ValueError):
        return False


def render_conversion(conversion: Conversion, origin: str, invalid: list[str] | None = None) -> str:
    """The converted task as YAML, headed by comments on what was decided or left out.

    ``invalid`` lists the converted task's own validation problems, if any.
    """
    lines = [f"# Converted by `autotune convert` from {origin} (the prototype's JSON format)."]
    sections = (
        ("Notes", conversion.notes),
        ("NOT converted", conversion.problems),
        ("The converted task does not validate yet", invalid or []),
    )
    for title, items in sections:
        if items:
            lines.append(f"# {title}:")
            lines += [f"#   - {item}" for item in items]
    body = yaml.dump(conversion.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return "\n".join(lines) + "\n" + body


class _Dumper(yaml.SafeDumper):
    """Block mappings, and lists of plain values on one line (``concurrency: [4, 8]``)."""

    def represent_plain_list(self, data: list[Any]) -> yaml.SequenceNode:
        flow = all(not isinstance(item, dict | list) for item in data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _Dumper.represent_plain_list)
