"""Parameters against the engine's flag table: ranges, unknown flags, values that crash it."""

from __future__ import annotations

import pytest

from steps.spec import task_from_dict
from tests.spec.tasks import Edit, RuleCase, base, check_rule, edited, param, problems_of, put

RULES: list[RuleCase] = [
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
]


@pytest.mark.parametrize(
    ("edit", "path", "fragment"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_rule_gives_one_line_naming_path_and_allowed(edit: Edit, path: str, fragment: str) -> None:
    check_rule(edit, path, fragment)


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
