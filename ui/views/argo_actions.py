"""The study page's actions on an Argo run: stop, retry a failed slot, open nodes in the
Argo UI."""

from __future__ import annotations

import streamlit as st

from ui import argo_side
from ui.settings import ArgoSettings
from ui.study_page import PageData
from ui.textfmt import plain
from ui.views.feedback import run_action


def argo_actions(target: ArgoSettings, page: PageData) -> None:
    name = page.summary.workflow
    stop_help = "argo stop: the exit handler still tears the engines down"
    if page.live and st.button(
        "Stop the study", type="primary", key=f"argo_stop_{name}", help=stop_help
    ):
        run_action(
            lambda: argo_side.stop(target, name), "Stop requested: the exit handler tears down."
        )
    retryable = page.grid.failed_slots()
    if retryable and not page.live:
        left, right, _ = st.columns([2, 1, 2], vertical_alignment="bottom")
        slot = left.selectbox("Failed slot", retryable, key=f"argo_retry_slot_{name}")
        retry_help = "delete the slot's records, then Argo retries the slot's nodes"
        if right.button(f"Retry slot {slot}", key=f"argo_retry_{name}", help=retry_help):
            run_action(
                lambda: argo_side.retry_slot(target, name, int(slot)), f"Retrying slot {slot}."
            )
    links = [("workflow", argo_side.node_url(target, name, name))]
    links += [
        (path, argo_side.node_url(target, name, cell.node_id))
        for path, cell in page.grid.failures()
        if cell.node_id
    ]
    st.markdown(
        "Open in the Argo UI: " + " · ".join(f"[{plain(label)}]({url})" for label, url in links)
    )
