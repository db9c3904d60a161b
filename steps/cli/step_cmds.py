"""``autotune step ...``: one command per DAG step, exit codes from DESIGN.md."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from pathlib import Path
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


artifacts_option = click.option(
    "--artifacts",
    "artifacts_dir",
    type=click.Path(file_okay=False),
    help="Also copy this step's output into DIR (where Argo collects output artifacts).",
)


def _export(ctx: Any, key: str, dest: Path) -> None:
    """Copy the record ``key`` (one object, or every object under ``key/``) to ``dest``.

    Nothing to copy is not an error: the artifacts Argo collects from here are optional.
    """
    store = ctx.store
    if store.exists(key):
        found = [(key, dest)]
    else:
        found = [(k, dest / k[len(key) + 1 :]) for k in store.list(f"{key}/")]
    for source, target in found:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(store.read_bytes(source))


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


def _slot_command(
    name: str, help_text: str, artifact: str | None = None
) -> Callable[[Callable[..., Any]], Any]:
    """``artifact``: the slot's record (``bench``) that ``--artifacts DIR`` copies to DIR."""

    def register(body: Callable[[Any, int], str]) -> Any:
        @step.command(name, help=help_text)
        @store_option
        @study_option
        @slot_option
        @(artifacts_option if artifact else (lambda f: f))
        @guarded
        def command(
            store_uri: str, study: str, slot: int, artifacts_dir: str | None = None
        ) -> None:
            ctx = _context(store_uri, study)
            try:
                click.echo(body(ctx, slot))
            finally:  # a failed benchmark's raw output is worth showing most of all
                if artifact and artifacts_dir:
                    _export(ctx, ctx.layout.trial(slot, artifact), Path(artifacts_dir) / artifact)

        return command

    return register


@_slot_command("suggest", "Ask the sampler for this slot's parameters (params.json).")
def _suggest(ctx: Any, slot: int) -> str:
    from steps.programs import step_suggest

    params = step_suggest(ctx, slot)
    return f"slot {slot}: {params.kind} {_flags(params.params)}"


@step.command("deploy")
@store_option
@study_option
@slot_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the InferenceService it would create (ome backend); contact no cluster.",
)
@click.option(
    "--runtime",
    "runtime_file",
    type=click.Path(dir_okay=False),
    help="With --dry-run: the ClusterServingRuntime YAML file to render against.",
)
@guarded
def deploy_cmd(
    store_uri: str, study: str, slot: int, dry_run: bool, runtime_file: str | None
) -> None:
    """Start the slot's engine candidate (deploy.json)."""
    ctx = _context(store_uri, study)
    if dry_run or runtime_file:
        from steps.deploy.ome.dryrun import dry_run as render

        if not (dry_run and runtime_file):
            raise TaskError(
                "--dry-run and --runtime FILE go together (a dry run reads the "
                "ClusterServingRuntime from the file, never from a cluster)"
            )
        click.echo(render(ctx.task, study, slot, ctx.params(slot).flags, runtime_file), nl=False)
        return
    from steps.programs import step_deploy

    record = step_deploy(ctx, slot)
    started = None if record is None else record.endpoint or record.handle.get("name")
    click.echo(f"slot {slot}: " + ("already decided" if record is None else f"started {started}"))


@_slot_command("wait-ready", "Wait until the engine serves, within deploy.ready_timeout_s.")
def _wait_ready(ctx: Any, slot: int) -> str:
    from steps.programs import step_wait_ready

    record = step_wait_ready(ctx, slot)
    if record is None:
        return f"slot {slot}: already decided"
    return f"slot {slot}: ready at {record.endpoint} after {record.ready_s:.1f}s"


@_slot_command("benchmark", "Run genai-bench against the engine (metrics.json, bench/).", "bench")
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
@artifacts_option
@guarded
def teardown_cmd(
    store_uri: str,
    study: str,
    slot: int | None,
    every_slot: bool,
    interrupted: bool,
    artifacts_dir: str | None,
) -> None:
    """Stop the slot's engine and keep its log (idempotent; runs whatever happened)."""
    from steps.programs import step_teardown, teardown_all

    if (slot is None) == (not every_slot):
        raise TaskError("give exactly one of --slot K or --all")
    if every_slot and artifacts_dir:
        raise TaskError("--artifacts needs --slot K (it copies that slot's engine.log)")
    ctx = _context(store_uri, study)
    if every_slot:
        slots = teardown_all(ctx, interrupted=interrupted)
        click.echo(f"torn down slots: {', '.join(map(str, slots)) or 'none'}")
        return
    assert slot is not None
    step_teardown(ctx, slot, interrupted=interrupted)
    if artifacts_dir:
        _export(ctx, ctx.layout.engine_log(slot), Path(artifacts_dir) / "engine.log")
    click.echo(f"slot {slot}: torn down")


@step.command("report")
@store_option
@study_option
@artifacts_option
@guarded
def report_cmd(store_uri: str, study: str, artifacts_dir: str | None) -> None:
    """Write the study report (leaderboard, best config, plots) and print its summary."""
    from steps.programs import step_report

    ctx = _context(store_uri, study)
    click.echo(step_report(ctx))
    if artifacts_dir:
        _export(ctx, ctx.layout.report(), Path(artifacts_dir) / "report")
