"""The rendered InferenceService: flags in the runtime command, GPUs, names, CRD validity."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from steps.deploy.ome import names, render_inferenceservice
from steps.deploy.ome.command import set_flags
from steps.engines import get_engine
from steps.errors import TaskError
from steps.records import Scalar
from steps.spec import load_task
from tests.deploy.ome.helpers import ome_task
from tests.kube.fixtures import ome_crd, require_ome, runtime_sample, samples

pytestmark = pytest.mark.shared
SGLANG = get_engine("sglang")


@pytest.fixture(autouse=True)
def _needs_ome() -> None:
    require_ome()


def _render(
    flags: dict[str, Scalar], runtime_obj: dict[str, Any] | None = None, **deploy: Any
) -> Any:
    task = ome_task(**deploy)
    return render_inferenceservice(task, "study", 3, flags, runtime_obj or runtime_sample())


def _command(manifest: dict[str, Any]) -> list[str]:
    return list(manifest["spec"]["engine"]["runner"]["command"])


def _value(command: list[str], flag: str) -> list[str]:
    return [command[i + 1] for i, token in enumerate(command) if token == flag]


def test_flags_the_runtime_sets_are_replaced_in_place_and_new_ones_added_at_the_end() -> None:
    base = runtime_sample()["spec"]["engineConfig"]["runner"]["command"]
    command = _command(_render({"tp-size": 2, "max-running-requests": 64}))
    assert command.index("--tp-size") == base.index("--tp-size")  # replaced where it was
    assert _value(command, "--tp-size") == ["2"]
    assert command[-2:] == ["--max-running-requests", "64"]  # absent: added
    # everything else the runtime says is kept, in order
    kept = [t for t in base if t not in ("--tp-size", "1", "--served-model-name")]
    assert [t for t in command if t in kept][: len(kept)] == kept


def test_an_abbreviated_runtime_flag_is_replaced_not_duplicated() -> None:
    # the sample runtimes write --mem-frac, which argparse reads as --mem-fraction-static
    command = _command(_render({"mem-fraction-static": 0.75}))
    assert "--mem-frac" not in command
    assert _value(command, "--mem-fraction-static") == ["0.75"]


def test_aliases_equals_form_and_booleans() -> None:
    base = ["python3", "-m", "sglang.launch_server", "--tensor-parallel-size=4",
            "--disable-radix-cache", "--chunked-prefill-size", "-1"]  # fmt: skip
    command = set_flags(
        base,
        {"tp-size": 2, "disable-radix-cache": False, "enable-mixed-chunk": True,
         "chunked-prefill-size": 2048},
        SGLANG,
    )  # fmt: skip
    assert command == ["python3", "-m", "sglang.launch_server", "--tp-size", "2",
                       "--chunked-prefill-size", "2048", "--enable-mixed-chunk"]  # fmt: skip


def test_the_served_model_name_is_the_one_the_benchmark_asks_for() -> None:
    command = _command(_render({}))
    assert _value(command, "--served-model-name") == ["meta-llama/Llama-3.2-1B-Instruct"]


@pytest.mark.parametrize(
    ("flags", "deploy", "gpus"),
    [
        ({}, {}, 1),  # the runtime's own --tp-size 1
        ({"tp-size": 4}, {}, 4),
        ({"tp-size": 2, "dp-size": 2}, {}, 4),
        ({"tp-size": 2}, {"gpus_per_replica": 8}, 8),
    ],
)
def test_gpu_resources_come_from_tp_times_dp(
    flags: dict[str, Scalar], deploy: Any, gpus: int
) -> None:
    resources = _render(flags, **deploy)["spec"]["engine"]["runner"]["resources"]
    assert resources == {"requests": {"nvidia.com/gpu": gpus}, "limits": {"nvidia.com/gpu": gpus}}


def test_no_gpu_resources_when_gpus_per_replica_is_zero() -> None:
    assert "resources" not in _render({}, gpus_per_replica=0)["spec"]["engine"]["runner"]


def test_one_replica_model_runtime_labels_and_name() -> None:
    manifest = _render({"tp-size": 2})
    meta, spec = manifest["metadata"], manifest["spec"]
    assert meta["name"] == "study-3" and meta["namespace"] == "autotuner"
    assert meta["labels"] == {names.LABEL_PART_OF: names.PART_OF, names.LABEL_STUDY: "study",
                              names.LABEL_SLOT: "3"}  # fmt: skip
    assert spec["model"] == {"name": "llama-3-2-1b-instruct"}
    assert spec["runtime"] == {"name": "srt-llama-3-2-1b-instruct"}
    assert (spec["engine"]["minReplicas"], spec["engine"]["maxReplicas"]) == (1, 1)
    assert spec["engine"]["runner"]["name"] == "ome-container"  # kept: OME merges by name


@pytest.mark.parametrize("runtime_name", ["srt-llama-3-2-1b-instruct", "srt-qwen3-0-6b"])
@pytest.mark.parametrize(
    "flags",
    [{}, {"tp-size": 2, "mem-fraction-static": 0.8, "schedule-policy": "fcfs",
          "disable-radix-cache": True, "chunked-prefill-size": -1}],
)  # fmt: skip
def test_the_manifest_is_valid_against_the_crd_closed_world(
    runtime_name: str, flags: dict[str, Scalar]
) -> None:
    manifest = _render(flags, runtime_sample(runtime_name), runtime=runtime_name)
    assert ome_crd("inferenceservices").problems(manifest) == []


_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


@pytest.mark.parametrize(
    "study",
    ["study", "My_Study.2024", "2024-run", "x" * 80, "a--b", "-lead-", "s" * 52, "UPPER"],
)
def test_names_are_dns_1035_and_short_enough_for_omes_derived_services(study: str) -> None:
    for slot in (0, 7, 999):
        name = names.isvc_name(study, slot)
        assert _DNS_1035.match(name), name
        assert len(name) <= names.MAX_NAME and len(name + "-decoder") <= 63
        assert name.endswith(f"-{slot}")
    label = names.label_value(study)
    assert len(label) <= 63 and re.match(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", label)


def test_shortened_names_stay_unique_and_plain_ones_stay_readable() -> None:
    assert names.isvc_name("sweep-a", 2) == "sweep-a-2"
    long_a, long_b = "a" * 70 + "-one", "a" * 70 + "-two"
    assert names.isvc_name(long_a, 0) != names.isvc_name(long_b, 0)
    assert names.isvc_name("Run_1", 0) != names.isvc_name("run-1", 0)


def test_a_shell_runtime_or_a_disabled_one_is_refused_with_the_field() -> None:
    shell = copy.deepcopy(runtime_sample())
    shell["spec"]["engineConfig"]["runner"]["command"] = ["/bin/sh", "-c", "python3 -m sglang..."]
    with pytest.raises(TaskError, match=r"deploy\.runtime: .*not a shell script"):
        _render({}, shell)
    disabled = copy.deepcopy(runtime_sample())
    disabled["spec"]["disabled"] = True
    with pytest.raises(TaskError, match="is disabled"):
        _render({}, disabled)


def test_flags_kept_in_args_are_overridden_in_args() -> None:
    runtime = copy.deepcopy(runtime_sample())
    runner = runtime["spec"]["engineConfig"]["runner"]
    runner["command"], runner["args"] = ["python3"], runner["command"][1:]
    manifest = _render({"tp-size": 2}, runtime)
    override = manifest["spec"]["engine"]["runner"]
    assert "command" not in override and _value(override["args"], "--tp-size") == ["2"]
    assert ome_crd("inferenceservices").problems(manifest) == []


def test_every_sample_runtime_is_usable() -> None:
    for runtime in samples("runtimes__"):
        name = runtime["metadata"]["name"]
        manifest = _render({"tp-size": 2}, runtime, runtime=name)
        assert _value(_command(manifest), "--tp-size") == ["2"]


def test_the_sglang_ome_example_renders_valid_manifests(repo: Path) -> None:
    task = load_task(repo / "examples" / "sglang-ome.yaml")
    runtime = runtime_sample(task.deploy.runtime or "")
    candidates: list[dict[str, Scalar]] = [
        {},
        {"tp-size": 2, "mem-fraction-static": 0.85, "chunked-prefill-size": 4096,
         "schedule-policy": "lpm", "max-running-requests": 128},
    ]  # fmt: skip
    for flags in candidates:
        manifest = render_inferenceservice(task, "sglang-ome-20250101", 7, flags, runtime)
        assert ome_crd("inferenceservices").problems(manifest) == []
        assert manifest["metadata"]["namespace"] == "autotuner"
