"""DAG semantics: depends ordering, Omitted tasks, phases and node records as Argo has them."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.executor.status import node_id

from .conftest import (
    NODE_FIELDS,
    NODE_PHASES,
    NODE_TYPES,
    dag,
    nodes_by_path,
    python,
    run,
    span,
    spans,
    task,
    workflow,
)

FAIL = "import sys; sys.exit(1)"


def test_tasks_start_only_after_what_they_depend_on(tmp_path: Path) -> None:
    log = tmp_path / "spans.jsonl"
    diamond = dag(
        "main",
        [
            task("a", "span", who="a"),
            task("b", "span", depends="a", who="b"),
            task("c", "span", depends="a", who="c"),
            task("d", "span", depends="b && c", who="d"),
        ],
    )
    outcome = run(workflow([span("span", log, 0.3), diamond]))
    assert outcome.succeeded
    t = spans(log)
    assert t["b"]["start"] >= t["a"]["end"] and t["c"]["start"] >= t["a"]["end"]
    assert t["d"]["start"] >= max(t["b"]["end"], t["c"]["end"])
    # b and c have nothing between them: they overlap
    assert t["b"]["start"] < t["c"]["end"] and t["c"]["start"] < t["b"]["end"]


def test_unreachable_tasks_are_omitted_and_handlers_run(tmp_path: Path) -> None:
    log = tmp_path / "spans.jsonl"
    main = dag(
        "main",
        [
            task("a", "fail"),
            task("b", "span", depends="a", who="b"),  # bare name: needs Succeeded
            task("c", "span", depends="b", who="c"),  # b Omitted: c Omitted too
            task("on-failure", "span", depends="a.Failed", who="on-failure"),
            task(
                "after-all",
                "span",
                depends="(c.Succeeded || c.Omitted) && !a.Succeeded",
                who="after-all",
            ),
        ],
    )
    outcome = run(workflow([python("fail", FAIL), span("span", log, 0), main]))
    nodes = nodes_by_path(outcome)
    assert nodes["a"]["phase"] == "Failed" and nodes["a"]["message"] == "Error (exit code 1)"
    assert nodes["a"]["outputs"] == {"exitCode": "1"}
    for omitted in ("b", "c"):
        assert nodes[omitted]["phase"] == "Omitted"
        assert nodes[omitted]["type"] == "Skipped"
        assert nodes[omitted]["message"] == "omitted: depends condition not met"
    assert set(spans(log)) == {"on-failure", "after-all"}
    # Argo takes a DAG's phase from its leaves; both ran and succeeded
    assert outcome.status.phase == "Succeeded"


def test_an_omitted_leaf_inherits_the_failure_before_it(tmp_path: Path) -> None:
    log = tmp_path / "spans.jsonl"
    chain = dag("main", [task("a", "fail"), task("b", "span", depends="a", who="b")])
    outcome = run(workflow([python("fail", FAIL), span("span", log, 0), chain]))
    assert nodes_by_path(outcome)["b"]["phase"] == "Omitted"
    assert outcome.status.phase == "Failed"
    assert outcome.status.to_dict()["nodes"]["wf"]["phase"] == "Failed"


def test_a_dag_succeeds_when_its_leaf_handles_the_failure(tmp_path: Path) -> None:
    # the trial shape: a step fails, the rest of the chain is Omitted, teardown (the only
    # leaf) runs on any end and succeeds, so the slot is Succeeded
    log = tmp_path / "spans.jsonl"
    ended = "(step2.Succeeded || step2.Failed || step2.Errored || step2.Omitted)"
    trial = dag(
        "main",
        [
            task("step1", "fail"),
            task("step2", "span", depends="step1", who="step2"),
            task("teardown", "span", depends=ended, who="teardown"),
        ],
    )
    outcome = run(workflow([python("fail", FAIL), span("span", log, 0), trial]))
    assert outcome.status.phase == "Succeeded"
    assert set(spans(log)) == {"teardown"}


def test_node_records_have_argo_fields_names_and_edges(tmp_path: Path) -> None:
    log = tmp_path / "spans.jsonl"
    inner = dag(
        "inner",
        [task("x", "span", who="{{inputs.parameters.k}}"), task("y", "span", "x", who="y")],
        inputs={"parameters": [{"name": "k"}]},
    )
    main = dag("main", [task("one", "inner", k="one"), task("two", "span", "one", who="two")])
    outcome = run(workflow([span("span", log, 0), inner, main]), workflow_name="wf")
    data = outcome.status.to_dict()
    assert data["name"] == "wf" and data["phase"] == "Succeeded" and data["progress"] == "3/3"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", data["startedAt"])
    nodes = nodes_by_path(outcome)
    for node in nodes.values():
        assert set(node) <= NODE_FIELDS
        assert node["phase"] in NODE_PHASES and node["type"] in NODE_TYPES
        assert node["id"] == node_id("wf", node["name"])
    root = data["nodes"]["wf"]
    assert root["type"] == "DAG" and root["displayName"] == "wf" and root["templateName"] == "main"
    one, x, y, two = nodes["one"], nodes["one.x"], nodes["one.y"], nodes["two"]
    assert (one["displayName"], one["type"], one["boundaryID"]) == ("one", "DAG", "wf")
    assert (x["displayName"], x["templateName"], x["boundaryID"]) == ("x", "span", one["id"])
    assert one["inputs"] == {"parameters": [{"name": "k", "value": "one"}]}
    assert root["children"] == [one["id"]] and one["children"] == [x["id"]]
    assert x["children"] == [y["id"]]
    # a task after a DAG hangs off the DAG's outbound nodes (its leaves)
    assert one["outboundNodes"] == [y["id"]] and y["children"] == [two["id"]]
    assert set(spans(log)) == {"one", "y", "two"}  # x got its name through {{inputs...}}


def test_node_ids_use_fnv1a_of_the_node_name() -> None:
    assert node_id("wf", "wf") == "wf"
    assert node_id("wf", "a") == "wf-3826002220"  # FNV-1a 32 of "a" is 0xe40c292c
