"""The studies table: local studies from the store, and Argo workflows when configured."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import argo_side, settings
from ui.phases import running, symbol
from ui.studies import StudySummary, local_studies
from ui.textfmt import plain, took, when

STUDY_PAGE = "app_pages/study.py"


def table(summaries: list[StudySummary]) -> pd.DataFrame:
    rows = []
    for s in summaries:
        row = s.row()
        row["phase"] = f"{symbol(s.phase)} {s.phase}"
        row["duration"] = took(s.started, s.finished)
        row["started"], row["finished"] = when(s.started), when(s.finished)
        rows.append(row)
    columns = ["study", "where", "phase", "slots", "best", "started", "finished", "duration",
               "engine", "message"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def show(summaries: list[StudySummary], key: str) -> None:
    if not summaries:
        return
    picked = st.dataframe(
        table(summaries),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    chosen = picked.selection.rows if picked is not None else []
    if chosen:
        s = summaries[chosen[0]]
        st.switch_page(STUDY_PAGE, query_params=_params(s))
    cols = st.columns(min(len(summaries), 6) or 1)
    for index, s in enumerate(summaries):
        cols[index % len(cols)].page_link(
            STUDY_PAGE,
            label=f"Open {s.study}",
            icon=":material/monitoring:",
            query_params=_params(s),
        )


def _params(s: StudySummary) -> dict[str, str]:
    if s.source == "argo":
        return {"argo": s.workflow, "ns": s.namespace}
    return {"study": s.study}


def local_section() -> list[StudySummary]:
    store = settings.store()
    st.subheader("On this machine")
    st.caption(f"store: {store.uri}")
    summaries = local_studies(store)
    if not summaries:
        st.info("No study in this store yet: start one from **New study**.")
    show(summaries, "local_studies")
    return summaries


def argo_section() -> list[StudySummary]:
    target = settings.ArgoSettings.from_env()
    st.subheader("On Argo")
    if not target.server:
        env = f"${settings.ARGO_SERVER_ENV} (and ${settings.ARGO_TOKEN_ENV})"
        st.caption(f"Set {env} to list the autotuner's Argo workflows.")
        return []
    if not argo_side.available():
        st.caption(argo_side.UNAVAILABLE)
        return []
    try:
        summaries = argo_side.list_studies(target, settings.store())
    except argo_side.ArgoProblem as exc:
        st.error(plain(str(exc)))
        return []
    st.caption(f"{target.server}, namespace {target.namespace}")
    if not summaries:
        st.info("No autotuner workflow in this namespace.")
    show(summaries, "argo_studies")
    return summaries


def any_running(summaries: list[StudySummary]) -> bool:
    return any(running(s.phase) for s in summaries)
