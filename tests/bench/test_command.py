"""The genai-bench argv: every option it requires, every run, no shell string, no key."""

from __future__ import annotations

from pathlib import Path

import pytest

from steps.bench.command import PLACEHOLDER_KEY, build_command
from steps.errors import TaskError
from tests.bench.helpers import bench_task


def option_values(argv: list[str], option: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv) if arg == option]


def test_argv_covers_every_scenario_and_concurrency_level(tmp_path: Path) -> None:
    task = bench_task(
        tmp_path,
        scenarios=["D(100,64)", "N(480,240)/(300,150)"],
        concurrency=[1, 4, 8],
        max_requests_per_run=60,
        max_time_per_run_min=2,
    )
    cmd = build_command(
        task, "http://127.0.0.1:9/", "tiny-llama", tmp_path / "bench", executable="genai-bench"
    )
    argv = cmd.argv
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
    assert argv[:2] == ["genai-bench", "benchmark"]
    assert option_values(argv, "--traffic-scenario") == ["D(100,64)", "N(480,240)/(300,150)"]
    assert option_values(argv, "--num-concurrency") == ["1", "4", "8"]
    assert cmd.runs == [(s, c) for s in ("D(100,64)", "N(480,240)/(300,150)") for c in (1, 4, 8)]
    # every option genai-bench marks required, or it prompts
    expected = {
        "--api-backend": "sglang",
        "--api-base": "http://127.0.0.1:9",
        "--api-model-name": "tiny-llama",
        "--model-tokenizer": str(tmp_path),
        "--task": "text-to-text",
        "--max-requests-per-run": "60",
        "--max-time-per-run": "2",  # whole minutes
        "--api-key": PLACEHOLDER_KEY,
    }
    for option, value in expected.items():
        assert option_values(argv, option) == [value], option
    assert option_values(argv, "--experiment-base-dir") == [str((tmp_path / "bench").absolute())]
    assert cmd.experiment_dir.parent == cmd.log_dir.parent == cmd.out_dir


def test_the_api_key_travels_in_the_environment_not_the_argv(tmp_path: Path) -> None:
    key = "sk-distinctive-9f8e7d"
    cmd = build_command(
        bench_task(tmp_path), "http://127.0.0.1:9", "m", tmp_path, key, executable="genai-bench"
    )
    assert not any(key in arg for arg in cmd.argv)
    assert cmd.env["MODEL_API_KEY"] == key
    assert key in cmd.secrets and PLACEHOLDER_KEY in cmd.secrets
    without = build_command(
        bench_task(tmp_path), "http://127.0.0.1:9", "m", tmp_path, executable="genai-bench"
    )
    assert "MODEL_API_KEY" not in without.env and without.secrets == [PLACEHOLDER_KEY]


def test_environment_is_offline_headless_and_free_of_credentials(tmp_path: Path) -> None:
    parent = {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "AWS_SECRET_ACCESS_KEY": "minio-secret",
        "GITHUB_TOKEN": "ghp_x",
        "MODEL_API_KEY": "stale",
    }
    cmd = build_command(
        bench_task(tmp_path),
        "http://127.0.0.1:9",
        "m",
        tmp_path,
        executable="genai-bench",
        base_env=parent,
    )
    assert cmd.env["ENABLE_UI"] == "false"
    assert cmd.env["HF_HUB_OFFLINE"] == "1" and cmd.env["TRANSFORMERS_OFFLINE"] == "1"
    assert cmd.env["PATH"] == "/usr/bin"
    # genai-bench reads these as option defaults and logs every option's value
    assert not {"AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "MODEL_API_KEY"} & set(cmd.env)


def test_warmup_and_server_engine_are_passed(tmp_path: Path) -> None:
    cmd = build_command(
        bench_task(tmp_path, warmup_ratio=0.1),
        "http://h:1",
        "m",
        tmp_path,
        executable="genai-bench",
    )
    assert option_values(cmd.argv, "--warmup-ratio") == ["0.1"]
    assert option_values(cmd.argv, "--server-engine") == ["LlamaCPP"]


def test_tokenizer_falls_back_to_a_model_folder_and_is_required_otherwise(tmp_path: Path) -> None:
    from steps.spec import task_from_dict

    base = bench_task(tmp_path).model_dump(exclude_defaults=True)
    base["model"] = {"name": "m", "path": str(tmp_path)}
    cmd = build_command(task_from_dict(base), "http://h:1", "m", tmp_path, executable="x")
    assert option_values(cmd.argv, "--model-tokenizer") == [str(tmp_path)]
    base["model"] = {"name": "m", "path": str(tmp_path / "model.gguf")}
    with pytest.raises(TaskError, match=r"model\.tokenizer"):
        build_command(task_from_dict(base), "http://h:1", "m", tmp_path, executable="x")
