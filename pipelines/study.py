"""The top-level DAG: init, then N trial slots in P chains, then report.

Slot k waits for slot k-P to have ended in any phase: P worker chains with no round
barrier, so a slow trial delays only its own chain. Every slot also needs ``init``
to have succeeded (the task must be in the store before anything reads it); when init
fails, every slot is Omitted and so is the report. The study's phase is the report's:
Argo takes a DAG's phase from its leaves, and a failed trial is a recorded result,
not a failed study.

Two shapes, because the Argo v4 CRD caps a DAG at 200 tasks (``maxItems``):
- flat (N + 2 <= 200): the slot tasks sit in the study DAG itself, so slot 3's
  benchmark node is ``<workflow>.slot-3.benchmark``;
- chained: each chain's slots go into DAG templates ``chain-<c>-<part>`` of at most
  ``SEGMENT`` slots, one after the other; node ``<workflow>.chain-0-1.slot-3.benchmark``.
Both keep the same order of slots: a segment waits for the previous segment of its
chain to end, which is the same as its first slot waiting for the slot before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hera.workflows import DAG, Container, Task
from hera.workflows.models import DAGTask

from pipelines import naming
from pipelines.depends import all_of, ended

MAX_DAG_TASKS = 200  # the CRD's maxItems on dag.tasks, and on spec.templates
SEGMENT = MAX_DAG_TASKS


@dataclass(frozen=True)
class Segment:
    """A run of consecutive slots of one chain, compiled as one DAG template."""

    name: str
    chain: int
    part: int
    slots: tuple[int, ...]


def plan(trials: int, parallelism: int) -> list[Segment] | None:
    """The chain segments of a study, or None when the slots fit in the study DAG."""
    if trials + 2 <= MAX_DAG_TASKS:
        return None
    segments = []
    for chain in range(min(parallelism, trials)):
        slots = range(chain, trials, parallelism)
        for part, start in enumerate(range(0, len(slots), SEGMENT)):
            chunk = tuple(slots[start : start + SEGMENT])
            segments.append(Segment(naming.chain_task(chain, part), chain, part, chunk))
    return segments


def study_templates(
    trials: int, parallelism: int, init: Container, trial: DAG, report: Container
) -> list[DAG]:
    """The study DAG (first, the entrypoint) and, when chained, the segment DAGs."""
    segments = plan(trials, parallelism)
    if segments is None:
        slots = [_slot(k, trial, slot_depends(k, parallelism)) for k in range(trials)]
        last = [naming.slot_task(k) for k in range(trials)]
        return [_study([Task(name=naming.INIT, template=init), *slots], last, report)]
    templates: list[DAG] = []
    tasks: list[Task | DAGTask] = [Task(name=naming.INIT, template=init)]
    for segment in segments:
        template = _segment_dag(segment, trial)
        templates.append(template)
        previous = naming.chain_task(segment.chain, segment.part - 1) if segment.part else ""
        depends = all_of(naming.INIT, ended(previous) if previous else "")
        tasks.append(Task(name=segment.name, template=template, depends=depends))
    study = _study(tasks, [segment.name for segment in segments], report)
    return [study, *templates]


def slot_depends(slot: int, parallelism: int) -> str:
    """Flat shape: ``init``, and for slot k >= P, slot k-P having ended whatever its outcome."""
    if slot < parallelism:
        return naming.INIT
    return all_of(naming.INIT, ended(naming.slot_task(slot - parallelism)))


def _study(tasks: list[Task | DAGTask], awaited: list[str], report: Container) -> DAG:
    # The report names everything it waits for, so the manifest says "after all slots"
    # where a reader (or the local executor) looks for it.
    depends = all_of(naming.INIT, *(ended(name) for name in awaited))
    return DAG(
        name=naming.ENTRYPOINT,
        tasks=[*tasks, Task(name=naming.REPORT, template=report, depends=depends)],
    )


def _segment_dag(segment: Segment, trial: DAG) -> DAG:
    tasks: list[Task | DAGTask] = [
        _slot(slot, trial, ended(naming.slot_task(segment.slots[i - 1])) if i else None)
        for i, slot in enumerate(segment.slots)
    ]
    return DAG(name=segment.name, tasks=tasks)


def _slot(slot: int, trial: DAG, depends: str | None) -> Task:
    return Task(
        name=naming.slot_task(slot),
        template=trial,
        arguments={naming.PARAM_SLOT: str(slot)},
        depends=depends,
    )
