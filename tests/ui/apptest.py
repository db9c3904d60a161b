"""Driving the app with Streamlit's AppTest: open a page, read what it shows."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.textfmt import plain

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")


def open_page(page: str, timeout: float = 60, **query: str) -> AppTest:
    """The app on ``page`` (``app_pages/new_study.py``), query parameters set."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def shows(at: AppTest, line: str) -> bool:
    """``line`` is in an error box (messages are escaped for markdown on the page)."""
    return any(plain(line) in text for text in errors(at))


def texts(at: AppTest) -> str:
    """Every text the page shows in markdown, captions, boxes and titles."""
    parts = []
    for kind in (
        "markdown",
        "caption",
        "title",
        "subheader",
        "success",
        "info",
        "warning",
        "error",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)
