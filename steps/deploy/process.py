"""Process-group bookkeeping for engines that outlive the step that started them.

The deploy step exits while its engine keeps running, so later steps find the
engine again by pid. A pid alone can be reused by an unrelated process; the
process start time from /proc pins down the one we started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from pathlib import Path

RESERVED_PORTS = frozenset({8443})  # clusters run the Kubernetes Dashboard there


def free_port(host: str = "127.0.0.1") -> int:
    """A currently free TCP port on ``host``, never one of the reserved ones."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port not in RESERVED_PORTS:
            return port
    raise OSError(f"no free port found on {host}")


def start_time(pid: int) -> int | None:
    """The process start time in clock ticks since boot, or None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may contain spaces; fields after it are space-separated
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19])


def is_running(pid: int, started: int | None) -> bool:
    """True while the process we started is alive (zombies count as gone)."""
    _reap(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat[stat.rindex(")") + 2 :].split()[0]
    if state in ("Z", "X"):
        return False
    return started is None or start_time(pid) == started


def group_members(pgid: int) -> list[int]:
    """Live pids in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def stop_group(pgid: int, leader_started: int | None, grace_s: float = 10.0) -> None:
    """SIGTERM the group, then SIGKILL whatever is left after ``grace_s``. Idempotent."""
    if leader_started is not None and start_time(pgid) not in (None, leader_started):
        return  # the pid was reused: the group we started is long gone
    if not group_members(pgid):
        _reap(pgid)
        return
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        _reap(pgid)
        if not group_members(pgid):
            return
        time.sleep(0.1)
    _signal_group(pgid, signal.SIGKILL)
    for _ in range(50):
        _reap(pgid)
        if not group_members(pgid):
            return
        time.sleep(0.1)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _reap(pid: int) -> None:
    # When the engine is our own child (tests, a single-process driver) it must be
    # waited for, or it lingers as a zombie that still looks like a live pid.
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
