"""One step attempt as a child process group: what a pod is to Argo.

Each attempt starts in a session of its own, so a terminal's Ctrl-C reaches only the
executor (which then stops the attempts in order) and the whole group can be signalled
at once. When the attempt's main process ends, whatever it left in its group is killed,
as a pod's containers die with it. Processes a step deliberately detaches into a
session of their own (an engine the deploy step starts) are not in the group: they
belong to the step programs, which stop them by the pid they recorded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipelines.executor import warm

KILL_GRACE_S = 10.0  # Kubernetes' default terminationGracePeriodSeconds is 30; steps stop fast


class _Exec:
    """A step exec'd as a program of its own."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], log_path: Path) -> None:
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed when the attempt ends
        try:
            self.proc = subprocess.Popen(  # argv list, never a shell
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=dict(env),
            )
        except OSError:
            self._log.close()
            raise
        self.pid = self.proc.pid

    def exited(self) -> bool:
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None

    def wait(self) -> int:
        code = self.proc.wait()
        self._log.close()
        return code


class _Warm:
    """An ``autotune`` step forked from the warm step server (see ``warm``)."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str], log_path: Path) -> None:
        self.process = warm.start(args, env, log_path)
        assert self.process.pid is not None
        self.pid = self.process.pid

    def exited(self) -> bool:
        return self.process.exitcode is not None

    def wait(self) -> int:
        self.process.join()
        code = self.process.exitcode
        self.process.close()
        return -1 if code is None else code


class Attempt:
    def __init__(self, argv: Sequence[str], env: Mapping[str, str], log_path: Path) -> None:
        """Start ``argv``; raise OSError when it cannot start (missing program...)."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        args = warm.step_args(argv)
        self._child: _Exec | _Warm = (
            _Exec(argv, env, log_path) if args is None else _Warm(args, env, log_path)
        )
        self.pgid = self._child.pid
        self.started = time.monotonic()
        self.returncode: int | None = None
        self._stop_sent: float | None = None
        self.stop_reason: str | None = None

    def poll(self) -> int | None:
        """The exit status once the main process has ended (and its group is gone)."""
        if self.returncode is not None:
            return self.returncode
        if self._stop_sent is not None and time.monotonic() - self._stop_sent > KILL_GRACE_S:
            self._signal(signal.SIGKILL)
        if not self._exited():
            return None
        # The leader is a zombie: its pid (the group id) cannot be reused until it is
        # reaped, so killing the group now cannot hit an unrelated process.
        self._signal(signal.SIGKILL)
        self.returncode = self._child.wait()
        return self.returncode

    def stop(self, reason: str) -> None:
        """SIGTERM the group now, SIGKILL it if it is still there after the grace period."""
        if self.returncode is not None or self._stop_sent is not None:
            return
        self.stop_reason = reason
        self._stop_sent = time.monotonic()
        self._signal(signal.SIGTERM)

    def exit_code(self) -> str:
        """As Argo reports it: the code, or 128 + signal for a killed process."""
        code = self.returncode
        if code is None:
            return "-1"
        return str(128 - code if code < 0 else code)

    def _exited(self) -> bool:
        return self._child.exited()

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, sig)
