"""The form's tables (tuned parameters, fixed flags, SLOs) to and from task dicts.

A table row holds what a person typed; turning it into task data does no validation
of its own beyond the shape of the cell (the task model and ``autotune validate``'s
rules judge the values, so the form shows the very messages the CLI prints). Only
what a table can get wrong and a YAML file cannot is checked here: a flag listed twice.
"""

from __future__ import annotations

import math
import re
from typing import Any

PARAM_COLUMNS = ("flag", "type", "low", "high", "values", "log", "step", "raw")
PARAM_TYPES = ("int", "float", "categorical")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(
    r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
)


def blank_param() -> dict[str, Any]:
    return {
        "flag": "",
        "type": "int",
        "low": None,
        "high": None,
        "values": "",
        "log": False,
        "step": None,
        "raw": False,
    }


def complete_rows(rows: list[dict[str, Any]], blank: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows with every column, text cells as text: a column the editor sees as all-empty
    numbers cannot be edited as text."""
    out = []
    for row in rows:
        full = blank | {k: v for k, v in row.items() if k in blank and not _empty(v)}
        for key, default in blank.items():
            if isinstance(default, str):
                full[key] = "" if _empty(full[key]) else str(full[key])
        out.append(full)
    return out


def parse_scalar(text: str) -> Any:
    """A cell's text as a flag value: ``8`` -> 8, ``0.5`` -> 0.5, ``true`` -> True, else text.

    Not YAML's rules: YAML 1.1 reads ``on`` and ``off`` (llama.cpp's --flash-attn values)
    as booleans.
    """
    text = text.strip()
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def parse_list(text: str) -> list[Any]:
    """``"1, 2, 4"`` -> [1, 2, 4]; an empty cell is an empty list."""
    return [parse_scalar(part) for part in str(text or "").split(",") if part.strip()]


def show_list(values: list[Any]) -> str:
    return ", ".join(_show(v) for v in values)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: Any, integer: bool) -> Any:
    """A number cell (a float, NaN when empty) as the task wants it: ints stay ints."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if integer and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def rows_to_parameters(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """``search.parameters`` from the table, and the table's own problems."""
    parameters: dict[str, Any] = {}
    problems = []
    for row in rows:
        flag = str(row.get("flag") or "").strip().removeprefix("--")
        if not flag:
            continue  # the editor's empty "add a row" line
        if flag in parameters:
            problems.append(
                f"search.parameters.{flag}: --{flag} is in the table twice; allowed: each flag once"
            )
            continue
        kind = str(row.get("type") or "int")
        param: dict[str, Any] = {"type": kind}
        listed = parse_list(str(row.get("values") or ""))
        if kind == "categorical":
            param["choices"] = listed
        else:
            integer = kind == "int"
            for end in ("low", "high"):
                value = _number(row.get(end), integer)
                if value is not None:
                    param[end] = value
            if listed:
                param["values"] = [float(v) if _float_ok(v, kind) else v for v in listed]
            if row.get("log"):
                param["log"] = True
            step = _number(row.get("step"), integer)
            if step is not None:
                param["step"] = step
        if row.get("raw"):
            param["raw"] = True
        parameters[flag] = param
    return parameters, problems


def _float_ok(value: Any, kind: str) -> bool:
    # "values: 1, 0.5" of a float parameter: 1 is a float there, as YAML's 1.0 would be
    return kind == "float" and isinstance(value, int) and not isinstance(value, bool)


def parameters_to_rows(parameters: Any) -> list[dict[str, Any]]:
    """Rows from ``search.parameters`` (whatever an imported file holds, best effort)."""
    rows: list[dict[str, Any]] = []
    if not isinstance(parameters, dict):
        return rows
    for flag, spec in parameters.items():
        row = blank_param() | {"flag": str(flag)}
        if isinstance(spec, dict):
            row["type"] = spec.get("type") if spec.get("type") in PARAM_TYPES else "int"
            listed = spec.get("choices", spec.get("values"))
            row["values"] = show_list(listed) if isinstance(listed, list) else ""
            for key in ("low", "high", "step"):
                value = spec.get(key)
                row[key] = value if isinstance(value, int | float) else None
            row["log"], row["raw"] = bool(spec.get("log")), bool(spec.get("raw"))
        rows.append(row)
    return rows


def rows_to_fixed(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    fixed: dict[str, Any] = {}
    problems = []
    for row in rows:
        flag = str(row.get("flag") or "").strip().removeprefix("--")
        if not flag:
            continue
        if flag in fixed:
            problems.append(
                f"search.fixed.{flag}: --{flag} is fixed twice; allowed: each flag once"
            )
            continue
        fixed[flag] = parse_scalar(str(row.get("value") if not _empty(row.get("value")) else ""))
    return fixed, problems


def fixed_to_rows(fixed: Any) -> list[dict[str, Any]]:
    if not isinstance(fixed, dict):
        return []
    return [{"flag": str(k), "value": _show(v)} for k, v in fixed.items()]


def rows_to_slo(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    slo: dict[str, Any] = {}
    problems = []
    for row in rows:
        key = str(row.get("slo") or "").strip()
        if not key:
            continue
        if key in slo:
            problems.append(f"objective.slo.{key}: set twice; allowed: each SLO once")
            continue
        value = row.get("value")
        if _empty(value):
            problems.append(f"objective.slo.{key}: the limit is empty; allowed: a number")
            continue
        slo[key] = value
    return slo, problems


def slo_to_rows(slo: Any) -> list[dict[str, Any]]:
    if not isinstance(slo, dict):
        return []
    return [{"slo": str(k), "value": v} for k, v in slo.items() if v is not None]
