"""Where the app reads its settings: the store, its own state folder, the Argo server.

Everything comes from the environment that ``autotune ui`` passes to Streamlit, so the
app, its tests and a person's shell agree on one store. The Argo token is read here
and nowhere else, and only ever handed to the client: the app never displays it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from steps.store import Store, open_store

# The same default as `autotune run`: a folder in the directory the app started in.
DEFAULT_STORE = "autotune-store"
STORE_ENV = "AUTOTUNE_STORE"
STATE_ENV = "AUTOTUNE_UI_STATE"
ARGO_SERVER_ENV = "ARGO_SERVER"
ARGO_NAMESPACE_ENV = "ARGO_NAMESPACE"
ARGO_TOKEN_ENV = "ARGO_TOKEN"
ARGO_UI_ENV = "ARGO_UI_URL"
REFRESH_S = 2.0  # how often a running study's page reloads its records


def store_uri() -> str:
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


def store() -> Store:
    return open_store(store_uri())


def state_dir() -> Path:
    """Task files and console logs of the runs the app started (one folder per run)."""
    explicit = os.environ.get(STATE_ENV)
    if explicit:
        return Path(explicit)
    cache = os.environ.get("AUTOTUNE_CACHE") or str(Path.home() / ".cache" / "inference-autotuner")
    return Path(cache) / "ui"


@dataclass(frozen=True)
class ArgoSettings:
    """How to reach Argo: the server and namespace can be typed in, the token cannot."""

    server: str = ""
    namespace: str = "default"
    ui_url: str = ""  # the Argo UI, for "open the node" links; default: the server

    @classmethod
    def from_env(cls) -> ArgoSettings:
        server = os.environ.get(ARGO_SERVER_ENV, "")
        if server and "://" not in server:
            server = f"https://{server}"  # the argo CLI's ARGO_SERVER is host:port
        return cls(
            server=server,
            namespace=os.environ.get(ARGO_NAMESPACE_ENV) or "default",
            ui_url=os.environ.get(ARGO_UI_ENV, ""),
        )

    @property
    def link_base(self) -> str:
        return (self.ui_url or self.server).rstrip("/")


def argo_token() -> str | None:
    """The bearer token for the Argo server, from the environment only."""
    return os.environ.get(ARGO_TOKEN_ENV) or None


def token_note() -> str:
    """What the page may say about the token: whether it is set, never its value."""
    if argo_token():
        return f"token: read from ${ARGO_TOKEN_ENV} (set)"
    return f"token: ${ARGO_TOKEN_ENV} is not set (fine for a server without auth)"
