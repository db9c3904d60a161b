"""Schedules: recurring studies, which are Argo CronWorkflows."""

import streamlit as st

from ui import argo_side
from ui.views import argo_panel, schedules_view
from ui.views.feedback import show_flash

st.title("Schedules")
show_flash()
target = argo_panel.argo_inputs()
if not target.server:
    st.info(schedules_view.LOCAL_NOTE)
    st.stop()
if not argo_side.available():
    st.warning(argo_side.UNAVAILABLE)
    st.stop()
st.subheader(f"CronWorkflows in {target.namespace}")
schedules_view.cron_table(target)
schedules_view.create_panel(target)
