"""The Argo target: server and namespace (typed in), token (environment only), submit."""

from __future__ import annotations

import streamlit as st

from ui import argo_side, settings
from ui.textfmt import plain
from ui.validation import Checked

STUDY_PAGE = "app_pages/study.py"


def argo_inputs() -> settings.ArgoSettings:
    env = settings.ArgoSettings.from_env()
    left, right = st.columns(2)
    server = left.text_input("Argo server URL", value=env.server, key="argo_server")
    namespace = right.text_input("Namespace", value=env.namespace, key="argo_namespace")
    st.caption(settings.token_note())
    return settings.ArgoSettings(server.strip(), namespace.strip(), env.ui_url)


def submit_to_argo(checked: Checked) -> None:
    target = argo_inputs()
    if not argo_side.available():
        st.warning(argo_side.UNAVAILABLE)
        return
    store = st.text_input(
        "Store the steps use (cluster)", value=argo_side.CLUSTER_STORE, key="argo_store"
    ).strip()
    schedule = checked.task.pipeline.schedule if checked.task is not None else None
    left, right = st.columns(2)
    once = left.button("Submit to Argo", type="primary", key="submit_argo")
    cron = schedule is not None and right.button(f"Schedule it ({schedule})", key="schedule_argo")
    if not (once or cron):
        return
    if not checked.ok or checked.task is None:
        st.error(f"Not submitted: the task has {len(checked.problems)} problem(s), listed above.")
        return
    if not target.server:
        st.error("Not submitted: give the Argo server URL.")
        return
    try:
        if cron:
            name = argo_side.schedule(target, checked.task, schedule, store)
            st.session_state["flash"] = f"CronWorkflow {name} created in {target.namespace}."
            st.switch_page("app_pages/schedules.py")
        name = argo_side.submit(target, checked.task, store)
    except argo_side.ArgoProblem as exc:
        for line in str(exc).splitlines():
            st.error(plain(line))
        return
    st.session_state["flash"] = f"Workflow {name} submitted to {target.namespace}."
    st.switch_page(STUDY_PAGE, query_params={"argo": name, "ns": target.namespace})
