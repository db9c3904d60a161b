"""One trial slot on the study page: what it ran, what genai-bench measured, the logs."""

from __future__ import annotations

import shlex

import pandas as pd
import streamlit as st

from steps.store import Store
from ui.study_page import PageData
from ui.textfmt import plain
from ui.trials import trial_detail

LOG_LINES = 400


def trial_section(store: Store, page: PageData) -> None:
    st.subheader("Trials")
    slots = page.slots()
    if not slots:
        st.info("No slot yet.")
        return
    running = [k for k in slots if _state_of(page, k) == "running"]
    slot = st.selectbox(
        "Slot",
        slots,
        index=slots.index(running[0]) if running else 0,
        key=f"trial_slot_{page.study}",
        format_func=lambda k: f"slot {k}: {_state_of(page, k)}",
    )
    detail = trial_detail(store, page.study, int(slot), page.grid.workflow or page.study)
    left, right = st.columns([1, 2])
    with left:
        st.markdown(
            f"**State:** {plain(detail.state)}" + (f" ({detail.kind})" if detail.kind else "")
        )
        if detail.reason:
            st.error(plain(detail.reason))
        if detail.flags:
            flags = pd.DataFrame(
                [{"flag": f"--{k}", "value": str(v)} for k, v in detail.flags.items()]
            )
            st.dataframe(flags, hide_index=True, width="stretch")
        elif detail.kind == "baseline":
            st.caption("engine defaults")
        if detail.timings:
            st.caption(", ".join(f"{k} {v:.1f}s" for k, v in detail.timings.items()))
    with right:
        if detail.runs:
            st.markdown("**genai-bench metrics**")
            st.dataframe(pd.DataFrame(detail.runs), hide_index=True, width="stretch")
        if detail.command:
            st.markdown(
                "**Engine command**" + (f" at {plain(detail.endpoint)}" if detail.endpoint else "")
            )
            st.code(shlex.join(detail.command), language=None, wrap_lines=True)
    label = "Engine log" + (" (live)" if detail.engine_log_live else "")
    with st.expander(label, expanded=detail.state in ("failed", "infeasible")):
        if detail.engine_log:
            st.code(_last_lines(detail.engine_log), language="text")
        else:
            st.caption("No engine log yet.")
    if detail.step_logs:
        with st.expander("Step logs"):
            for name, text in detail.step_logs.items():
                st.markdown(f"**{plain(name)}**")
                st.code(_last_lines(text) or "(empty)", language="text")


def _state_of(page: PageData, slot: int) -> str:
    if page.data is not None:
        for trial in page.data.trials:
            if trial.slot == slot:
                return trial.state
    row = page.grid.slots[slot] if slot < len(page.grid.slots) else None
    return row.phase.lower() if row is not None else "-"


def _last_lines(text: str) -> str:
    lines = text.rstrip().splitlines()
    if len(lines) <= LOG_LINES:
        return "\n".join(lines)
    return f"... {len(lines) - LOG_LINES} earlier lines\n" + "\n".join(lines[-LOG_LINES:])
