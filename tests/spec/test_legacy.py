"""The prototype's JSON tasks: every key mapped or reported by name, the mapping table holds."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from steps.errors import TaskError
from steps.spec import load_task, task_from_dict
from steps.spec.legacy import convert_legacy, legacy_conversion
from steps.spec.legacy_source import leaf_paths
from tests.spec.test_cli import PROTOTYPE

LEGACY_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "legacy-tasks"
LEGACY_FILES = sorted(LEGACY_DIR.glob("*.json")) if LEGACY_DIR.is_dir() else []
needs_shared = pytest.mark.skipif(
    not LEGACY_FILES, reason=f"no prototype tasks at {LEGACY_DIR} (../shared beside the checkout)"
)


def proto(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(PROTOTYPE)
    data.update(changes)
    return data


def problem_keys(data: dict[str, Any]) -> list[str]:
    return [line.split(": ")[0] for line in convert_legacy(data)[1]]


@needs_shared
@pytest.mark.parametrize("path", LEGACY_FILES, ids=[p.name for p in LEGACY_FILES])
def test_every_key_of_a_shared_legacy_task_is_mapped_or_reported(path: Path) -> None:
    data = json.loads(path.read_text())
    conversion = legacy_conversion(data)
    reported = {line.split(": ")[0] for line in conversion.problems + conversion.notes}
    covered = conversion.handled | reported
    for leaf in leaf_paths(data):
        parts = leaf.split(".")
        assert any(".".join(parts[:n]) in covered for n in range(1, len(parts) + 1)), leaf
    # what could not be converted is named by a key path of the file itself
    for line in conversion.problems:
        key = line.split(": ")[0]
        assert any(leaf == key or leaf.startswith(key + ".") for leaf in leaf_paths(data)), line


@needs_shared
@pytest.mark.parametrize("path", LEGACY_FILES, ids=[p.name for p in LEGACY_FILES])
def test_a_shared_legacy_task_validates_or_reports_named_problems(path: Path) -> None:
    conversion = legacy_conversion(json.loads(path.read_text()))
    task_from_dict(conversion.data)  # what could be converted is a valid task
    try:
        load_task(path)
    except TaskError as exc:
        assert conversion.problems, "load_task refused a file that converted cleanly"
        assert exc.problems == [f"{path}: {line}" for line in conversion.problems]
    else:
        assert not conversion.problems


def test_a_complete_prototype_task_converts_without_problems() -> None:
    data, problems = convert_legacy(proto())
    assert problems == []
    task = task_from_dict(data)
    assert task.name == "proto-tune"
    assert task.model.name == "meta-llama/Llama-3.2-1B-Instruct"
    assert task.model.path == "llama-3-2-1b-instruct"
    assert task.model.tokenizer == "meta-llama/Llama-3.2-1B-Instruct"
    assert (task.deploy.backend, task.deploy.namespace) == ("ome", "autotuner")
    assert task.deploy.runtime == "srt-llama-3-2-1b-instruct"
    assert (task.deploy.ready_timeout_s, task.pipeline.trial_timeout_s) == (900, 1800)
    assert task.engine.kind == "sglang"
    assert task.search.strategy == "tpe"
    assert task.search.trials == 9 and task.search.baseline
    assert task.objective.metrics == ["output_throughput"]
    assert task.objective.directions == ["maximize"]
    assert task.benchmark.max_time_per_run_min == 2
    assert task.benchmark.max_requests_per_run == 50
    assert task.objective.slo.e2e_latency_p90_ms == 2500.0


def test_parameter_forms_and_names() -> None:
    data, problems = convert_legacy(
        proto(
            parameters={
                "tp_size": {"type": "choice", "values": [1, 2]},
                "mem_frac": [0.8, 0.9],
                "schedule_policy": {"type": "categorical", "choices": ["lpm", "fcfs"]},
                "chunked-prefill-size": ["512", "1024"],
                "max-running-requests": {"type": "integer", "low": 16, "high": 128, "log": True},
                "schedule-conservativeness": {"type": "continuous", "low": 0.5, "high": 1.5},
                "disable-radix-cache": [True, False],
                "dp-size": [],
            }
        )
    )
    assert problems == []
    assert data["search"]["parameters"] == {
        "tp-size": {"type": "int", "values": [1, 2]},
        "mem-fraction-static": {"type": "float", "values": [0.8, 0.9]},
        "schedule-policy": {"type": "categorical", "choices": ["lpm", "fcfs"]},
        "chunked-prefill-size": {"type": "int", "values": [512, 1024]},
        "max-running-requests": {"type": "int", "low": 16, "high": 128, "log": True},
        "schedule-conservativeness": {"type": "float", "low": 0.5, "high": 1.5},
        "disable-radix-cache": {"type": "categorical", "choices": [True, False]},
    }
    notes = legacy_conversion(proto(parameters={"dp-size": [], "tp": [1]})).notes
    assert "parameters.dp-size: an empty list of values; skipped, as the prototype did" in notes


@pytest.mark.parametrize(
    ("strategy", "expected"), [("grid_search", "grid"), ("bayesian", "tpe"), ("random", "random")]
)
def test_strategies(strategy: str, expected: str) -> None:
    optimization = {**PROTOTYPE["optimization"], "strategy": strategy}
    data, _ = convert_legacy(proto(optimization=optimization))
    assert data["search"]["strategy"] == expected


def test_a_grid_keeps_the_prototype_cut_to_the_grid_size() -> None:
    optimization = {**PROTOTYPE["optimization"], "strategy": "grid_search", "max_iterations": 50}
    data, _ = convert_legacy(proto(optimization=optimization))
    assert data["search"]["trials"] == 2 * 2 + 1  # tp x mem_frac, plus the baseline


@pytest.mark.parametrize(
    ("goal", "metric"),
    [
        ("minimize_latency", "e2e_latency"),
        ("maximize_throughput", "output_throughput"),
        ("minimize_ttft", "ttft"),
        ("minimize_tpot", "tpot"),
    ],
)
def test_objectives(goal: str, metric: str) -> None:
    optimization = {**PROTOTYPE["optimization"], "objective": goal}
    data, problems = convert_legacy(proto(optimization=optimization))
    assert problems == []
    assert data["objective"]["metric"] == metric


def test_several_runs_score_the_highest_concurrency_and_say_so() -> None:
    benchmark = {**PROTOTYPE["benchmark"], "num_concurrency": [1, 8, 4]}
    conversion = legacy_conversion(proto(benchmark=benchmark))
    assert conversion.data["objective"]["at"] == {"scenario": "D(100,100)", "concurrency": 8}
    assert any(note.startswith("benchmark.num_concurrency: ") for note in conversion.notes)


def test_slo_hard_fail_maps_to_a_hard_limit_and_soft_penalties_are_reported() -> None:
    slo = {
        "latency": {
            "p99": {"threshold": 10.0, "hard_fail": True},
            "p90": {"threshold": 5.0, "weight": 2.0, "hard_fail": True, "fail_ratio": 0.2},
            "p50": {"threshold": 2.0, "weight": 1.0, "hard_fail": False},
        },
        "ttft": {"threshold": 1.0},
        "tpot": {"threshold": 0.05, "hard_fail": True, "fail_ratio": 0},
        "steepness": 0.1,
    }
    conversion = legacy_conversion(proto(slo=slo))
    assert conversion.data["objective"]["slo"] == {
        "e2e_latency_p90_ms": 6000.0,
        "e2e_latency_p99_ms": 15000.0,  # default fail_ratio 0.5
        "tpot_mean_ms": 50.0,
    }
    assert [line.split(": ")[0] for line in conversion.problems] == [
        "slo.latency.p50",
        "slo.latency.p90.weight",
        "slo.ttft",
        "slo.steepness",
    ]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"deployment_mode": "docker"}, "deployment_mode"),
        ({"runtime_image_tag": "v0.5.2-cu126"}, "runtime_image_tag"),
        ({"clusterbasemodel_config": {"preset": "llama"}}, "clusterbasemodel_config"),
        ({"clusterservingruntime_config": {"preset": "srt"}}, "clusterservingruntime_config"),
        ({"task_name": "Tune Llama (v2)!"}, "task_name"),
        ({"quant_config": {"method": "awq"}}, "quant_config.method"),
        ({"model": {"id_or_path": "m", "revision": "main"}}, "model.revision"),
    ],
)
def test_what_cannot_be_converted_is_named(change: dict[str, Any], key: str) -> None:
    assert problem_keys(proto(**change)) == [key]


def test_request_parameters_other_than_a_zero_temperature_are_named() -> None:
    benchmark = {**PROTOTYPE["benchmark"], "additional_params": {"temperature": "0.7", "top_p": 1}}
    assert problem_keys(proto(benchmark=benchmark)) == [
        "benchmark.additional_params.temperature",
        "benchmark.additional_params.top_p",
    ]


def test_max_time_reached_genai_bench_as_minutes_and_is_rounded_up() -> None:
    benchmark = {**PROTOTYPE["benchmark"], "max_time_per_iteration": 1.5}
    data, _ = convert_legacy(proto(benchmark=benchmark))
    assert data["benchmark"]["max_time_per_run_min"] == 2


def test_a_vllm_runtime_in_local_mode() -> None:
    data, problems = convert_legacy(
        proto(deployment_mode="local", base_runtime="vllm", parameters={"max_num_seqs": [8, 16]})
    )
    assert problems == []
    assert data["engine"] == {"kind": "vllm"}
    assert data["deploy"]["backend"] == "local" and "runtime" not in data["deploy"]
    assert data["search"]["parameters"] == {"max-num-seqs": {"type": "int", "values": [8, 16]}}
