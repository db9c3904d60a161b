"""A small simulated OME controller running beside the fake API server.

For each InferenceService it resolves the ClusterServingRuntime, merges the
InferenceService's ``engine.runner`` over the runtime's runner the way OME does (a
strategic merge: ``command`` / ``args`` replaced whole, ``resources`` maps merged key by
key), creates one engine pod (``ome.io/inferenceservice=<name>``, ``component=engine``)
and plays one outcome on it. ``decide`` picks the outcome; the default is what a real
cluster would do with the candidate: more GPUs than ``gpu_capacity`` -> Unschedulable,
an image named ``...does-not-exist...`` -> ImagePullBackOff, a flag SGLang does not know
-> CrashLoopBackOff with SGLang's argparse error in the log, otherwise Ready after
``start_s``, with ``status.url`` and the pod's port-forward target pointing at a local
``EngineStub`` (or at whatever ``engine`` starts for the candidate: a real server).
Deletion plays the garbage collector: pods go, the engine stops, then the finalizer.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tests.kube import pods
from tests.kube.engine_stub import EngineStub
from tests.kube.errors import ApiError
from tests.kube.fake_api import FakeKube

Outcome = Literal["ready", "oom", "crash", "unschedulable", "imagepull", "pending"]
ENGINE_PORT = 8080
ISVC = ("ome.io", "inferenceservices")
RUNTIMES = ("ome.io", "clusterservingruntimes")
# flags the runtimes in ../shared/ome-samples pass that the project's flag table does not list
SGLANG_EXTRA_FLAGS = frozenset(
    {
        "host",
        "port",
        "model-path",
        "served-model-name",
        "enable-metrics",
        "log-requests",
        "mem-frac",
        "tp",
        "dp",
        "tensor-parallel-size",
        "data-parallel-size",
    }
)


class Engine(Protocol):
    """What serves a Ready InferenceService's port: ``EngineStub`` or a real engine."""

    @property
    def port(self) -> int: ...

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Candidate:
    """What the controller resolved for one InferenceService, given to ``decide``."""

    isvc: dict[str, Any]
    command: list[str]
    gpus: int
    image: str


def unknown_flags(command: list[str]) -> list[str]:
    from steps.engines.sglang import SGLang

    known = set(SGLang.flags) | SGLANG_EXTRA_FLAGS
    names = [token[2:].split("=", 1)[0] for token in command if token.startswith("--")]
    return [name for name in names if name not in known]


