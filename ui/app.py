"""The Streamlit app: ``autotune ui`` runs this file (``streamlit run ui/app.py``)."""

import streamlit as st

from ui import settings

st.set_page_config(page_title="inference-autotuner", page_icon=":material/tune:", layout="wide")

pages = [
    st.Page("app_pages/studies.py", title="Studies", icon=":material/list:", default=True),
    st.Page(
        "app_pages/new_study.py", title="New study", icon=":material/add_circle:", url_path="new"
    ),
    st.Page("app_pages/study.py", title="Study", icon=":material/monitoring:", url_path="study"),
    st.Page(
        "app_pages/schedules.py",
        title="Schedules",
        icon=":material/schedule:",
        url_path="schedules",
    ),
]
page = st.navigation(pages)
st.sidebar.caption(f"store: {settings.store_uri()}")
page.run()
