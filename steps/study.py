"""``suggest``: rebuild the Optuna study from the store's records and ask for one slot.

Nothing but the store holds study state, so every call starts from the recorded
trials (complete, infeasible, failed and still running) and a sampler seeded from
the task seed and the slot: the same history and seed give the same suggestion.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, TrialState, create_trial

from steps.records import PreviousBest, Scalar, TrialParams, TrialResult
from steps.spec import Task, parameter_values
from steps.spec.model import CategoricalParam, IntParam

# Infeasible and failed trials carry this constraint > 0: optuna 5's TPE and NSGA-II rank
# every violating trial below the feasible ones, which steers the search away from them.
CONSTRAINT = "feasibility"
MAX_DUPLICATE_ANSWERS = 200
# Answering a duplicate reinforces TPE's belief in that very point, so in a small space
# it can keep proposing it; after this many answers a seeded random sampler takes over.
SAMPLER_DUPLICATE_BUDGET = 25
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recorded:
    """One slot as the store knows it: what was asked and, if decided, what came out."""

    params: TrialParams
    result: TrialResult | None


def distributions(task: Task) -> dict[str, BaseDistribution]:
    dists: dict[str, BaseDistribution] = {}
    for name, param in task.search.parameters.items():
        if isinstance(param, CategoricalParam):
            dists[name] = CategoricalDistribution(param.choices)
        elif param.values is not None:
            dists[name] = CategoricalDistribution(param.values)
        elif isinstance(param, IntParam):
            assert param.low is not None and param.high is not None
            dists[name] = IntDistribution(param.low, param.high, log=param.log, step=param.step)
        else:
            assert param.low is not None and param.high is not None
            dists[name] = FloatDistribution(param.low, param.high, log=param.log, step=param.step)
    return dists


def slot_seed(seed: int, slot: int) -> int:
    # A sampler seeded with the task seed alone would ask the same first point in every
    # parallel slot that sees the same history; mixing in the slot keeps them apart.
    return (seed * 1_000_003 + slot) % (2**32)


def make_sampler(task: Task, slot: int) -> optuna.samplers.BaseSampler:
    seed = slot_seed(task.search.seed, slot)
    strategy = task.search.strategy
    if strategy == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if strategy == "grid":
        grid = {n: parameter_values(p) or [] for n, p in task.search.parameters.items()}
        return optuna.samplers.GridSampler(grid, seed=task.search.seed)
    if strategy == "nsga2":
        population = max(4, min(20, task.search.trials // 4))
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=population)
    startup = max(3, min(10, task.search.trials // 3))
    return optuna.samplers.TPESampler(
        seed=seed,
        constant_liar=True,
        n_startup_trials=startup,
        multivariate=True,
    )


def suggest(
    task: Task, slot: int, history: Sequence[Recorded], previous: PreviousBest | None = None
) -> TrialParams:
    """The parameters for ``slot`` given every other slot's records.

    ``previous`` is an earlier study's best: it is measured again right after the
    baseline, so a recurring study starts from what was best last time.
    """
    fixed = dict(task.search.fixed)
    if task.search.baseline and slot == 0:
        return TrialParams(slot=0, kind="baseline", params={}, fixed=fixed, sampler="baseline")
    dists = distributions(task)
    first_sampled = 1 if task.search.baseline else 0
    if previous is not None and slot == first_sampled and _fits(previous.params, dists):
        return TrialParams(
            slot=slot,
            kind="enqueued",
            params=dict(previous.params),
            fixed=fixed,
            sampler=f"best of study {previous.study}",
        )
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        directions=task.objective.directions, sampler=make_sampler(task, slot)
    )
    others = [r for r in history if r.params.slot != slot and r.params.kind != "baseline"]
    penalties = _penalties(task, others)
    for record in others:
        frozen = _frozen(record, dists, penalties)
        if frozen is not None:
            study.add_trial(frozen)
    seen = {_key(r.params.params): r for r in others if r.params.params}
    if len(seen) >= _space_size(task):
        return _exhausted(task, slot, fixed, "every point of the search space has been measured")
    answered = 0
    while answered <= MAX_DUPLICATE_ANSWERS:
        if answered == SAMPLER_DUPLICATE_BUDGET:
            study.sampler = optuna.samplers.RandomSampler(seed=slot_seed(task.search.seed, slot))
        trial = study.ask(dists)
        params: dict[str, Scalar] = dict(trial.params)
        earlier = seen.get(_key(params))
        if earlier is None:
            return TrialParams(
                slot=slot,
                kind="sampled",
                params=params,
                fixed=fixed,
                sampler=type(study.sampler).__name__,
                seed=slot_seed(task.search.seed, slot),
                duplicates_answered=answered,
            )
        # Measuring the same configuration again teaches nothing: answer the sampler
        # from the recorded outcome and ask again (DESIGN.md: fewer engine runs).
        answered += 1
        _answer(study, trial, earlier, penalties)
    return _exhausted(task, slot, fixed, f"{answered} proposals in a row were already measured")


def _exhausted(task: Task, slot: int, fixed: dict[str, Scalar], why: str) -> TrialParams:
    return TrialParams(
        slot=slot, kind="exhausted", params={}, fixed=fixed, sampler=why, seed=task.search.seed
    )


def _space_size(task: Task) -> float:
    size = 1.0
    for param in task.search.parameters.values():
        values = parameter_values(param)
        size *= float("inf") if values is None else len(values)
    return size


def _key(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in params.items()))


def _penalties(task: Task, records: Sequence[Recorded]) -> list[float]:
    """Stand-in objective values for trials that produced none: the worst seen, per objective."""
    feasible = [r.result.values for r in records if r.result and r.result.values]
    worst = []
    for i, direction in enumerate(task.objective.directions):
        seen = [v[i] for v in feasible]
        if direction == "maximize":
            worst.append(min(seen, default=0.0))
        else:
            worst.append(max(seen, default=1e9))
    return worst


def _fits(params: dict[str, Scalar], dists: dict[str, BaseDistribution]) -> bool:
    """Whether a recorded configuration lies in the current search space."""
    if set(params) != set(dists):
        return False
    try:
        return all(dists[n]._contains(dists[n].to_internal_repr(v)) for n, v in params.items())
    except (ValueError, TypeError):
        return False


def _frozen(
    record: Recorded, dists: dict[str, BaseDistribution], penalties: list[float]
) -> FrozenTrial | None:
    params = record.params.params
    if not params or not _fits(params, dists):
        return None  # baseline, exhausted, or a slot from an older search space
    result = record.result
    if result is None:
        return create_trial(state=TrialState.RUNNING, params=params, distributions=dists)
    state, values, violation = _outcome(result, penalties)
    if state is TrialState.FAIL:
        return create_trial(state=state, params=params, distributions=dists)
    return create_trial(
        state=state,
        params=params,
        distributions=dists,
        values=values,
        constraints={CONSTRAINT: violation},
    )


def _outcome(result: TrialResult, penalties: list[float]) -> tuple[TrialState, list[float], float]:
    """How a recorded outcome is told to optuna: infeasible and failed trials are complete
    but violate a constraint, which TPE and NSGA-II rank below every feasible trial."""
    if result.state == "complete" and result.values:
        return TrialState.COMPLETE, list(result.values), 0.0
    if result.state == "pruned":
        return TrialState.FAIL, [], 0.0
    values = list(result.values) if result.values else list(penalties)
    violation = sum(v for v in result.violations.values() if v > 0) or 1.0
    return TrialState.COMPLETE, values, violation


def _answer(
    study: optuna.Study, trial: optuna.Trial, earlier: Recorded, penalties: list[float]
) -> None:
    if earlier.result is None:
        # A running twin has no outcome yet; failing the proposal moves the sampler on.
        study.tell(trial, state=TrialState.FAIL)
        return
    state, values, violation = _outcome(earlier.result, penalties)
    if state is TrialState.FAIL:
        study.tell(trial, state=TrialState.FAIL)
        return
    trial.set_constraint(CONSTRAINT, violation)
    study.tell(trial, values)


def grid_points(task: Task) -> list[dict[str, Scalar]]:
    """Every point of a finite search space, in declaration order (used by tests and UIs)."""
    names = list(task.search.parameters)
    grids = [parameter_values(task.search.parameters[n]) or [] for n in names]
    return [dict(zip(names, combo, strict=True)) for combo in product(*grids)]
