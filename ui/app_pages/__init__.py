"""The app's pages (Streamlit scripts), run by ``st.navigation`` in ``ui/app.py``."""
