"""The prototype's ``slo`` block, as the spec's hard SLOs where the meaning survives.

The prototype scored a violation two ways. Above ``threshold`` it multiplied the
score by a penalty ``weight * exp(overshoot / steepness)``; with ``hard_fail: true``
and an overshoot beyond ``fail_ratio`` (default 0.5) it failed the trial. The spec
has only the second kind: a trial that violates an SLO is infeasible. So a hard-fail
block becomes a hard limit at ``threshold * (1 + fail_ratio)``, and every soft
penalty is reported as not converted. Thresholds were seconds; the spec counts ms.
"""

from __future__ import annotations

import json
from typing import Any

from steps.spec.legacy_source import Source

# prototype block -> (metric key prefix in the spec, statistic the prototype compared)
_BLOCKS = {
    "latency.p50": ("e2e_latency", "p50"),
    "latency.p90": ("e2e_latency", "p90"),
    "latency.p99": ("e2e_latency", "p99"),
    "ttft": ("ttft", "mean"),
    "tpot": ("tpot", "mean"),
}
_DEFAULT_FAIL_RATIO = 0.5


def convert_slo(src: Source) -> dict[str, float]:
    slo: dict[str, float] = {}
    block = src.peek("slo")
    if block is None:
        return slo
    if not isinstance(block, dict):
        src.problem("slo", f"{block!r} is not a mapping; not converted")
        return slo
    for path, (metric, stat) in _BLOCKS.items():
        spec = src.peek(f"slo.{path}")
        if spec is None:
            continue
        if not isinstance(spec, dict):
            src.problem(f"slo.{path}", f"{spec!r} is not a mapping; not converted")
            continue
        key = f"{metric}_{stat}_ms"
        limit = _block(src, f"slo.{path}", spec, key)
        if limit is not None:
            slo[key] = limit
    if src.has("slo.steepness"):
        src.problem(
            "slo.steepness",
            f"{src.peek('slo.steepness')!r} shapes the soft penalty curve; the spec has hard "
            "SLOs only; not converted",
        )
    return slo


def _block(src: Source, path: str, spec: dict[str, Any], key: str) -> float | None:
    threshold = spec.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        src.problem(f"{path}.threshold", f"{threshold!r} is not a positive number of seconds")
        return None
    if not spec.get("hard_fail", False):
        keys = ", ".join(f"{k} {json.dumps(v)}" for k, v in spec.items())
        src.problem(
            path,
            f"a soft penalty ({keys}) cannot be expressed: the spec has hard SLOs only; "
            f"not converted (to keep it as a hard limit, add objective.slo.{key}: "
            f"{_ms(threshold):g})",
        )
        return None
    ratio = spec.get("fail_ratio", _DEFAULT_FAIL_RATIO)
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or ratio < 0:
        src.problem(f"{path}.fail_ratio", f"{ratio!r} is not a non-negative number")
        return None
    for known in ("threshold", "hard_fail", "fail_ratio"):
        src.get(f"{path}.{known}")
    limit = _ms(threshold * (1 + ratio))
    src.note(
        path,
        f"hard limit objective.slo.{key} = {limit:g} ms: threshold {threshold:g} s x "
        f"(1 + fail_ratio {ratio:g}); a trial above it is infeasible, as before",
    )
    if "weight" in spec:
        src.problem(
            f"{path}.weight",
            f"{spec['weight']!r} weighs the soft penalty between {threshold:g} s and the hard "
            f"limit; the spec has hard SLOs only; not converted",
        )
    return limit


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def pick_scored_run(src: Source, scenarios: list[Any], levels: list[Any]) -> dict[str, Any] | None:
    """``objective.at`` when the benchmark has several runs: the highest concurrency."""
    if len(scenarios) * len(levels) <= 1:
        return None
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in levels):
        return None  # validation reports the levels themselves
    at = {"scenario": scenarios[0], "concurrency": max(levels)}
    src.note(
        "benchmark.num_concurrency",
        "the prototype scored the runs that met the SLOs together; the spec scores one run: "
        f"objective.at = {at['scenario']}@{at['concurrency']}, the highest concurrency "
        "(edit objective.at to score another)",
    )
    return at
