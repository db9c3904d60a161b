"""What the executor refuses, and that it refuses before anything runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelines.executor import UnsupportedManifest, parse_workflow
from steps.errors import EXIT_BAD_INPUT

from .conftest import PY, dag, python, run, task, workflow

TOUCH = "import pathlib,sys; pathlib.Path(sys.argv[1]).touch()"


def refusal(manifest: dict[str, Any]) -> str:
    with pytest.raises(UnsupportedManifest) as caught:
        parse_workflow(manifest)
    assert caught.value.exit_code == EXIT_BAD_INPUT
    return str(caught.value)


def touching(marker: Path, *extra_templates: dict[str, Any], **main: Any) -> dict[str, Any]:
    """A workflow whose first task would create ``marker``, plus whatever is refused."""
    tasks = [task("first", "touch"), *main.pop("tasks", [])]
    templates = [python("touch", TOUCH, str(marker)), dag("main", tasks, **main), *extra_templates]
    return workflow(templates)


@pytest.mark.parametrize("kind", ["steps", "script", "resource", "suspend", "containerSet"])
def test_other_template_kinds_are_refused_by_path_and_name(tmp_path: Path, kind: str) -> None:
    marker = tmp_path / "ran"
    other = {"name": "other", kind: [] if kind == "steps" else {"image": "x", "source": "x"}}
    message = refusal(touching(marker, other))
    assert f"spec.templates[2] (other).{kind}: Argo '{kind}' templates are not supported" in message
    assert "supported: dag, container" in message
    assert not marker.exists()


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("withItems", [1, 2], "loops"),
        ("withParam", "[1]", "loops"),
        ("when", "{{workflow.name}} == x", "conditional tasks"),
        ("dependencies", ["first"], "write 'depends' instead"),
        ("hooks", {"exit": {"template": "touch"}}, "lifecycle hooks"),
        ("continueOn", {"failed": True}, "continueOn"),
    ],
)
def test_dag_task_features_are_refused(tmp_path: Path, key: str, value: Any, words: str) -> None:
    extra = {"name": "second", "template": "touch", key: value}
    message = refusal(touching(tmp_path / "ran", tasks=[extra]))
    assert f"spec.templates[1] (main).dag.tasks[1].{key}:" in message
    assert words in message
    assert not (tmp_path / "ran").exists()


def test_unknown_keys_anywhere_are_refused_with_what_is_allowed() -> None:
    manifest = workflow([python("a", "pass", podSpecPatch="{}"), dag("main", [task("a", "a")])])
    manifest["spec"]["volumes"] = []
    manifest["spec"]["templates"][0]["container"]["resources"] = {"limits": {"cpu": 1}}
    message = refusal(manifest)
    assert "spec.volumes: 'volumes' is not supported by the local executor" in message
    assert "spec.templates[0] (a).podSpecPatch:" in message
    assert "spec.templates[0] (a).container.resources:" in message
    assert "supported here: image, command, args, env" in message


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        ("{{inputs.parameters.nope}}", "names 'nope', which the template's inputs do not declare"),
        ("{{workflow.parameters.nope}}", "spec.arguments do not declare"),
        ("{{tasks.a.outputs.result}}", "is not a reference the local executor resolves"),
        ("{{=sprig.upper('x')}}", "expression tag"),
        ("{{item}}", "is not a reference the local executor resolves"),
    ],
)
def test_a_reference_that_cannot_be_resolved_is_refused(reference: str, words: str) -> None:
    manifest = workflow([python("a", "pass", reference), dag("main", [task("a", "a")])])
    message = refusal(manifest)
    assert f"spec.templates[0] (a).container.command[3]: '{reference}'" in message
    assert words in message


def test_retry_expressions_other_than_the_compiled_form_are_refused() -> None:
    retry = {"limit": 2, "expression": "lastRetry.status == 'Error'"}
    message = refusal(
        workflow([python("a", "pass", retryStrategy=retry), dag("main", [task("a", "a")])])
    )
    assert "retryStrategy.expression" in message and "is not a form" in message
    grouped = {"limit": 2, "expression": "!(asInt(lastRetry.exitCode) == 2)"}
    message = refusal(
        workflow([python("a", "pass", retryStrategy=grouped), dag("main", [task("a", "a")])])
    )
    assert "grouping and negation are not supported" in message


def test_graph_mistakes_are_all_reported_at_once() -> None:
    manifest = workflow(
        [
            python("a", "pass"),
            dag(
                "main",
                [
                    task("x", "a", depends="y"),
                    task("y", "a", depends="x.Succeeded"),
                    task("z", "missing", depends="ghost"),
                    task("w", "a", depends="x.Bogus"),
                ],
            ),
        ]
    )
    message = refusal(manifest)
    assert "'ghost' is not another task of this DAG" in message
    assert "'missing' is not defined" in message
    assert "unknown result" in message
    cyclic = workflow(
        [python("a", "pass"), dag("main", [task("x", "a", "y"), task("y", "a", "x")])]
    )
    assert "depends form a cycle: x -> y -> x" in refusal(cyclic)


def test_inputs_and_arguments_must_match() -> None:
    needs = python("a", "pass", "{{inputs.parameters.k}}", inputs={"parameters": [{"name": "k"}]})
    message = refusal(workflow([needs, dag("main", [task("t", "a", extra="1")])]))
    assert "'extra' is not an input of template 'a'" in message
    assert "template 'a' needs input 'k'; pass it" in message


def test_a_refused_manifest_leaves_nothing_running(tmp_path: Path) -> None:
    # the refused part comes after a task that would run first: nothing may start
    marker = tmp_path / "ran"
    late = {"name": "late", "script": {"image": "x", "source": "print(1)"}}
    with pytest.raises(UnsupportedManifest):
        run(touching(marker, late, tasks=[task("second", "late", depends="first")]))
    assert not marker.exists()


def test_a_plain_workflow_is_accepted(tmp_path: Path) -> None:
    outcome = run(touching(tmp_path / "ran"))
    assert outcome.succeeded and (tmp_path / "ran").exists()
    assert PY  # the steps ran with this interpreter


def test_every_compiled_example_workflow_is_accepted(repo: Path) -> None:
    import yaml

    from pipelines.compile import compile_task
    from pipelines.options import CompileOptions
    from steps.spec import load_task

    examples = sorted((repo / "examples").glob("*.yaml"))
    if not examples:
        pytest.skip("no examples/*.yaml yet")
    for example in examples:
        manifest = compile_task(load_task(example), CompileOptions(store="file:///tmp/s"))
        workflow_ = parse_workflow(manifest)
        assert workflow_.entrypoint in workflow_.templates, example
        # the golden YAML, when there is one, is the same manifest
        golden = repo / "examples" / "compiled" / f"{example.stem}.workflow.yaml"
        if golden.exists():
            parse_workflow(yaml.safe_load(golden.read_text()))


def test_templates_and_crons_are_refused_with_the_way_out() -> None:
    manifest = workflow([python("a", "pass"), dag("main", [task("a", "a")])])
    manifest["kind"] = "CronWorkflow"
    message = refusal(manifest)
    assert message.startswith("kind: 'CronWorkflow' cannot be run by the local executor")
    assert "--kind workflow" in message and "\n" not in message
