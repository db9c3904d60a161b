"""Rules for single values of a task: safe tokens, Kubernetes names, cron, scalars.

Task values end up in argv lists, Kubernetes manifests and Argo templates. The engine
is started from an argv list (never a shell), but a value can still smuggle in an
option (a leading ``-``), an Argo or Jinja expression (``{{ ... }}``) or shell syntax
for anyone who pastes a rendered command. A conservative alphabet keeps all of that
out, and every rule names the bad value and what is allowed.
"""

from __future__ import annotations

import math
import re
from difflib import get_close_matches
from typing import Any

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
SAFE_TOKEN = re.compile(r"^[A-Za-z0-9._:/@+=,~-]+$")
SAFE_HINT = "letters, digits and . _ : / @ + = , ~ - (no spaces, quotes, $, {, }, ;, |, &)"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Argo and Jinja2 both expand these, wherever they appear in a rendered manifest
TEMPLATE_MARKERS = ("{{", "}}", "{%", "%}")
_CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,?-]+$")
_CRON_HINT = (
    "five fields 'minute hour day-of-month month day-of-week' (e.g. '0 3 * * 1') "
    f"or one of {', '.join(_CRON_MACROS)}"
)


def safe_token(value: str) -> str:
    """``value`` when it is one harmless token; raise ``ValueError`` naming the bad characters."""
    if not SAFE_TOKEN.match(value):
        bad = sorted({c for c in value if not SAFE_TOKEN.match(c)})
        shown = ", ".join(repr(c) for c in bad) if bad else "nothing"
        raise ValueError(f"{value!r} contains {shown}; allowed: {SAFE_HINT}")
    if value.startswith("-"):
        raise ValueError(
            f"{value!r} starts with '-', which an engine would read as a flag; "
            "allowed: a value that does not start with '-'"
        )
    return value


def dns_label(value: str, limit: int) -> str:
    if len(value) > limit or not DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a DNS-1123 label; allowed: lowercase letters, digits and '-', "
            f"starting and ending with a letter or digit, at most {limit} characters"
        )
    return value


def dns_subdomain(value: str) -> str:
    """A Kubernetes object name (ClusterServingRuntime, ClusterBaseModel)."""
    if len(value) > 253 or not DNS_SUBDOMAIN.match(value):
        raise ValueError(
            f"{value!r} is not a Kubernetes object name; allowed: lowercase letters, digits, "
            "'-' and '.', starting and ending with a letter or digit, at most 253 characters"
        )
    return value


def free_text(value: str) -> str:
    """Prose (a description): anything printable except template markers."""
    markers = [m for m in TEMPLATE_MARKERS if m in value]
    if markers:
        raise ValueError(
            f"contains {', '.join(repr(m) for m in markers)}, which Argo and Jinja would expand; "
            "allowed: any text without {{, }}, {% or %}"
        )
    if any(not c.isprintable() and c not in "\n\t" for c in value):
        raise ValueError("contains control characters; allowed: printable text, newlines, tabs")
    return value


def env_name(value: str) -> str:
    if not ENV_NAME.match(value):
        raise ValueError(
            f"{value!r} is not an environment variable name; allowed: letters, digits and _, "
            "not starting with a digit"
        )
    return value


def cron(value: str) -> str:
    """A schedule Argo's CronWorkflow accepts (checked for shape, not for every range)."""
    text = value.strip()
    if text in _CRON_MACROS or text.startswith("@every "):
        return text
    fields = text.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(f"{value!r} is not a cron expression; allowed: {_CRON_HINT}")
    return text


def scalar(value: Any) -> Any:
    """One flag value: a safe string, a number or true/false (checked before the union)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number; allowed: a finite number")
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return safe_token(value)
    shown = "null" if value is None else repr(value)
    raise ValueError(f"{shown} is not a single value; allowed: a string, a number, true or false")


def one_or_list(value: Any, allowed: tuple[str, ...], what: str) -> Any:
    """A name from ``allowed`` or a list of them, checked before pydantic's union.

    Without this, a typo yields one error per union member (the string and the list).
    """
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError(f"the list is empty; allowed: one or two of {', '.join(allowed)}")
    for index, item in enumerate(items):
        if item not in allowed:
            where = f"item {index} " if isinstance(value, list) else ""
            raise ValueError(
                f"{where}{item!r} is not a {what}{did_you_mean(item, allowed)}; "
                f"allowed: {', '.join(allowed)}"
            )
    return value


def did_you_mean(word: Any, candidates: Any, prefix: str = "") -> str:
    """`` (did you mean 'x'?)`` when a candidate is close to ``word``, else ``""``."""
    close = closest(word, candidates)
    if close is None:
        return ""
    return f" (did you mean {prefix}{close}?)" if prefix else f" (did you mean {close!r}?)"


def closest(word: Any, candidates: Any) -> str | None:
    """The candidate a typo of ``word`` most likely meant, if any is close."""
    if not isinstance(word, str):
        return None
    close = get_close_matches(word, [str(c) for c in candidates], n=1, cutoff=0.6)
    return close[0] if close else None
