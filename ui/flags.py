"""The engine's known flags, offered in the form: a reference table and a starting row.

The flag tables (``steps.engines``) are what validation checks against; offering
exactly those names means a flag picked here never needs ``raw: true``.
"""

from __future__ import annotations

from typing import Any

from steps.engines import Flag, get_engine
from ui.paramtable import blank_param, show_list


def known_flags(kind: str) -> dict[str, Flag]:
    return dict(sorted(get_engine(kind).flags.items()))


def allowed_text(flag: Flag) -> str:
    """What values the engine accepts, in words: ``>= 1``, ``on, off, auto``, ``true/false``."""
    if flag.kind == "bool":
        return "true / false"
    if flag.choices:
        return show_list(list(flag.choices))
    parts = []
    if flag.minimum is not None:
        parts.append(f"{'>' if flag.exclusive_minimum else '>='} {flag.minimum:g}")
    if flag.maximum is not None:
        parts.append(f"<= {flag.maximum:g}")
    text = " and ".join(parts) or "any"
    if flag.also:
        text += f" (or {', '.join(f'{v:g}' for v in flag.also)})"
    return text


def flag_table(kind: str) -> list[dict[str, Any]]:
    return [
        {"flag": name, "type": flag.kind, "allowed": allowed_text(flag), "what": flag.help}
        for name, flag in known_flags(kind).items()
    ]


def starting_row(kind: str, name: str) -> dict[str, Any]:
    """A parameter row for a known flag that already validates: a range inside what the
    engine allows, the choices of an enumerated flag, both values of a switch."""
    flag = known_flags(kind)[name]
    row = blank_param() | {"flag": name}
    if flag.kind == "bool":
        return row | {"type": "categorical", "values": "true, false"}
    if flag.choices:
        return row | {"type": "categorical", "values": show_list(list(flag.choices))}
    if flag.kind == "str":
        return row | {"type": "categorical"}
    minimum = flag.minimum if flag.minimum is not None else 0.0
    if flag.kind == "int":
        low = int(minimum) + (1 if flag.exclusive_minimum else 0)
        high = int(flag.maximum) if flag.maximum is not None else max(low * 8, low + 8)
        return row | {"type": "int", "low": low, "high": min(high, low + 64) if low else high}
    top = flag.maximum if flag.maximum is not None else minimum + 1.0
    if flag.exclusive_minimum:
        minimum = round(minimum + (top - minimum) / 2, 4)  # inside the open interval
    return row | {"type": "float", "low": float(minimum), "high": float(top)}
