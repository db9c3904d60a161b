"""Studies: every local study in the store and every autotuner workflow on Argo."""

import streamlit as st

from ui import settings
from ui.views import studies_list
from ui.views.feedback import show_flash

st.title("Studies")
show_flash()


@st.fragment(run_every=settings.REFRESH_S * 2)
def live() -> None:
    # cheap enough to poll: a few small records per study
    studies_list.local_section()
    studies_list.argo_section()


live()
