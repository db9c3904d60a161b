"""One case per validation rule: one problem line, naming the field path and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from steps.spec import task_from_dict
from tests.spec.tasks import base, edited, problems_of

Edit = Callable[[dict[str, Any]], None]


def put(path: str, value: Any) -> Edit:
    """Set a dotted key path (flag names contain '-', never '.')."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    return edit


def param(name: str, spec: Any) -> Edit:
    return put(f"search.parameters.{name}", spec)


RULES: list[tuple[str, Edit, str, str]] = [
    # names that are not DNS-1123
    ("name-uppercase", put("name", "My_Task"), "name", "is not a DNS-1123 label"),
    ("name-too-long", put("name", "a" * 41), "name", "at most 40 characters"),
    ("namespace", put("deploy.namespace", "Team A"), "deploy.namespace", "DNS-1123"),
    ("runtime", put("deploy.runtime", "srt_llama"), "deploy.runtime", "Kubernetes object name"),
    # ranges
    (
        "low-not-below-high",
        param("parallel", {"type": "int", "low": 8, "high": 2}),
        "search.parameters.parallel",
        "low=8 is not below high=2; allowed: low < high",
    ),
    (
        "low-equals-high",
        param("parallel", {"type": "int", "low": 4, "high": 4}),
        "search.parameters.parallel",
        "allowed: low < high",
    ),
    (
        "log-low-zero",
        param("parallel", {"type": "int", "low": 0, "high": 8, "log": True}),
        "search.parameters.parallel",
        "log: true with low=0; allowed: low > 0",
    ),
    (
        "log-float-negative",
        param("defrag-thold", {"type": "float", "low": -0.5, "high": 0.5, "log": True}),
        "search.parameters.defrag-thold",
        "allowed: low > 0",
    ),
    (
        "empty-choices",
        param("flash-attn", {"type": "categorical", "choices": []}),
        "search.parameters.flash-attn.choices",
        "the list is empty",
    ),
    (
        "empty-values",
        param("threads", {"type": "int", "values": []}),
        "search.parameters.threads",
        "values is an empty list",
    ),
    (
        "repeated-choice",
        param("flash-attn", {"type": "categorical", "choices": ["on", "on"]}),
        "search.parameters.flash-attn.choices",
        "appears twice",
    ),
    # flags the engine kind does not know
    (
        "unknown-flag",
        param("paralel", {"type": "int", "low": 1, "high": 4}),
        "search.parameters.paralel",
        "llama.cpp has no flag --paralel (did you mean --parallel?)",
    ),
    (
        "unknown-fixed-flag",
        put("search.fixed", {"ctx-sise": 4096}),
        "search.fixed.ctx-sise",
        "has no flag --ctx-sise (did you mean --ctx-size?)",
    ),
    (
        "flag-with-dashes",
        param("--parallel", {"type": "int", "low": 1, "high": 4}),
        "search.parameters.--parallel",
        "'--parallel' is not a flag name; allowed: the engine's long flag without the leading",
    ),
    # values that crash or mislead the engine
    (
        "batch-size-zero-low",
        param("batch-size", {"type": "int", "low": 0, "high": 512}),
        "search.parameters.batch-size.low",
        "-b 0 aborts llama-server",
    ),
    (
        "batch-size-zero-choice",
        param("batch-size", {"type": "categorical", "choices": [0, 256]}),
        "search.parameters.batch-size.choices[0]",
        "allowed: >= 1",
    ),
    (
        "batch-size-zero-fixed",
        put("search.fixed", {"batch-size": 0}),
        "search.fixed.batch-size",
        "aborts llama-server",
    ),
    (
        "threads-too-many",
        param("threads", {"type": "int", "values": [1, 512]}),
        "search.parameters.threads.values[1]",
        "allowed: >= 1 and <= 256",
    ),
    (
        "choice-not-in-flag-set",
        param("flash-attn", {"type": "categorical", "choices": ["on", "fast"]}),
        "search.parameters.flash-attn.choices[1]",
        "allowed: on, off, auto",
    ),
    (
        "switch-as-int",
        param("mlock", {"type": "int", "values": [0, 1]}),
        "search.parameters.mlock.type",
        "is a switch",
    ),
    (
        "float-for-int-flag",
        param("parallel", {"type": "float", "low": 1.0, "high": 8.0}),
        "search.parameters.parallel.type",
        "allowed: int or categorical",
    ),
    (
        "bool-is-not-int",
        param("threads", {"type": "int", "values": [True, 2]}),
        "search.parameters.threads.values[0]",
        "True is not an integer",
    ),
    (
        "ubatch-always-above-batch",
        lambda d: d["search"]["parameters"].update(
            {
                "batch-size": {"type": "categorical", "choices": [32, 64]},
                "ubatch-size": {"type": "categorical", "choices": [128, 256]},
            }
        ),
        "search.parameters",
        "every candidate is rejected by llama.cpp",
    ),
    (
        "tuned-and-fixed",
        put("search.fixed", {"parallel": 4}),
        "search.fixed.parallel",
        "both fixed and tuned",
    ),
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
    # injection into a shell, an argv or a template
    (
        "fixed-shell",
        put("search.fixed", {"ctx-size": "$(rm -rf /)"}),
        "search.fixed.ctx-size",
        "contains ' ', '$', '(', ')'",
    ),
    (
        "fixed-template",
        put("search.fixed", {"ctx-size": "{{inputs.x}}"}),
        "search.fixed.ctx-size",
        "'{', '}'",
    ),
    (
        "fixed-not-scalar",
        put("search.fixed", {"ctx-size": [1]}),
        "search.fixed.ctx-size",
        "[1] is not a single value",
    ),
    (
        "fixed-nan",
        put("search.fixed", {"ctx-size": float("nan")}),
        "search.fixed.ctx-size",
        "not a finite number",
    ),
    (
        "model-name-template",
        put("model.name", "{{workflow.name}}"),
        "model.name",
        "contains '{', '}'",
    ),
    ("model-path-shell", put("model.path", "/m;reboot"), "model.path", "contains ';'"),
    ("model-path-option", put("model.path", "--api-key=x"), "model.path", "would read as a flag"),
    ("tokenizer-quote", put("model.tokenizer", "a'b"), "model.tokenizer", 'contains "\'"'),
    ("binary-space", put("engine.binary", "llama server"), "engine.binary", "contains ' '"),
    ("image-backtick", put("pipeline.image", "img:`id`"), "pipeline.image", "'`'"),
    (
        "description-template",
        put("description", "tune {{workflow.name}}"),
        "description",
        "contains '{{', '}}'",
    ),
    ("description-control", put("description", "bell\x07"), "description", "control characters"),
    (
        "schedule-shell",
        put("pipeline.schedule", "0 3 * * 1; rm -rf /"),
        "pipeline.schedule",
        "is not a cron expression",
    ),
    ("schedule-fields", put("pipeline.schedule", "0 3 * *"), "pipeline.schedule", "five fields"),
    (
        "api-key-env",
        put("benchmark.api_key_env", "KEY;id"),
        "benchmark.api_key_env",
        "not an environment variable name",
    ),
    (
        "raw-choice-injection",
        param("new-flag", {"type": "categorical", "choices": ["a b"], "raw": True}),
        "search.parameters.new-flag.choices[0]",
        "contains ' '",
    ),
]


