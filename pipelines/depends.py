"""Argo's ``depends`` expressions: build them, read their task names, evaluate them.

Grammar (Argo "enhanced depends"): operands ``task`` or ``task.Result``, joined by
``&&`` and ``||``, negated by ``!``, grouped with parentheses. A bare ``task`` means
``task.Succeeded || task.Skipped || task.Daemoned``. Argo evaluates a task's
expression once every task it names has completed (Omitted counts as completed);
false means the task is Omitted and never runs.

The compiler, the manifest lint and the local executor share this module, so the
expressions the compiler writes are exactly the ones the executor understands.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

# Phases a finished node can end in, spelled as depends results.
RESULTS = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned")
FANOUT_RESULTS = ("AnySucceeded", "AllFailed")  # only for tasks with withItems/withParam
# "Ended in any phase": what teardown and the slot chain wait for.
ANY_END = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted")
_BARE = ("Succeeded", "Skipped", "Daemoned")

_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||!|\(|\))|(?P<name>[A-Za-z0-9][-A-Za-z0-9]*)(?:\.(?P<result>[A-Za-z]+))?)"
)


class DependsError(ValueError):
    """A depends expression that is not well formed."""


def ended(task: str) -> str:
    """Expression that is true once ``task`` has finished, whatever its outcome."""
    return "(" + " || ".join(f"{task}.{result}" for result in ANY_END) + ")"


def all_of(*terms: str) -> str:
    return " && ".join(term for term in terms if term)


Node = tuple  # parsed form: ("ref", name, result|None) | ("not", n) | ("and"|"or", a, b)


def parse(expression: str) -> Node:
    tokens = _tokenize(expression)
    node, rest = _parse_or(tokens, expression)
    if rest:
        raise DependsError(f"depends {expression!r}: unexpected {rest[0][1]!r}")
    return node


def references(expression: str) -> list[tuple[str, str | None]]:
    """Every ``(task, result)`` the expression names, in order (result None for bare)."""
    out: list[tuple[str, str | None]] = []

    def walk(node: Node) -> None:
        if node[0] == "ref":
            out.append((node[1], node[2]))
        else:
            for child in node[1:]:
                walk(child)

    walk(parse(expression))
    return out


def task_names(expression: str) -> list[str]:
    return list(dict.fromkeys(name for name, _ in references(expression)))


def evaluate(expression: str, phases: Mapping[str, str]) -> bool:
    """The expression's value given each named task's final result (``RESULTS`` spelling)."""

    def value(node: Node) -> bool:
        kind = node[0]
        if kind == "ref":
            phase = phases[node[1]]
            return phase in _BARE if node[2] is None else phase == node[2]
        if kind == "not":
            return not value(node[1])
        left, right = value(node[1]), value(node[2])
        return (left and right) if kind == "and" else (left or right)

    return value(parse(expression))


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(expression.rstrip()):
        match = _TOKEN.match(expression, pos)
        if match is None or match.end() == pos:
            raise DependsError(f"depends {expression!r}: cannot read at {expression[pos:]!r}")
        if match.group("op"):
            tokens.append(("op", match.group("op")))
        else:
            result = match.group("result")
            if result is not None and result not in RESULTS + FANOUT_RESULTS:
                raise DependsError(
                    f"depends {expression!r}: {match.group(0).strip()!r} has an unknown "
                    f"result; allowed: {', '.join(RESULTS + FANOUT_RESULTS)}"
                )
            tokens.append(("ref", f"{match.group('name')}.{result or ''}"))
        pos = match.end()
    return tokens


Parser = Callable[[list[tuple[str, str]], str], tuple[Node, list[tuple[str, str]]]]


def _binary(op: str, kind: str, operand: Parser) -> Parser:
    def parse_level(tokens: list[tuple[str, str]], text: str) -> tuple[Node, list]:
        node, rest = operand(tokens, text)
        while rest and rest[0] == ("op", op):
            right, rest = operand(rest[1:], text)
            node = (kind, node, right)
        return node, rest

    return parse_level


def _parse_unary(tokens: list[tuple[str, str]], text: str) -> tuple[Node, list]:
    if not tokens:
        raise DependsError(f"depends {text!r}: ends where a task name was expected")
    kind, value = tokens[0]
    if (kind, value) == ("op", "!"):
        node, rest = _parse_unary(tokens[1:], text)
        return ("not", node), rest
    if (kind, value) == ("op", "("):
        node, rest = _parse_or(tokens[1:], text)
        if not rest or rest[0] != ("op", ")"):
            raise DependsError(f"depends {text!r}: a '(' is not closed")
        return node, rest[1:]
    if kind == "ref":
        name, _, result = value.partition(".")
        return ("ref", name, result or None), tokens[1:]
    raise DependsError(f"depends {text!r}: unexpected {value!r}")


_parse_and = _binary("&&", "and", _parse_unary)
_parse_or = _binary("||", "or", _parse_and)


def ready(expression: str, finished: Iterable[str]) -> bool:
    """True once every task the expression names is in ``finished`` (Argo's trigger)."""
    done = set(finished)
    return all(name in done for name in task_names(expression))
