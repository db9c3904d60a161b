"""The Argo options of a command: ``--argo-server``, ``--namespace``, ``--token-env``,
``--insecure-skip-verify``, gathered into one ``ArgoTarget``.

Shared by ``autotune submit`` / ``schedule`` (``pipelines.argo_cmds``) and the
``--argo-server`` branch of ``autotune status`` / ``retry`` (``pipelines.run_cmds``).
There is no option for the token itself: a value on the command line stays in shell
history and ``ps``; ``--token-env`` names the variable to read it from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from pipelines.argo.connection import DEFAULT_NAMESPACE, DEFAULT_TOKEN_ENV, ArgoConnection

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ArgoTarget:
    """The Argo options as given; ``namespace`` None when the user gave none."""

    server: str
    namespace: str | None
    token_env: str
    verify_tls: bool

    def connection(self, default_namespace: str = DEFAULT_NAMESPACE) -> ArgoConnection:
        return ArgoConnection.create(
            self.server, self.namespace or default_namespace, self.token_env, self.verify_tls
        )


def argo_options(
    required: bool = False, from_env: bool = False, task: bool = False
) -> Callable[[F], F]:
    """Add ``--argo-server``, ``--namespace``, ``--token-env``, ``--insecure-skip-verify``.

    The command receives them as one keyword, ``argo``: an ``ArgoTarget``, or None when no
    server was given (only when not ``required``). ``from_env``: read ``ARGO_*`` variables
    too; ``task``: the command takes a task, whose namespace is the default. Put it
    below ``@guarded``, so a bad option is a one-line error.
    """
    namespace_default = (
        "the task's cluster.namespace, else its deploy.namespace" if task else DEFAULT_NAMESPACE
    )

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(
            *args: Any,
            argo_server: str | None,
            namespace: str | None,
            token_env: str,
            insecure_skip_verify: bool,
            **kwargs: Any,
        ) -> Any:
            target = None
            if argo_server:
                target = ArgoTarget(argo_server, namespace, token_env, not insecure_skip_verify)
            elif required:
                raise click.UsageError("--argo-server URL is required (or set ARGO_SERVER)")
            return func(*args, argo=target, **kwargs)

        options = [
            click.option(
                "--argo-server",
                envvar="ARGO_SERVER" if from_env else None,
                metavar="URL",
                help="Argo server, e.g. https://localhost:2746"
                + (" [env ARGO_SERVER]" if from_env else " (this study runs on Argo)"),
            ),
            click.option(
                "--namespace",
                envvar="ARGO_NAMESPACE" if from_env else None,
                help=f"Argo namespace (default: {namespace_default}).",
            ),
            click.option(
                "--token-env",
                default=DEFAULT_TOKEN_ENV,
                show_default=True,
                metavar="VAR",
                help="Environment variable holding the Argo token (never printed).",
            ),
            click.option(
                "--insecure-skip-verify",
                is_flag=True,
                envvar="ARGO_INSECURE_SKIP_VERIFY" if from_env else None,
                help="Do not verify the server's TLS certificate (self-signed servers).",
            ),
        ]
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper  # type: ignore[return-value]

    return decorate
