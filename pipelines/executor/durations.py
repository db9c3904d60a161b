"""Durations as Argo writes them (``"15s"``, ``"5m"``, ``"1h30m"``, or plain seconds)
and as it shows them in node messages (``Backoff for 15 seconds``)."""

from __future__ import annotations

import re

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)")
ALLOWED = "seconds as a number, or a Go duration such as '15s', '5m', '1h30m'"


def parse_duration(value: object) -> float | None:
    """Seconds, or None when ``value`` is not a duration Argo would accept."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if not isinstance(value, str) or not value:
        return None
    if re.fullmatch(r"[0-9]+", value):
        return float(value)
    pos, total = 0, 0.0
    while pos < len(value):
        match = _PART.match(value, pos)
        if match is None:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return total


def humanize(seconds: float) -> str:
    """``15 seconds``, ``1 minute 30 seconds``, ``2 hours``: how Argo words a wait."""
    whole = max(round(seconds), 0)
    parts = []
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "0 seconds"


def short(seconds: float | None) -> str:
    """A compact duration for tables: ``4s``, ``2m05s``, ``1h02m``."""
    if seconds is None:
        return "-"
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
