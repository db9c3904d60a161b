"""``autotune`` steps forked from a warm interpreter instead of a fresh one.

A fresh ``python -m steps`` spends 0.3-0.9 s importing pydantic, optuna and friends
before a step does any work; six steps a trial make that most of the orchestration
overhead. multiprocessing's forkserver imports the step modules once, in a
single-threaded server, and forks each step from it: the step is still its own
process in its own session (so the executor signals its group as before), with its
own log, environment and exit code, but starts in milliseconds.
Set ``AUTOTUNE_WARM_STEPS=0`` to run every step as a plain ``exec``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path

PRELOAD = [
    "steps.cli",
    "steps.programs",
    "steps.study",
    "steps.score",
    "steps.bench",
    "steps.report",
    "steps.deploy.local",
    "steps.store",
]
_context: ForkServerContext | None = None


def step_args(argv: Sequence[str]) -> list[str] | None:
    """The CLI arguments when ``argv`` runs the autotune CLI with this interpreter."""
    if os.environ.get("AUTOTUNE_WARM_STEPS", "1") == "0":
        return None
    if list(argv[:3]) == [sys.executable, "-m", "steps"]:
        return list(argv[3:])
    return None


def start(args: Sequence[str], env: Mapping[str, str], log_path: Path) -> BaseProcess:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    process = _context.Process(
        target=_run, args=(list(args), dict(env), str(log_path)), name="autotune-step"
    )
    process.start()
    return process


def _run(args: list[str], env: dict[str, str], log_path: str) -> None:
    os.setsid()  # a session of its own, like an exec'd step: the executor signals the group
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.environ.clear()
    os.environ.update(env)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    from steps.cli import main

    # click ends with SystemExit(code); multiprocessing turns that into the exit code
    main(args=args, prog_name="autotune")
