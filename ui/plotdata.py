"""The numbers behind the study page's two plots, computed live from the records.

The report step draws the same plots as PNGs once the study ends; while it runs, the
page needs them after every trial, so it computes the points here with the report's
own objective and Pareto rules (``steps.report``), and only the drawing differs.
"""

from __future__ import annotations

from typing import Any

from steps.report.loading import StudyData, Trial
from steps.report.objectives import objectives
from steps.report.ranking import pareto_front

MEASURED = ("complete", "infeasible")  # states whose trials carry a scored run


def objective_points(data: StudyData) -> list[dict[str, Any]]:
    """One point per measured trial and objective, with the best-so-far of complete trials.

    ``best_so_far`` is the best value among complete trials up to this slot (slots run
    in order on each worker chain, so slot order is close to time order).
    """
    points: list[dict[str, Any]] = []
    for o in objectives(data.task):
        best: float | None = None
        for trial in sorted(data.trials, key=lambda t: t.slot):
            if not trial.values or trial.state not in MEASURED:
                continue
            value = trial.values[o.index]
            if trial.complete and (best is None or o.better(value, best)):
                best = value
            points.append(
                {
                    "objective": o.label,
                    "slot": trial.slot,
                    "value": value,
                    "state": _state(trial),
                    "best_so_far": best,
                    "params": _params(trial),
                }
            )
    return points


def pareto_points(data: StudyData) -> list[dict[str, Any]]:
    """(TTFT p90 ms, output tok/s) of every measured trial; ``front`` marks the Pareto
    front of the complete ones (min TTFT, max throughput), as the report's plot does."""
    points: list[dict[str, Any]] = []
    for trial in data.trials:
        run = trial.metrics
        if run is None or run.ttft is None or trial.state not in MEASURED:
            continue
        points.append(
            {
                "slot": trial.slot,
                "ttft_p90_ms": run.ttft.p90 * 1000.0,
                "output_tok_s": run.output_throughput,
                "state": _state(trial),
                "front": False,
                "params": _params(trial),
            }
        )
    complete = [p for p in points if p["state"] != "infeasible"]
    xy = [(float(p["ttft_p90_ms"]), float(p["output_tok_s"])) for p in complete]
    for index in pareto_front(xy, [False, True]):
        complete[index]["front"] = True
    return points


def _state(trial: Trial) -> str:
    if trial.kind == "baseline" and trial.complete:
        return "baseline"
    return trial.state if trial.state != "complete" or trial.complete else "failed"


def _params(trial: Trial) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(trial.params.items())) or "engine defaults"
