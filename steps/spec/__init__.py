"""The task spec: pydantic models, cross-field checks, loading and legacy conversion."""

from steps.spec.checks import parameter_values
from steps.spec.loader import dump_task, load_task, parse_text, task_from_dict
from steps.spec.model import SLO, Objective, Parameter, RunRef, Task

__all__ = [
    "SLO",
    "Objective",
    "Parameter",
    "RunRef",
    "Task",
    "dump_task",
    "load_task",
    "parameter_values",
    "parse_text",
    "task_from_dict",
]
