"""The task spec: pydantic models, cross-field checks, loading and legacy conversion."""

from steps.spec.checks import parameter_values
from steps.spec.legacy import convert_legacy
from steps.spec.loader import dump_task, load_task, load_task_with_notes, parse_text, task_from_dict
from steps.spec.model import SLO, Objective, Parameter, RunRef, Task

__all__ = [
    "SLO",
    "Objective",
    "Parameter",
    "RunRef",
    "Task",
    "convert_legacy",
    "dump_task",
    "load_task",
    "load_task_with_notes",
    "parameter_values",
    "parse_text",
    "task_from_dict",
]
