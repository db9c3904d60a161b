"""The per-slot DAG: suggest -> deploy -> wait-ready -> benchmark -> score, then teardown.

One ``trial`` template serves every slot through its ``slot`` input, so a study's size
grows by one small DAG task per slot, not by a template per slot.

Teardown is a DAG task with a ``depends`` on every phase rather than an exit hook:
- it runs after whatever happened: each step depends on the previous one having
  succeeded, so a failure Omits the rest of the chain, and Omitted is a phase too;
- it shows as a node of its own (``slot-3.teardown``) next to the step that failed;
- the local executor needs one mechanism (evaluate ``depends``), not two;
- a failure it handles does not fail the slot: Argo takes a DAG's phase from its leaf
  tasks, and teardown is the only leaf. An infeasible candidate is a result, recorded in
  the store, not a broken study; the failed step keeps its own Failed phase.

In cluster mode the GPU semaphore sits on this template, so a slot holds it from
suggest to teardown, deploy..teardown included. Not on a nested DAG around deploy..
teardown: suggest runs only once the slot may deploy, so a slot that queued for a GPU
suggests from every result recorded meanwhile (with the lock around deploy only, it
would deploy a suggestion made before the wait); suggest costs the lock seconds. And
the slot keeps one shape in both modes: same node names, same teardown after a failed
suggest, same slot phase.
"""

from __future__ import annotations

from hera.workflows import DAG, Container, Parameter, Task
from hera.workflows.models import DAGTask, Synchronization

from pipelines import naming
from pipelines.containers import SLOT_REF
from pipelines.depends import ended

# Each step runs only if the one before it succeeded, so the last step ends (Succeeded,
# Failed, Errored, or Omitted after an earlier failure) only once every step has ended:
# waiting for it in any phase covers a failure at every step, suggest included (teardown
# then finds nothing deployed and records the slot as failed).
TEARDOWN_DEPENDS = ended(naming.TRIAL_SEQUENCE[-1])


def trial_dag(steps: dict[str, Container], synchronization: Synchronization | None = None) -> DAG:
    """The ``trial`` DAG template over the step templates, keyed by step name.

    ``synchronization`` (cluster mode) is the GPU semaphore, held by the whole slot.
    """
    slot_argument = {naming.PARAM_SLOT: SLOT_REF}
    tasks: list[Task | DAGTask] = []
    previous: str | None = None
    for step in naming.TRIAL_SEQUENCE:
        tasks.append(
            Task(name=step, template=steps[step], arguments=slot_argument, depends=previous)
        )
        previous = step
    tasks.append(
        Task(
            name=naming.TEARDOWN,
            template=steps[naming.TEARDOWN],
            arguments=slot_argument,
            depends=TEARDOWN_DEPENDS,
        )
    )
    return DAG(
        name=naming.TRIAL,
        inputs=[Parameter(name=naming.PARAM_SLOT)],
        tasks=tasks,
        synchronization=synchronization,
    )
