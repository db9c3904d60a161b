"""Rules that need the whole task or the engine's flag table.

Each returns problems as ``field.path: bad value ...; allowed ...`` lines, so
``autotune validate`` can print all of them at once.
"""

from __future__ import annotations

from itertools import product

from steps.engines import Engine, Flag, get_engine
from steps.spec.model import (
    LATENCY_METRICS,
    CategoricalParam,
    FloatParam,
    IntParam,
    Parameter,
    Scalar,
    Task,
)
from steps.spec.values import did_you_mean

_ENUMERATE_LIMIT = 10_000  # check every value of an int range up to this many


def task_problems(task: Task) -> list[str]:
    engine = get_engine(task.engine.kind)
    problems = _parameter_problems(task, engine)
    problems += _combination_problems(task, engine)
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
        count = round((param.high - param.low) / param.step) + 1
        return [round(param.low + i * param.step, 10) for i in range(count)]
    return None


def _parameter_problems(task: Task, engine: Engine) -> list[str]:
    # `raw: true` exempts a flag the table does not list; a listed flag is always checked,
    # because the table knows which of its values crash the engine.
    problems = []
    for name, param in task.search.parameters.items():
        path = f"search.parameters.{name}"
        flag = engine.flags.get(name)
        if flag is None:
            if not param.raw:
                problems.append(
                    _unknown(path, name, task.engine.kind, engine)
                    + "; declare `raw: true` to pass an unlisted flag unchecked"
                )
            continue
        problems += _value_problems(path, name, task.engine.kind, flag, param)
    for name, value in task.search.fixed.items():
        path = f"search.fixed.{name}"
        flag = engine.flags.get(name)
        if name in task.search.parameters:
            problems.append(f"{path}: --{name} is both fixed and tuned; allowed: one of the two")
        elif flag is None:
            problems.append(
                _unknown(path, name, task.engine.kind, engine)
                + "; to pass an unlisted flag, tune it as a one-value parameter with `raw: true`"
            )
        elif problem := flag.problem(value):
            problems.append(_rejected(path, value, name, task.engine.kind, flag, problem))
    return problems


def _unknown(path: str, name: str, kind: str, engine: Engine) -> str:
    hint = did_you_mean(name, engine.flags, prefix="--")
    return (
        f"{path}: {kind} has no flag --{name}{hint}; known flags: {', '.join(sorted(engine.flags))}"
    )


def _rejected(path: str, value: Scalar, name: str, kind: str, flag: Flag, problem: str) -> str:
    why = f": {flag.why}" if flag.why else ""
    return f"{path}: {value!r} is rejected by {kind} --{name}{why}; {problem}"


def _value_problems(path: str, name: str, kind: str, flag: Flag, param: Parameter) -> list[str]:
    if flag.kind == "bool" and not isinstance(param, CategoricalParam):
        return [
            f"{path}.type: --{name} is a switch; allowed: categorical with choices [true, false]"
        ]
    if flag.kind in ("int", "str") and isinstance(param, FloatParam):
        allowed = "int or categorical" if flag.kind == "int" else "categorical"
        return [
            f"{path}.type: 'float' does not fit --{name}, which takes {flag.kind} values; "
            f"allowed: {allowed}"
        ]
    if isinstance(param, CategoricalParam) or param.values is not None:
        field = "choices" if isinstance(param, CategoricalParam) else "values"
        values = parameter_values(param) or []
        return [
            _rejected(f"{path}.{field}[{i}]", value, name, kind, flag, problem)
            for i, value in enumerate(values)
            if (problem := flag.problem(value))
        ]
    assert param.low is not None and param.high is not None
    if flag.choices:
        return _enumerated_problems(path, name, kind, flag, parameter_values(param))
    # A range is checked at its ends against the range proper: sentinels such as -1
    # ("off") are single values, and a range from one to the other would pass through
    # values neither allows.
    problems = []
    for end in ("low", "high"):
        value = getattr(param, end)
        problem = flag.range_problem(float(value))
        if problem and value in flag.also:
            problems.append(
                f"{path}.{end}: {value!r} is a special value of {kind} --{name} and cannot end "
                f"a range (the values in between are invalid); {problem.split(' (or')[0]} for a "
                f"range, {value!r} only in values or choices"
            )
        elif problem:
            problems.append(_rejected(f"{path}.{end}", value, name, kind, flag, problem))
    return problems