@pytest.mark.parametrize(
    ("edit", "path", "fragment"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_rule_gives_one_line_naming_path_and_allowed(edit: Edit, path: str, fragment: str) -> None:
    lines = problems_of(edited(edit))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: "), lines[0]
    assert fragment in lines[0]


def test_every_problem_is_reported_at_once() -> None:
    data = edited(put("search.fixed", {"ctx-size": "x y", "batch-size": 0}))
    data["benchmark"]["concurrency"] = [0]
    lines = problems_of(data)
    assert [line.split(": ")[0] for line in lines] == [
        "search.fixed.ctx-size",
        "benchmark.concurrency[0]",
    ]


def test_raw_flag_passes_unchecked_when_declared() -> None:
    data = base()
    data["search"]["parameters"]["new-flag"] = {
        "type": "categorical",
        "choices": ["fast", 2, True],
        "raw": True,
    }
    data["search"]["parameters"]["other-flag"] = {"type": "int", "low": 1, "high": 4, "raw": True}
    task = task_from_dict(data)
    assert task.search.parameters["new-flag"].raw


def test_raw_does_not_exempt_a_known_flag_from_its_rules() -> None:
    data = edited(param("batch-size", {"type": "int", "values": [0, 64], "raw": True}))
    assert problems_of(data) == [
        "search.parameters.batch-size.values[0]: 0 is rejected by llama.cpp --batch-size: "
        "-b 0 aborts llama-server (SIGABRT) at start; allowed: >= 1"
    ]


def test_a_sentinel_cannot_end_a_range() -> None:
    data = base()
    data["engine"] = {"kind": "sglang"}
    data["search"]["parameters"] = {
        "chunked-prefill-size": {"type": "int", "low": -1, "high": 4096}
    }
    data["search"]["fixed"] = {}
    (line,) = problems_of(data)
    assert line.startswith("search.parameters.chunked-prefill-size.low: -1 is a special value")
    data["search"]["parameters"]["chunked-prefill-size"] = {"type": "int", "values": [-1, 4096]}
    task_from_dict(data)


def test_a_range_over_a_fixed_set_is_enumerated() -> None:
    data = base()
    data["engine"] = {"kind": "vllm"}
    data["search"]["parameters"] = {"block-size": {"type": "int", "low": 8, "high": 32}}
    data["search"]["fixed"] = {}
    (line,) = problems_of(data)
    assert line.startswith("search.parameters.block-size: the range includes 9")
    assert "allowed: 8, 16, 32, 64, 128" in line


def test_the_valid_base_task_is_valid() -> None:
    task = task_from_dict(base())
    assert task.scored_run.concurrency == 8
