"""The report section of the study page: summary, best config, InferenceService, files."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.isvc import isvc_yaml
from ui.study_page import PageData


def report_section(page: PageData) -> None:
    st.subheader("Report")
    report = page.report
    if not report.present:
        st.info("The report is written once every slot has ended.")
        return
    best = report.best
    if best is not None and best.get("slot") is not None and page.data is not None:
        st.markdown(f"**Best configuration: slot {best['slot']}**")
        flags = best.get("flags") or {}
        left, right = st.columns([1, 2])
        left.dataframe(
            pd.DataFrame([{"flag": f"--{k}", "value": str(v)} for k, v in flags.items()]),
            hide_index=True,
            width="stretch",
        )
        command = report.texts.get("best_command.txt", "").strip()
        if command:
            right.markdown("Engine command line")
            right.code(command, language=None, wrap_lines=True)
        text, drafted = isvc_yaml(
            page.data.task, page.study, flags, report.texts.get("best_manifest.yaml")
        )
        with st.expander(
            "InferenceService YAML" + (" (drafted)" if drafted else ""), expanded=False
        ):
            st.code(text, language="yaml")
        st.download_button(
            "Download the InferenceService YAML",
            text,
            file_name=f"{page.study}-best-isvc.yaml",
            mime="text/yaml",
            key=f"isvc_{page.study}",
        )
    elif best is not None:
        st.warning(f"No best configuration: {best.get('reason', 'no trial completed')}")
    summary = report.texts.get("summary.md")
    if summary:
        with st.expander("summary.md", expanded=False):
            st.markdown(summary)
    if report.images:
        with st.expander("Report plots (PNG)"):
            for name, data in report.images.items():
                st.image(data, caption=name)
    with st.expander("Download report files"):
        for name, data, mime in report.downloads():
            st.download_button(name, data, file_name=name, mime=mime, key=f"dl_{page.study}_{name}")
