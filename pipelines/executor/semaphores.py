"""ConfigMap semaphores (``synchronization.semaphores[].configMapKeyRef``) as local counters.

On Argo the limit is the ConfigMap key's value and the holders are the nodes of every
workflow in the namespace. Here the limit comes from ``ExecutorOptions.semaphore_limits``
(``"configmap/key" -> n``, default 1) and the holders are this executor's nodes: it caps
what one study runs at once, not what every study on the machine does.

A node that wants a lock queues for it and stays Pending with Argo's message ("Waiting
for <ns>/ConfigMap/<name>/<key> lock. Lock status: 0/1"); waiters are served first come,
first served, as Argo serves equal priorities. A node holds its locks from the moment it
starts until it ends, and takes all of them at once or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DEFAULT_LIMIT = 1


class Semaphores:
    def __init__(self, limits: Mapping[str, int], namespace: str) -> None:
        self.limits = dict(limits)
        self.namespace = namespace
        self.holders: dict[str, list[str]] = {}  # key -> node ids holding it
        self.waiting: dict[str, list[str]] = {}  # key -> node ids queued, oldest first

    def limit(self, key: str) -> int:
        return self.limits.get(key, DEFAULT_LIMIT)

    def acquire(self, keys: Sequence[str], holder: str) -> bool:
        """Take every lock in ``keys`` for ``holder`` if each has room for it now."""
        for key in keys:
            queue = self.waiting.setdefault(key, [])
            if holder not in queue:
                queue.append(holder)
        for key in keys:
            room = self.limit(key) - len(self.holders.get(key, []))
            if self.waiting[key].index(holder) >= room:
                return False  # full, or older waiters come first
        for key in keys:
            self.waiting[key].remove(holder)
            self.holders.setdefault(key, []).append(holder)
        return True

    def release(self, holder: str) -> None:
        """Give back (or stop waiting for) every lock ``holder`` has; idempotent."""
        for table in (self.holders, self.waiting):
            for queue in table.values():
                if holder in queue:
                    queue.remove(holder)

    def waiting_message(self, keys: Sequence[str], holder: str) -> str:
        """Argo's message on a node waiting for its locks: the first one it cannot take."""
        for key in keys:
            free = self.limit(key) - len(self.holders.get(key, []))
            queue = self.waiting.get(key, [])
            if holder in queue and queue.index(holder) >= free:
                name, _, item = key.partition("/")
                return (
                    f"Waiting for {self.namespace}/ConfigMap/{name}/{item} lock. "
                    f"Lock status: {max(free, 0)}/{self.limit(key)}"
                )
        return ""
