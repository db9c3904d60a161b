"""Every example validates; the embedded demo is the task DESIGN.md describes."""

from __future__ import annotations

from pathlib import Path

import pytest

from steps.spec import load_task
from steps.spec.model import CategoricalParam, IntParam

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(EXAMPLES.glob("*.yaml"))


def test_the_examples_are_there() -> None:
    names = {p.name for p in FILES}
    assert {
        "cpu-demo.yaml",
        "sglang-ome.yaml",
        "vllm-local.yaml",
        "grid-llamacpp.yaml",
        "nsga2-llamacpp.yaml",
    } <= names


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_example_validates(path: Path) -> None:
    task = load_task(path)
    assert task.name == path.stem


def test_cpu_demo_is_the_embedded_default() -> None:
    task = load_task(EXAMPLES / "cpu-demo.yaml")
    demo = EXAMPLES / "models" / "tiny-llama"
    assert task.model.path == str((demo / "model.gguf").resolve())
    assert task.model.tokenizer == str(demo.resolve())
    assert (task.engine.kind, task.deploy.backend, task.deploy.ready_timeout_s) == (
        "llama.cpp",
        "local",
        120,
    )
    search = task.search
    assert (search.strategy, search.trials, search.parallelism, search.seed) == ("tpe", 12, 1, 0)
    assert search.baseline
    parallel = search.parameters["parallel"]
    assert isinstance(parallel, IntParam)
    assert (parallel.low, parallel.high, parallel.log) == (1, 16, True)
    assert isinstance(search.parameters["threads"], IntParam)
    assert search.parameters["threads"].values == [1, 2]
    batch, ubatch = search.parameters["batch-size"], search.parameters["ubatch-size"]
    assert isinstance(batch, CategoricalParam) and isinstance(ubatch, CategoricalParam)
    assert (batch.choices, ubatch.choices) == ([512, 1024, 2048], [64, 128, 256, 512])
    assert max(ubatch.choices) <= min(batch.choices)  # type: ignore[operator]
    assert search.fixed == {"ctx-size": 8192}
    assert task.objective.metrics == ["output_throughput"]
    assert (task.scored_run.scenario, task.scored_run.concurrency) == ("D(100,64)", 8)
    assert task.objective.slo.items() == [("ttft_p90_ms", 2000), ("max_error_rate", 0.01)]
    bench = task.benchmark
    assert (bench.scenarios, bench.concurrency) == (["D(100,64)"], [8])
    assert (bench.max_requests_per_run, bench.max_time_per_run_min) == (40, 1)


def test_sglang_ome_example_scores_one_of_two_levels_on_a_schedule() -> None:
    task = load_task(EXAMPLES / "sglang-ome.yaml")
    assert task.deploy.backend == "ome" and task.engine.kind == "sglang"
    assert len(task.benchmark.concurrency) == 2
    assert task.objective.at is not None
    assert task.pipeline.schedule == "0 3 * * 1"
    assert (task.search.trials, task.search.parallelism) == (20, 2)
