"""The local executor: runs a compiled Argo Workflow manifest on this machine.

``parse_workflow`` reads (and refuses) a manifest, ``Executor`` runs it, writing a
node-status record shaped like Argo's ``status.nodes``. ``study`` is the autotuner's
use of it: run, resume and retry a study, tear engines down on interruption.
"""

from pipelines.executor.executor import Executor, Outcome, StatusSink
from pipelines.executor.manifest import UnsupportedManifest, parse_workflow
from pipelines.executor.runtime import ExecutorOptions

__all__ = [
    "Executor",
    "ExecutorOptions",
    "Outcome",
    "StatusSink",
    "UnsupportedManifest",
    "parse_workflow",
]
