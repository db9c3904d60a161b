"""The study at a glance: ``report/summary.md`` and the text ``autotune report`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from steps.records import RunMetrics, Stats
from steps.report.leaderboard import Row, to_markdown
from steps.report.loading import StudyData, Trial
from steps.report.objectives import KEY_METRICS, ObjectiveInfo, objectives
from steps.report.ranking import Gain
from steps.store.base import Layout

TOP = 10


@dataclass
class ReportSummary:
    """What the report found; ``text`` is what ``autotune report`` prints."""

    study: str
    store_uri: str
    counts: dict[str, int]
    not_started: int
    best_slot: int | None
    best_command: str | None
    no_best_reason: str | None
    gains: list[str]
    importance: dict[str, float] | None
    importance_note: str
    previous: str | None = None  # comparison with the previous study of the same task
    regression: bool = False
    files: list[str] = field(default_factory=list)
    text: str = ""


def _counts_line(summary: ReportSummary) -> str:
    c = summary.counts
    return (
        f"{c['complete']} complete, {c['infeasible']} infeasible, {c['failed']} failed, "
        f"{c['pruned']} pruned, {c['running']} running, {summary.not_started} not started"
    )


def format_summary(summary: ReportSummary) -> str:
    """The plain-text summary ``autotune report`` prints."""
    lines = [f"study {summary.study}: {_counts_line(summary)}"]
    if summary.best_slot is None:
        lines.append(f"best: none ({summary.no_best_reason})")
    else:
        lines += [f"best: slot {summary.best_slot}", f"command: {summary.best_command}"]
    lines += [f"gain vs baseline: {g}" for g in summary.gains]
    if summary.previous:
        lines.append(f"vs previous study: {summary.previous}")
    if summary.importance:
        ranked = ", ".join(f"{n} {v:.0%}" for n, v in summary.importance.items())
        lines.append(f"parameter importance: {ranked}")
    else:
        lines.append(f"parameter importance: none ({summary.importance_note})")
    report_dir = Layout(summary.study).report()
    lines.append(f"report: {summary.store_uri.rstrip('/')}/{report_dir}/")
    return "\n".join(lines)


def summary_markdown(
    study: StudyData,
    summary: ReportSummary,
    table: Sequence[Row],
    on_front: Sequence[Trial],
    gains: Sequence[Gain],
) -> str:
    task, objs = study.task, objectives(study.task)
    run = task.scored_run
    goal = ", ".join(f"{o.direction} {o.label}" for o in objs)
    out = [
        f"# Tuning report: {study.name}",
        "",
        *([task.description, ""] if task.description else []),
        f"- engine: {task.engine.kind}, model: {task.model.name}",
        f"- objective: {goal}, scored on {run.scenario} at concurrency {run.concurrency}",
        f"- search: {task.search.strategy}, {task.search.trials} trial slots, "
        f"seed {task.search.seed}",
        f"- trials: {_counts_line(summary)}",
        "",
        "## Best config",
        "",
    ]
    best = on_front[0] if on_front else None
    if best is None:
        out += [f"No best config: {summary.no_best_reason}.", ""]
    else:
        values = ", ".join(o.describe((best.values or [])[o.index]) for o in objs)
        flags = " ".join(f"--{k}={v}" for k, v in best.params.items()) or "engine defaults"
        out += [f"Slot {best.slot} ({best.kind}): {values}; tuned flags: {flags}.", ""]
        if best.metrics is not None:
            out += [f"Scored run: {_run_line(best.metrics)}.", ""]
        out += ["```sh", summary.best_command or "", "```", ""]
        if len(objs) > 1:
            slots = ", ".join(str(t.slot) for t in on_front)
            out += [f"Pareto front (slots, best by the first objective first): {slots}.", ""]
    out += ["## Gain over the baseline", ""]
    out += [f"- {g.text()}" for g in gains] + [""]
    if summary.previous:
        out += ["## Compared with the previous study", "", f"- {summary.previous}", ""]
    compact = _compact(table, objs)
    out += [f"## Leaderboard (top {TOP})", ""]
    out += [to_markdown(compact, objs, limit=TOP)]
    out += [
        "Full tables: [leaderboard.md](leaderboard.md), [CSV](leaderboard.csv), "
        "[JSON](leaderboard.json); best config: [best.json](best.json).",
        "",
    ]
    out += [
        "## Plots",
        "",
        "![Objective per trial](objective.png)",
        "",
        "![Output throughput vs TTFT p90](pareto.png)",
        "",
    ]
    if summary.importance:
        out += ["![Parameter importance](importance.png)", ""]
    else:
        out += [f"No parameter importance plot: {summary.importance_note}.", ""]
    return "\n".join(out)


def _run_line(run: RunMetrics) -> str:
    ms = 1000.0

    def lat(stats: Stats | None, stat: str) -> str:
        return "n/a" if stats is None else f"{getattr(stats, stat) * ms:.4g}"

    return (
        f"{run.output_throughput:.4g} tok/s, {run.request_throughput:.3g} req/s, "
        f"TTFT p50/p90 {lat(run.ttft, 'p50')}/{lat(run.ttft, 'p90')} ms, "
        f"TPOT p50 {lat(run.tpot, 'p50')} ms, E2E p90 {lat(run.e2e_latency, 'p90')} ms, "
        f"errors {run.error_rate:.1%} ({run.num_errors}/{run.num_requests})"
    )


def _compact(table: Sequence[Row], objs: Sequence[ObjectiveInfo]) -> list[Row]:
    # The summary's table keeps throughput and TTFT p90 beside the objectives (minus the
    # one an objective already shows); the full leaderboard keeps every column.
    dropped = {*KEY_METRICS, "reason"} - {"output_tok_s", "ttft_p90_ms"}
    dropped |= {c for o in objs if (c := o.key_metric())}
    return [{k: v for k, v in row.items() if k not in dropped} for row in table]
