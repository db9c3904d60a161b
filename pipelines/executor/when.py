"""A DAG task's ``when``: only the form the compiler's exit handler uses.

``{{workflow.status}} != Succeeded`` (or ``==``, against Succeeded, Failed or Error). Argo
substitutes the tags, then evaluates the text as an expression; here the one comparison
is evaluated after ``{{workflow.status}}`` is substituted, and every other form is refused
when the manifest is read, so no condition is ever half-understood.
"""

from __future__ import annotations

import re

PHASES = ("Succeeded", "Failed", "Error")  # what {{workflow.status}} is in an exit handler
_FORM = re.compile(r"^\s*\{\{\s*workflow\.status\s*\}\}\s*(==|!=)\s*([A-Za-z]+)\s*$")
_RENDERED = re.compile(r"^\s*([A-Za-z]+)\s*(==|!=)\s*([A-Za-z]+)\s*$")
FORMS = "'{{workflow.status}} == PHASE' or '{{workflow.status}} != PHASE'"


def problem(text: str) -> str | None:
    """Why ``text`` is not a ``when`` the local executor evaluates, or None."""
    match = _FORM.match(text)
    if match is None:
        return (
            f"conditional tasks ('when') are supported only in the form the compiler emits, "
            f"{FORMS}; got {text!r}"
        )
    if match.group(2) not in PHASES:
        return f"{match.group(2)!r} is not a workflow phase; use one of {', '.join(PHASES)}"
    return None


def holds(rendered: str) -> bool:
    """The value of a checked ``when`` once its tag has been substituted."""
    match = _RENDERED.match(rendered)
    if match is None:  # the form was checked when the manifest was read
        raise ValueError(f"unexpected when expression {rendered!r}")
    left, op, right = match.groups()
    return (left == right) == (op == "==")
