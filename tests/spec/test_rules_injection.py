"""Values that would inject into a shell, an argv or a template are refused."""

from __future__ import annotations

import pytest

from tests.spec.tasks import Edit, RuleCase, check_rule, param, put

RULES: list[RuleCase] = [
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
    check_rule(edit, path, fragment)
