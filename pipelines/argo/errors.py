"""Errors from the Argo server, as one clear line each and a CLI exit code.

hera raises one exception per HTTP status with the server's message; requests raises
on a connection or TLS failure. ``translated`` turns both into ``ArgoError`` naming what
was asked (``workflow X in namespace Y``) and what to do about it. Client mistakes (a
missing workflow, a refused token, a rejected request) exit 2 like any bad input; an
unreachable or failing server is transient (75): trying again later can help.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import requests
from hera.exceptions import HeraException

from steps.errors import EXIT_BAD_INPUT, AutotuneError, TransientError

if TYPE_CHECKING:
    from pipelines.argo.connection import ArgoConnection

_SERVER_MESSAGE = re.compile(r"with message: `(?P<message>.*)`$", re.S)


class ArgoError(AutotuneError):
    """The Argo server refused or could not answer a request; nothing was changed."""

    exit_code = EXIT_BAD_INPUT


class ArgoUnavailable(TransientError):
    """The Argo server could not be reached or failed (5xx): worth trying again."""


@contextmanager
def translated(connection: ArgoConnection, what: str, action: str) -> Iterator[None]:
    """Run a request; ``what`` names the object (``workflow demo-x``), ``action`` the verb."""
    where = f"in namespace {connection.namespace}"
    try:
        yield
    except HeraException as exc:
        status = getattr(exc, "status_code", None)
        message = _server_message(exc)
        if status == 404:
            raise ArgoError(f"{what} not found {where} (server {connection.server})") from None
        if status == 401:
            hint = (
                f"${connection.token_env} holds a token the server does not accept"
                if connection.has_token
                else f"${connection.token_env} is not set"
            )
            raise ArgoError(
                f"the Argo server refused to {action} {what}: not authenticated (401); {hint}: "
                f"put a valid token in it (`argo auth token`) or name another variable with "
                "--token-env"
            ) from None
        if status == 403:
            raise ArgoError(
                f"the Argo server refused to {action} {what} {where}: forbidden (403); the "
                f"token's service account needs RBAC for it in namespace "
                f"{connection.namespace}: {message}"
            ) from None
        if status == 409:
            raise ArgoError(f"{what} already exists {where}: {message}") from None
        if status is not None and 400 <= status < 500:
            raise ArgoError(f"the Argo server refused to {action} {what}: {message}") from None
        raise ArgoUnavailable(
            f"the Argo server at {connection.server} failed to {action} {what}: {message}"
        ) from None
    except requests.exceptions.SSLError:
        raise ArgoUnavailable(
            f"TLS to the Argo server at {connection.server} failed (certificate not "
            "trusted?); pass --insecure-skip-verify for a self-signed server you trust"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise ArgoUnavailable(
            f"cannot reach the Argo server at {connection.server} to {action} {what}: "
            f"{type(exc).__name__}; check --argo-server (and the port-forward, if any)"
        ) from None


def _server_message(exc: HeraException) -> str:
    text = str(exc)
    match = _SERVER_MESSAGE.search(text)
    return (match.group("message") if match else text).strip() or "(no message)"
