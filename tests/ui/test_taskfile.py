"""Import and export of task files: YAML, JSON, the prototype's legacy JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from steps.spec import load_task
from tests.ui.helpers import task_dict
from ui.taskfile import default_values, export_yaml, import_path, import_text
from ui.validation import check

SHARED_LEGACY = Path(__file__).resolve().parents[3] / "shared" / "legacy-tasks"
REPO = Path(__file__).resolve().parents[2]


def test_a_yaml_file_on_disk_loads_with_its_model_paths_resolved() -> None:
    imported = import_path(REPO / "examples" / "cpu-demo.yaml")
    assert imported.problems == [] and imported.values is not None
    assert imported.values.model_path == str(REPO / "examples/models/tiny-llama/model.gguf")
    assert check(imported.values).task == load_task(REPO / "examples" / "cpu-demo.yaml")


def test_an_upload_in_json_loads_and_exports_the_same_task() -> None:
    imported = import_text(json.dumps(task_dict()), "task.json")
    assert imported.problems == [] and imported.values is not None
    checked = check(imported.values)
    exported = yaml.safe_load(export_yaml(checked))
    again = import_text(yaml.safe_dump(exported), "again.yaml")
    assert again.values is not None and check(again.values).task == checked.task


def test_an_invalid_file_still_fills_the_form_and_names_its_problems() -> None:
    imported = import_text(yaml.safe_dump(task_dict(name="Bad_Name")), "bad.yaml")
    assert imported.values is not None and imported.values.name == "Bad_Name"
    assert imported.problems[0].startswith("bad.yaml: name: 'Bad_Name' is not a DNS-1123 label")


def test_not_yaml_at_all_loads_nothing() -> None:
    imported = import_text("a: [unclosed", "broken.yaml")
    assert imported.values is None
    assert imported.problems[0].startswith("broken.yaml: not valid YAML or JSON")


def test_the_draft_of_an_invalid_form_exports_as_it_is() -> None:
    values = import_text(yaml.safe_dump(task_dict(name="Bad_Name")), "x.yaml").values
    assert values is not None
    assert yaml.safe_load(export_yaml(check(values)))["name"] == "Bad_Name"


@pytest.mark.skipif(not SHARED_LEGACY.is_dir(), reason=f"no legacy tasks at {SHARED_LEGACY}")
@pytest.mark.parametrize(
    "name", ["simple_task.json", "bayesian_task.json", "docker_task_with_slo.json"]
)
def test_legacy_json_is_converted_on_import(name: str) -> None:
    imported = import_path(SHARED_LEGACY / name)
    assert imported.legacy and imported.values is not None
    assert all(line.startswith(str(SHARED_LEGACY / name)) for line in imported.problems)
    assert imported.values.engine_kind in ("sglang", "vllm", "llama.cpp")


def test_a_minimal_legacy_task_converts_into_a_valid_form() -> None:
    legacy = {
        "task_name": "proto-study",
        "model": {"id_or_path": "tiny", "namespace": "default"},
        "base_runtime": "vllm",
        "parameters": {"max-num-seqs": [8, 16]},
        "optimization": {"strategy": "grid_search", "objective": "maximize_throughput",
                         "max_iterations": 3},
        "benchmark": {"task": "text-to-text", "traffic_scenarios": ["D(100,100)"],
                      "num_concurrency": [4]},
    }  # fmt: skip
    imported = import_text(json.dumps(legacy), "old.json")
    assert imported.legacy and imported.values is not None
    assert imported.values.name == "proto-study"
    assert [row["flag"] for row in imported.values.params] == ["max-num-seqs"]


def test_the_form_starts_from_the_demo_study() -> None:
    values = default_values()
    assert values.name == "cpu-demo"
    assert check(values).ok
