"""One base error for the project and the few specific ones the steps raise.

Each error carries the exit code a step process ends with, because Argo's
retryStrategy decides from the exit code alone whether to try again
(see DESIGN.md: 2 bad input, 3 infeasible candidate, anything else transient).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_TRANSIENT = 75  # EX_TEMPFAIL from sysexits.h: "try again later"


class AutotuneError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code = EXIT_TRANSIENT


class TaskError(AutotuneError):
    """The task, a parameter or a CLI argument is wrong; nothing was changed.

    ``problems`` holds one line per problem: field path, bad value, what is allowed.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class Infeasible(AutotuneError):
    """The candidate cannot run (engine refused the flags, crashed, OOM, never got ready)."""

    exit_code = EXIT_INFEASIBLE

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class TrialFailed(AutotuneError):
    """The engine ran but the trial produced no usable measurement (every request failed)."""

    exit_code = EXIT_INFEASIBLE

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class TransientError(AutotuneError):
    """Worth retrying: a store or API that did not answer, a timeout outside the candidate."""

    exit_code = EXIT_TRANSIENT


class StoreError(TransientError):
    """The store could not be read or written."""


class NotFound(AutotuneError):
    """A record the step needs is not in the store (a step ran out of order)."""

    exit_code = EXIT_BAD_INPUT
