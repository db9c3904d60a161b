"""`autotune ui`: starts Streamlit on loopback with the store, refuses port 8443."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from steps.cli import main
from tests.ui.browser import app_server
from ui.cli import streamlit_argv


def test_the_app_listens_on_loopback_and_answers(tmp_path: Path) -> None:
    env = {**os.environ, "AUTOTUNE_UI_STATE": str(tmp_path / "state")}
    with app_server(tmp_path / "store", env) as url:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200


def test_port_8443_is_never_used(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ui", "--store", str(tmp_path), "--port", "8443"])
    assert result.exit_code == 2
    assert "--port 8443 is reserved" in result.output


def test_a_bad_store_is_refused_before_starting() -> None:
    result = CliRunner().invoke(main, ["ui", "--store", "ftp://nowhere"])
    assert result.exit_code == 2
    assert "is not a store URI" in result.output


def test_the_streamlit_command_runs_the_app_headless_on_loopback() -> None:
    argv = streamlit_argv(8600)
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert argv[argv.index("--server.port") + 1] == "8600"
    assert argv[argv.index("--server.headless") + 1] == "true"
    assert argv[argv.index("run") + 1].endswith("ui/app.py")
