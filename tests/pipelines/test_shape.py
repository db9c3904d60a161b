"""The compiled study's shape: slots, chains, report, labels, parameters, retries, deadlines."""

from __future__ import annotations

import base64
import itertools
import re

import pytest
import yaml

from pipelines import naming
from pipelines.compile import compile_task
from pipelines.depends import ANY_END, references
from pipelines.options import CompileOptions, Kind
from pipelines.study import MAX_DAG_TASKS, plan
from steps.errors import TaskError
from steps.spec import task_from_dict

from .helpers import dag_tasks, make_task, spec, templates


def _waits_for_end_of(depends: str, task: str) -> bool:
    """True when ``depends`` requires ``task`` to have ended in any phase (and nothing more)."""
    results = {result for name, result in references(depends) if name == task}
    return results == set(ANY_END)


@pytest.mark.parametrize(("trials", "parallelism"), [(2, 1), (5, 1), (5, 2), (7, 3), (4, 4)])
def test_slot_k_waits_for_slot_k_minus_p_whatever_its_outcome(trials: int, parallelism: int):
    tasks = dag_tasks(
        compile_task(make_task(search={"trials": trials, "parallelism": parallelism})), "study"
    )
    assert [n for n in tasks if n.startswith("slot-")] == [f"slot-{k}" for k in range(trials)]
    for k in range(trials):
        depends = tasks[f"slot-{k}"]["depends"]
        named = {name for name, _ in references(depends)}
        expected = {"init"} | ({f"slot-{k - parallelism}"} if k >= parallelism else set())
        assert named == expected, depends
        assert ("init", None) in references(depends)  # init must have succeeded
        if k >= parallelism:
            assert _waits_for_end_of(depends, f"slot-{k - parallelism}")
        assert tasks[f"slot-{k}"]["arguments"]["parameters"] == [{"name": "slot", "value": str(k)}]


def test_report_waits_for_every_slot_in_any_phase():
    tasks = dag_tasks(compile_task(make_task(search={"trials": 6, "parallelism": 2})), "study")
    depends = tasks["report"]["depends"]
    assert {name for name, _ in references(depends)} == {"init"} | {f"slot-{k}" for k in range(6)}
    assert all(_waits_for_end_of(depends, f"slot-{k}") for k in range(6))


def test_trial_runs_the_steps_in_order_for_the_slot_it_is_given():
    manifest = compile_task(make_task())
    trial = templates(manifest)["trial"]
    assert trial["inputs"]["parameters"] == [{"name": "slot"}]
    tasks = dag_tasks(manifest, "trial")
    assert list(tasks) == [*naming.TRIAL_SEQUENCE, "teardown"]
    for before, after in zip(naming.TRIAL_SEQUENCE, naming.TRIAL_SEQUENCE[1:], strict=False):
        assert tasks[after]["depends"] == before  # bare name: `before` succeeded
    for name, task in tasks.items():
        assert task["template"] == name
        assert task["arguments"]["parameters"] == [
            {"name": "slot", "value": "{{inputs.parameters.slot}}"}
        ]


def test_step_containers_run_autotune_step_with_store_study_and_slot_only():
    manifest = compile_task(make_task(), CompileOptions(store="file:///srv/store"))
    by_name = templates(manifest)
    for step in naming.TRIAL_STEPS:
        container = by_name[step]["container"]
        assert container["command"] == ["autotune"]
        assert container["args"] == [
            "step", step, "--store", "{{workflow.parameters.store}}",
            "--study", "{{workflow.parameters.study}}", "--slot", "{{inputs.parameters.slot}}",
        ]  # fmt: skip
    assert by_name["report"]["container"]["args"] == [
        "step", "report", "--store", "{{workflow.parameters.store}}",
        "--study", "{{workflow.parameters.study}}",
    ]  # fmt: skip
    assert spec(manifest)["arguments"]["parameters"] == [
        {"name": "store", "value": "file:///srv/store"},
        {"name": "study", "value": "demo"},
    ]


def test_init_carries_the_validated_task_and_every_slot_needs_it():
    task = make_task(search={"trials": 3})
    manifest = compile_task(task)
    args = templates(manifest)["init"]["container"]["args"]
    assert args[:2] == ["step", "init"]
    encoded = args[args.index("--task-b64") + 1]
    assert task_from_dict(yaml.safe_load(base64.b64decode(encoded))) == task
    assert "{{" not in base64.b64decode(encoded).decode()


