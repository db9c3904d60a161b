"""Rules that need the whole task or the engine's flag table.

Each returns problems as ``field.path: bad value ...; allowed ...`` lines, so
``autotune validate`` can print all of them at once.
"""

from __future__ import annotations

from itertools import product

from steps.engines import Engine, get_engine
from steps.spec.model import (
    LATENCY_METRICS,
    CategoricalParam,
    FloatParam,
    IntParam,
    Parameter,
    Scalar,
    Task,
)


def task_problems(task: Task) -> list[str]:
    engine = get_engine(task.engine.kind)
    problems = _parameter_problems(task, engine)
    problems += _objective_problems(task)
    problems += _search_problems(task)
    return problems


def parameter_values(param: Parameter) -> list[Scalar] | None:
    """Every value a parameter can take, or None for a continuous range."""
    if isinstance(param, CategoricalParam):
        return list(param.choices)
    if param.values is not None:
        return list(param.values)
    if isinstance(param, IntParam):
        assert param.low is not None and param.high is not None
        return list(range(param.low, param.high + 1, param.step))
    if param.step is not None:
        assert param.low is not None and param.high is not None
        count = int(round((param.high - param.low) / param.step)) + 1
        return [round(param.low + i * param.step, 10) for i in range(count)]
    return None


def _extremes(param: Parameter) -> list[Scalar]:
    if isinstance(param, CategoricalParam) or param.values is not None:
        return parameter_values(param) or []
    assert param.low is not None and param.high is not None
    return [param.low, param.high]


def _parameter_problems(task: Task, engine: Engine) -> list[str]:
    problems = []
    kind = task.engine.kind
    known = ", ".join(sorted(engine.flags))
    for name, param in task.search.parameters.items():
        path = f"search.parameters.{name}"
        flag = engine.flags.get(name)
        if flag is None:
            if not param.raw:
                problems.append(
                    f"{path}: {kind} has no flag --{name}; known flags: {known} "
                    "(declare `raw: true` to pass an unlisted flag as is)"
                )
            continue
        if flag.kind == "bool" and not isinstance(param, CategoricalParam):
            problems.append(f"{path}: --{name} is a switch; use type: categorical, choices: [true, false]")
            continue
        if flag.kind in ("int", "str") and isinstance(param, FloatParam):
            problems.append(f"{path}: --{name} takes {flag.kind} values, not float")
            continue
        for value in _extremes(param):
            problem = flag.problem(value)
            if problem:
                problems.append(f"{path}: value {value!r} for --{name} is rejected: {problem}")
    for name, value in task.search.fixed.items():
        path = f"search.fixed.{name}"
        if name in task.search.parameters:
            problems.append(f"{path}: {name} is both fixed and tuned; keep one")
        flag = engine.flags.get(name)
        if flag is None:
            problems.append(f"{path}: {kind} has no flag --{name}; known flags: {known}")
        elif problem := flag.problem(value):
            problems.append(f"{path}: value {value!r} for --{name} is rejected: {problem}")
    problems += _combination_problems(task, engine)
    return problems


def _combination_problems(task: Task, engine: Engine) -> list[str]:
    """Combinations that crash or mislead the engine, checked when the space is small."""
    params = task.search.parameters
    grids = {n: parameter_values(p) for n, p in params.items()}
    if any(v is None for v in grids.values()):
        return []
    names = list(grids)
    total = 1
    for values in grids.values():
        total *= len(values or [])
    if total > 20_000:
        return []
    always = {name: value for name, value in task.search.fixed.items()}
    for combo in product(*(grids[n] or [] for n in names)):
        candidate = always | dict(zip(names, combo, strict=True))
        if not engine.combination_problems(candidate):
            return []
    example = always | {n: (grids[n] or [None])[0] for n in names}
    detail = "; ".join(engine.combination_problems(example))  # type: ignore[arg-type]
    return [f"search.parameters: every candidate is rejected by {task.engine.kind}: {detail}"]


def _objective_problems(task: Task) -> list[str]:
    objective, bench = task.objective, task.benchmark
    problems = []
    runs = [f"{s}@{c}" for s in bench.scenarios for c in bench.concurrency]
    if objective.at is not None and (
        objective.at.scenario not in bench.scenarios
        or objective.at.concurrency not in bench.concurrency
    ):
        problems.append(
            f"objective.at: {objective.at.scenario}@{objective.at.concurrency} is not among the "
            f"benchmarked runs; allowed: {', '.join(runs)}"
        )
    if objective.at is None and len(runs) > 1:
        problems.append(
            f"objective.at: the benchmark has {len(runs)} runs; say which one scores a trial, "
            f"one of: {', '.join(runs)}"
        )
    if len(objective.directions) != len(objective.metrics):
        problems.append(
            f"objective.direction: {len(objective.directions)} directions for "
            f"{len(objective.metrics)} metrics; give one per metric"
        )
    if len(set(objective.metrics)) != len(objective.metrics):
        problems.append(f"objective.metric: {objective.metrics} repeats a metric")
    if objective.stat != "mean" and not any(m in LATENCY_METRICS for m in objective.metrics):
        problems.append(f"objective.stat: {objective.stat!r} applies to latency metrics only")
    return problems


def _search_problems(task: Task) -> list[str]:
    search, metrics = task.search, task.objective.metrics
    problems = []
    if search.strategy == "nsga2" and len(metrics) != 2:
        problems.append(
            f"objective.metric: nsga2 searches two objectives, got {metrics}; "
            "give two, e.g. [output_throughput, ttft]"
        )
    if len(metrics) > 2:
        problems.append(f"objective.metric: at most two objectives, got {metrics}")
    if search.strategy == "grid":
        for name, param in search.parameters.items():
            if parameter_values(param) is None:
                problems.append(
                    f"search.parameters.{name}: grid search needs a finite set; "
                    "give values, choices or a step"
                )
    if search.parallelism > search.trials:
        problems.append(
            f"search.parallelism: {search.parallelism} > trials {search.trials}; "
            f"allowed: 1..{search.trials}"
        )
    if search.baseline and search.trials < 2:
        problems.append("search.trials: baseline takes slot 0; allowed: >= 2 with baseline: true")
    return problems
