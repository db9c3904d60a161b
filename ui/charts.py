"""Altair charts of the study page: objective per trial, throughput vs latency.

Interactive (hover a point for its slot and flags), with the colours the report's
PNGs use, so a person who saw one recognises the other.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

TRIAL_SCALE = alt.Scale(
    domain=["complete", "baseline", "infeasible"], range=["#1f77b4", "#e6b800", "#d62728"]
)
FRONT_SCALE = alt.Scale(
    domain=["Pareto front", "dominated", "infeasible"], range=["#ff7f0e", "#7fa7cf", "#d62728"]
)


def objective_chart(points: list[dict[str, Any]]) -> alt.LayerChart | alt.FacetChart | None:
    """Each measured trial's objective value, and the best-so-far line."""
    if not points:
        return None
    frame = pd.DataFrame(points)
    base = alt.Chart(frame).encode(
        x=alt.X("slot:Q", title="trial slot", axis=alt.Axis(tickMinStep=1))
    )
    title = str(frame["objective"].iloc[0]) if frame["objective"].nunique() == 1 else "objective"
    dots = base.mark_circle(size=90, opacity=0.9).encode(
        y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False)),
        color=alt.Color("state:N", scale=TRIAL_SCALE, title="trial"),
        tooltip=["slot", "state", alt.Tooltip("value:Q", format=".4g"), "params"],
    )
    best = (
        base.transform_filter("datum.best_so_far != null")
        .mark_line(interpolate="step-after", color="#2ca02c", strokeWidth=2)
        .encode(y="best_so_far:Q")
    )
    layered = alt.layer(best, dots).properties(height=280)
    if frame["objective"].nunique() > 1:
        return layered.facet(row=alt.Row("objective:N", title=None)).resolve_scale(y="independent")
    return layered


def pareto_chart(points: list[dict[str, Any]]) -> alt.LayerChart | alt.FacetChart | None:
    """Output throughput vs TTFT p90 of every measured trial, the Pareto front joined."""
    if not points:
        return None
    frame = pd.DataFrame(points)
    frame["kind"] = [
        "infeasible" if s == "infeasible" else ("Pareto front" if f else "dominated")
        for s, f in zip(frame["state"], frame["front"], strict=True)
    ]
    x = alt.X("ttft_p90_ms:Q", title="TTFT p90 ms (lower is better)", scale=alt.Scale(zero=False))
    y = alt.Y(
        "output_tok_s:Q", title="output tok/s (higher is better)",
        scale=alt.Scale(zero=False),
    )  # fmt: skip
    dots = (
        alt.Chart(frame)
        .mark_circle(size=100, opacity=0.9)
        .encode(
            x=x,
            y=y,
            color=alt.Color("kind:N", scale=FRONT_SCALE, title="trial"),
            tooltip=[
                "slot",
                "state",
                alt.Tooltip("ttft_p90_ms:Q", format=".1f"),
                alt.Tooltip("output_tok_s:Q", format=".2f"),
                "params",
            ],
        )
    )
    front = (
        alt.Chart(frame[frame["front"]].sort_values("ttft_p90_ms"))
        .mark_line(interpolate="step-after", color="#ff7f0e", strokeWidth=2)
        .encode(x=x, y=y)
    )
    labels = (
        alt.Chart(frame)
        .mark_text(align="left", dx=7, dy=-7, fontSize=11)
        .encode(x=x, y=y, text=alt.Text("slot:Q", format="d"))
    )
    return alt.layer(front, dots, labels).properties(height=280)
