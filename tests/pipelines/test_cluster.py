"""Cluster mode: Secret env, artifacts, the GPU semaphore, pod GC, TTL, the exit handler.

And the boundary with local mode: none of it in a local manifest (the local executor
refuses what it cannot run), the same study shape in both.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from pipelines import naming
from pipelines.artifacts import ARTIFACTS_DIR, STEP_ARTIFACTS
from pipelines.compile import compile_task
from pipelines.manifest_lint import lint_manifest
from pipelines.options import CompileOptions, Kind, resolve_mode

from .helpers import dag_tasks, make_task, spec, templates

CLUSTER_ONLY = ("onExit", "podGC", "ttlStrategy", "artifactRepositoryRef", "synchronization")
CLUSTER = CompileOptions(mode="cluster")


def _cluster(kind: Kind = "workflow", **sections: Any) -> dict[str, Any]:
    task = make_task(pipeline={"schedule": "@daily"}, **sections)
    return compile_task(task, CompileOptions(kind=kind, mode="cluster"))


def _containers(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: t["container"] for n, t in templates(manifest).items() if "container" in t}


def test_every_step_gets_the_s3_credentials_from_the_secret_never_as_values():
    manifest = _cluster(cluster={"s3": {"secret": "minio-creds", "access_key": "id"}})
    containers = _containers(manifest)
    assert set(containers) == {
        "init", *naming.TRIAL_STEPS, "report", naming.TEARDOWN_ALL
    }  # fmt: skip
    for name, container in containers.items():
        env = {e["name"]: e for e in container["env"]}
        assert env["AWS_ACCESS_KEY_ID"] == {
            "name": "AWS_ACCESS_KEY_ID",
            "valueFrom": {"secretKeyRef": {"name": "minio-creds", "key": "id"}},
        }, name
        assert env["AWS_SECRET_ACCESS_KEY"]["valueFrom"]["secretKeyRef"] == {
            "name": "minio-creds",
            "key": "secretkey",
        }
        assert (
            "value" not in env["AWS_ACCESS_KEY_ID"] and "value" not in env["AWS_SECRET_ACCESS_KEY"]
        )
        assert env["AUTOTUNE_S3_ENDPOINT"] == {
            "name": "AUTOTUNE_S3_ENDPOINT",
            "value": "http://minio:9000",
        }


def test_credentials_in_the_environment_do_not_reach_the_manifest(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEKEYID7Q2W9XZ")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake/Secret+Never-In-Manifests")
    text = json.dumps(_cluster())
    assert "AKIAFAKEKEYID7Q2W9XZ" not in text and "Never-In-Manifests" not in text


def test_no_s3_env_for_a_store_that_is_not_on_s3():
    manifest = compile_task(make_task(), CompileOptions(store="file:///srv/s", mode="cluster"))
    assert all("env" not in c for c in _containers(manifest).values())
    no_endpoint = _cluster(cluster={"s3": {"endpoint": None}})
    names = {e["name"] for e in _containers(no_endpoint)["deploy"]["env"]}
    assert names == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def test_artifacts_for_the_engine_log_the_bench_output_and_the_report():
    manifest = _cluster()
    by_name = templates(manifest)
    with_outputs = {n for n, t in by_name.items() if "outputs" in t}
    assert with_outputs == {naming.TEARDOWN, "benchmark", naming.REPORT}
    expected = {
        naming.TEARDOWN: ("engine-log", f"{ARTIFACTS_DIR}/engine.log"),
        "benchmark": ("bench", f"{ARTIFACTS_DIR}/bench"),
        naming.REPORT: ("report", f"{ARTIFACTS_DIR}/report"),
    }
    for step, (name, path) in expected.items():
        (artifact,) = by_name[step]["outputs"]["artifacts"]
        assert artifact == {
            "name": name,
            "path": path,
            "optional": True,  # a slot decided early has no bench output: not an error
            "archive": {"none": {}},  # shown as files in the UI, not a tarball
        }
        args = by_name[step]["container"]["args"]
        assert args[-2:] == ["--artifacts", ARTIFACTS_DIR]
    assert manifest["spec"]["artifactRepositoryRef"] == {
        "configMap": "artifact-repositories",
        "key": "inference-autotuner",
    }


def test_the_gpu_semaphore_is_held_by_each_trial_slot_and_nothing_else():
    manifest = _cluster(cluster={"semaphore": {"key": "a100-trials"}})
    by_name = templates(manifest)
    assert by_name[naming.TRIAL]["synchronization"] == {
        "semaphores": [
            {"configMapKeyRef": {"name": "inference-autotuner-semaphore", "key": "a100-trials"}}
        ]
    }
    held = [n for n, t in by_name.items() if "synchronization" in t]
    assert held == [naming.TRIAL]
    assert "synchronization" not in spec(manifest)  # not the whole workflow
    # deploy .. teardown all run inside the slot that holds it
    assert set(dag_tasks(manifest, naming.TRIAL)) >= {"deploy", "benchmark", naming.TEARDOWN}


def test_pod_gc_and_ttl_from_the_task():
    manifest = _cluster(cluster={"pod_gc": "OnWorkflowSuccess", "ttl_s": 3600})
    assert manifest["spec"]["podGC"] == {"strategy": "OnWorkflowSuccess"}
    assert manifest["spec"]["ttlStrategy"] == {"secondsAfterCompletion": 3600}
    default = _cluster()["spec"]
    assert default["podGC"] == {"strategy": "OnPodSuccess"}  # failed pods kept to debug
    assert default["ttlStrategy"] == {"secondsAfterCompletion": 7 * 86_400}


def test_exit_handler_tears_down_every_engine_when_the_workflow_did_not_succeed():
    manifest = _cluster()
    assert spec(manifest)["onExit"] == naming.EXIT_HANDLER
    (task,) = templates(manifest)[naming.EXIT_HANDLER]["dag"]["tasks"]
    assert task == {
        "name": naming.TEARDOWN_ALL,
        "template": naming.TEARDOWN_ALL,
        "when": "{{workflow.status}} != Succeeded",
    }
    container = templates(manifest)[naming.TEARDOWN_ALL]
    assert container["container"]["args"] == [
        "step", "teardown", "--store", "{{workflow.parameters.store}}",
        "--study", "{{workflow.parameters.study}}", "--all", "--interrupted",
    ]  # fmt: skip
    assert "inputs" not in container and "outputs" not in container
    assert container["retryStrategy"]["limit"] == 2


@pytest.mark.parametrize("kind", ["template", "cron"])
def test_runs_of_templates_and_crons_tear_down_their_own_study(kind: Kind):
    manifest = _cluster(kind)
    args = templates(manifest)[naming.TEARDOWN_ALL]["container"]["args"]
    assert args[args.index("--study") + 1] == "{{workflow.name}}"
    assert spec(manifest)["onExit"] == naming.EXIT_HANDLER


def test_namespace_and_service_account_from_the_task_the_flags_or_deploy_namespace():
    task = make_task(deploy={"namespace": "engines"})
    manifest = compile_task(task, CLUSTER)
    assert manifest["metadata"]["namespace"] == "engines"  # with its engines by default
    assert manifest["spec"]["serviceAccountName"] == "inference-autotuner"
    task = make_task(cluster={"namespace": "tuning", "service_account": "tuner"})
    assert compile_task(task, CLUSTER)["metadata"]["namespace"] == "tuning"
    flags = CompileOptions(mode="cluster", namespace="other", service_account="sa2")
    manifest = compile_task(task, flags)
    assert manifest["metadata"]["namespace"] == "other"
    assert manifest["spec"]["serviceAccountName"] == "sa2"


@pytest.mark.parametrize("kind", ["workflow", "template", "cron"])
@pytest.mark.parametrize("trials", [5, 500])
def test_local_mode_has_nothing_of_cluster_mode_and_the_same_study(kind: Kind, trials: int):
    task = make_task(search={"trials": trials}, pipeline={"schedule": "@daily"})
    local = compile_task(task, CompileOptions(kind=kind))
    cluster = compile_task(task, CompileOptions(kind=kind, mode="cluster"))
    text = yaml.safe_dump(local)
    for key in (*CLUSTER_ONLY, "env", "outputs", "--artifacts", naming.EXIT_HANDLER):
        assert key not in text
    assert "namespace" not in local["metadata"]
    # Same DAGs, same steps: only cluster additions differ.
    for name, template in templates(local).items():
        if "dag" in template:
            assert templates(cluster)[name]["dag"] == template["dag"]


@pytest.mark.parametrize("kind", ["workflow", "template", "cron"])
@pytest.mark.parametrize("trials", [5, 500])
def test_cluster_manifests_lint_clean(kind: Kind, trials: int):
    assert lint_manifest(_cluster(kind, search={"trials": trials})) == []


def test_the_local_executor_reads_both_modes_and_refuses_what_the_compiler_never_emits():
    from pipelines.executor import UnsupportedManifest, parse_workflow

    task = make_task()
    parse_workflow(compile_task(task, CompileOptions(store="file:///srv/s")))
    cluster = compile_task(task, CompileOptions(store="s3://bucket/x", mode="cluster"))
    workflow = parse_workflow(cluster)
    assert workflow.templates[naming.TRIAL].semaphores == (
        "inference-autotuner-semaphore/gpu-trials",
    )
    templates(cluster)[naming.TRIAL]["synchronization"]["mutexes"] = [{"name": "m"}]
    with pytest.raises(UnsupportedManifest) as refused:
        parse_workflow(cluster)
    assert "synchronization.mutexes: mutexes are not supported" in str(refused.value)


@pytest.mark.parametrize(
    ("store", "flag", "mode"),
    [
        ("s3://bucket/x", None, "cluster"),
        ("file:///srv/s", None, "local"),
        ("s3://bucket/x", False, "local"),
        ("file:///srv/s", True, "cluster"),
    ],
)
def test_mode_follows_the_store_unless_a_flag_says(store: str, flag: bool | None, mode: str):
    assert resolve_mode(store, flag) == mode


def test_artifact_paths_the_lint_checks_against_the_step_arguments():
    manifest = _cluster()
    report = templates(manifest)[naming.REPORT]
    report["outputs"]["artifacts"][0]["path"] = "/elsewhere/report"
    assert lint_manifest(manifest) == [
        "templates[report].outputs.artifacts[report]: '/elsewhere/report' is not under the "
        f"folder the step writes artifacts to (--artifacts {ARTIFACTS_DIR})"
    ]
    assert set(STEP_ARTIFACTS) == {naming.TEARDOWN, "benchmark", naming.REPORT}


def test_workflow_status_resolves_only_in_the_exit_handler():
    manifest = _cluster()
    templates(manifest)["score"]["container"]["args"].append("{{workflow.status}}")
    assert lint_manifest(manifest) == [
        "templates[score]: {{workflow.status}} does not resolve here"
    ]
