"""The prototype's ``parameters`` and ``optimization`` blocks, as ``search`` and ``objective``.

Parameter forms the prototype accepted: ``{"tp-size": [1, 2]}``;
``{"tp_size": {"type": "choice" | "categorical", "values" | "choices": [...]}}``;
``{"type": "integer" | "continuous", "low", "high", "log"}``. It passed every name to
the engine as ``--name`` after turning ``_`` into ``-``.
"""

from __future__ import annotations

import math
from typing import Any

from steps.engines import get_engine
from steps.spec.legacy_source import Source

STRATEGIES = {"grid_search": "grid", "bayesian": "tpe", "random": "random"}
# prototype objective -> (metric, direction)
OBJECTIVES = {
    "minimize_latency": ("e2e_latency", "minimize"),
    "maximize_throughput": ("output_throughput", "maximize"),
    "minimize_ttft": ("ttft", "minimize"),
    "minimize_tpot": ("tpot", "minimize"),
}
# SGLang spellings the prototype's users wrote (argparse accepts unambiguous prefixes)
SGLANG_ALIASES = {
    "mem-frac": "mem-fraction-static",
    "tensor-parallel-size": "tp-size",
    "data-parallel-size": "dp-size",
}


def convert_parameters(src: Source, kind: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    block = src.peek("parameters")
    if not isinstance(block, dict):
        src.problem("parameters", f"{block!r} is not a mapping of flag names; not converted")
        return params
    flags = get_engine(kind).flags
    for old, spec in block.items():
        path = f"parameters.{old}"
        new = _flag_name(old, kind)
        if new != old:
            src.note(path, f"renamed to search.parameters.{new}")
        converted = _parameter(src, path, spec, flags.get(new))
        if converted is not None:
            params[new] = converted
    return params


def _flag_name(name: str, kind: str) -> str:
    new = name.strip().lstrip("-").lower().replace("_", "-")
    return SGLANG_ALIASES.get(new, new) if kind == "sglang" else new


def _parameter(src: Source, path: str, spec: Any, flag: Any) -> dict[str, Any] | None:
    if isinstance(spec, list):
        values = src.get(path)
    elif isinstance(spec, dict):
        form = src.get(f"{path}.type", "categorical")
        if form in ("integer", "continuous"):
            return _range(src, path, form, spec)
        if form not in ("choice", "categorical"):
            src.problem(
                f"{path}.type", f"{form!r} is not a prototype parameter type; not converted"
            )
            return None
        key = "values" if "values" in spec else "choices"
        values = src.get(f"{path}.{key}", [])
    else:
        src.problem(path, f"{spec!r} is neither a list of values nor a mapping; not converted")
        return None
    if not values:
        src.note(path, "an empty list of values; skipped, as the prototype did")
        return None
    return _discrete(values, flag.kind if flag is not None else None)


def _range(src: Source, path: str, form: str, spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "int" if form == "integer" else "float"}
    for key in ("low", "high", "log"):
        if key in spec:
            out[key] = src.get(f"{path}.{key}")
    return out


def _discrete(values: list[Any], flag_kind: str | None) -> dict[str, Any]:
    """Typed values where the values allow it (the prototype sent every value as text)."""
    numbers = [_number(v) for v in values]
    if flag_kind in ("int", "float") and all(n is not None for n in numbers):
        values = numbers
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values) and flag_kind != "float":
        return {"type": "int", "values": values}
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        if flag_kind != "int" or not all(float(v).is_integer() for v in values):
            return {"type": "float", "values": [float(v) for v in values]}
        return {"type": "int", "values": [int(v) for v in values]}
    return {"type": "categorical", "choices": values}


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        for cast in (int, float):
            try:
                return cast(value)
            except ValueError:
                continue
    return None


def convert_optimization(
    src: Source, params: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(search, objective)`` from the ``optimization`` block and the parameters."""
    search: dict[str, Any] = {}
    objective: dict[str, Any] = {}
    for key, default in (("strategy", "grid_search"), ("objective", "minimize_latency")):
        if not src.has(f"optimization.{key}"):
            src.note(f"optimization.{key}", f"absent; the prototype's default {default} applies")
    strategy = src.get("optimization.strategy", "grid_search")
    if strategy in STRATEGIES:
        search["strategy"] = STRATEGIES[strategy]
    else:
        allowed = ", ".join(STRATEGIES)
        src.problem("optimization.strategy", f"{strategy!r} has no counterpart; allowed: {allowed}")
    goal = src.get("optimization.objective", "minimize_latency")
    if goal in OBJECTIVES:
        objective["metric"], objective["direction"] = OBJECTIVES[goal]
        if goal == "maximize_throughput":
            src.note(
                "optimization.objective",
                "the prototype maximized total tokens/s per GPU; the spec maximizes output "
                "tokens/s of the deployment (they rank differently when tp-size varies)",
            )
    else:
        allowed = ", ".join(OBJECTIVES)
        src.problem("optimization.objective", f"{goal!r} has no counterpart; allowed: {allowed}")
    search["trials"] = _trials(src, search.get("strategy"), params)
    search["baseline"] = True
    search["parameters"] = params
    if src.has("optimization.seed"):
        search["seed"] = src.get("optimization.seed")
    for key in ("n_initial_random", "study_name", "storage"):
        if src.has(f"optimization.{key}"):
            src.problem(
                f"optimization.{key}",
                "the study is rebuilt from the store by every step; "
                "its sampler settings and Optuna storage are not configurable; not converted",
            )
    return search, objective


def _trials(src: Source, strategy: str | None, params: dict[str, Any]) -> int:
    # The prototype ran max_iterations candidates (a grid: at most the grid's size). The
    # spec's slot 0 measures the engine's defaults, so the candidates keep their budget
    # and the baseline comes on top.
    if not src.has("optimization.max_iterations"):
        src.note("optimization.max_iterations", "absent; the prototype's default 100 applies")
    iterations = src.get("optimization.max_iterations", 100)
    if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 1:
        src.problem("optimization.max_iterations", f"{iterations!r} is not a positive integer")
        return 2
    candidates = iterations
    if strategy == "grid":
        size = math.prod(len(p.get("values") or p.get("choices") or [0]) for p in params.values())
        if 0 < size < iterations:
            candidates = size  # the prototype cut max_iterations to the grid's size too
    whole_grid = " (the whole grid)" if candidates < iterations else ""
    src.note(
        "optimization.max_iterations",
        f"{iterations}: search.trials = {candidates + 1}, that is {candidates} "
        f"candidate{'s' if candidates != 1 else ''} as before{whole_grid} plus slot 0, "
        "which measures the engine's defaults as a baseline",
    )
    return candidates + 1
