"""Where the Argo server is and how to talk to it: URL, namespace, token, TLS.

The token is read from the environment variable the user names (``--token-env``,
``ARGO_TOKEN`` by default) at the moment a request is made, and is never stored on
this object, printed, logged or put in an error message: a ``repr`` of a connection
shows the variable's name, not its value.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from steps.errors import TaskError

if TYPE_CHECKING:
    from hera.workflows.service import WorkflowsService

DEFAULT_TOKEN_ENV = "ARGO_TOKEN"
DEFAULT_NAMESPACE = "default"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class ArgoConnection:
    server: str  # https://host[:port][/base-href], no trailing slash
    namespace: str = DEFAULT_NAMESPACE
    token_env: str = DEFAULT_TOKEN_ENV
    verify_tls: bool = True

    @classmethod
    def create(
        cls,
        server: str,
        namespace: str | None = None,
        token_env: str | None = None,
        verify_tls: bool = True,
    ) -> ArgoConnection:
        """A checked connection; ``host:port`` without a scheme means https, as for ``argo``."""
        problems = []
        url = server.strip()
        if url and "://" not in url:
            url = f"https://{url}"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
            problems.append(
                f"--argo-server: {server!r} is not a server URL; use https://host:2746 "
                "(no credentials in the URL: the token comes from --token-env)"
            )
        if parts.query or parts.fragment:
            problems.append(f"--argo-server: {server!r} has a query or fragment; remove it")
        namespace = namespace or DEFAULT_NAMESPACE
        if not _NAMESPACE.match(namespace):
            problems.append(f"--namespace: {namespace!r} is not a Kubernetes namespace name")
        token_env = token_env or DEFAULT_TOKEN_ENV
        if not _ENV_NAME.match(token_env):
            problems.append(f"--token-env: {token_env!r} is not an environment variable name")
        if problems:
            raise TaskError(problems)
        return cls(url.rstrip("/"), namespace, token_env, verify_tls)

    @property
    def has_token(self) -> bool:
        return bool(os.environ.get(self.token_env, "").strip())

    def service(self) -> WorkflowsService:
        """hera's client for this server; the token is read from the environment now."""
        from hera.workflows.service import WorkflowsService

        token = os.environ.get(self.token_env, "").strip() or None
        # hera joins API paths onto the host with urljoin: the trailing slash keeps a
        # base path (https://host/argo/) instead of replacing its last segment.
        return WorkflowsService(
            host=f"{self.server}/",
            token=token,
            verify_ssl=self.verify_tls,
            namespace=self.namespace,
        )

    def workflow_url(self, name: str, namespace: str | None = None) -> str:
        """The workflow's page in the Argo UI."""
        return argo_ui_workflow_url(self.server, namespace or self.namespace, name)


def argo_ui_workflow_url(server: str, namespace: str, workflow: str) -> str:
    return f"{server.rstrip('/')}/workflows/{quote(namespace)}/{quote(workflow)}"


def argo_ui_node_url(server: str, namespace: str, workflow: str, node_id: str) -> str:
    """The Argo UI's page of ``workflow`` with node ``node_id`` selected (its side panel
    shows the node's inputs, logs and artifacts)."""
    base = argo_ui_workflow_url(server, namespace, workflow)
    return f"{base}?tab=workflow&nodeId={quote(node_id, safe='')}"
