"""Argo depends expressions: read, evaluated as Argo documents them."""

from __future__ import annotations

import pytest

from pipelines.depends import ANY_END, DependsError, ended, evaluate, ready, references, task_names


def test_a_bare_name_means_succeeded_skipped_or_daemoned():
    for phase, expected in [
        ("Succeeded", True), ("Skipped", True), ("Daemoned", True),
        ("Failed", False), ("Errored", False), ("Omitted", False),
    ]:  # fmt: skip
        assert evaluate("a", {"a": phase}) is expected


def test_ended_is_true_for_every_final_phase_but_daemoned():
    for phase in ANY_END:
        assert evaluate(ended("a"), {"a": phase})
    assert not evaluate(ended("a"), {"a": "Daemoned"})


@pytest.mark.parametrize(
    ("expression", "phases", "expected"),
    [
        ("a && b", {"a": "Succeeded", "b": "Failed"}, False),
        ("a || b.Failed", {"a": "Failed", "b": "Failed"}, True),
        ("!a.Failed && (b.Succeeded || b.Skipped)", {"a": "Succeeded", "b": "Skipped"}, True),
        ("a || b && c", {"a": "Succeeded", "b": "Failed", "c": "Failed"}, True),  # && binds tighter
        ("(a || b) && c", {"a": "Succeeded", "b": "Failed", "c": "Failed"}, False),
        ("wait-ready.Omitted", {"wait-ready": "Omitted"}, True),
    ],
)
def test_boolean_logic(expression: str, phases: dict[str, str], expected: bool):
    assert evaluate(expression, phases) is expected


def test_names_and_readiness():
    expression = "init && (slot-0.Failed || slot-0.Succeeded) && slot-1"
    assert task_names(expression) == ["init", "slot-0", "slot-1"]
    assert references("a.Failed || b") == [("a", "Failed"), ("b", None)]
    assert not ready(expression, ["init", "slot-0"])
    assert ready(expression, ["init", "slot-0", "slot-1", "other"])


@pytest.mark.parametrize("bad", ["", "a &&", "(a", "a b", "a.Finished", "a || || b", "a)"])
def test_malformed_expressions_are_refused(bad: str):
    with pytest.raises(DependsError):
        references(bad)
