"""The leaderboard as people read it: objective labels, units in the headers, best first.

The rows are the report's own (``steps.report.leaderboard.rows``), computed live; only
the column names and number formats change for the page.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from steps.report.objectives import objectives
from steps.spec import Task

HEADERS = {
    "gain_vs_baseline_pct": "vs baseline %",
    "output_tok_s": "output tok/s",
    "req_s": "req/s",
    "ttft_p50_ms": "TTFT p50 ms",
    "ttft_p90_ms": "TTFT p90 ms",
    "tpot_p50_ms": "TPOT p50 ms",
    "e2e_p90_ms": "E2E p90 ms",
    "error_rate": "errors %",
}


def leaderboard_frame(rows: list[dict[str, Any]], task: Task) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    if "error_rate" in frame:
        frame["error_rate"] = frame["error_rate"] * 100.0
    names = dict(HEADERS)
    for o in objectives(task):
        names[o.column] = f"{o.label} {'↑' if o.maximize else '↓'}"
    # a tuned flag's column is "--name": keep it, it is what the engine is given
    return frame.rename(columns=names)


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text a person reads: whole numbers as such, no exponents, about
    four significant digits, nothing where a value is missing (a running trial)."""
    return frame.apply(lambda column: column.map(_cell)) if not frame.empty else frame


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        if value.is_integer() or abs(value) >= 1000:
            return f"{value:.0f}"
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return str(value)
