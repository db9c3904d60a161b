"""The one form of ``retryStrategy.expression`` the executor evaluates.

The compiler writes ``asInt(lastRetry.exitCode) != 2 && asInt(lastRetry.exitCode) != 3``
(retry anything but "bad input" and "infeasible"). Accepted here: comparisons
``asInt(lastRetry.exitCode) OP INTEGER`` with OP one of ``== != < <= > >=``, joined by
``&&`` and ``||`` (``&&`` binds tighter), nothing else. Argo's expressions are a full
language (expr-lang); anything beyond this form is refused rather than guessed at.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

_COMPARISON = re.compile(
    r"^\s*asInt\(\s*lastRetry\.exitCode\s*\)\s*(==|!=|<=|>=|<|>)\s*(-?[0-9]+)\s*$"
)
_OPS: dict[str, Callable[[int, int], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
FORM = (
    "comparisons 'asInt(lastRetry.exitCode) OP N' (OP one of == != < <= > >=) joined by && and ||"
)

# [[(op, n), ...and...], ...or...]
Parsed = list[list[tuple[str, int]]]


class RetryExpressionError(ValueError):
    pass


def parse(expression: str) -> Parsed:
    if "(" in expression.replace("asInt(", "") or "!" in expression.replace("!=", ""):
        raise RetryExpressionError(
            f"retryStrategy.expression {expression!r}: grouping and negation are not "
            f"supported by the local executor; supported: {FORM}"
        )
    parsed: Parsed = []
    for alternative in expression.split("||"):
        terms = []
        for term in alternative.split("&&"):
            match = _COMPARISON.match(term)
            if match is None:
                raise RetryExpressionError(
                    f"retryStrategy.expression {expression!r}: {term.strip()!r} is not a form "
                    f"the local executor evaluates; supported: {FORM}"
                )
            terms.append((match.group(1), int(match.group(2))))
        parsed.append(terms)
    return parsed


def should_retry(expression: str, exit_code: str) -> bool:
    """The expression's value for the last attempt's exit code (Argo passes it as a string;
    an attempt that never produced one, like a process that could not start, is "-1")."""
    try:
        code = int(exit_code)
    except ValueError:
        code = -1
    return any(
        all(_OPS[op](code, number) for op, number in alternative)
        for alternative in parse(expression)
    )
