"""Cluster mode: what a study needs on Argo that the local executor has no use for.

- the S3 credentials as ``secretKeyRef`` env vars (a manifest never holds a secret: it
  is stored in etcd, shown in the UI, archived) and the S3 endpoint the pods see, on
  every step pod, when the store is on S3;
- the artifact repository output artifacts go to (``artifactRepositoryRef``);
- the GPU semaphore: a ConfigMap key shared by every study in the namespace, held by
  each trial slot from suggest to teardown (see ``semaphore``);
- pod GC and a TTL, so finished studies do not pile up pods and Workflow objects (the
  store keeps every record; the Workflow object is only the run's trace).

Settings come from the task's ``cluster:`` section; ``--namespace`` and
``--service-account`` override it, and the namespace defaults to ``deploy.namespace``
so that a study, its engines and the objects they share live together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hera.workflows import Env, SecretEnv
from hera.workflows.models import (
    ArtifactRepositoryRef,
    ConfigMapKeySelector,
    PodGC,
    SemaphoreRef,
    Synchronization,
    TTLStrategy,
)

from pipelines.options import CompileOptions
from steps.spec import Task
from steps.spec.model import ClusterSpec
from steps.store.s3 import ENDPOINT_ENV

ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID"
SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY"
S3_ENDPOINT_ENV = ENDPOINT_ENV[0]  # the name S3Store reads first


@dataclass(frozen=True)
class ClusterSettings:
    """The task's ``cluster:`` section with the command line's overrides applied."""

    spec: ClusterSpec
    namespace: str
    service_account: str
    s3_store: bool

    @classmethod
    def resolve(cls, task: Task, options: CompileOptions) -> ClusterSettings:
        spec = task.cluster
        return cls(
            spec=spec,
            namespace=options.namespace or spec.namespace or task.deploy.namespace,
            service_account=options.service_account or spec.service_account,
            s3_store=options.store.startswith("s3://"),
        )

    def env(self) -> list[Env | SecretEnv]:
        """The store's credentials and endpoint; none for a non-S3 store.

        A Secret that is not there fails the pod at start (CreateContainerConfigError)
        rather than letting a step run without credentials.
        """
        if not self.s3_store:
            return []
        s3 = self.spec.s3
        env: list[Env | SecretEnv] = [
            SecretEnv(name=ACCESS_KEY_ENV, secret_name=s3.secret, secret_key=s3.access_key),
            SecretEnv(name=SECRET_KEY_ENV, secret_name=s3.secret, secret_key=s3.secret_key),
        ]
        if s3.endpoint:
            env.append(Env(name=S3_ENDPOINT_ENV, value=s3.endpoint))
        return env

    def semaphore(self) -> Synchronization:
        """The GPU semaphore, put on the ``trial`` DAG template (``pipelines.trial``).

        Held by the slot's DAG node from its start to its end: Argo acquires a
        template-level lock when the node starts and releases it when the node is
        fulfilled, for DAG templates as for pods. A slot waiting for it is a Pending
        node ("Waiting for ... lock"), and only then suggests: the suggestion sees every
        result recorded while it waited.
        """
        ref = self.spec.semaphore
        selector = ConfigMapKeySelector(name=ref.configmap, key=ref.key)
        return Synchronization(semaphores=[SemaphoreRef(config_map_key_ref=selector)])

    def workflow_fields(self) -> dict[str, Any]:
        """The Workflow spec fields of cluster mode (hera ``Workflow`` keyword arguments)."""
        repository = self.spec.artifact_repository
        return {
            "artifact_repository_ref": ArtifactRepositoryRef(
                config_map=repository.configmap, key=repository.key
            ),
            "pod_gc": PodGC(strategy=self.spec.pod_gc),
            "ttl_strategy": TTLStrategy(seconds_after_completion=self.spec.ttl_s),
        }
