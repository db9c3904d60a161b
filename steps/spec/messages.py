"""pydantic's validation errors as one line per problem: field path, bad value, what is allowed.

pydantic words its errors for programmers ("Input should be a valid integer") and
reports a union's failure once per member. A task author needs the key to fix, the
value that is wrong and the values that would do, once.
"""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from steps.spec.values import did_you_mean

# pydantic puts the chosen member of a union into the error location: the discriminator
# value of a parameter ('int', 'float', 'categorical') or a type name ('str', 'list[int]').
_TYPE_TAG = re.compile(r"^(str|int|float|bool|categorical|(list|dict|literal)\[.*\])$")
# messages pydantic writes itself (value_error carries ours); lower number wins on one path
_PRIORITY = {"value_error": 0, "literal_error": 1, "extra_forbidden": 1, "missing": 1}
# error type -> (what the value is not, what is allowed)
_KINDS = {
    "int_type": ("an integer", "a whole number, e.g. 8"),
    "int_parsing": ("an integer", "a whole number, e.g. 8"),
    "int_from_float": ("an integer", "a whole number, e.g. 8"),
    "float_type": ("a number", "a number, e.g. 0.8"),
    "float_parsing": ("a number", "a number, e.g. 0.8"),
    "bool_type": ("true or false", "true or false"),
    "bool_parsing": ("true or false", "true or false"),
    "string_type": ("a string", "a string"),
    "list_type": ("a list", "a list, e.g. [8]"),
    "dict_type": ("a mapping", "a mapping of keys"),
    "model_type": ("a mapping", "a mapping of keys"),
    "model_attributes_type": ("a mapping", "a mapping of keys"),
}
_BOUNDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}


def format_errors(exc: ValidationError, root: type[BaseModel] | None = None) -> list[str]:
    """One ``path: message`` line per field path, in the order pydantic found them."""
    best: dict[str, tuple[int, str]] = {}
    for error in exc.errors():
        path, message = _line(error, root)
        rank = _PRIORITY.get(error["type"], 2)
        if path not in best or rank < best[path][0]:
            best[path] = (rank, message)
    return [f"{path}: {message}" for path, (_, message) in best.items()]


def _line(error: ErrorDetails, root: type[BaseModel] | None) -> tuple[str, str]:
    loc = _strip_tags(error["loc"])
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _keys_at(root, error["loc"][:-1])
        hint = f"; allowed: {', '.join(allowed)}" if allowed else " (check the spelling)"
        return _path(loc), f"unknown key {key!r}{did_you_mean(key, allowed)}{hint}"
    if kind == "missing":
        return _path(loc), "missing; this key is required"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        return _path(loc), (
            f"{_show(value)} is not allowed{did_you_mean(value, allowed)}; "
            f"allowed: {', '.join(allowed)}"
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = ctx.get("discriminator", "'type'").strip("'")
        tags = re.findall(r"'([^']*)'", ctx.get("expected_tags", "")) or [
            "int",
            "float",
            "categorical",
        ]
        bad = "missing" if kind == "union_tag_not_found" else f"{ctx.get('tag')!r} is not allowed"
        hint = did_you_mean(ctx.get("tag"), tags)
        return _path((*loc, field)), f"{bad}{hint}; allowed: {', '.join(tags)}"
    if kind in ("value_error", "assertion_error"):
        return _path(loc), error["msg"].removeprefix("Value error, ").removeprefix(
            "Assertion failed, "
        )
    if kind in _BOUNDS:
        key, sign = _BOUNDS[kind]
        bound = ctx.get(key)
        shown = f"{bound:g}" if isinstance(bound, int | float) else bound
        return _path(loc), f"{_show(value)} is out of range; allowed: {sign} {shown}"
    if kind in ("too_short", "string_too_short"):
        least = ctx.get("min_length")
        what = "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else ""
        if what and not value:
            return _path(loc), f"the {what} is empty; allowed: at least {least} entry"
        unit = " character" + ("s" if least != 1 else "") if isinstance(value, str) else ""
        return _path(loc), f"{_show(value)} is too short; allowed: at least {least}{unit}"
    if kind in ("too_long", "string_too_long"):
        return _path(loc), f"{_show(value)} is too long; allowed: at most {ctx.get('max_length')}"
    if kind in _KINDS:
        noun, allowed_text = _KINDS[kind]
        keys = _keys_at(root, error["loc"]) if noun == "a mapping" else []
        if keys:
            allowed_text += f" ({', '.join(keys)})"
        elif noun == "a mapping" and loc[:2] == ("search", "parameters"):
            allowed_text = (
                "a mapping with type: int, float or categorical, e.g. {type: int, values: [1, 2]}"
            )
        return _path(loc), f"{_show(value)} is not {noun}; allowed: {allowed_text}"
    return _path(loc), f"{error['msg']}, got {_show(value)}"


def _strip_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # Keys of `search.parameters` / `search.fixed` are flag names and stay, even one
    # called 'int'; any other part that looks like a union member is pydantic's.
    kept: list[int | str] = []
    for index, part in enumerate(loc):
        is_key = index == 2 and loc[:2] in (("search", "parameters"), ("search", "fixed"))
        if isinstance(part, str) and not is_key and (_TYPE_TAG.match(part) or part == "[key]"):
            continue  # '[key]': pydantic's marker of an error in a mapping's key
        kept.append(part)
    return tuple(kept)


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f"{'.' if text else ''}{part}"
    return text or "<task>"


def _show(value: Any) -> str:
    text = "null" if value is None else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _keys_at(root: type[BaseModel] | None, loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model allows at ``loc`` (walking fields, dict keys and union tags)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field else None
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        elif get_origin(current) is list:
            current = get_args(current)[0]
        elif get_origin(current) in (Union, types.UnionType):
            current = _member(current, part)
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, types.UnionType) and len(args) == 1:
        return _unwrap(args[0])
    return annotation


def _member(union: Any, tag: int | str) -> Any:
    """The member of a discriminated union whose ``type`` literal is ``tag``."""
    for member in get_args(union):
        field = getattr(member, "model_fields", {}).get("type")
        annotation = field.annotation if field is not None else None
        if get_origin(annotation) is Literal and tag in get_args(annotation):
            return member
    return None
