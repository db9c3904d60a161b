"""The workload and the search: genai-bench scenarios, concurrency, the scored run, slots."""

from __future__ import annotations

import pytest

from steps.spec import task_from_dict
from tests.spec.tasks import Edit, RuleCase, base, check_rule, edited, problems_of, put

RULES: list[RuleCase] = [
    # genai-bench's traffic scenarios
    (
        "scenario-one-number",
        put("benchmark.scenarios", ["D(100)"]),
        "benchmark.scenarios[0]",
        "not a genai-bench traffic scenario",
    ),
    (
        "scenario-normal-half",
        put("benchmark.scenarios", ["N(100,10)"]),
        "benchmark.scenarios[0]",
        "allowed: D(in,out)",
    ),
    (
        "scenario-uniform-reversed",
        put("benchmark.scenarios", ["U(10,5)/(1,2)"]),
        "benchmark.scenarios[0]",
        "min > max",
    ),
    (
        "scenario-zero-tokens",
        put("benchmark.scenarios", ["D(0,64)"]),
        "benchmark.scenarios[0]",
        "0 tokens",
    ),
    (
        "scenario-unknown-letter",
        put("benchmark.scenarios", ["X(1,2)"]),
        "benchmark.scenarios[0]",
        "allowed: D(in,out)",
    ),
    (
        "scenario-second",
        put("benchmark.scenarios", ["D(100,64)", "D(100;64)"]),
        "benchmark.scenarios[1]",
        "'D(100;64)'",
    ),
    (
        "scenario-repeated",
        put("benchmark.scenarios", ["D(100,64)", "D(100, 64)"]),
        "benchmark.scenarios",
        "appears twice",
    ),
    # concurrency
    (
        "concurrency-zero",
        put("benchmark.concurrency", [0]),
        "benchmark.concurrency[0]",
        "0 is out of range; allowed: > 0",
    ),
    (
        "concurrency-negative",
        put("benchmark.concurrency", [4, -1]),
        "benchmark.concurrency[1]",
        "allowed: > 0",
    ),
    (
        "concurrency-empty",
        put("benchmark.concurrency", []),
        "benchmark.concurrency",
        "the list is empty",
    ),
    ("no-parameters", put("search.parameters", {}), "search.parameters", "the mapping is empty"),
    ("empty-model-name", put("model.name", ""), "model.name", "at least 1 character"),
    (
        "concurrency-scalar",
        put("benchmark.concurrency", 8),
        "benchmark.concurrency",
        "8 is not a list",
    ),
    (
        "concurrency-repeated",
        put("benchmark.concurrency", [8, 8]),
        "benchmark.concurrency",
        "appears twice",
    ),
    # objective.at among the benchmarked runs
    (
        "at-scenario",
        put("objective.at", {"scenario": "D(200,64)", "concurrency": 8}),
        "objective.at.scenario",
        "'D(200,64)' is not a benchmarked scenario; allowed: D(100,64)",
    ),
    (
        "at-concurrency",
        put("objective.at", {"scenario": "D(100,64)", "concurrency": 4}),
        "objective.at.concurrency",
        "4 is not a benchmarked concurrency level; allowed: 8",
    ),
    (
        "at-missing-with-several-runs",
        put("benchmark.concurrency", [4, 8]),
        "objective.at",
        "allowed: one of D(100,64)@4, D(100,64)@8",
    ),
    # search shape
    (
        "parallelism-above-trials",
        put("search.parallelism", 8),
        "search.parallelism",
        "allowed: 1..6",
    ),
    ("baseline-needs-two", put("search.trials", 1), "search.trials", "baseline takes slot 0"),
    (
        "grid-continuous",
        lambda d: d["search"].update(
            strategy="grid",
            parameters={"defrag-thold": {"type": "float", "low": 0.1, "high": 0.5}},
        ),
        "search.parameters.defrag-thold",
        "a continuous range cannot be a grid",
    ),
]


@pytest.mark.parametrize(
    ("edit", "path", "fragment"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_rule_gives_one_line_naming_path_and_allowed(edit: Edit, path: str, fragment: str) -> None:
    check_rule(edit, path, fragment)


def test_every_problem_is_reported_at_once() -> None:
    data = edited(put("search.fixed", {"ctx-size": "x y", "batch-size": 0}))
    data["benchmark"]["concurrency"] = [0]
    lines = problems_of(data)
    assert [line.split(": ")[0] for line in lines] == [
        "search.fixed.ctx-size",
        "benchmark.concurrency[0]",
    ]


def test_the_valid_base_task_is_valid() -> None:
    task = task_from_dict(base())
    assert task.scored_run.concurrency == 8
