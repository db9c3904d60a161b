"""Cluster mode's Argo features on the local executor: secretKeyRef env, output artifacts,
ConfigMap semaphores, the exit handler's ``when`` and the spec fields ignored locally."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelines.executor import Executor, ExecutorOptions, parse_workflow
from pipelines.executor.secrets import MissingSecret
from pipelines.executor.store_sink import StoreSink, artifact_key, log_key
from pipelines.executor.study import LocalStudy
from steps.errors import EXIT_BAD_INPUT
from steps.spec import load_task
from steps.store import LocalStore, open_store

from .conftest import (
    FAKE_STEP,
    dag,
    max_overlap,
    nodes_by_path,
    python,
    span,
    spans,
    task,
    workflow,
)
from .test_manifest import refusal
from .test_study_local import TASK, calls, ends

SECRET = "s3cr3t-Value-Never-Written"
SECRET_ENV = {
    "name": "TOKEN",
    "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}},
}
# Writes $TOKEN to argv[1] and prints it: the log must come out scrubbed.
SHOW_ENV = (
    "import os,sys; open(sys.argv[1],'w').write(os.environ['TOKEN']); print(os.environ['TOKEN'])"
)
# Writes argv[2] into the folder argv[1] (the --artifacts DIR the compiler passes).
WRITE_ARTIFACT = (
    "import pathlib,sys; d=pathlib.Path(sys.argv[1])/'out'; d.mkdir(parents=True); "
    "(d/'data.txt').write_text(sys.argv[2])"
)


def with_secret(marker: Path) -> dict[str, Any]:
    step = python("show", SHOW_ENV, str(marker))
    step["container"]["env"] = [SECRET_ENV, {"name": "PLAIN", "value": "x"}]
    return workflow([step, dag("main", [task("a", "show")])])


def execute(manifest: dict[str, Any], store: LocalStore, **options: Any) -> Any:
    options.setdefault("workflow_name", "wf")
    sink = StoreSink(store, "study", "wf")
    return Executor(parse_workflow(manifest), ExecutorOptions(**options), sink=sink).run()


def test_a_secret_reaches_the_step_and_nothing_written(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    marker = tmp_path / "seen"
    outcome = execute(with_secret(marker), store, secrets={("creds", "token"): SECRET})
    assert outcome.succeeded and marker.read_text() == SECRET
    written = [p.read_text() for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert written and not any(SECRET in text for text in written)
    assert "***" in store.read_text(log_key("study", "wf", "wf.a"))
    assert SECRET not in json.dumps(outcome.status.to_dict())
    assert SECRET not in repr(ExecutorOptions(secrets={("creds", "token"): SECRET}))


def test_without_a_mapping_the_secret_comes_from_the_environment(tmp_path: Path) -> None:
    marker = tmp_path / "seen"
    options = ExecutorOptions(workflow_name="wf", env={"TOKEN": SECRET})
    assert Executor(parse_workflow(with_secret(marker)), options).run().succeeded
    assert marker.read_text() == SECRET


@pytest.mark.parametrize("secrets", [{}, None])
def test_a_missing_secret_refuses_the_run_before_anything_starts(
    tmp_path: Path, secrets: dict[tuple[str, str], str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOKEN", raising=False)
    marker = tmp_path / "seen"
    with pytest.raises(MissingSecret) as caught:
        Executor(parse_workflow(with_secret(marker)), ExecutorOptions(secrets=secrets)).run()
    assert caught.value.exit_code == EXIT_BAD_INPUT
    message = str(caught.value)
    assert "Secret 'creds' key 'token' (env TOKEN of show)" in message
    assert "CreateContainerConfigError" in message and not marker.exists()


def test_other_env_sources_are_refused() -> None:
    step = python("a", "pass")
    step["container"]["env"] = [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "c"}}}]
    message = refusal(workflow([step, dag("main", [task("a", "a")])]))
    assert "env[0].valueFrom.configMapKeyRef: 'configMapKeyRef' is not supported" in message
    assert "supported here: secretKeyRef" in message


def artifact_step(name: str, folder: str, *, optional: bool = True) -> dict[str, Any]:
    step = python(name, WRITE_ARTIFACT, folder, "{{inputs.parameters.who}}")
    step["inputs"] = {"parameters": [{"name": "who"}]}
    step["outputs"] = {
        "artifacts": [
            {"name": "out", "path": f"{folder}/out", "optional": optional, "archive": {"none": {}}}
        ]
    }
    return step


def test_artifacts_are_private_to_each_attempt_copied_to_the_store_and_recorded(
    tmp_path: Path,
) -> None:
    # two steps at once write the same absolute folder, as two pods would on Argo
    shared = f"{tmp_path}/pod-tmp/artifacts"
    tasks = [task("a", "write", who="from-a"), task("b", "write", who="from-b")]
    store = LocalStore(tmp_path / "store")
    outcome = execute(workflow([artifact_step("write", shared), dag("main", tasks)]), store)
    assert outcome.succeeded
    assert not Path(shared).exists()  # each attempt wrote under its own private root
    nodes = nodes_by_path(outcome)
    for name in ("a", "b"):
        key = artifact_key("study", "wf", f"wf.{name}", "out")
        assert store.read_text(f"{key}/data.txt") == f"from-{name}"
        assert nodes[name]["outputs"]["artifacts"] == [{"name": "out", "path": f"{shared}/out"}]
        assert nodes[name]["outputs"]["exitCode"] == "0"


def test_a_missing_artifact_is_skipped_when_optional_and_an_error_otherwise(
    tmp_path: Path,
) -> None:
    folder = f"{tmp_path}/pod-tmp"
    for optional, phase in ((True, "Succeeded"), (False, "Error")):
        step = artifact_step("nothing", folder, optional=optional)
        step["container"]["command"][2] = "pass"  # writes nothing
        outcome = execute(
            workflow([step, dag("main", [task("a", "nothing", who="x")])]),
            LocalStore(tmp_path / f"store-{optional}"),
        )
        node = nodes_by_path(outcome)["a"]
        assert node["phase"] == phase
        assert "artifacts" not in node["outputs"]
        if not optional:
            assert node["message"].startswith("failed to save outputs: no such file")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"path": "/elsewhere/out"}, "is not under a folder the container's args name"),
        ({"archive": None}, "archive: is required here"),
        ({"archive": {"tar": {}}}, "'tar' is not supported"),
        ({"s3": {"key": "k"}}, "'s3' is not supported"),
    ],
)
def test_artifacts_outside_the_supported_form_are_refused(change: dict[str, Any], words: str):
    step = artifact_step("write", "/tmp/x")
    artifact = step["outputs"]["artifacts"][0]
    artifact.update(change)
    if artifact["archive"] is None:
        del artifact["archive"]
    message = refusal(workflow([step, dag("main", [task("a", "write", who="x")])]))
    assert "outputs.artifacts[0]" in message or "outputs.artifacts[out]" in message
    assert words in message


def semaphore_workflow(log: Path, slots: int) -> dict[str, Any]:
    sync = {"semaphores": [{"configMapKeyRef": {"name": "sem", "key": "gpu"}}]}
    trial = dag("trial", [task("run", "span", who="{{inputs.parameters.who}}")])
    trial.update(inputs={"parameters": [{"name": "who"}]}, synchronization=sync)
    tasks = [task(f"slot-{k}", "trial", who=f"slot-{k}") for k in range(slots)]
    return workflow([span("span", log, 0.4), trial, dag("main", tasks)])


@pytest.mark.parametrize("limit", [1, 2])
def test_a_configmap_semaphore_caps_its_holders(tmp_path: Path, limit: int) -> None:
    log = tmp_path / "spans.jsonl"
    seen: list[str] = []
    options = ExecutorOptions(workflow_name="wf", semaphore_limits={"sem/gpu": limit})

    def watch(status: Any) -> None:
        seen.extend(n.message for n in status.nodes.values() if n.phase == "Pending")

    manifest = semaphore_workflow(log, 4)
    outcome = Executor(parse_workflow(manifest), options, on_tick=watch).run()
    assert outcome.succeeded and len(spans(log)) == 4
    assert max_overlap(list(spans(log).values())) == limit
    waiting = "Waiting for default/ConfigMap/sem/gpu lock. Lock status: 0/"
    assert any(m.startswith(waiting) for m in seen)
    nodes = nodes_by_path(outcome)
    # a DAG holds the lock from its start to its end: the holders' spans never overlap
    held = sorted(
        (nodes[f"slot-{k}"]["startedAt"], nodes[f"slot-{k}"]["finishedAt"]) for k in range(4)
    )
    if limit == 1:
        assert all(held[i][1] <= held[i + 1][0] for i in range(3))


def test_semaphores_other_than_configmap_ones_on_dags_are_refused() -> None:
    step = python(
        "a",
        "pass",
        synchronization={"semaphores": [{"configMapKeyRef": {"name": "s", "key": "k"}}]},
    )
    message = refusal(workflow([step, dag("main", [task("a", "a")])]))
    assert "synchronization: supported on dag templates only" in message
    main = dag("main", [task("a", "a")], synchronization={"mutexes": [{"name": "m"}]})
    assert "mutexes are not supported" in refusal(workflow([python("a", "pass"), main]))


def exit_handler(condition: str) -> dict[str, Any]:
    return dag("exit", [{"name": "cleanup", "template": "touch", "when": condition}])


@pytest.mark.parametrize(
    ("main_code", "condition", "runs"),
    [
        ("pass", "{{workflow.status}} != Succeeded", False),
        ("raise SystemExit(1)", "{{workflow.status}} != Succeeded", True),
        ("raise SystemExit(1)", "{{workflow.status}} == Failed", True),
        ("pass", "{{workflow.status}} == Failed", False),
    ],
)
def test_the_exit_handlers_when_sees_the_workflow_status(
    tmp_path: Path, main_code: str, condition: str, runs: bool
) -> None:
    marker = tmp_path / "cleaned"
    touch = python("touch", "import pathlib,sys; pathlib.Path(sys.argv[1]).touch()", str(marker))
    templates = [python("work", main_code), touch, dag("main", [task("a", "work")])]
    manifest = workflow([*templates, exit_handler(condition)], onExit="exit")
    outcome = Executor(parse_workflow(manifest), ExecutorOptions(workflow_name="wf")).run()
    assert marker.exists() == runs
    node = outcome.status.by_name("wf.onExit.cleanup")
    assert node is not None
    if not runs:
        assert node.phase == "Skipped" and node.type == "Skipped"
        assert node.message.startswith("when '") and node.message.endswith("' evaluated false")
    assert outcome.status.phase == ("Succeeded" if main_code == "pass" else "Failed")


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ("{{workflow.status}} != Running", "'Running' is not a workflow phase"),
        ("{{workflow.name}} == wf", "supported only in the form the compiler emits"),
        ("{{workflow.status}} =~ Succ", "supported only in the form the compiler emits"),
    ],
)
def test_other_when_forms_are_refused(condition: str, words: str) -> None:
    touch = python("touch", "pass")
    main = dag("main", [task("a", "touch")])
    manifest = workflow([touch, main, exit_handler(condition)], onExit="exit")
    assert words in refusal(manifest)


def test_when_outside_the_exit_handler_is_refused() -> None:
    main = dag("main", [{"name": "a", "template": "t", "when": "{{workflow.status}} == Failed"}])
    message = refusal(workflow([python("t", "pass"), main]))
    assert "when: supported only in the exit handler's DAG (spec.onExit)" in message


def test_cluster_spec_fields_are_accepted_and_ignored(tmp_path: Path) -> None:
    manifest = workflow([python("a", "pass"), dag("main", [task("a", "a")])])
    manifest["spec"].update(
        podGC={"strategy": "OnPodSuccess"},
        ttlStrategy={"secondsAfterCompletion": 60},
        artifactRepositoryRef={"configMap": "artifact-repositories", "key": "k"},
        serviceAccountName="sa",
        workflowMetadata={"labels": {"a": "b"}},
    )
    outcome = Executor(parse_workflow(manifest), ExecutorOptions(workflow_name="wf")).run()
    assert outcome.succeeded


# Records its argv and the S3 variables it was given, one JSON line per call.
RECORD_CALL = (
    "import json,os,sys; open(os.environ['CALLS'],'a').write(json.dumps({'argv': sys.argv[1:], "
    "'env': {k: os.environ.get(k) for k in ('AWS_ACCESS_KEY_ID', 'AUTOTUNE_S3_ENDPOINT')}})+'\\n')"
)


def cluster_study(tmp_path: Path, store: str) -> LocalStudy:
    task_file = tmp_path / "task.yaml"
    task_file.write_text(yaml.safe_dump({**TASK, "cluster": {"s3": {"endpoint": "http://s3:9"}}}))
    return LocalStudy.prepare(load_task(task_file), open_store(store), mode="cluster")


def test_a_cluster_mode_study_holds_the_semaphore_slot_by_slot(
    tmp_path: Path, fake_dir: Path
) -> None:
    local = cluster_study(tmp_path, str(tmp_path / "store"))
    local.aliases = {"autotune": [sys.executable, str(FAKE_STEP)]}
    outcome = local.executor(keep=[]).run()
    assert outcome.succeeded
    started = {c["key"]: c["start"] for c in calls(fake_dir)}
    ended = ends(fake_dir)
    # parallelism 2, but the GPU semaphore (limit 1) lets one slot run at a time
    assert started["slot-1.suggest"] >= ended["slot-0.teardown"]
    assert started["slot-2.suggest"] >= ended["slot-1.teardown"]
    exit_node = outcome.status.by_name("fake.onExit.teardown-all")
    assert exit_node is not None and exit_node.phase == "Skipped"
    assert not any(c["key"] == "teardown" and "--all" in c["argv"] for c in calls(fake_dir))


def test_the_interruption_teardown_gets_the_templates_env_and_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = cluster_study(tmp_path, "s3://bucket/prefix")
    local.aliases = {"autotune": [sys.executable, "-c", RECORD_CALL]}
    local.secrets = {
        ("inference-autotuner-s3", "accesskey"): "AKIA-from-mapping",
        ("inference-autotuner-s3", "secretkey"): SECRET,
    }
    monkeypatch.setenv("CALLS", str(tmp_path / "calls.jsonl"))
    local.teardown([0, 1])
    rows = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert row["env"] == {
            "AWS_ACCESS_KEY_ID": "AKIA-from-mapping",
            "AUTOTUNE_S3_ENDPOINT": "http://s3:9",
        }
        argv = row["argv"]
        assert argv[:2] == ["step", "teardown"] and argv[-1] == "--interrupted"
        folder = argv[argv.index("--artifacts") + 1]
        assert folder != "/tmp/autotune-artifacts" and not Path(folder).exists()
