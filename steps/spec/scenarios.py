"""genai-bench's traffic scenario syntax, checked before a benchmark is launched.

``D(in,out)`` deterministic token counts, ``N(mean_in,std_in)/(mean_out,std_out)``
normal distributions, ``U(min_in,max_in)/(min_out,max_out)`` or ``U(max_in,max_out)``
uniform ones. Embedding scenarios are ``E(tokens)``.
"""

from __future__ import annotations

import re

_NUM = r"\d+"
_PATTERNS = {
    "D": re.compile(rf"^D\(({_NUM}),({_NUM})\)$"),
    "N": re.compile(rf"^N\(({_NUM}),({_NUM})\)/\(({_NUM}),({_NUM})\)$"),
    "U": re.compile(rf"^U\(({_NUM}),({_NUM})\)(?:/\(({_NUM}),({_NUM})\))?$"),
    "E": re.compile(rf"^E\(({_NUM})\)$"),
}
ALLOWED = (
    "D(in,out), N(mean_in,std_in)/(mean_out,std_out), U(min_in,max_in)/(min_out,max_out), "
    "U(max_in,max_out), E(tokens)"
)


def scenario_problem(text: str) -> str | None:
    """Why ``text`` is not a genai-bench scenario, or None when it is one."""
    compact = text.replace(" ", "")
    pattern = _PATTERNS.get(compact[:1])
    match = pattern.match(compact) if pattern else None
    if match is None:
        return f"not a genai-bench traffic scenario; allowed: {ALLOWED}"
    numbers = [int(g) for g in match.groups() if g is not None]
    kind = compact[0]
    if kind == "D" and min(numbers) < 1:
        return "a scenario with 0 tokens; allowed: token counts >= 1"
    if kind == "U" and len(numbers) == 4 and (numbers[0] > numbers[1] or numbers[2] > numbers[3]):
        return "a uniform range with min > max; allowed: min <= max"
    if kind == "U" and min(numbers[1::2] if len(numbers) == 4 else numbers) < 1:
        return "a scenario with a maximum of 0 tokens; allowed: maximum token counts >= 1"
    if kind == "N" and (numbers[0] < 1 or numbers[2] < 1):
        return "a scenario with a mean of 0 tokens; allowed: mean token counts >= 1"
    if kind == "E" and numbers[0] < 1:
        return "a scenario with 0 tokens; allowed: a token count >= 1"
    return None


def normalize(text: str) -> str:
    """The spelling genai-bench writes in its result file names (no spaces)."""
    return text.replace(" ", "")
