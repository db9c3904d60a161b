"""``autotune compile`` from the command line: output, options, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipelines.bench_compile import TARGET_BYTES, TARGET_SECONDS, measure
from steps.cli import main

TASK = """\
name: cli-demo
model: {name: m, path: ./model.gguf}
engine: {kind: llama.cpp}
search: {trials: 3, parameters: {parallel: {type: int, low: 1, high: 8}}}
benchmark: {scenarios: ["D(100,100)"], concurrency: [1]}
"""


@pytest.fixture
def task_file(tmp_path: Path) -> Path:
    path = tmp_path / "task.yaml"
    path.write_text(TASK)
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["compile", *args])
    return result.exit_code, result.stdout, result.stderr


def test_compiles_to_stdout_with_the_store_and_image_given(task_file: Path):
    code, out, _ = _run(str(task_file), "--store", "s3://bucket/x", "--image", "reg/steps:2")
    assert code == 0
    manifest = yaml.safe_load(out)
    assert manifest["kind"] == "Workflow"
    assert manifest["spec"]["arguments"]["parameters"][0] == {
        "name": "store",
        "value": "s3://bucket/x",
    }
    images = {t["container"]["image"] for t in manifest["spec"]["templates"] if "container" in t}
    assert images == {"reg/steps:2"}


def test_writes_the_file_given_and_resolves_a_folder_store(task_file: Path, tmp_path: Path):
    out = tmp_path / "wf.yaml"
    code, _, err = _run(
        str(task_file), "-o", str(out), "--kind", "template", "--store", str(tmp_path)
    )
    assert code == 0 and "WorkflowTemplate" in err
    manifest = yaml.safe_load(out.read_text())
    assert manifest["kind"] == "WorkflowTemplate"
    assert manifest["spec"]["arguments"]["parameters"][0]["value"] == tmp_path.as_uri()


def test_cron_needs_a_schedule(task_file: Path):
    code, _, err = _run(str(task_file), "--kind", "cron")
    assert code == 2 and "pipeline.schedule" in err
    code, out, _ = _run(str(task_file), "--kind", "cron", "--schedule", "0 4 * * *")
    assert code == 0 and yaml.safe_load(out)["spec"]["schedules"] == ["0 4 * * *"]


def test_a_bad_task_or_option_exits_2_with_the_reason(task_file: Path, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TASK.replace("trials: 3", "trials: 0"))
    code, _, err = _run(str(bad))
    assert code == 2 and "search.trials" in err
    code, _, err = _run(str(task_file), "--store", "ftp://x")
    assert code == 2 and "--store" in err


def test_a_500_slot_study_compiles_fast_and_small():
    figures = measure(trials=500, parallelism=8, repeats=1)
    assert figures["compile_seconds"] < TARGET_SECONDS
    assert figures["manifest_bytes"] < TARGET_BYTES


def test_the_mode_follows_the_store_unless_told(task_file: Path, tmp_path: Path):
    code, out, _ = _run(str(task_file))  # the default store is the cluster's S3
    assert code == 0 and yaml.safe_load(out)["spec"]["onExit"] == "exit-handler"
    code, out, _ = _run(str(task_file), "--local")
    assert code == 0 and "onExit" not in yaml.safe_load(out)["spec"]
    code, out, _ = _run(str(task_file), "--store", str(tmp_path))
    assert code == 0 and "onExit" not in yaml.safe_load(out)["spec"]
    code, out, _ = _run(str(task_file), "--store", str(tmp_path), "--cluster")
    manifest = yaml.safe_load(out)
    assert code == 0 and manifest["spec"]["onExit"] == "exit-handler"
    assert all("env" not in t.get("container", {}) for t in manifest["spec"]["templates"])
