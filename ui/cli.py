"""``autotune ui``: start the Streamlit app on this machine's loopback address.

The store is handed to the app through the environment (``AUTOTUNE_STORE``), the way
every other command reads it, so the app and ``autotune run --store`` agree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from steps.cli.app import guarded, main
from steps.deploy.process import RESERVED_PORTS
from steps.errors import TaskError

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_PORT = 8501  # Streamlit's own default
LOOPBACK = "127.0.0.1"


def streamlit_argv(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", LOOPBACK,  # only this machine can open the app
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",  # no "Deploy" button: this app runs here
    ]  # fmt: skip


@main.command("ui")
@click.option(
    "--store",
    "store_uri",
    default="autotune-store",
    show_default=True,
    envvar="AUTOTUNE_STORE",
    help="Results store the app reads and runs into: a folder, file:///path or s3://bucket/prefix.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@guarded
def ui_cmd(store_uri: str, port: int) -> None:
    """Start the web app on 127.0.0.1 (this machine only): new study form, studies,
    live study pages, schedules."""
    from steps.store import open_store

    if port in RESERVED_PORTS:
        raise TaskError(f"--port {port} is reserved (the Kubernetes Dashboard's); pick another")
    store = open_store(store_uri)  # refuse a bad URI here, not on the first page
    env = {**os.environ, "AUTOTUNE_STORE": store.uri}
    click.echo(f"store: {store.uri}\napp: http://{LOOPBACK}:{port}/", err=True)
    argv = streamlit_argv(port)
    os.execvpe(argv[0], argv, env)  # the app replaces this process: Ctrl-C reaches it
