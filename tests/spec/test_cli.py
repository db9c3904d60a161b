"""`autotune validate` and `autotune convert`: exit codes, one line per problem, nothing created."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from steps.cli import main
from tests.spec.tasks import base

PROTOTYPE: dict[str, Any] = {
    "task_name": "proto_tune",
    "model": {"id_or_path": "llama-3-2-1b-instruct", "namespace": "autotuner"},
    "base_runtime": "srt-llama-3-2-1b-instruct",
    "parameters": {"tp_size": [1, 2], "mem_frac": {"type": "choice", "values": [0.8, 0.9]}},
    "optimization": {
        "strategy": "bayesian",
        "objective": "maximize_throughput",
        "max_iterations": 8,
        "timeout_per_iteration": 900,
    },
    "benchmark": {
        "task": "text-to-text",
        "model_name": "meta-llama/Llama-3.2-1B-Instruct",
        "model_tokenizer": "meta-llama/Llama-3.2-1B-Instruct",
        "traffic_scenarios": ["D(100,100)"],
        "num_concurrency": [4],
        "max_time_per_iteration": 2,
        "max_requests_per_iteration": 50,
        "additional_params": {"temperature": 0.0},
    },
    "slo": {"latency": {"p90": {"threshold": 2.0, "hard_fail": True, "fail_ratio": 0.25}}},
}


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def write_task(folder: Path, name: str, data: dict[str, object]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data) if name.endswith(".yaml") else json.dumps(data))
    return path


def test_validate_prints_ok_with_trials_strategy_engine(tmp_path: Path) -> None:
    path = write_task(tmp_path, "good.yaml", base())
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: {path} (6 trials, tpe, llama.cpp)\n"
    assert result.stderr == ""


def test_validate_exits_2_with_one_line_per_problem_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = base()
    data["name"] = "Bad_Name"
    data["search"]["fixed"] = {"batch-size": 0}
    data["benchmark"]["scenarios"] = ["D(100)"]
    bad = write_task(tmp_path, "bad.yaml", data)
    good = write_task(tmp_path, "good.yaml", base())
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    before = files_under(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(bad), str(good)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    # pydantic's problems come together; the engine's rules need a task that parsed
    assert [line.split(": ")[1] for line in lines] == ["name", "benchmark.scenarios[0]"]
    assert all(line.startswith(f"{bad}: ") for line in lines)
    assert result.stdout == f"ok: {good} (6 trials, tpe, llama.cpp)\n"
    assert files_under(tmp_path) == before
    assert list(workdir.iterdir()) == []


def test_validate_reports_engine_rules_once_the_model_parses(tmp_path: Path) -> None:
    data = base()
    data["search"]["fixed"] = {"batch-size": 0, "ctx-sise": 1}
    path = write_task(tmp_path, "task.yaml", data)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}: search.fixed.batch-size: 0 is rejected by llama.cpp --batch-size: "
        "-b 0 aborts llama-server (SIGABRT) at start; allowed: >= 1",
        f"{path}: search.fixed.ctx-sise: llama.cpp has no flag --ctx-sise (did you mean "
        "--ctx-size?); known flags: " + ", ".join(sorted(_llama_flags())) + "; to pass an "
        "unlisted flag, tune it as a one-value parameter with `raw: true`",
    ]


def _llama_flags() -> list[str]:
    from steps.engines import get_engine

    return list(get_engine("llama.cpp").flags)


def test_validate_unreadable_and_malformed_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    twice = tmp_path / "twice.yaml"
    twice.write_text("name: a\nname: b\n")
    result = CliRunner().invoke(main, ["validate", str(missing), str(broken), str(twice)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{missing}: cannot read the task file")
    assert lines[1].startswith(f"{broken}: not valid YAML or JSON")
    assert (
        lines[2]
        == f"{twice}: not valid YAML or JSON: key 'name' appears twice in one mapping (line 2)"
    )


def test_validate_checks_a_legacy_file_through_its_conversion(tmp_path: Path) -> None:
    path = write_task(tmp_path, "proto.json", PROTOTYPE)
    result = CliRunner().invoke(main, ["validate", "-v", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: {path} (9 trials, tpe, sglang)\n"
    assert f"{path}: note: task_name: 'proto_tune' became name 'proto-tune'" in result.stderr


def test_validate_reports_a_legacy_file_that_cannot_be_converted(tmp_path: Path) -> None:
    data = {**PROTOTYPE, "deployment_mode": "docker", "runtime_image_tag": "v1"}
    path = write_task(tmp_path, "proto.json", data)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert [line.split(": ")[1] for line in result.stderr.splitlines()] == [
        "deployment_mode",
        "runtime_image_tag",
    ]


def test_convert_prints_yaml_that_validates_and_exits_0(tmp_path: Path) -> None:
    path = write_task(tmp_path, "proto.json", PROTOTYPE)
    result = CliRunner().invoke(main, ["convert", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith(f"# Converted by `autotune convert` from {path}")
    assert "NOT converted" not in result.stdout
    out = tmp_path / "task.yaml"
    out.write_text(result.stdout)
    again = CliRunner().invoke(main, ["validate", str(out)])
    assert again.exit_code == 0, again.output
    converted = yaml.safe_load(result.stdout)
    assert converted["objective"]["slo"] == {"e2e_latency_p90_ms": 2500.0}


def test_convert_exits_2_naming_what_was_not_converted_and_still_prints(tmp_path: Path) -> None:
    data = {**PROTOTYPE, "slo": {"ttft": {"threshold": 1.0, "weight": 2.0}, "steepness": 0.1}}
    path = write_task(tmp_path, "proto.json", data)
    result = CliRunner().invoke(main, ["convert", str(path)])
    assert result.exit_code == 2
    assert [line.split(": ")[1] for line in result.stderr.splitlines()] == [
        "slo.ttft",
        "slo.steepness",
    ]
    assert "# NOT converted:\n#   - slo.ttft: a soft penalty" in result.stdout
    assert yaml.safe_load(result.stdout)["name"] == "proto-tune"


def test_convert_refuses_a_file_already_in_the_new_format(tmp_path: Path) -> None:
    path = write_task(tmp_path, "task.yaml", base())
    result = CliRunner().invoke(main, ["convert", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "not in the prototype's format" in result.stderr


def test_help_texts_say_what_each_command_does() -> None:
    runner = CliRunner()
    validate = runner.invoke(main, ["validate", "--help"])
    convert = runner.invoke(main, ["convert", "--help"])
    assert validate.exit_code == convert.exit_code == 0
    assert "Exits 2 when any file is invalid" in validate.stdout
    assert "Exits 0 when" in convert.stdout and "else 2" in convert.stdout


def test_console_script_exit_code(tmp_path: Path) -> None:
    data = base()
    data["benchmark"]["concurrency"] = [0]
    path = write_task(tmp_path, "bad.yaml", data)
    script = Path(sys.executable).parent / "autotune"
    done = subprocess.run([str(script), "validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == f"{path}: benchmark.concurrency[0]: 0 is out of range; allowed: > 0\n"
    assert done.stdout == ""
