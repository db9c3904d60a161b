"""The ``ome`` backend: each candidate is an OME InferenceService running SGLang.

deploy: read the ClusterServingRuntime, render the InferenceService (runtime command with
the candidate's flags, GPUs from tp x dp), create it. wait-ready: watch it, its engine
pods and their events until Ready (the endpoint is its ``status.url``, or a port-forward
to the engine pod when the executor runs outside the cluster) or until a pod shows why
it never will. teardown: keep the pods' logs and events, stop the port-forward, delete
the InferenceService and wait until it and its pods are gone.
"""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from steps.deploy.base import Deployer
from steps.deploy.local import workdir_root
from steps.deploy.ome import api, names, podlogs, tunnel
from steps.deploy.ome.client import Kube, in_cluster
from steps.deploy.ome.command import flag_value
from steps.deploy.ome.readiness import Failed, Observed, Ready
from steps.deploy.ome.render import render_inferenceservice, runtime_runner
from steps.engines import get_engine
from steps.errors import AutotuneError, Infeasible, TaskError, TransientError
from steps.records import DeployRecord, Scalar
from steps.signals import sigterm_raises
from steps.spec import Task

TEARDOWN_TIMEOUT_S = 600.0
HEALTH_TIMEOUT_S = 60.0  # Ready but not answering from here: the network, not the candidate
POLL_S = 0.25


