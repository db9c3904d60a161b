"""The names the compiler, the deployers and cluster-up rely on, and the Argo configs.

The artifact repository's inner YAML is a string to the API server, so the strict
validator never sees it: its s3 block is checked here against the S3 artifact schema of
the real Workflow CRD, closed-world.
"""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from pipelines import schema_check
from pipelines.options import DEFAULT_STORE
from steps.cli import main
from steps.cluster_manifests import ClusterSettings, render_all
from steps.errors import TaskError

from .helpers import by_kind, one, render


def _configmap(objects, name):
    return next(cm for cm in by_kind(objects, "ConfigMap") if cm["metadata"]["name"] == name)


def test_default_names_the_other_parts_use():
    objects = render("defaults")
    assert one(objects, "Namespace")["metadata"]["name"] == "autotuner"
    assert one(objects, "ServiceAccount")["metadata"] == {
        "name": "inference-autotuner",
        "namespace": "autotuner",
        "labels": {"app.kubernetes.io/part-of": "inference-autotuner"},
    }
    assert _configmap(objects, "inference-autotuner-semaphore")["data"] == {"gpu-trials": "1"}
    repositories = _configmap(objects, "artifact-repositories")
    assert set(repositories["data"]) == {"inference-autotuner"}
    annotation = "workflows.argoproj.io/default-artifact-repository"
    assert repositories["metadata"]["annotations"][annotation] == "inference-autotuner"
    # The bucket the compiler's default store names.
    assert f"s3://{ClusterSettings().bucket}" == DEFAULT_STORE


def test_semaphore_limit_is_a_string_of_the_setting():
    objects = render_all(ClusterSettings(gpu_trials=3))
    assert _configmap(objects, "inference-autotuner-semaphore")["data"]["gpu-trials"] == "3"


def test_artifact_repository_points_at_minio_with_the_secret():
    config = yaml.safe_load(_configmap(render("defaults"), "artifact-repositories")["data"][
        "inference-autotuner"
    ])  # fmt: skip
    assert config == {
        "archiveLogs": True,
        "s3": {
            "endpoint": "minio.argo.svc:9000",
            "bucket": "inference-autotuner",
            "insecure": True,
            "keyFormat": "argo-artifacts/{{workflow.namespace}}/{{workflow.name}}/{{pod.name}}",
            "accessKeySecret": {"name": "inference-autotuner-s3", "key": "accesskey"},
            "secretKeySecret": {"name": "inference-autotuner-s3", "key": "secretkey"},
        },
    }


@pytest.mark.shared
@pytest.mark.skipif(not schema_check.available(), reason="the Argo CRDs are not in ../shared")
@pytest.mark.parametrize("variant", ["defaults", "custom"])
def test_artifact_repository_s3_block_is_valid_for_argo(variant):
    from jsonschema import Draft4Validator

    data = _configmap(render(variant), "artifact-repositories")["data"]
    (config,) = (yaml.safe_load(text) for text in data.values())
    assert set(config) <= {"archiveLogs", "s3"}
    s3 = dict(config["s3"])
    # keyFormat is the repository's own field (S3ArtifactRepository); the rest is S3Artifact.
    assert isinstance(s3.pop("keyFormat"), str)
    template = schema_check.closed_schema("Workflow")["properties"]["spec"]["properties"][
        "templates"
    ]["items"]
    artifact = template["properties"]["outputs"]["properties"]["artifacts"]["items"]
    errors = list(Draft4Validator(artifact["properties"]["s3"]).iter_errors(s3))
    assert [e.message for e in errors] == []
    s3["endpiont"] = "typo"
    assert list(Draft4Validator(artifact["properties"]["s3"]).iter_errors(s3)) != []


def test_bad_settings_are_all_reported_at_once():
    bad = ClusterSettings(namespace="Bad_NS", gpu_trials=0, s3_endpoint="http://minio:9000")
    with pytest.raises(TaskError) as caught:
        render_all(bad)
    assert caught.value.problems == [
        "namespace: 'Bad_NS' is not a DNS-1123 label",
        "s3_endpoint: 'http://minio:9000' is not host:port (no scheme)",
        "gpu_trials: 0 must be an integer >= 1",
    ]


def test_cli_prints_what_render_all_returns():
    result = CliRunner().invoke(main, ["cluster-manifests", "--namespace", "tuning", "--minio"])
    assert result.exit_code == 0, result.output
    printed = [doc for doc in yaml.safe_load_all(result.output) if doc]
    assert printed == render_all(ClusterSettings(namespace="tuning"), minio=True)


def test_cli_bad_namespace_exits_2_with_the_rule():
    result = CliRunner().invoke(main, ["cluster-manifests", "--namespace", "UPPER"])
    assert result.exit_code == 2
    assert "namespace: 'UPPER' is not a DNS-1123 label" in result.output


def test_minio_service_selects_only_the_minio_pod():
    objects = render("everything")
    (service,) = (s for s in by_kind(objects, "Service") if s["metadata"]["namespace"] == "argo")
    selector = service["spec"]["selector"]
    pods = {
        obj["kind"]: obj["spec"]["template"]["metadata"]["labels"]
        for obj in objects
        if obj["kind"] in ("Deployment", "Job")
    }
    matching = [kind for kind, labels in pods.items() if selector.items() <= labels.items()]
    assert matching == ["Deployment"]


def test_images_come_from_versions_env():
    from steps.cluster_manifests import read_versions

    pins = read_versions()
    images = {container["image"] for obj in render("everything") for container in _containers(obj)}
    assert images == {pins["MINIO_IMAGE"], pins["MC_IMAGE"], pins["SGLANG_IMAGE"]}
    assert not any(image.endswith(":latest") or ":" not in image for image in images)


def _containers(obj):
    if obj["kind"] in ("Deployment", "Job"):
        return obj["spec"]["template"]["spec"]["containers"]
    if obj["kind"] == "ClusterServingRuntime":
        return [obj["spec"]["engineConfig"]["runner"]]
    return []


def test_studies_reach_minio_as_minio_in_their_own_namespace():
    from steps.spec.model import S3Access

    (alias,) = (s for s in by_kind(render("everything"), "Service") if s["spec"].get("type"))
    assert alias["metadata"]["namespace"] == "autotuner"
    assert alias["spec"]["externalName"] == "minio.argo.svc.cluster.local"
    # The task's default endpoint is what the alias makes resolvable.
    assert S3Access().endpoint == f"http://{alias['metadata']['name']}:9000"
    same = render_all(ClusterSettings(namespace="argo"), minio=True)
    assert len(by_kind(same, "Service")) == 1  # MinIO's own namespace needs no alias
