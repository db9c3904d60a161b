"""Which Kubernetes API the ome backend talks to, and with which credentials.

In order:

1. ``AUTOTUNE_KUBE_HOST`` (e.g. ``http://127.0.0.1:PORT``): that URL, no credentials.
   For tests against the project's fake API server, or a local ``kubectl proxy``.
2. ``KUBERNETES_SERVICE_HOST`` set (a step running in a pod): the pod's service account.
3. Otherwise the kubeconfig (``KUBECONFIG``, else ``~/.kube/config``), current context.

The kubernetes package is imported here, on first use: importing ``steps.deploy`` (or
rendering a manifest for ``--dry-run``) never needs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from steps.errors import TaskError

HOST_ENV = "AUTOTUNE_KUBE_HOST"


def in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST"))


def configuration() -> Any:
    """A ``kubernetes.client.Configuration`` chosen as the module docstring says."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    conf = client.Configuration()
    host = os.environ.get(HOST_ENV)
    if host:
        conf.host = host.rstrip("/")
        return conf
    try:
        if in_cluster():
            config.load_incluster_config(client_configuration=conf)
        else:
            config.load_kube_config(client_configuration=conf)
    except (ConfigException, OSError) as exc:
        where = "the pod's service account" if in_cluster() else "the kubeconfig"
        raise TaskError(
            f"deploy.backend: ome cannot reach Kubernetes through {where}: {exc}; fix: set "
            f"KUBECONFIG (or run in a pod with a service account, or set {HOST_ENV})"
        ) from None
    return conf


@dataclass
class Kube:
    """The API objects one deployer uses, sharing one connection pool."""

    conf: Any = None

    @cached_property
    def api_client(self) -> Any:
        from kubernetes import client

        return client.ApiClient(self.conf if self.conf is not None else configuration())

    @cached_property
    def custom(self) -> Any:
        from kubernetes import client

        return client.CustomObjectsApi(self.api_client)

    @cached_property
    def core(self) -> Any:
        from kubernetes import client

        return client.CoreV1Api(self.api_client)

    def close(self) -> None:
        if "api_client" in self.__dict__:
            self.api_client.close()
