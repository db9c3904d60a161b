"""Study: live node status, leaderboard, plots, trials and report of one study."""

import streamlit as st

from ui import argo_side, settings
from ui.studies import study_names
from ui.study_page import load_page
from ui.textfmt import plain
from ui.views import actions, argo_actions, report_view, study_view, trial_view
from ui.views.feedback import show_flash

store = settings.store()
argo_run = st.query_params.get("argo")
study = st.query_params.get("study")
target = settings.ArgoSettings.from_env()
if argo_run:
    target = settings.ArgoSettings(
        target.server, st.query_params.get("ns") or target.namespace, target.ui_url
    )
elif not study:
    names = study_names(store)
    if not names:
        st.info("No study in this store yet: start one from **New study**.")
        st.stop()
    study = st.selectbox("Study", names)
    st.query_params["study"] = study
elif study not in study_names(store):
    st.title(f"Study {study}")
    st.error(f"There is no study {study!r} in {store.uri}.")
    st.stop()


try:
    first = load_page(store, study, argo_run, target)
except argo_side.ArgoProblem as exc:
    st.title(f"Workflow {argo_run}")
    st.error(plain(str(exc)))
    st.stop()
st.title(f"Study {first.study}" + (f" (Argo run {argo_run})" if argo_run else ""))
show_flash()


@st.fragment(run_every=settings.REFRESH_S if first.live else None)
def live() -> None:
    try:
        page = load_page(store, study, argo_run, target)
    except argo_side.ArgoProblem as exc:
        st.error(plain(str(exc)))
        return
    if page.live != first.live:
        st.rerun()  # started or ended: switch the refresh on or off
    study_view.header(page)
    if argo_run:
        argo_actions.argo_actions(target, page)
    else:
        actions.local_actions(store, page)
    study_view.node_status(page)
    if page.data is None and argo_run:
        st.info("The trial records are in the study's store: start the app on it to see them.")
        return
    study_view.leaderboard(page)
    study_view.plots(page)
    trial_view.trial_section(store, page)
    report_view.report_section(page)


live()
