"""The cluster objects a study needs besides Argo and OME themselves, from templates/.

``render_all(ClusterSettings(...))`` returns them as dicts, in apply order: namespace,
access (ServiceAccount, Role, RoleBinding, ClusterRole, ClusterRoleBinding), the Argo
semaphore and artifact-repository ConfigMaps, and optionally a development MinIO (with a
``minio`` alias Service in the studies' namespace) and an example OME model and runtime.
``autotune cluster-manifests`` prints them as YAML.

Names and keys here are what the compiler and the deployers refer to: change them
together. Secrets are never rendered: ``third_party/cluster-up.sh`` creates them.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from steps.errors import TaskError

CHECKOUT = Path(__file__).resolve().parents[1]
VERSIONS_FILE = CHECKOUT / "third_party" / "versions.env"
ACCESS_KEY_FIELD = "accesskey"
SECRET_KEY_FIELD = "secretkey"
LABELS = {"app.kubernetes.io/part-of": "inference-autotuner"}

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_HOST_PORT = re.compile(r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")
_HF_ID = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9_.]*/[A-Za-z0-9][-A-Za-z0-9_.]*$")


_SUBDOMAIN_FIELDS = (
    "service_account", "cluster_role", "semaphore_configmap", "artifact_configmap",
    "s3_secret", "bucket_job", "cluster_domain",
)  # fmt: skip


@dataclass(frozen=True)
class ClusterSettings:
    namespace: str = "autotuner"
    service_account: str = "inference-autotuner"
    cluster_role: str = "inference-autotuner-runtime-reader"
    semaphore_configmap: str = "inference-autotuner-semaphore"
    semaphore_key: str = "gpu-trials"
    gpu_trials: int = 1  # trials holding a GPU at once, across studies
    artifact_configmap: str = "artifact-repositories"
    artifact_key: str = "inference-autotuner"
    artifact_prefix: str = "argo-artifacts"
    s3_endpoint: str = "minio.argo.svc:9000"  # host:port, as Argo's s3 config wants it
    s3_insecure: bool = True  # the development MinIO speaks plain HTTP
    bucket: str = "inference-autotuner"  # pipelines.options.DEFAULT_STORE's bucket
    s3_secret: str = "inference-autotuner-s3"
    minio_namespace: str = "argo"
    minio_storage: str = "10Gi"
    cluster_domain: str = "cluster.local"
    bucket_job: str = "inference-autotuner-bucket"

    def problems(self) -> list[str]:
        """Every invalid setting, one line each, with the bad value and the rule."""
        checks: list[tuple[str, Any, re.Pattern[str], str]] = [
            ("namespace", self.namespace, _DNS_LABEL, "a DNS-1123 label"),
            ("minio_namespace", self.minio_namespace, _DNS_LABEL, "a DNS-1123 label"),
            ("artifact_prefix", self.artifact_prefix, _DNS_LABEL, "a DNS-1123 label"),
            ("semaphore_key", self.semaphore_key, _CONFIG_KEY, "a ConfigMap key"),
            ("artifact_key", self.artifact_key, _CONFIG_KEY, "a ConfigMap key"),
            ("bucket", self.bucket, _BUCKET, "an S3 bucket name"),
            ("s3_endpoint", self.s3_endpoint, _HOST_PORT, "host:port (no scheme)"),
            ("minio_storage", self.minio_storage, re.compile(r"^[1-9][0-9]*[MGT]i$"), "like 10Gi"),
        ]
        for name in _SUBDOMAIN_FIELDS:
            checks.append((name, getattr(self, name), _DNS_SUBDOMAIN, "a DNS-1123 subdomain"))
        problems = [
            f"{name}: {value!r} is not {rule}"
            for name, value, pattern, rule in checks
            if not (isinstance(value, str) and pattern.match(value))
        ]
        if isinstance(self.gpu_trials, bool) or not (
            isinstance(self.gpu_trials, int) and self.gpu_trials >= 1
        ):
            problems.append(f"gpu_trials: {self.gpu_trials!r} must be an integer >= 1")
        return problems


@dataclass(frozen=True)
class ExampleModel:
    """An OME ClusterBaseModel + SGLang ClusterServingRuntime pair for one HF model."""

    hf_model_id: str = "Qwen/Qwen3-0.6B"
    model_architecture: str = "Qwen3ForCausalLM"
    gpus: int = 1
    cpu: str = "4"
    memory: str = "16Gi"
    hf_token_secret: str | None = None  # gated models: a Secret holding the HF token
    models_dir: str = "/mnt/data/models"  # OME's model agent default hostPath

    @property
    def model_name(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.hf_model_id.lower())[:50].strip("-")

    def problems(self) -> list[str]:
        problems = []
        if not _HF_ID.match(self.hf_model_id):
            problems.append(f"example model: {self.hf_model_id!r} is not an HF id like org/name")
        if not (isinstance(self.gpus, int) and self.gpus >= 1):
            problems.append(f"example model: gpus {self.gpus!r} must be an integer >= 1")
        return problems


def templates_dir() -> Path:
    """``$AUTOTUNE_TEMPLATES``, else ``templates/`` of this checkout (editable installs)."""
    return Path(os.environ.get("AUTOTUNE_TEMPLATES") or CHECKOUT / "templates")


def read_versions(path: Path = VERSIONS_FILE) -> dict[str, str]:
    """``third_party/versions.env`` as a dict: KEY=value lines, ``#`` comments."""
    pins = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.match(r"^[A-Z][A-Z0-9_]*$", key):
            raise ValueError(f"{path}:{number}: not a KEY=value line: {line!r}")
        pins[key] = value
    return pins