def test_one_image_for_every_step_from_the_task_or_the_option():
    task = make_task(pipeline={"image": "registry.local/steps:1.2"})
    for options, image in [
        (CompileOptions(), "registry.local/steps:1.2"),
        (CompileOptions(image="other/steps:9"), "other/steps:9"),
    ]:
        containers = [
            t["container"]
            for t in templates(compile_task(task, options)).values()
            if "container" in t
        ]
        assert len(containers) == len(naming.TRIAL_STEPS) + 2
        assert {c["image"] for c in containers} == {image}


def test_retry_strategy_retries_transient_exit_codes_only():
    manifest = compile_task(make_task(pipeline={"step_retries": 4}))
    for name, template in templates(manifest).items():
        if "dag" in template:
            assert "retryStrategy" not in template, name  # retrying a DAG would rerun a trial
            continue
        retry = template["retryStrategy"]
        assert retry["limit"] == 4 and retry["retryPolicy"] == "Always"
        assert retry["backoff"]["duration"] and int(retry["backoff"]["factor"]) >= 2
        excluded = set(re.findall(r"asInt\(lastRetry\.exitCode\) != (\d+)", retry["expression"]))
        assert excluded == {"2", "3"}
        assert retry["expression"].count("&&") == 1


def test_no_retry_strategy_when_the_task_asks_for_no_retries():
    manifest = compile_task(make_task(pipeline={"step_retries": 0}))
    assert not [t for t in templates(manifest).values() if "retryStrategy" in t]


def test_deadlines_on_leaf_templates_only_from_the_task():
    task = make_task(pipeline={"trial_timeout_s": 1800}, deploy={"ready_timeout_s": 400})
    manifest = compile_task(task)
    by_name = templates(manifest)
    deadlines = {n: t.get("activeDeadlineSeconds") for n, t in by_name.items()}
    assert deadlines["trial"] is None and deadlines["study"] is None  # Argo rejects these
    assert deadlines["benchmark"] == 1800
    assert deadlines["wait-ready"] == 400 + 300
    assert all(0 < by_name[s]["activeDeadlineSeconds"] <= 1800 for s in naming.TRIAL_STEPS)
    rounds = 3  # 5 trials, parallelism 2
    assert spec(manifest)["activeDeadlineSeconds"] >= rounds * 1800


def test_labels_for_study_slot_and_step():
    manifest = compile_task(make_task())
    assert manifest["metadata"]["labels"] == {
        "app.kubernetes.io/part-of": "inference-autotuner",
        "inference-autotuner/task": "demo",
    }
    label_from = spec(manifest)["workflowMetadata"]["labelsFrom"]["inference-autotuner/study"]
    assert label_from == {"expression": "workflow.parameters.study"}
    by_name = templates(manifest)
    for step in naming.TRIAL_STEPS:
        assert by_name[step]["metadata"]["labels"] == {
            "app.kubernetes.io/part-of": "inference-autotuner",
            "inference-autotuner/study": "{{workflow.parameters.study}}",
            "inference-autotuner/step": step,
            "inference-autotuner/slot": "{{inputs.parameters.slot}}",
        }
    assert "inference-autotuner/slot" not in by_name["report"]["metadata"]["labels"]


@pytest.mark.parametrize("kind", ["template", "cron"])
def test_templates_and_crons_use_the_run_name_as_study(kind: Kind):
    task = make_task(pipeline={"schedule": "0 3 * * 1"})
    manifest = compile_task(task, CompileOptions(kind=kind))
    assert manifest["metadata"]["name"] == "demo"
    assert spec(manifest)["arguments"]["parameters"] == [
        {"name": "store", "value": "s3://inference-autotuner"}
    ]
    text = yaml.safe_dump(manifest)
    assert "workflow.parameters.study" not in text
    suggest = templates(manifest)["suggest"]["container"]["args"]
    assert suggest[suggest.index("--study") + 1] == "{{workflow.name}}"