class OmeDeployer(Deployer):
    backend = "ome"

    def __init__(self, task: Task, study: str) -> None:
        super().__init__(task, study)
        self.kube = Kube()
        self._captured: dict[str, str] = {}  # logs kept by teardown, before the pods go

    @property
    def namespace(self) -> str:
        return self.task.deploy.namespace

    # -- deploy --------------------------------------------------------------------------
    def read_runtime(self) -> dict[str, Any]:
        name = self.task.deploy.runtime or ""
        try:
            return dict(
                api.call(
                    api.GET_RUNTIME,
                    self.namespace,
                    self.kube.custom.get_cluster_custom_object,
                    names.GROUP,
                    names.VERSION,
                    names.RUNTIMES,
                    name,
                )
            )
        except Exception as exc:
            if api.status_of(exc) == 404:
                raise TaskError(
                    f"deploy.runtime: {name!r} is not a ClusterServingRuntime of "
                    "this cluster; fix: kubectl get clusterservingruntimes"
                ) from None
            raise

    def deploy(self, slot: int, flags: Mapping[str, Scalar]) -> DeployRecord:
        engine = get_engine(self.task.engine.kind)
        problems = engine.combination_problems(flags)
        if problems:
            raise Infeasible(
                f"{self.task.engine.kind} refuses this combination: {'; '.join(problems)}"
            )
        runtime = self.read_runtime()
        manifest = render_inferenceservice(self.task, self.study, slot, flags, runtime)
        name = manifest["metadata"]["name"]
        runner = runtime_runner(runtime, self.task.deploy.runtime or "")
        command = manifest["spec"]["engine"]["runner"][runner.field]
        port = flag_value(command, "port", engine)
        with sigterm_raises():
            created = self._create(manifest, slot)
            try:
                return DeployRecord(
                    slot=slot,
                    backend=self.backend,
                    command=command,
                    manifest=manifest,
                    served_model_name=self.task.model.name,
                    handle={
                        "name": name,
                        "namespace": self.namespace,
                        "uid": created["metadata"].get("uid"),
                        "port": int(port) if port and port.isdigit() else runner.port,
                        "health_path": engine.health_path,
                        "access": self._access(),
                    },
                )
            except BaseException:
                # interrupted before the record exists: nobody else knows this object.
                # Delete it, but do not wait: a stopped step has seconds, not minutes.
                with contextlib.suppress(Exception):
                    self._delete(name)
                raise

    def _access(self) -> str:
        access = self.task.deploy.access
        if access == "auto":
            return "service" if in_cluster() else "port-forward"
        return access

    def _create(self, manifest: dict[str, Any], slot: int) -> dict[str, Any]:
        create = self.kube.custom.create_namespaced_custom_object
        args = (names.GROUP, names.VERSION, self.namespace, names.PLURAL, manifest)
        for _ in range(2):
            try:
                return dict(
                    api.call(
                        api.CREATE_ISVC, self.namespace, create, *args, field_validation="Strict"
                    )
                )
            except Exception as exc:
                status = api.status_of(exc)
                if status == 409 and self._ours(manifest["metadata"]["name"], slot):
                    # left by an interrupted attempt of this very slot: replace it
                    self._delete_and_wait(
                        manifest["metadata"]["name"], time.monotonic() + TEARDOWN_TIMEOUT_S
                    )
                    continue
                if status == 409:
                    raise TaskError(
                        f"deploy.namespace: an InferenceService named "
                        f"{manifest['metadata']['name']!r} already exists in "
                        f"{self.namespace!r} and is not this study's slot {slot}; "
                        "fix: use another study id or namespace"
                    ) from None
                if status == 404:
                    raise TaskError(
                        f"deploy.namespace: {self.namespace!r} does not exist or has "
                        f"no InferenceService API: {api.api_message(exc)}"
                    ) from None
                if status in (400, 422):
                    raise TaskError(
                        f"the InferenceService was rejected: {api.api_message(exc)}"
                    ) from None
                raise
        raise TransientError(f"InferenceService {manifest['metadata']['name']} kept coming back")

    def _ours(self, name: str, slot: int) -> bool:
        found = self._get(name)
        labels = (found or {}).get("metadata", {}).get("labels") or {}
        return labels.get(names.LABEL_STUDY) == names.label_value(self.study) and labels.get(
            names.LABEL_SLOT
        ) == str(slot)

    # -- wait-ready ----------------------------------------------------------------------
    def wait_ready(self, record: DeployRecord, timeout_s: float) -> DeployRecord:
        from steps.deploy.ome.watch import Watches, drain

        name, deadline = record.handle["name"], time.monotonic() + timeout_s
        observed = Observed(name)
        verdict: Ready | Failed | None = None
        forwarding = record.handle.get("access") == "port-forward"
        with sigterm_raises():
            with Watches(self.kube, self.namespace, name) as watches:
                for source, kind, obj in drain(watches, deadline):
                    observed.apply(source, kind, obj)
                    verdict = observed.verdict()
                    # the pod watch may lag behind the InferenceService's: a forward needs the pod
                    if isinstance(verdict, Ready) and verdict.pod is None and forwarding:
                        continue
                    if verdict is not None:
                        break
            if isinstance(verdict, Failed):
                raise Infeasible(self._explain(verdict))
            if not isinstance(verdict, Ready):
                raise Infeasible(
                    f"InferenceService {name} not ready within {timeout_s:g}s "
                    f"(deploy.ready_timeout_s):\n{observed.summary()}"
                )
            return self._reach(record, verdict)

    def _explain(self, failure: Failed) -> str:
        if not (failure.crashed and failure.pod and failure.container):
            return failure.reason
        try:
            text = podlogs.container_log(
                self.kube, self.namespace, failure.pod, failure.container, previous=True, tail=200
            )
            text = text or podlogs.container_log(
                self.kube, self.namespace, failure.pod, failure.container, previous=False, tail=200
            )
        except AutotuneError as exc:  # the verdict stands; the log is a courtesy
            text = f"(the container log is unavailable: {exc})"
        return f"{failure.reason}\n{podlogs.tail(text)}".rstrip()

    def _reach(self, record: DeployRecord, ready: Ready) -> DeployRecord:
        handle = dict(record.handle)
        health = handle.get("health_path", "/health")
        if handle.get("access") == "port-forward":
            if ready.pod is None:
                raise TransientError(
                    f"InferenceService {handle['name']} is Ready but has no "
                    "Ready engine pod to forward to"
                )
            forward = tunnel.start(
                namespace=self.namespace,
                isvc=handle["name"],
                pod=ready.pod,
                port=int(handle["port"]),
                workdir=self._workdir(record.slot),
                health_path=health,
                timeout_s=HEALTH_TIMEOUT_S,
            )
            handle["forward"] = forward
            endpoint = f"http://{tunnel.HOST}:{forward['port']}"
        else:
            endpoint = ready.url
            if not _serves(f"{endpoint}{health}", time.monotonic() + HEALTH_TIMEOUT_S):
                raise TransientError(
                    f"InferenceService {handle['name']} is Ready but {endpoint}"
                    f"{health} does not answer from here (deploy.access: "
                    "service needs the cluster network; port-forward does not)"
                )
        return record.model_copy(
            update={"endpoint": endpoint, "ready_at": time.time(), "handle": handle}
        )

    def _workdir(self, slot: int) -> Any:
        return workdir_root() / self.study / str(slot)

    # -- teardown and logs ---------------------------------------------------------------
    def teardown(self, record: DeployRecord) -> None:
        name = record.handle.get("name")
        tunnel.stop(record.handle.get("forward"), self._workdir(record.slot))
        if not name:
            return
        with sigterm_raises():
            if self._get(name) is not None:
                self._captured[name] = self.logs(record)  # before the pods go
            self._delete_and_wait(name, time.monotonic() + TEARDOWN_TIMEOUT_S)

    def logs(self, record: DeployRecord) -> str:
        name = record.handle.get("name")
        if not name:
            return ""
        try:
            live = podlogs.collect(self.kube, self.namespace, name) if self._get(name) else ""
        except AutotuneError as exc:  # a missing log must not fail the step that asks for it
            live = f"(engine logs unavailable: {exc})\n"
        return self._captured.get(name, "") if not live.strip() else live

    def _get(self, name: str) -> dict[str, Any] | None:
        try:
            return dict(
                api.call(
                    api.GET_ISVC,
                    self.namespace,
                    self.kube.custom.get_namespaced_custom_object,
                    names.GROUP,
                    names.VERSION,
                    self.namespace,
                    names.PLURAL,
                    name,
                )
            )
        except Exception as exc:
            if api.status_of(exc) == 404:
                return None
            raise

    def _delete_and_wait(self, name: str, deadline: float) -> None:
        """Delete and wait until the InferenceService and its engine pods are gone (the
        next trial needs their GPUs); 404 at any point is success."""
        self._delete(name)
        for what, gone in (
            (f"InferenceService {name}", lambda: self._get(name) is None),
            (
                f"the engine pods of {name}",
                lambda: not podlogs.engine_pods(self.kube, self.namespace, name),
            ),
        ):
            while not gone():
                if time.monotonic() > deadline:
                    raise TransientError(
                        f"{what} still exists {TEARDOWN_TIMEOUT_S:g}s after "
                        "delete; teardown will be retried"
                    )
                time.sleep(POLL_S)

    def _delete(self, name: str) -> None:
        """Foreground: the API server keeps the InferenceService until the garbage collector
        has removed what it owns (OME's Deployment, its pods)."""
        try:
            api.call(
                api.DELETE_ISVC,
                self.namespace,
                self.kube.custom.delete_namespaced_custom_object,
                names.GROUP,
                names.VERSION,
                self.namespace,
                names.PLURAL,
                name,
                propagation_policy="Foreground",
            )
        except Exception as exc:
            if api.status_of(exc) != 404:
                raise


def _serves(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if int(response.status) == 200:
                    return True
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    return False
