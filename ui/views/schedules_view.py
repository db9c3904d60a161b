"""Schedules: CronWorkflows on Argo (list, create from the form's task, suspend, resume)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from ui import argo_side
from ui.settings import ArgoSettings
from ui.taskform import FormValues
from ui.textfmt import plain
from ui.validation import check
from ui.views import form_state
from ui.views.feedback import run_action

LOCAL_NOTE = (
    "Schedules need Argo: a recurring study is an Argo CronWorkflow, and the local executor "
    "runs a study once, when you submit it. Set an Argo server here (or $ARGO_SERVER) to "
    "create and manage schedules."
)


def cron_table(target: ArgoSettings) -> list[dict[str, str]]:
    from pipelines.argo.views import CRON_COLUMNS, cron_rows

    try:
        crons = argo_side.crons(target)
    except argo_side.ArgoProblem as exc:
        st.error(plain(str(exc)))
        return []
    rows = [dict(zip(CRON_COLUMNS, row, strict=True)) for row in cron_rows(crons)]
    if not rows:
        st.info(f"No recurring study in namespace {target.namespace}.")
        return []
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for row in rows:
        name, state = str(row["name"]), str(row["state"])
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(f"**{plain(name)}**: {plain(str(row['schedule']))} ({state})")
        if state == "active":
            if right.button("Suspend", key=f"suspend_{name}"):
                run_action(partial(argo_side.suspend_cron, target, name), f"{name} suspended.")
        elif right.button("Resume", key=f"resume_{name}"):
            run_action(partial(argo_side.resume_cron, target, name), f"{name} resumed.")
    return rows


def create_panel(target: ArgoSettings) -> None:
    st.subheader("Schedule the study in the New study form")
    saved = st.session_state.get(form_state.SAVED)
    if not saved:
        st.info("Fill in the **New study** form first: its task is what gets scheduled.")
        return
    checked = check(FormValues(**saved))
    if not checked.ok or checked.task is None:
        st.warning(f"The form's task has {len(checked.problems)} problem(s); fix them there first.")
        return
    st.caption(
        f"task {checked.task.name}: {checked.task.search.trials} trials, {checked.task.engine.kind}"
    )
    left, right = st.columns(2)
    cron = left.text_input(
        "Cron schedule", value=checked.task.pipeline.schedule or "0 3 * * *", key="cron_expr"
    )
    store = right.text_input(
        "Store the steps use (cluster)", value=argo_side.CLUSTER_STORE, key="cron_store"
    )
    if st.button("Create the CronWorkflow", type="primary", key="cron_create"):
        run_action(lambda: argo_side.schedule(target, checked.task, cron.strip(), store.strip()),  # type: ignore[arg-type]
            f"Scheduled {checked.task.name} at {cron}.")  # fmt: skip
