"""The study page's live part: header, node grid, failures, leaderboard, plots."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.cards_html import cards_html
from ui.charts import objective_chart, pareto_chart
from ui.grid_html import grid_html, legend_html
from ui.phases import PHASE_COLOURS, symbol
from ui.study_page import PageData
from ui.tables import display_frame, leaderboard_frame
from ui.textfmt import plain, took, when

# leaderboard columns people read first; the flags follow, the reason last
_FIRST = ("rank", "slot", "kind", "state")


def header(page: PageData) -> None:
    s = page.summary
    colours = PHASE_COLOURS.get(s.phase, PHASE_COLOURS["Pending"])
    cards = [
        ("phase", f"{symbol(s.phase)} {s.phase}", colours),
        ("slots done", f"{s.done}/{s.total}", None),
        ("best", s.best or "-", None),
        ("started", when(s.started), None),
        (
            "finished" if s.finished else "running for",
            when(s.finished) if s.finished else took(s.started, None),
            None,
        ),
    ]
    if s.finished:
        cards.append(("duration", took(s.started, s.finished), None))
    st.html(cards_html(cards))
    if s.message and s.phase in ("Failed", "Error"):
        st.error(plain(s.message))
    elif s.message:
        st.caption(plain(s.message))


def node_status(page: PageData) -> None:
    st.subheader("Node status")
    st.html(legend_html())
    st.html(grid_html(page.grid))
    st.caption("Hover a cell for its duration and message. Rows: trial slots; columns: steps.")
    failures = page.grid.failures()
    if failures:
        with st.expander(f"{len(failures)} failed step(s): messages", expanded=True):
            for path, cell in failures:
                st.markdown(
                    f"**{plain(path)}** ({cell.phase}): {plain(cell.message or 'no message')}"
                )


def leaderboard(page: PageData) -> None:
    st.subheader("Leaderboard")
    if not page.leaderboard:
        st.info("No trial recorded yet.")
        return
    frame = leaderboard_frame(page.leaderboard, page.data.task) if page.data else pd.DataFrame()
    order = [c for c in _FIRST if c in frame] + [c for c in frame if c not in _FIRST]
    frame = frame[order]
    # as text: st.dataframe shows a missing number as "None", which reads like a value
    st.dataframe(display_frame(frame), hide_index=True, width="stretch")


def plots(page: PageData) -> None:
    st.subheader("Plots")
    left, right = st.columns(2)
    left.markdown("**Objective per trial** (green: best so far)")
    right.markdown("**Throughput vs latency** (orange: Pareto front)")
    chart = objective_chart(page.objective)
    if chart is None:
        left.info("The objective plot appears once a trial is measured.")
    else:
        left.altair_chart(chart, width="stretch")
    chart = pareto_chart(page.pareto)
    if chart is None:
        right.info("The throughput vs latency plot appears once a trial is measured.")
    else:
        right.altair_chart(chart, width="stretch")
