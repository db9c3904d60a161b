"""``autotune cluster-manifests``: the namespace, RBAC and Argo ConfigMaps as YAML.

Printed, not applied: ``autotune cluster-manifests | kubectl apply -f -`` keeps kubectl
(and the user's context) in charge, and the output can be reviewed or committed.
"""

from __future__ import annotations

import click

from steps.cli.app import guarded, main
from steps.cluster_manifests import ClusterSettings, ExampleModel, render_all, to_yaml

_D = ClusterSettings()


@main.command("cluster-manifests")
@click.option(
    "--namespace", default=_D.namespace, show_default=True, help="Namespace the studies run in."
)
@click.option(
    "--service-account",
    default=_D.service_account,
    show_default=True,
    help="ServiceAccount of the workflow pods.",
)
@click.option(
    "--gpu-trials",
    type=click.IntRange(min=1),
    default=_D.gpu_trials,
    show_default=True,
    help="Semaphore limit: trials holding a GPU at once, across studies.",
)
@click.option(
    "--s3-endpoint",
    default=_D.s3_endpoint,
    show_default=True,
    help="host:port of the S3 API (MinIO).",
)
@click.option(
    "--bucket", default=_D.bucket, show_default=True, help="Bucket for the store and artifacts."
)
@click.option(
    "--s3-secret",
    default=_D.s3_secret,
    show_default=True,
    help="Secret with keys accesskey/secretkey (created by cluster-up, not here).",
)
@click.option(
    "--minio/--no-minio",
    default=False,
    show_default=True,
    help="Add the development MinIO (Deployment, Service, PVC, bucket Job).",
)
@click.option(
    "--example-model",
    metavar="HF_ID",
    default=None,
    help="Add an OME ClusterBaseModel + SGLang ClusterServingRuntime for this model.",
)
@click.option(
    "--example-architecture",
    default="Qwen3ForCausalLM",
    show_default=True,
    help="The example model's HF architecture (config.json 'architectures').",
)
@guarded
def cluster_manifests(
    namespace: str,
    service_account: str,
    gpu_trials: int,
    s3_endpoint: str,
    bucket: str,
    s3_secret: str,
    minio: bool,
    example_model: str | None,
    example_architecture: str,
) -> None:
    """Print the cluster objects a study needs (apply with kubectl apply -f -)."""
    settings = ClusterSettings(
        namespace=namespace,
        service_account=service_account,
        gpu_trials=gpu_trials,
        s3_endpoint=s3_endpoint,
        bucket=bucket,
        s3_secret=s3_secret,
    )
    example = None
    if example_model:
        example = ExampleModel(hf_model_id=example_model, model_architecture=example_architecture)
    click.echo(to_yaml(render_all(settings, minio=minio, example=example)), nl=False)
