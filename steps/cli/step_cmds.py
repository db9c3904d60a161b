"""``autotune step ...``: one command per DAG step, exit codes from DESIGN.md."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

import click

from steps.cli.app import guarded, slot_option, step, store_option, study_option
from steps.errors import TaskError


def _context(store_uri: str, study: str) -> Any:
    from steps.programs import StudyContext
    from steps.store import open_store

    return StudyContext(open_store(store_uri), study)


def _flags(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(params.items())) or "(engine defaults)"


@step.command("init")
@store_option
@study_option
@click.option("--task", "task_file", type=click.Path(dir_okay=False), help="Task file to store.")
@click.option(
    "--task-b64", help="The task YAML, base64-encoded (how a compiled workflow carries it)."
)
@guarded
def init_cmd(store_uri: str, study: str, task_file: str | None, task_b64: str | None) -> None:
    """Write the validated task into the store (no-op when the same task is there)."""
    from steps.programs import init
    from steps.spec import load_task, parse_text, task_from_dict
    from steps.store import open_store

    if (task_file is None) == (task_b64 is None):
        raise TaskError("give exactly one of --task FILE or --task-b64 TEXT")
    if task_file is not None:
        task = load_task(task_file)
    else:
        try:
            text = base64.b64decode(task_b64 or "", validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise TaskError("--task-b64: not valid base64 of a UTF-8 task file") from None
        task = task_from_dict(parse_text(text, "--task-b64"))
    init(open_store(store_uri), study, task)
    click.echo(f"study {study}: task {task.name} stored")


def _slot_command(name: str, help_text: str) -> Callable[[Callable[..., Any]], Any]:
    def register(body: Callable[[Any, int], str]) -> Any:
        @step.command(name, help=help_text)
        @store_option
        @study_option
        @slot_option
        @guarded
        def command(store_uri: str, study: str, slot: int) -> None:
            click.echo(body(_context(store_uri, study), slot))

        return command

    return register


@_slot_command("suggest", "Ask the sampler for this slot's parameters (params.json).")
def _suggest(ctx: Any, slot: int) -> str:
    from steps.programs import step_suggest

    params = step_suggest(ctx, slot)
    return f"slot {slot}: {params.kind} {_flags(params.params)}"


@_slot_command("deploy", "Start the slot's engine candidate (deploy.json).")
def _deploy(ctx: Any, slot: int) -> str:
    from steps.programs import step_deploy

    record = step_deploy(ctx, slot)
    return f"slot {slot}: " + (
        "already decided" if record is None else f"started {record.endpoint}"
    )


@_slot_command("wait-ready", "Wait until the engine serves, within deploy.ready_timeout_s.")
def _wait_ready(ctx: Any, slot: int) -> str:
    from steps.programs import step_wait_ready

    record = step_wait_ready(ctx, slot)
    if record is None:
        return f"slot {slot}: already decided"
    return f"slot {slot}: ready at {record.endpoint} after {record.ready_s:.1f}s"


@_slot_command("benchmark", "Run genai-bench against the engine (metrics.json, bench/).")
def _benchmark(ctx: Any, slot: int) -> str:
    from steps.programs import step_benchmark

    bench = step_benchmark(ctx, slot)
    if bench is None:
        return f"slot {slot}: already decided"
    runs = ", ".join(
        f"{r.scenario}@{r.concurrency}: {r.output_throughput:.1f} tok/s" for r in bench.runs
    )
    return f"slot {slot}: {runs}"


@_slot_command("score", "Score the trial against the objective and SLOs (result.json).")
def _score(ctx: Any, slot: int) -> str:
    from steps.programs import step_score

    result = step_score(ctx, slot)
    values = ", ".join(f"{v:.4g}" for v in result.values or [])
    return f"slot {slot}: {result.state} {values} {result.reason or ''}".rstrip()


@step.command("teardown")
@store_option
@study_option
@click.option("--slot", type=click.IntRange(min=0), help="Trial slot (or --all).")
@click.option("--all", "every_slot", is_flag=True, help="Every slot that has a deployment.")
@click.option(
    "--interrupted",
    is_flag=True,
    help="The study was stopped: stop the engine but leave the slot open to resume.",
)
@guarded
def teardown_cmd(
    store_uri: str, study: str, slot: int | None, every_slot: bool, interrupted: bool
) -> None:
    """Stop the slot's engine and keep its log (idempotent; runs whatever happened)."""
    from steps.programs import step_teardown, teardown_all

    if (slot is None) == (not every_slot):
        raise TaskError("give exactly one of --slot K or --all")
    ctx = _context(store_uri, study)
    if every_slot:
        slots = teardown_all(ctx, interrupted=interrupted)
        click.echo(f"torn down slots: {', '.join(map(str, slots)) or 'none'}")
        return
    assert slot is not None
    step_teardown(ctx, slot, interrupted=interrupted)
    click.echo(f"slot {slot}: torn down")


@step.command("report")
@store_option
@study_option
@guarded
def report_cmd(store_uri: str, study: str) -> None:
    """Write the study report (leaderboard, best config, plots) and print its summary."""
    from steps.programs import step_report

    click.echo(step_report(_context(store_uri, study)))
