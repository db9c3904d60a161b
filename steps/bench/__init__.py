"""The benchmark step's machinery: genai-bench 0.0.5 as a subprocess, parsed and scrubbed.

``command`` builds the argv, ``runner`` runs it and decides success, ``parse`` reads its
result files, ``scrub`` masks API keys in everything it leaves behind.
"""

from __future__ import annotations

from steps.bench.command import BenchCommand, build_command, find_genai_bench
from steps.bench.parse import parse_experiment, parse_run
from steps.bench.runner import BenchOutcome, run_benchmark

__all__ = [
    "BenchCommand",
    "BenchOutcome",
    "build_command",
    "find_genai_bench",
    "parse_experiment",
    "parse_run",
    "run_benchmark",
]
