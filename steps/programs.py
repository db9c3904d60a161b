"""The step programs of one trial slot, as functions over the store.

Each is idempotent: a slot whose ``result.json`` exists is decided and later
steps leave it alone; a step that finds its own record already written does
nothing. A step that decides a trial's outcome writes ``result.json`` before it
raises, so the exit code (3) and the record always agree.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from steps.deploy import get_deployer
from steps.errors import Infeasible, NotFound, TaskError, TrialFailed
from steps.records import BenchRecord, DeployRecord, PreviousBest, TrialParams, TrialResult
from steps.signals import sigterm_raises
from steps.spec import Task, dump_task, task_from_dict
from steps.store import Layout, Store
from steps.study import Recorded, suggest


@dataclass
class StudyContext:
    store: Store
    study: str

    @cached_property
    def layout(self) -> Layout:
        return Layout(self.study)

    @cached_property
    def task(self) -> Task:
        try:
            text = self.store.read_text(self.layout.task)
        except NotFound:
            raise NotFound(
                f"study {self.study!r} has no task in {self.store.uri}; run `autotune step init` "
                "(or `autotune run TASK`) first"
            ) from None
        return task_from_dict(yaml.safe_load(text))

    def params(self, slot: int) -> TrialParams:
        record = self.store.read_model_or_none(self.layout.params(slot), TrialParams)
        if record is None:
            raise NotFound(f"slot {slot} of {self.study!r} has no params.json; run suggest first")
        return record

    def result(self, slot: int) -> TrialResult | None:
        return self.store.read_model_or_none(self.layout.result(slot), TrialResult)

    def decide(self, slot: int, state: str, reason: str, step: str) -> TrialResult:
        params = self.params(slot)
        result = TrialResult.model_validate(
            {
                "slot": slot,
                "state": state,
                "reason": reason,
                "decided_by": step,
                "params": params.params,
                "kind": params.kind,
                "timings": self.timings(slot),
            }
        )
        self.store.write_model(self.layout.result(slot), result)
        return result

    def timings(self, slot: int) -> dict[str, float]:
        timings: dict[str, float] = {}
        deploy = self.store.read_model_or_none(self.layout.deploy(slot), DeployRecord)
        if deploy is not None and deploy.ready_s is not None:
            timings["engine_start_s"] = round(deploy.ready_s, 3)
        bench = self.store.read_model_or_none(self.layout.metrics(slot), BenchRecord)
        if bench is not None:
            timings["benchmark_s"] = round(bench.duration_s, 3)
        params = self.store.read_model_or_none(self.layout.params(slot), TrialParams)
        if params is not None:
            timings["suggest_to_decision_s"] = round(time.time() - params.created_at, 3)
        return timings


def init(store: Store, study: str, task: Task) -> None:
    """Put the validated task into the store; refuse to mix two tasks in one study."""
    layout = Layout(study)
    text = dump_task(task)
    if store.exists(layout.task):
        existing = task_from_dict(yaml.safe_load(store.read_text(layout.task)))
        if existing != task:
            raise TaskError(
                f"study {study!r} in {store.uri} already holds a different task; "
                "use a new study id (or the same task to resume)"
            )
        return
    store.write_text(layout.task, text)


def step_suggest(ctx: StudyContext, slot: int) -> TrialParams:
    layout = ctx.layout
    existing = ctx.store.read_model_or_none(layout.params(slot), TrialParams)
    if existing is not None:
        return existing
    if slot >= ctx.task.search.trials:
        raise TaskError(f"--slot {slot}: the study has slots 0..{ctx.task.search.trials - 1}")
    history = [
        Recorded(params, ctx.result(other))
        for other in layout.slots(ctx.store)
        if other != slot
        and (params := ctx.store.read_model_or_none(layout.params(other), TrialParams))
    ]
    params = suggest(ctx.task, slot, history, previous_best(ctx))
    ctx.store.write_model(layout.params(slot), params)
    if params.kind == "exhausted":
        ctx.decide(slot, "pruned", f"search space exhausted: {params.sampler}", "suggest")
    return params


def previous_best(ctx: StudyContext) -> PreviousBest | None:
    """The earlier study's best this study starts from, pinned on first use so a resumed
    or retried slot sees the same reference even after newer studies report."""
    pinned = ctx.store.read_model_or_none(ctx.layout.previous, PreviousBest)
    if pinned is not None:
        return pinned
    latest = ctx.store.read_model_or_none(Layout.series(ctx.task.name), PreviousBest)
    if latest is None or latest.study == ctx.study:
        return None
    ctx.store.write_model(ctx.layout.previous, latest)
    return latest


def step_deploy(ctx: StudyContext, slot: int) -> DeployRecord | None:
    if ctx.result(slot) is not None:
        return None
    deployer = get_deployer(ctx.task, ctx.study)
    previous = ctx.store.read_model_or_none(ctx.layout.deploy(slot), DeployRecord)
    if previous is not None:
        # A retried or resumed deploy: never leave the earlier engine behind.
        deployer.teardown(previous)
    # A stop between starting the engine and recording it would leave an engine nobody
    # can find: until deploy.json is written, SIGTERM unwinds and the engine goes with it.
    with sigterm_raises():
        try:
            record = deployer.deploy(slot, ctx.params(slot).flags)
        except Infeasible as exc:
            ctx.decide(slot, "infeasible", exc.reason, "deploy")
            raise
        try:
            ctx.store.write_model(ctx.layout.deploy(slot), record)
        except BaseException:
            deployer.teardown(record)
            raise
    return record


def step_wait_ready(ctx: StudyContext, slot: int) -> DeployRecord | None:
    if ctx.result(slot) is not None:
        return None
    record = _deployed(ctx, slot)
    if record.ready_at is not None:
        return record
    deployer = get_deployer(ctx.task, ctx.study)
    try:
        record = deployer.wait_ready(record, ctx.task.deploy.ready_timeout_s)
    except Infeasible as exc:
        _save_logs(ctx, slot, deployer.logs(record))
        ctx.decide(slot, "infeasible", exc.reason, "wait-ready")
        raise
    # deploy.json is completed here (endpoint, ready time): one record per deployment
    ctx.store.write_model(ctx.layout.deploy(slot), record)
    return record


def step_benchmark(ctx: StudyContext, slot: int) -> BenchRecord | None:
    if ctx.result(slot) is not None:
        return None
    existing = ctx.store.read_model_or_none(ctx.layout.metrics(slot), BenchRecord)
    if existing is not None:
        return existing
    from steps.bench import run_benchmark  # genai-bench tooling is only needed here

    record = _deployed(ctx, slot)
    if record.endpoint is None or record.ready_at is None:
        raise NotFound(f"slot {slot} is not ready; run wait-ready first")
    api_key_env = ctx.task.benchmark.api_key_env
    api_key = os.environ.get(api_key_env) if api_key_env else None
    with tempfile.TemporaryDirectory(prefix=f"bench-{ctx.study}-{slot}-") as tmp:
        try:
            # genai-bench's Excel and plots cost 6-8 s a run and the report draws its own
            outcome = run_benchmark(
                ctx.task,
                record.endpoint,
                record.served_model_name,
                Path(tmp),
                api_key=api_key,
                reports=False,
            )
        except TrialFailed as exc:
            ctx.store.upload_dir(Path(tmp), ctx.layout.bench_dir(slot))
            ctx.decide(slot, "failed", exc.reason, "benchmark")
            raise
        ctx.store.upload_dir(outcome.raw_dir, ctx.layout.bench_dir(slot))
        if outcome.log_path.is_file() and not outcome.log_path.is_relative_to(outcome.raw_dir):
            ctx.store.write_bytes(
                f"{ctx.layout.bench_dir(slot)}/genai-bench.log", outcome.log_path.read_bytes()
            )
    bench = outcome.record(slot)
    ctx.store.write_model(ctx.layout.metrics(slot), bench)
    return bench


def step_score(ctx: StudyContext, slot: int) -> TrialResult:
    from steps.score import score

    existing = ctx.result(slot)
    if existing is not None:
        return existing
    bench = ctx.store.read_model_or_none(ctx.layout.metrics(slot), BenchRecord)
    if bench is None:
        raise NotFound(f"slot {slot} has no metrics.json; run benchmark first")
    result = score(ctx.task, ctx.params(slot), bench)
    result = result.model_copy(update={"timings": ctx.timings(slot)})
    ctx.store.write_model(ctx.layout.result(slot), result)
    return result


def step_teardown(ctx: StudyContext, slot: int, *, interrupted: bool = False) -> None:
    """Stop the slot's engine and keep its log. After a normal end, a slot that still has
    no result is recorded as failed; after an interruption it is left open to resume."""
    record = ctx.store.read_model_or_none(ctx.layout.deploy(slot), DeployRecord)
    if record is not None:
        deployer = get_deployer(ctx.task, ctx.study)
        # logs first: an OME teardown deletes the pods that hold them
        logs = deployer.logs(record)
        deployer.teardown(record)
        _save_logs(ctx, slot, deployer.logs(record) or logs)
    if interrupted or ctx.result(slot) is not None:
        return
    if ctx.store.exists(ctx.layout.params(slot)):
        ctx.decide(slot, "failed", "the trial ended without a result (a step failed)", "teardown")


def teardown_all(ctx: StudyContext, *, interrupted: bool = True) -> list[int]:
    """Tear down every slot that has a deployment: the study-wide exit handler, for a
    workflow that was stopped or timed out before its per-slot teardowns ran."""
    slots = [s for s in ctx.layout.slots(ctx.store) if ctx.store.exists(ctx.layout.deploy(s))]
    for slot in slots:
        step_teardown(ctx, slot, interrupted=interrupted)
    return slots


def step_report(ctx: StudyContext) -> str:
    from steps.report import build_report

    return build_report(ctx.store, ctx.study).text


def _deployed(ctx: StudyContext, slot: int) -> DeployRecord:
    record = ctx.store.read_model_or_none(ctx.layout.deploy(slot), DeployRecord)
    if record is None:
        raise NotFound(f"slot {slot} has no deploy.json; run deploy first")
    return record


def _save_logs(ctx: StudyContext, slot: int, text: str) -> None:
    if text:
        ctx.store.write_text(ctx.layout.engine_log(slot), text)
