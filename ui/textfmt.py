"""Small text helpers of the pages: times, durations, markdown-safe text."""

from __future__ import annotations

import re
import time

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:])")


def plain(text: str) -> str:
    """``text`` shown literally by Streamlit's markdown (messages hold ``*``, ``_``, ``[``)."""
    return _MARKDOWN.sub(r"\\\1", text)


def when(seconds: float | None) -> str:
    """A local date and time, or "-"."""
    if seconds is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def took(start: float | None, end: float | None, now: float | None = None) -> str:
    """How long from start to end (or to now, while running): ``42s``, ``3m05s``, ``1h02m``."""
    if start is None:
        return "-"
    seconds = max(0.0, (end if end is not None else (now or time.time())) - start)
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
    return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"
