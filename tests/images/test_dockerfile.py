"""images/steps/Dockerfile cannot be built here (no Docker engine): check what can be
checked without building it. The context is the repository root."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import click
import pytest

from steps.cluster_manifests import read_versions

from .dockerfile import Instruction, ignore_patterns, instructions, is_ignored

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "images" / "steps" / "Dockerfile"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def steps() -> list[Instruction]:
    return instructions(DOCKERFILE)


def _all(steps: list[Instruction], keyword: str) -> list[Instruction]:
    return [step for step in steps if step.keyword == keyword]


def test_every_copied_path_exists_and_reaches_the_context(steps):
    patterns = ignore_patterns(REPO / ".dockerignore")
    copies = _all(steps, "COPY") + _all(steps, "ADD")
    assert copies
    for step in copies:
        assert "--from" not in step.value  # single stage: every source is in the context
        for source in step.copy_sources():
            path = REPO / source
            assert path.exists(), f"COPY {source}: not in the repository"
            assert not is_ignored(source.rstrip("/"), patterns), f"{source}: in .dockerignore"
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            sent = [f for f in files if not is_ignored(str(f.relative_to(REPO)), patterns)]
            assert sent, f"COPY {source}: .dockerignore leaves every file of it out"


def test_the_packages_pip_installs_are_all_copied(steps):
    copied = {source.rstrip("/") for step in _all(steps, "COPY") for source in step.copy_sources()}
    packages = {pattern.rstrip("*") for pattern in PYPROJECT["tool"]["setuptools"]["packages"][
        "find"]["include"]}  # fmt: skip
    assert packages <= copied
    assert {"pyproject.toml", PYPROJECT["project"]["readme"], "templates"} <= copied


def test_dockerignore_keeps_the_heavy_folders_out():
    patterns = ignore_patterns(REPO / ".dockerignore")
    for heavy in (".venv/bin/python", "runs/studies/x", "examples/models/tiny-llama/model.gguf",
                  ".git/config", "steps/__pycache__/x.pyc", "tests/conftest.py"):  # fmt: skip
        assert is_ignored(heavy, patterns), heavy


def test_entrypoint_is_the_autotune_console_script(steps):
    (entrypoint,) = _all(steps, "ENTRYPOINT")
    command = entrypoint.exec_form()  # exec form: signals reach autotune, not a shell
    scripts = PYPROJECT["project"]["scripts"]
    assert command[0] in scripts
    module, _, attribute = scripts[command[0]].partition(":")
    assert isinstance(getattr(importlib.import_module(module), attribute), click.Command)


def test_runs_as_a_numeric_non_root_user(steps):
    users = _all(steps, "USER")
    assert users, "no USER: the image would run as root"
    assert steps.index(users[-1]) > max(steps.index(s) for s in _all(steps, "RUN"))
    uid, _, gid = users[-1].value.partition(":")
    assert uid.isdigit() and int(uid) != 0
    assert not gid or (gid.isdigit() and int(gid) != 0)


def test_base_image_is_pinned_and_matches_versions_env(steps):
    (base,) = _all(steps, "FROM")
    image = base.value.split()[0]
    assert re.match(r"^[\w./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?$", image), image
    assert not image.split("@")[0].endswith(":latest")
    assert image == read_versions()["PYTHON_BASE_IMAGE"]


def test_genai_bench_comes_pinned_through_the_bench_extra(steps):
    installs = " ".join(step.value for step in _all(steps, "RUN") if "pip install" in step.value)
    assert '".[bench]"' in installs
    bench = PYPROJECT["project"]["optional-dependencies"]["bench"]
    assert f"genai-bench=={read_versions()['GENAI_BENCH_VERSION']}" in bench
    # Nothing installed by name beside the project: every other pin lives in pyproject.
    arguments = [" ".join(found.split()) for found in re.findall(r"pip install ([^&]*)", installs)]
    assert arguments == ['--editable ".[bench]"']


def test_reader_handles_continuations_and_ignore_rules(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM a:1\n# c\nRUN x \\\n  # inner\n  && y\nCOPY --chown=1 a b/ /d/\n")
    steps = instructions(dockerfile)
    assert [s.keyword for s in steps] == ["FROM", "RUN", "COPY"]
    assert steps[1].value.split() == ["x", "&&", "y"]
    assert steps[2].copy_sources() == ["a", "b/"]
    patterns = ["*", "!steps", "**/__pycache__", "docs/*.md"]
    assert not is_ignored("steps/cli/app.py", patterns)
    assert is_ignored("steps/__pycache__/a.pyc", patterns)
    assert is_ignored("README.md", patterns)
    assert not is_ignored("docs/x.md", ["docs/*/y"])
