"""Watch the InferenceService, its engine pods and the namespace's events at once.

One thread per stream, each the informer pattern: list (the current state, and a
resourceVersion), then watch from that version in windows of ``WINDOW_S``; after 410
Gone it lists again; a dropped connection is retried with backoff. Every change lands,
in order per stream, in one queue that ``wait_ready`` reads. ``stop`` shuts the open
watch connections down at once (the client's ``Watch.stop`` closes its socket), so no
thread or connection outlives the wait.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from steps.deploy.ome import api, names
from steps.deploy.ome.api import Rule
from steps.deploy.ome.client import Kube

WINDOW_S = 60  # one watch request; the server ends it, the loop starts the next one
Item = tuple[str, str, dict[str, Any]]  # (source, ADDED|MODIFIED|DELETED, object)


class Watches:
    """``with Watches(kube, namespace, name) as changes: changes.get(timeout=...)``."""

    def __init__(self, kube: Kube, namespace: str, name: str) -> None:
        self.queue: queue.Queue[Item | BaseException] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[_Stream] = []
        custom, core = kube.custom, kube.core
        isvc = (
            custom.list_namespaced_custom_object,
            (names.GROUP, names.VERSION, namespace, names.PLURAL),
            {"field_selector": f"metadata.name={name}"},
        )
        pods = (
            core.list_namespaced_pod,
            (namespace,),
            {"label_selector": names.pod_selector(name)},
        )
        events: tuple[Any, tuple[Any, ...], dict[str, str]] = (
            core.list_namespaced_event,
            (namespace,),
            {},
        )
        for source, (fn, args, kwargs), rules in (
            ("isvc", isvc, (api.LIST_ISVC, api.WATCH_ISVC)),
            ("pod", pods, (api.LIST_PODS, api.WATCH_PODS)),
            ("event", events, (api.LIST_EVENTS, api.WATCH_EVENTS)),
        ):
            self._threads.append(_Stream(source, fn, args, kwargs, rules, namespace, self))

    def __enter__(self) -> Watches:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def get(self, timeout_s: float) -> Item | None:
        """The next change, or None after ``timeout_s``; a stream's fatal error is raised."""
        try:
            item = self.queue.get(timeout=max(timeout_s, 0.0))
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.interrupt()
        for thread in self._threads:
            thread.join(timeout=2)


class _Stream(threading.Thread):
    def __init__(
        self,
        source: str,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        rules: tuple[Rule, Rule],
        namespace: str,
        owner: Watches,
    ) -> None:
        super().__init__(name=f"watch-{source}", daemon=True)
        self.source, self.fn, self.args, self.kwargs = source, fn, args, kwargs
        self.list_rule, self.watch_rule = rules
        self.namespace, self.owner = namespace, owner
        self._watch: Any = None
        self._lock = threading.Lock()

    def interrupt(self) -> None:
        with self._lock:
            if self._watch is not None:
                self._watch.stop()

    def run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # handed to the reader, who raises it
            if not self.owner._stop.is_set():
                self.owner.queue.put(exc)

    def _loop(self) -> None:
        version: str | None = None
        delay = api.BACKOFF_S
        while not self.owner._stop.is_set():
            if version is None:
                version = self._list()
            try:
                for kind, obj in self._watch_from(version):
                    version = obj.get("metadata", {}).get("resourceVersion") or version
                    if kind != "BOOKMARK":
                        self.owner.queue.put((self.source, kind, obj))
                delay = api.BACKOFF_S
            except Exception as exc:
                status = api.status_of(exc)
                if status == 410:
                    version = None  # too old: list again
                    continue
                if status == 403:
                    raise api.RbacDenied(
                        self.watch_rule, self.namespace, api.api_message(exc)
                    ) from None
                if status is None or status not in api.RETRIED_STATUS or self.owner._stop.is_set():
                    if self.owner._stop.is_set():
                        return
                    raise
                self.owner._stop.wait(delay)  # a dropped watch: start again from `version`
                delay = min(delay * 2, api.MAX_BACKOFF_S)

    def _list(self) -> str:
        response = api.call(
            self.list_rule,
            self.namespace,
            self.fn,
            *self.args,
            _preload_content=False,
            **self.kwargs,
        )
        listing = json.loads(response.data)
        for obj in listing.get("items") or []:
            self.owner.queue.put((self.source, "ADDED", obj))
        return str(listing["metadata"]["resourceVersion"])

    def _watch_from(self, version: str) -> Iterator[tuple[str, dict[str, Any]]]:
        from kubernetes import watch

        stream = watch.Watch()
        with self._lock:
            if self.owner._stop.is_set():
                return
            self._watch = stream
        try:
            for event in stream.stream(
                self.fn,
                *self.args,
                resource_version=version,
                timeout_seconds=WINDOW_S,
                allow_watch_bookmarks=True,
                _request_timeout=WINDOW_S + 10,
                **self.kwargs,
            ):
                raw = event["raw_object"]
                yield event["type"], raw
        finally:
            with self._lock:
                self._watch = None
            with contextlib.suppress(Exception):
                stream.stop()


def drain(watches: Watches, until: float) -> Iterator[Item]:
    """Changes as they come, until the monotonic time ``until``."""
    while (remaining := until - time.monotonic()) > 0:
        item = watches.get(min(remaining, 1.0))
        if item is not None:
            yield item
