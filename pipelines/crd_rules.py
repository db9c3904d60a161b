"""The CEL rules (``x-kubernetes-validations``) of the Argo CRDs, as Python checks.

The API server evaluates these; jsonschema cannot. Each rule is keyed by its exact CEL
text, so when a new CRD brings a rule this table does not know, loading the schema
fails loudly instead of letting the rule go unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_LOCATIONS = ("s3", "git", "http", "artifactory", "hdfs", "raw", "oss", "gcs", "azure", "plugin")
_TYPES = (
    "container", "script", "dag", "steps", "resource", "suspend", "containerSet", "data", "http",
    "plugin",
)  # fmt: skip


def _one_location(obj: Any) -> bool:
    return sum(key in obj for key in _LOCATIONS) <= 1


def _count(*keys: str) -> str:
    return " + ".join(f"(has(self.{key}) ? 1 : 0)" for key in keys)


def _template_rule(body: str) -> str:
    return f"self.all(t, {body})"


def _is_nonleaf(t: dict[str, Any]) -> bool:
    return "steps" in t or "dag" in t


RULES: dict[str, Check] = {
    f"{_count(*_LOCATIONS)} <= 1": _one_location,
    "!has(self.realtime) || !self.realtime || !self.value.contains('resourcesDuration.')": (
        lambda g: not g.get("realtime") or "resourcesDuration." not in g.get("value", "")
    ),
    "!has(self.depends) || !has(self.dependencies)": (
        lambda t: not ("depends" in t and "dependencies" in t)
    ),
    "!has(self.depends) || !has(self.continueOn)": (
        lambda t: not ("depends" in t and "continueOn" in t)
    ),
    "!(has(self.depends) || has(self.dependencies)) || !self.name.matches('^[0-9]')": (
        lambda t: not ("depends" in t or "dependencies" in t) or not t["name"][:1].isdigit()
    ),
    "!(has(self.count) && has(self.end))": lambda s: not ("count" in s and "end" in s),
    (
        "(has(self.manifest) && !has(self.manifestFrom)) || "
        "(!has(self.manifest) && has(self.manifestFrom)) || "
        "(!has(self.manifest) && !has(self.manifestFrom))"
    ): lambda r: not ("manifest" in r and "manifestFrom" in r),
    _template_rule(f"{_count(*_TYPES).replace('self.', 't.')} <= 1"): (
        lambda ts: all(sum(key in t for key in _TYPES) <= 1 for t in ts)
    ),
    _template_rule('!(has(t.timeout) && t.timeout != "" && (has(t.steps) || has(t.dag)))'): (
        lambda ts: all(not (t.get("timeout") and _is_nonleaf(t)) for t in ts)
    ),
    _template_rule("!(has(t.activeDeadlineSeconds) && (has(t.steps) || has(t.dag)))"): (
        lambda ts: all(not ("activeDeadlineSeconds" in t and _is_nonleaf(t)) for t in ts)
    ),
}


class UnknownRule(LookupError):
    """The CRD has a CEL rule this module does not implement."""


def check_for(rule: str) -> Check:
    try:
        return RULES[rule]
    except KeyError:
        raise UnknownRule(
            f"CRD validation rule not implemented in pipelines/crd_rules.py: {rule}"
        ) from None