def render_all(
    settings: ClusterSettings | None = None,
    *,
    minio: bool = False,
    example: ExampleModel | None = None,
) -> list[dict[str, Any]]:
    """The objects to apply, in order; raises TaskError listing every bad setting."""
    settings = settings or ClusterSettings()
    problems = settings.problems() + (example.problems() if example else [])
    if problems:
        raise TaskError(problems)
    values: dict[str, Any] = {
        **asdict(settings),
        "labels": LABELS,
        "access_key_field": ACCESS_KEY_FIELD,
        "secret_key_field": SECRET_KEY_FIELD,
    }
    names = ["namespace", "rbac", "semaphore-configmap", "artifact-repositories"]
    if minio or example:
        pins = read_versions()
        values.update(minio_image=pins["MINIO_IMAGE"], mc_image=pins["MC_IMAGE"])
        values.update(sglang_image=pins["SGLANG_IMAGE"])
    if minio:
        values["minio_labels"] = {**LABELS, "app": "minio"}
        names += ["minio", "minio-bucket-job"]
        if settings.minio_namespace != settings.namespace:
            names.append("minio-alias")
    if example:
        values.update(asdict(example), model_name=example.model_name)
        values.update(runtime_name=f"{example.model_name}-sglang")
        values["model_path"] = f"{example.models_dir.rstrip('/')}/{example.model_name}"
        names += ["examples/clusterbasemodel", "examples/clusterservingruntime"]
    objects: list[dict[str, Any]] = []
    for name in names:
        objects.extend(_render(f"{name}.yaml.j2", values))
    return objects


def to_yaml(objects: list[dict[str, Any]]) -> str:
    return yaml.dump_all(objects, Dumper=_BlockDumper, sort_keys=False, default_flow_style=False)


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (the artifact repository config) as readable ``|`` blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def _render(template: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    text = _environment().get_template(template).render(**values)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def _environment() -> Any:
    import jinja2  # here, so `autotune --help` does not pay for it

    # StrictUndefined: a misspelt variable fails the render instead of emitting "".
    # Every scalar goes through `tojson`, valid YAML whatever the value holds.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
