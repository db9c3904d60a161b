"""The form's values in ``st.session_state``: set once, replaced on import, read back.

Widgets are keyed ``f_<field>``; the three tables live outside any widget (a data
editor's own state is a list of edits against the data it was given), so each table
has its rows (what the editor starts from), the rows as last edited, and a version
that gives the editor a fresh key whenever its rows are replaced (import, "add flag").
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

import streamlit as st

from ui.taskform import FormValues

TABLES = ("params", "fixed", "slos")
PREFIX = "f_"
READY = "form_ready"
SAVED = "form_saved"


def key(name: str) -> str:
    return PREFIX + name


def editor_key(table: str) -> str:
    return f"{PREFIX}{table}_editor_{st.session_state.get(f'{PREFIX}{table}_version', 0)}"


def load(values: FormValues) -> None:
    """Put ``values`` into every widget and table (call before the widgets are drawn,
    or from a button's callback)."""
    for name, value in asdict(values).items():
        if name in TABLES:
            set_rows(name, value)
        else:
            st.session_state[key(name)] = value


def ensure(default: FormValues) -> None:
    """Fill the form once per session, and restore it when the page is opened again.

    Streamlit drops a widget's state at the end of any run that did not draw it (a visit
    to another page), so the values are also kept under a key no widget owns.
    """
    if not st.session_state.get(READY):
        load(default)
        st.session_state[READY] = True
        return
    saved = st.session_state.get(SAVED, {})
    for name, value in saved.items():
        if name not in TABLES and key(name) not in st.session_state:
            st.session_state[key(name)] = value
    for table in TABLES:
        if editor_key(table) not in st.session_state:
            set_rows(table, edited(table))  # the editor's own edits are gone: start from them


def save() -> None:
    """Keep the values beyond this page's widgets (call at the end of the form page)."""
    st.session_state[SAVED] = asdict(current())


def set_rows(table: str, rows: list[dict[str, Any]]) -> None:
    st.session_state[key(table)] = [dict(r) for r in rows]
    st.session_state[f"{key(table)}_edited"] = [dict(r) for r in rows]
    version = f"{key(table)}_version"
    st.session_state[version] = st.session_state.get(version, 0) + 1


def rows(table: str) -> list[dict[str, Any]]:
    """The rows the editor starts from."""
    return list(st.session_state.get(key(table), []))


def edited(table: str) -> list[dict[str, Any]]:
    return list(st.session_state.get(f"{key(table)}_edited", []))


def keep_edited(table: str, current: list[dict[str, Any]]) -> None:
    st.session_state[f"{key(table)}_edited"] = current


def add_row(table: str, row: dict[str, Any]) -> None:
    set_rows(table, [*edited(table), row])


def current() -> FormValues:
    """The form as the widgets show it now."""
    default = FormValues()
    values: dict[str, Any] = {}
    for field in fields(FormValues):
        if field.name in TABLES:
            values[field.name] = edited(field.name)
        else:
            values[field.name] = st.session_state.get(key(field.name), getattr(default, field.name))
    return FormValues(**values)
