"""Names, keys and choices: DNS-1123 names, unknown keys with a suggestion, typos in enums."""

from __future__ import annotations

import pytest

from tests.spec.tasks import Edit, RuleCase, check_rule, param, put

RULES: list[RuleCase] = [
    # names that are not DNS-1123
    ("name-uppercase", put("name", "My_Task"), "name", "is not a DNS-1123 label"),
    ("name-too-long", put("name", "a" * 41), "name", "at most 40 characters"),
    ("namespace", put("deploy.namespace", "Team A"), "deploy.namespace", "DNS-1123"),
    ("runtime", put("deploy.runtime", "srt_llama"), "deploy.runtime", "Kubernetes object name"),
    # the discriminator
    (
        "bad-type",
        param("parallel", {"type": "integer", "low": 1, "high": 8}),
        "search.parameters.parallel.type",
        "'integer' is not allowed (did you mean 'int'?); allowed: int, float, categorical",
    ),
    (
        "missing-type",
        param("parallel", {"low": 1, "high": 8}),
        "search.parameters.parallel.type",
        "missing; allowed: int, float, categorical",
    ),
    (
        "parameter-as-list",
        param("parallel", [1, 2]),
        "search.parameters.parallel",
        "is not a mapping; allowed: a mapping with type",
    ),
    # the objective
    (
        "metric-typo",
        put("objective.metric", "output_thruput"),
        "objective.metric",
        "'output_thruput' is not a metric (did you mean 'output_throughput'?); allowed:",
    ),
    (
        "metric-list-typo",
        put("objective.metric", ["output_throughput", "ttfx"]),
        "objective.metric",
        "item 1 'ttfx'",
    ),
    (
        "direction-typo",
        put("objective.direction", "up"),
        "objective.direction",
        "allowed: maximize, minimize",
    ),
    ("stat-typo", put("objective.stat", "p95"), "objective.stat", "allowed: mean, p50, p90, p99"),
    (
        "stat-without-latency",
        put("objective.stat", "p90"),
        "objective.stat",
        "applies to latency metrics only",
    ),
    (
        "nsga2-one-metric",
        put("search.strategy", "nsga2"),
        "objective.metric",
        "nsga2 searches two objectives",
    ),
    # unknown keys, with a suggestion
    (
        "unknown-slo-key",
        put("objective.slo.ttft_p95_ms", 100),
        "objective.slo.ttft_p95_ms",
        "unknown key 'ttft_p95_ms'",
    ),
    (
        "slo-not-positive",
        put("objective.slo.ttft_p90_ms", 0),
        "objective.slo.ttft_p90_ms",
        "allowed: > 0",
    ),
    (
        "unknown-top-level-key",
        put("benchmrk", {}),
        "benchmrk",
        "unknown key 'benchmrk' (did you mean 'benchmark'?); allowed: name, description",
    ),
    (
        "unknown-search-key",
        put("search.stratgy", "grid"),
        "search.stratgy",
        "(did you mean 'strategy'?)",
    ),
    (
        "unknown-parameter-key",
        param("parallel", {"type": "int", "lw": 1, "high": 8}),
        "search.parameters.parallel.lw",
        "(did you mean 'low'?); allowed: type, low, high, step, log, values, raw",
    ),
    ("missing-key", lambda d: d.pop("benchmark"), "benchmark", "missing; this key is required"),
    (
        "strategy-typo",
        put("search.strategy", "bayesian"),
        "search.strategy",
        "allowed: grid, random, tpe, nsga2",
    ),
]


@pytest.mark.parametrize(
    ("edit", "path", "fragment"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_rule_gives_one_line_naming_path_and_allowed(edit: Edit, path: str, fragment: str) -> None:
    check_rule(edit, path, fragment)
