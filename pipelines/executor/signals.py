"""SIGINT / SIGTERM turned into a flag the executor's loop checks.

The loop, not the signal handler, stops the step processes and tears down what they
started: a handler that raised in the middle of a store write or a process launch
could leave exactly the half-done state the executor must never leave.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Caught:
    def __init__(self) -> None:
        self.signum: int | None = None
        self.count = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.signum is None:
            self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else ""


@contextmanager
def caught_signals() -> Iterator[Caught]:
    """Catch SIGINT and SIGTERM while the block runs (main thread only; elsewhere the
    caller's own handling stays, and the returned flag never goes up)."""
    caught = Caught()
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = {sig: signal.signal(sig, caught) for sig in HANDLED}
    try:
        yield caught
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
