"""Action buttons' feedback: run the action, show its error or carry a note to the rerun."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from steps.errors import AutotuneError
from ui import argo_side
from ui.textfmt import plain

FLASH = "flash"


def run_action(action: Callable[[], object], done: str) -> None:
    """Run ``action``; on success rerun the page with ``done`` shown at its top."""
    try:
        action()
    except (argo_side.ArgoProblem, AutotuneError) as exc:
        for line in str(exc).splitlines():
            st.error(plain(line))
        return
    st.session_state[FLASH] = done
    st.rerun()


def show_flash() -> None:
    note = st.session_state.pop(FLASH, None)
    if note:
        st.success(note)
