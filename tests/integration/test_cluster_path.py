"""The whole cluster path minus the controllers.

The cluster-mode compiled Workflow (Secret env, artifacts, the GPU semaphore, the exit
handler) runs on the local executor; each step is the real ``autotune step`` program; the
OME deployer creates InferenceServices on the fake Kubernetes API (closed-world OME CRD
validation); the simulated OME controller makes them Ready with ``status.url`` pointing
at a real llama-server; genai-bench benchmarks it for real; the store is S3 on moto's
server. Faked: the Kubernetes API server, the OME and Argo controllers, SGLang itself.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest

from pipelines.compile import compile_task
from pipelines.executor import Outcome, parse_workflow
from pipelines.executor.status import parse_timestamp
from pipelines.executor.study import LocalStudy
from pipelines.options import CompileOptions
from steps.deploy.ome import names
from steps.records import BenchRecord, TrialResult
from steps.spec import Task, task_from_dict
from steps.store import Layout, S3Store
from tests.integration.cluster import BUCKET, ClusterPath, cluster_path
from tests.kube.fixtures import NAMESPACE, ome_crd
from tests.kube.ome_controller import Candidate, OmeController
from tests.kube.ome_controller import Outcome as Play
from tests.store.conftest import FAKE_KEY_ID, FAKE_SECRET

pytestmark = [pytest.mark.slow, pytest.mark.engine, pytest.mark.genai_bench, pytest.mark.shared]
PREFIX = "runs"
SECRET_NAME = "inference-autotuner-s3"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def cluster_task(model: Path, s3_endpoint: str, name: str, trials: int) -> Task:
    return task_from_dict(
        {
            "name": name,
            # served name from the runtime; the ClusterBaseModel; genai-bench's local tokenizer
            "model": {
                "name": "meta-llama/Llama-3.2-1B-Instruct",
                "path": "llama-3-2-1b-instruct",
                "tokenizer": str(model),
            },
            "engine": {"kind": "sglang"},
            "deploy": {
                "backend": "ome",
                "namespace": NAMESPACE,
                "runtime": "srt-llama-3-2-1b-instruct",
                "access": "service",  # the benchmark reaches status.url directly
                "ready_timeout_s": 60,
            },
            "search": {
                "strategy": "tpe",
                "trials": trials,
                "parallelism": 2,  # two chains; the semaphore still lets one trial run
                "seed": 0,
                "baseline": True,
                "parameters": {
                    "max-running-requests": {"type": "int", "values": [2, 4]},
                    "schedule-policy": {"type": "categorical", "choices": ["lpm", "fcfs"]},
                },
            },
            "objective": {
                "metric": "output_throughput",
                "at": {"scenario": "D(32,16)", "concurrency": 2},
                "slo": {"ttft_p90_ms": 60000, "max_error_rate": 0.5},
            },
            "benchmark": {
                "scenarios": ["D(32,16)"],
                "concurrency": [2],
                "max_requests_per_run": 8,
                "max_time_per_run_min": 1,
            },
            "pipeline": {"trial_timeout_s": 900},
            "cluster": {"s3": {"secret": SECRET_NAME, "endpoint": s3_endpoint}},
        }
    )


def run_study(
    cluster: ClusterPath, task: Task, monkeypatch: pytest.MonkeyPatch
) -> tuple[LocalStudy, Outcome]:
    store_uri = f"s3://{BUCKET}/{PREFIX}"
    manifest = compile_task(task, CompileOptions(store=store_uri, mode="cluster"))
    store = S3Store(BUCKET, PREFIX, endpoint_url=cluster.s3_endpoint)
    # The executor's own store client gets credentials (Argo's controller has its own);
    # they leave the environment before any step starts, so the steps can only reach S3
    # with the ones the executor hands them from its secrets mapping.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    assert not store.exists("nothing-yet")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    local = LocalStudy(task, store, task.name, manifest, parse_workflow(manifest))
    local.secrets = {
        (SECRET_NAME, "accesskey"): FAKE_KEY_ID,
        (SECRET_NAME, "secretkey"): FAKE_SECRET,
    }
    return local, local.executor(keep=[]).run()


def node_table(outcome: Outcome) -> dict[str, dict[str, Any]]:
    data = outcome.status.to_dict()
    return {n["name"].removeprefix(data["name"] + "."): n for n in data["nodes"].values()}


def assert_cluster_left_clean(cluster: ClusterPath) -> None:
    """Every InferenceService the study created was valid and is gone, with its engine."""
    assert cluster.kube.objects(names.GROUP, names.PLURAL) == []
    assert cluster.kube.objects("", "pods") == []
    crd = ome_crd("inferenceservices")
    for candidate in cluster.controller.candidates:
        assert crd.problems(candidate.isvc) == [], candidate.isvc["metadata"]["name"]
    creates = [
        r for r in cluster.kube.requests if r.verb == "create" and r.resource == names.PLURAL
    ]
    assert len(creates) == len(cluster.controller.candidates)
    assert all(r.query.get("fieldValidation") == "Strict" for r in creates)
    deadline = time.monotonic() + 15  # the controller stops an engine a moment after delete
    while cluster.engines.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cluster.engines.running() == [], "a llama-server outlived its InferenceService"


def assert_no_secret_written(objects: dict[str, bytes]) -> None:
    for key, body in objects.items():
        for value in (FAKE_KEY_ID, FAKE_SECRET):
            assert value.encode() not in body, f"{key} holds a secret value"


def assert_semaphore_held_slot_by_slot(nodes: dict[str, dict[str, Any]], trials: int) -> None:
    spans = sorted(
        (nodes[f"slot-{k}"]["startedAt"], nodes[f"slot-{k}"]["finishedAt"]) for k in range(trials)
    )
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start, f"two trials held the GPU semaphore at once: {spans}"


def test_cluster_workflow_through_the_local_executor(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    llama_server: str,
    demo_model: Path,
    genai_bench: str,
) -> None:
    trials, started = 3, time.monotonic()
    with cluster_path(monkeypatch, tmp_path, llama_server, demo_model) as cluster:
        task = cluster_task(demo_model, cluster.s3_endpoint, "cluster-path", trials)
        _, outcome = run_study(cluster, task, monkeypatch)
        elapsed = time.monotonic() - started
        objects = cluster.objects(f"{PREFIX}/")
        root = f"{PREFIX}/{Layout(task.name).root}"
        status = json.loads(objects[f"{root}/workflow/status.json"])
        assert outcome.succeeded and status["phase"] == "Succeeded", status.get("message")

        layout = Layout(task.name)
        for k in range(trials):
            result = TrialResult.model_validate_json(objects[f"{PREFIX}/{layout.result(k)}"])
            assert result.state == "complete", (k, result.reason)
            bench = BenchRecord.model_validate_json(objects[f"{PREFIX}/{layout.metrics(k)}"])
            (run,) = bench.runs
            assert run.num_requests >= 8 and run.num_errors == 0 and run.output_throughput > 0
            engine_log = objects[f"{PREFIX}/{layout.engine_log(k)}"].decode()
            assert "ready to roll" in engine_log and "Scheduled" in engine_log
        for name in ("best.json", "leaderboard.json", "summary.md"):
            assert f"{PREFIX}/{layout.report(name)}" in objects, name

        nodes = node_table(outcome)
        assert nodes["onExit.teardown-all"]["phase"] == "Skipped"  # the study succeeded
        artifacts = {
            (node["templateName"], a["name"]): a
            for node in nodes.values()
            for a in node.get("outputs", {}).get("artifacts", [])
        }
        assert set(artifacts) == {
            ("benchmark", "bench"),
            ("teardown", "engine-log"),
            ("report", "report"),
        }
        for entry in artifacts.values():
            key = entry["s3"]["key"]
            assert entry["s3"]["bucket"] == BUCKET and any(k.startswith(key) for k in objects), key
        assert_semaphore_held_slot_by_slot(nodes, trials)
        assert cluster.engines.most_live == 1
        assert len(cluster.engines.started) == trials
        assert_no_secret_written(objects)
        assert_cluster_left_clean(cluster)
    slot_s = {
        k: parse_timestamp(nodes[f"slot-{k}"]["finishedAt"])  # type: ignore[operator]
        - parse_timestamp(nodes[f"slot-{k}"]["startedAt"])
        for k in range(trials)
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "cluster-path.json").write_text(
        json.dumps({"trials": trials, "workflow_s": round(elapsed, 1), "slot_s": slot_s}, indent=2)
    )


def crash_slot_zero(candidate: Candidate, controller: OmeController) -> Play:
    if candidate.isvc["metadata"]["labels"].get(names.LABEL_SLOT) == "0":
        return "crash"
    return controller.default_outcome(candidate)


def test_a_crashing_candidate_is_infeasible_and_the_study_goes_on(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    llama_server: str,
    demo_model: Path,
    genai_bench: str,
) -> None:
    with cluster_path(monkeypatch, tmp_path, llama_server, demo_model, crash_slot_zero) as cluster:
        task = cluster_task(demo_model, cluster.s3_endpoint, "cluster-crash", 2)
        _, outcome = run_study(cluster, task, monkeypatch)
        assert outcome.succeeded, outcome.status.message
        layout = Layout(task.name)
        objects = cluster.objects(f"{PREFIX}/")
        crashed = TrialResult.model_validate_json(objects[f"{PREFIX}/{layout.result(0)}"])
        assert crashed.state == "infeasible" and crashed.decided_by == "wait-ready"
        assert crashed.reason is not None and "CrashLoopBackOff" in crashed.reason
        assert "unrecognized arguments" in objects[f"{PREFIX}/{layout.engine_log(0)}"].decode()
        after = TrialResult.model_validate_json(objects[f"{PREFIX}/{layout.result(1)}"])
        assert after.state == "complete", after.reason
        assert f"{PREFIX}/{layout.report('summary.md')}" in objects
        nodes = node_table(outcome)
        assert nodes["slot-0.wait-ready"]["phase"] == "Failed"
        assert nodes["slot-0.benchmark"]["phase"] == "Omitted"
        assert nodes["slot-0.teardown"]["phase"] == "Succeeded"
        assert len(cluster.engines.started) == 1  # only the feasible candidate got an engine
        assert_no_secret_written(objects)
        assert_cluster_left_clean(cluster)