def test_workflow_is_submitted_with_a_generated_name():
    manifest = compile_task(
        make_task(), CompileOptions(namespace="tuning", service_account="autotuner")
    )
    assert manifest["kind"] == "Workflow"
    assert manifest["metadata"]["generateName"] == "demo-"
    assert manifest["metadata"]["namespace"] == "tuning"
    assert spec(manifest)["serviceAccountName"] == "autotuner"


def test_cron_schedule_from_the_task_or_the_option():
    task = make_task(pipeline={"schedule": "0 3 * * 1"})
    assert compile_task(task, CompileOptions(kind="cron"))["spec"]["schedules"] == ["0 3 * * 1"]
    again = compile_task(task, CompileOptions(kind="cron", schedule="@daily"))
    assert again["spec"]["schedules"] == ["@daily"]
    assert again["spec"]["concurrencyPolicy"] == "Forbid"


def test_cron_without_a_schedule_is_a_task_error():
    with pytest.raises(TaskError, match=r"pipeline\.schedule") as caught:
        compile_task(make_task(), CompileOptions(kind="cron"))
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (CompileOptions(store="relative/path"), "--store"),
        (CompileOptions(store="s3://bucket/{{workflow.name}}"), "--store"),
        (CompileOptions(namespace="Not_A_Label"), "--namespace"),
        (CompileOptions(kind="cron", schedule="every day"), "--schedule"),
    ],
)
def test_bad_options_are_task_errors_naming_the_option(options: CompileOptions, message: str):
    with pytest.raises(TaskError, match=message):
        compile_task(make_task(pipeline={"schedule": "@daily"}), options)


def test_large_studies_chain_their_slots_within_the_crd_limits():
    trials, parallelism = 500, 3
    manifest = compile_task(make_task(search={"trials": trials, "parallelism": parallelism}))
    segments = plan(trials, parallelism)
    assert segments is not None
    assert len(spec(manifest)["templates"]) <= MAX_DAG_TASKS
    study = dag_tasks(manifest, "study")
    assert len(study) <= MAX_DAG_TASKS
    seen = []
    for segment in segments:
        tasks = dag_tasks(manifest, segment.name)
        assert 0 < len(tasks) <= MAX_DAG_TASKS
        slots = [int(name.removeprefix("slot-")) for name in tasks]
        assert all(k % parallelism == segment.chain for k in slots)
        for previous, current in itertools.pairwise(slots):
            assert current == previous + parallelism  # k waits for k-P: the slot before it
            assert _waits_for_end_of(tasks[f"slot-{current}"]["depends"], f"slot-{previous}")
        depends = study[segment.name]["depends"]
        if segment.part:
            assert _waits_for_end_of(depends, naming.chain_task(segment.chain, segment.part - 1))
        seen += slots
    assert sorted(seen) == list(range(trials))
    assert all(_waits_for_end_of(study["report"]["depends"], s.name) for s in segments)


def test_small_studies_stay_flat():
    assert plan(MAX_DAG_TASKS - 2, 1) is None
    assert plan(MAX_DAG_TASKS - 1, 1) is not None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("demo-x7k2p.slot-3.benchmark", (3, "benchmark")),
        ("demo-x7k2p.slot-3.benchmark(1)", (3, "benchmark")),
        ("demo-x7k2p.chain-0-1.slot-203.teardown", (203, "teardown")),
        ("demo-x7k2p.init", (None, "init")),
        ("demo-x7k2p.report(0)", (None, "report")),
        ("demo-x7k2p.slot-3", None),
        ("demo-x7k2p", None),
        ("other.slot-3.benchmark", None),
    ],
)
def test_node_names_read_as_slot_and_step(name: str, expected: tuple[int | None, str] | None):
    assert naming.parse_node_name("demo-x7k2p", name) == expected


def test_node_name_scheme_matches_the_dag_nesting():
    """Argo names a node <boundary>.<task>: the study DAG's tasks, then the trial's."""
    manifest = compile_task(make_task(search={"trials": 4}))
    study, trial = dag_tasks(manifest, "study"), dag_tasks(manifest, "trial")
    assert study["slot-3"]["template"] == "trial" and "benchmark" in trial
    assert naming.node_name("demo-x7k2p", 3, "benchmark") == "demo-x7k2p.slot-3.benchmark"
    assert naming.node_path(3, "benchmark", "chain-0-1") == "chain-0-1.slot-3.benchmark"