@dataclass
class OmeController:
    kube: FakeKube
    schedule_s: float = 0.05
    start_s: float = 0.2
    delete_s: float = 0.1
    gpu_capacity: int = 8
    decide: Callable[[Candidate], Outcome] | None = None
    engine: Callable[[Candidate], Engine] | None = None  # None: an EngineStub
    stubs: dict[tuple[str, str], Engine] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    _timers: list[tuple[float, int, Callable[[], None]]] = field(default_factory=list)
    _seq: itertools.count = field(default_factory=itertools.count)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    errors: list[BaseException] = field(default_factory=list)

    def start(self) -> OmeController:
        self._thread = threading.Thread(target=self._run, name="ome-controller", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for stub in self.stubs.values():
            stub.stop()
        self.stubs.clear()

    def __enter__(self) -> OmeController:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def default_outcome(self, candidate: Candidate) -> Outcome:
        if candidate.gpus > self.gpu_capacity:
            return "unschedulable"
        if "does-not-exist" in candidate.image:
            return "imagepull"
        return "crash" if unknown_flags(candidate.command) else "ready"

    # -- the loop ------------------------------------------------------------------------
    def _run(self) -> None:
        position = 0
        while not self._stop.is_set():
            wait = (
                0.05
                if not self._timers
                else max(0.0, min(0.05, self._timers[0][0] - time.monotonic()))
            )
            for change in self.kube.store.wait(position, wait):
                position = change.rv
                if change.resource == ISVC:
                    self._guard(functools.partial(self._on_isvc, change.type, change.obj))
            while self._timers and self._timers[0][0] <= time.monotonic():
                _, _, action = heapq.heappop(self._timers)
                self._guard(action)

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except ApiError as error:
            if error.code != 404:  # the object went away meanwhile: nothing to do
                self.errors.append(error)
        except Exception as error:  # kept for the test to see, the loop goes on
            self.errors.append(error)

    def _later(self, delay: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._seq), action))

    def _on_isvc(self, kind: str, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        ns, name = meta["namespace"], meta["name"]
        if kind == "ADDED":
            self._later(self.schedule_s, lambda: self._create_engine(ns, name))
        elif kind == "MODIFIED" and meta.get("deletionTimestamp"):
            self._later(self.delete_s, lambda: self._collect(ns, name, finalize=True))
        elif kind == "DELETED":
            self._later(self.delete_s, lambda: self._collect(ns, name, finalize=False))

    # -- reconciling ---------------------------------------------------------------------
    def _create_engine(self, ns: str, name: str) -> None:
        isvc = self.kube.store.get(self.kube.resource(*ISVC), ns, name)
        if isvc["metadata"].get("deletionTimestamp"):
            return
        runtime_name = isvc["spec"]["runtime"]["name"]
        try:
            runtime = self.kube.store.get(self.kube.resource(*RUNTIMES), "", runtime_name)
        except ApiError:
            self._isvc_status(ns, name, False, "RuntimeNotFound", f"{runtime_name} not found")
            return
        runner = merge_runner(
            runtime["spec"]["engineConfig"]["runner"],
            isvc["spec"].get("engine", {}).get("runner", {}),
        )
        limits = runner.get("resources", {}).get("limits", {})
        candidate = Candidate(
            isvc,
            list(runner.get("command", [])),
            int(limits.get("nvidia.com/gpu", 0)),
            str(runner.get("image", "")),
        )
        self.candidates.append(candidate)
        digest = hashlib.sha1(name.encode()).hexdigest()
        pod = pods.pod_manifest(f"{name}-engine-{digest[:9]}-{digest[9:14]}", ns, isvc, runner)
        pod = self.kube.put("", "pods", pod)
        self._isvc_status(ns, name, False, "EngineNotReady", "the engine is starting")
        outcome = (self.decide or self.default_outcome)(candidate)
        self._play(outcome, pod, candidate)

    def _play(self, outcome: Outcome, pod: dict[str, Any], candidate: Candidate) -> None:
        kube, meta = self.kube, pod["metadata"]
        key = (meta["namespace"], meta["name"], pod["spec"]["containers"][0]["name"])
        if outcome == "unschedulable":
            pods.unschedulable(kube, pod, candidate.gpus, self.gpu_capacity)
            return
        pods.scheduled(kube, pod)
        if outcome == "pending":
            return
        if outcome == "imagepull":
            image = candidate.image
            pods.event(kube, pod, "Normal", "Pulling", f'Pulling image "{image}"')
            message = (
                f'Failed to pull image "{image}": rpc error: code = NotFound desc = '
                f'failed to pull and unpack image "{image}": not found'
            )
            pods.event(kube, pod, "Warning", "Failed", message)
            pods.event(kube, pod, "Warning", "Failed", "Error: ErrImagePull")
            pods.set_status(kube, pod, pods.image_pull(pod, "ErrImagePull", message))
            self._later(
                self.start_s,
                lambda: pods.set_status(
                    kube,
                    pod,
                    pods.image_pull(pod, "ImagePullBackOff", f'Back-off pulling image "{image}"'),
                ),
            )
            return
        pods.event(kube, pod, "Normal", "Started", f"Started container {key[2]}")
        banner = f"[sglang] server_args: {' '.join(candidate.command)}\n"
        if outcome == "crash":
            bad = " ".join(f"--{flag}" for flag in unknown_flags(candidate.command)) or "--?"
            log = banner + (
                "usage: launch_server.py [-h] --model-path MODEL_PATH ...\n"
                f"launch_server.py: error: unrecognized arguments: {bad}\n"
            )
            self._fail(pod, key, log, "Error", 2)
        elif outcome == "oom":
            log = banner + "Load weight begin. avail mem=79.10 GB\nCapture cuda graph begin.\n"
            self._fail(pod, key, log, "OOMKilled", 137)
        else:
            kube.logs[(*key, False)] = banner + "Load weight end.\n"
            pods.set_status(kube, pod, pods.running(pod, ready=False))
            self._later(self.start_s, lambda: self._ready(pod, key, candidate))

    def _fail(
        self, pod: dict[str, Any], key: tuple[str, str, str], log: str, reason: str, code: int
    ) -> None:
        kube = self.kube
        kube.logs[(*key, False)] = log
        pods.set_status(kube, pod, pods.running(pod, ready=False))

        def crashed() -> None:
            kube.logs[(*key, True)] = log
            kube.logs[(*key, False)] = log.splitlines()[0] + "\n"
            pods.set_status(kube, pod, pods.crash_loop(pod, reason, code))
            pods.event(
                kube,
                pod,
                "Warning",
                "BackOff",
                f"Back-off restarting failed container {key[2]} in pod {key[1]}",
            )

        self._later(self.start_s, crashed)

    def _ready(self, pod: dict[str, Any], key: tuple[str, str, str], candidate: Candidate) -> None:
        kube, (ns, pod_name, _) = self.kube, key
        isvc_name = candidate.isvc["metadata"]["name"]
        if self.engine is not None:
            stub = self.engine(candidate)
        else:
            stub = EngineStub(served_model_name=_served_name(candidate.command))
        self.stubs[(ns, isvc_name)] = stub
        kube.port_targets[(ns, pod_name, ENGINE_PORT)] = ("127.0.0.1", stub.port)
        kube.logs[(*key, False)] += "The server is fired up and ready to roll!\n"
        pods.set_status(kube, pod, pods.running(pod, ready=True))
        # a real status.url is http://<isvc>.<ns>.svc.cluster.local:8080; here the stub
        self._isvc_status(ns, isvc_name, True, "", "", url=stub.url)

    def _isvc_status(
        self, ns: str, name: str, ready: bool, reason: str, message: str, url: str | None = None
    ) -> None:
        res = self.kube.resource(*ISVC)
        isvc = self.kube.store.get(res, ns, name)
        condition = {
            "type": "Ready",
            "status": "True" if ready else "False",
            "lastTransitionTime": pods.now(),
        }
        if reason:
            condition.update(reason=reason, message=message)
        status: dict[str, Any] = {"conditions": [condition], "observedGeneration": 1}
        if url:
            status.update(url=url, address={"url": url})
        isvc["status"] = status
        self.kube.store.replace(res, ns, name, isvc, status=True)

    def _collect(self, ns: str, name: str, *, finalize: bool) -> None:
        pod_res = self.kube.resource("", "pods")
        owned = self.kube.store.list(
            pod_res, ns, lambda p: p["metadata"]["labels"].get("ome.io/inferenceservice") == name
        )[0]
        for pod in owned:
            self.kube.store.delete(pod_res, ns, pod["metadata"]["name"], None)
            self.kube.port_targets.pop((ns, pod["metadata"]["name"], ENGINE_PORT), None)
        stub = self.stubs.pop((ns, name), None)
        if stub is not None:
            stub.stop()
        if finalize:
            res = self.kube.resource(*ISVC)
            isvc = self.kube.store.get(res, ns, name)
            isvc["metadata"]["finalizers"] = [
                f for f in isvc["metadata"].get("finalizers", []) if f != "foregroundDeletion"
            ]
            self.kube.store.replace(res, ns, name, isvc, status=False)


def merge_runner(runtime: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """OME's strategic merge of a Container: lists replaced whole, resource maps merged."""
    merged = copy.deepcopy(runtime)
    for key, value in override.items():
        if key == "resources":
            for part in ("requests", "limits"):
                if part in value:
                    merged.setdefault("resources", {}).setdefault(part, {}).update(value[part])
        elif value not in ("", None):
            merged[key] = copy.deepcopy(value)
    return merged


def _served_name(command: list[str]) -> str:
    if "--served-model-name" in command:
        index = command.index("--served-model-name") + 1
        if index < len(command):
            return command[index]
    return "model"
