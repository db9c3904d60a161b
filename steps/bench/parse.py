"""genai-bench 0.0.5 result files -> ``RunMetrics``.

Each run (scenario x concurrency) leaves ``<scenario>_<task>_num_concurrency_<C>_time_<s>s.json``
holding ``aggregated_metrics`` and ``individual_request_metrics``. Read the scenario and
concurrency from the content, not the name (the name mangles ``D(100,64)`` to ``D100_64``).
Its ``error_rate`` field is computed before ``num_requests`` is filled in, so it is always
0: the error rate is recomputed here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from steps.records import RunMetrics, Stats
from steps.spec.scenarios import normalize

RUN_GLOB = "*_time_*s.json"
DEBUG_GLOB = "debug_for_run_*.json"  # written instead of a run file when every request failed
LATENCIES = ("ttft", "tpot", "e2e_latency")
_TO_SECONDS = {"s": 1.0, "ms": 1e-3}


def parse_experiment(folder: Path, warmup_ratio: float = 0.0) -> list[RunMetrics]:
    """Every run of one experiment folder, in file-name order."""
    return [parse_run(path, warmup_ratio) for path in sorted(folder.glob(RUN_GLOB))]


def parse_run(path: Path, warmup_ratio: float = 0.0) -> RunMetrics:
    data = json.loads(path.read_text())
    agg: dict[str, Any] = data["aggregated_metrics"]
    scale = _TO_SECONDS[data.get("_time_unit", "s")]
    requests = int(agg.get("num_requests") or 0)
    errors = _errors(agg)
    stats = agg.get("stats", {})
    latencies = {name: _stats(stats.get(name), scale) for name in LATENCIES}
    concurrency = int(agg["num_concurrency"])
    return RunMetrics(
        scenario=normalize(str(agg["scenario"])),
        concurrency=concurrency,
        num_requests=requests,
        num_errors=errors,
        error_rate=errors / requests if requests else 1.0,
        output_throughput=float(agg.get("mean_output_throughput_tokens_per_s") or 0.0),
        request_throughput=float(agg.get("requests_per_second") or 0.0),
        ttft=latencies["ttft"],
        tpot=latencies["tpot"],
        e2e_latency=latencies["e2e_latency"],
        duration_s=float(agg.get("run_duration") or 0.0),
        output_throughput_steady=steady_throughput(
            data.get("individual_request_metrics") or [], concurrency, scale, warmup_ratio
        ),
    )


def steady_throughput(
    records: list[dict[str, Any]], concurrency: int, scale: float = 1.0, warmup_ratio: float = 0.0
) -> float | None:
    """``C x mean output tokens / mean e2e latency`` over the successful requests.

    genai-bench checks its request cap once a second, so its own throughput divides by a
    whole number of seconds and moves in 5-14% steps on short runs; in a closed loop at
    concurrency C this estimate does not depend on when the run was cut off.
    """
    # the same warmup cut genai-bench applies to its aggregated statistics
    kept = records[int(len(records) * warmup_ratio) :]
    ok = [
        r for r in kept
        if not r.get("error_code") and r.get("e2e_latency") and r.get("num_output_tokens")
    ]  # fmt: skip
    if not ok:
        return None
    tokens = sum(float(r["num_output_tokens"]) for r in ok) / len(ok)
    latency = sum(float(r["e2e_latency"]) for r in ok) / len(ok) * scale
    return concurrency * tokens / latency if latency > 0 else None


def failed_run(folder: Path) -> tuple[str, str] | None:
    """(what failed, first server error) from the debug file genai-bench leaves when
    every request of a run failed, or None when there is none."""
    for path in sorted(folder.glob(DEBUG_GLOB)):
        data = json.loads(path.read_text())
        agg = data.get("aggregated_metrics", {})
        records = data.get("individual_request_metrics") or []
        codes = _codes(records)
        where = f"{normalize(str(agg.get('scenario', '?')))} at concurrency "
        where += f"{agg.get('num_concurrency', '?')} ({len(records)} requests, HTTP {codes})"
        return where, first_error(records) or "no error message recorded"
    return None


def first_error(records: Iterable[dict[str, Any]]) -> str | None:
    for record in records:
        if record.get("error_code"):
            message = " ".join(str(record.get("error_message") or "").split())
            return f"{record['error_code']}: {message}" if message else str(record["error_code"])
    return None


def run_errors(path: Path) -> str | None:
    """The first server error recorded in one run file."""
    return first_error(json.loads(path.read_text()).get("individual_request_metrics") or [])


def _errors(agg: dict[str, Any]) -> int:
    by_code = sum(int(n) for n in (agg.get("error_codes_frequency") or {}).values())
    return max(int(agg.get("num_error_requests") or 0), by_code)


def _codes(records: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for record in records:
        code = str(record.get("error_code") or "ok")
        counts[code] = counts.get(code, 0) + 1
    return ", ".join(f"{code} x{n}" for code, n in sorted(counts.items()))


def _stats(raw: dict[str, Any] | None, scale: float) -> Stats | None:
    if not raw or any(raw.get(k) is None for k in ("mean", "p50", "p90", "p99")):
        return None
    return Stats(**{k: float(raw[k]) * scale for k in ("mean", "p50", "p90", "p99")})
