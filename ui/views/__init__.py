"""Streamlit rendering: widgets and layout only; the data comes from the ``ui`` modules."""
