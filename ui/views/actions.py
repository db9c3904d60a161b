"""The study page's actions on a local study: stop it, retry a failed slot."""

from __future__ import annotations

import streamlit as st

from steps.store import Store
from ui import runs, settings
from ui.study_page import PageData
from ui.views.feedback import run_action


def local_actions(store: Store, page: PageData) -> None:
    stop_help = "SIGTERM to the run: its steps stop and every engine is torn down"
    if page.runner_alive and st.button(
        "Stop the study", type="primary", key=f"stop_{page.study}", help=stop_help
    ):
        run_action(lambda: runs.stop(store, page.study), "Stopping: engines are being torn down.")
    if page.live and not page.runner_alive:
        st.caption("Started outside this app: stop it where it runs (Ctrl-C on `autotune run`).")
    retryable = page.retryable()
    if retryable and not page.live:
        left, right, _ = st.columns([2, 1, 2], vertical_alignment="bottom")
        slot = left.selectbox("Failed slot", retryable, key=f"retry_slot_{page.study}")
        retry_help = "forget the slot's records and run it again, then the report"
        if right.button(f"Retry slot {slot}", key=f"retry_{page.study}", help=retry_help):
            run_action(
                lambda: runs.start_retry(store, page.study, int(slot), settings.state_dir()),
                f"Retrying slot {slot}.",
            )
    runner = page.runner
    if runner is not None and not page.runner_alive and page.summary.phase in ("Failed", "Error"):
        tail = runner.log_tail()
        if tail:
            with st.expander("Console of the last local run"):
                st.code(tail, language="text")