def _enumerated_problems(
    path: str, name: str, kind: str, flag: Flag, values: list[Scalar] | None
) -> list[str]:
    """A range over a flag that takes a fixed set: every value in it must be in the set."""
    allowed = ", ".join(map(str, flag.choices))
    if values is None or len(values) > _ENUMERATE_LIMIT:
        return [
            f"{path}: a range cannot fit --{name}, which takes one of {allowed}; allowed: values"
        ]
    for value in values:
        if flag.problem(value):
            rejected = f"the range includes {value!r}, rejected by {kind} --{name}"
            return [f"{path}: {rejected}; allowed: {allowed}"]
    return []


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
    always = dict(task.search.fixed)
    for combo in product(*(grids[n] or [] for n in names)):
        candidate = always | dict(zip(names, combo, strict=True))
        if not engine.combination_problems(candidate):
            return []
    example = always | {n: values[0] for n, values in grids.items() if values}
    detail = "; ".join(engine.combination_problems(example))
    return [
        f"search.parameters: every candidate is rejected by {task.engine.kind}, e.g. {detail}; "
        "allowed: a space with at least one working combination"
    ]


def _objective_problems(task: Task) -> list[str]:
    objective, bench = task.objective, task.benchmark
    problems = []
    runs = [f"{s}@{c}" for s in bench.scenarios for c in bench.concurrency]
    if objective.at is not None:
        if objective.at.scenario not in bench.scenarios:
            problems.append(
                f"objective.at.scenario: {objective.at.scenario!r} is not a benchmarked scenario; "
                f"allowed: {', '.join(bench.scenarios)}"
            )
        if objective.at.concurrency not in bench.concurrency:
            problems.append(
                f"objective.at.concurrency: {objective.at.concurrency} is not a benchmarked "
                f"concurrency level; allowed: {', '.join(map(str, bench.concurrency))}"
            )
    elif len(runs) > 1:
        problems.append(
            f"objective.at: missing, and the benchmark has {len(runs)} runs; "
            f"allowed: one of {', '.join(runs)}, e.g. at: {{scenario: '{bench.scenarios[0]}', "
            f"concurrency: {bench.concurrency[-1]}}}"
        )
    if len(objective.directions) != len(objective.metrics):
        problems.append(
            f"objective.direction: {len(objective.directions)} directions for "
            f"{len(objective.metrics)} metrics; allowed: one direction per metric"
        )
    if len(set(objective.metrics)) != len(objective.metrics):
        problems.append(
            f"objective.metric: {objective.metrics} repeats a metric; allowed: each once"
        )
    if objective.stat != "mean" and not any(m in LATENCY_METRICS for m in objective.metrics):
        problems.append(
            f"objective.stat: {objective.stat!r} applies to latency metrics only, and the "
            f"objective has {objective.metrics}; allowed: mean"
        )
    return problems


def _search_problems(task: Task) -> list[str]:
    search, metrics = task.search, task.objective.metrics
    problems = []
    if search.strategy == "nsga2" and len(metrics) != 2:
        problems.append(
            f"objective.metric: nsga2 searches two objectives, got {metrics}; "
            "allowed: two metrics, e.g. [output_throughput, ttft]"
        )
    if len(metrics) > 2:
        problems.append(
            f"objective.metric: {len(metrics)} objectives {metrics}; allowed: one or two"
        )
    if search.strategy == "grid":
        for name, param in search.parameters.items():
            if parameter_values(param) is None:
                problems.append(
                    f"search.parameters.{name}: a continuous range cannot be a grid; "
                    "allowed: values, choices or a step"
                )
    if search.parallelism > search.trials:
        problems.append(
            f"search.parallelism: {search.parallelism} is more than the {search.trials} trials; "
            f"allowed: 1..{search.trials}"
        )
    if search.baseline and search.trials < 2:
        problems.append(
            f"search.trials: {search.trials} leaves no slot to search, as the baseline takes "
            "slot 0; allowed: >= 2, or baseline: false"
        )
    return problems
