"""A project-owned fake Kubernetes API server that the real ``kubernetes`` client talks to.

Real HTTP on a free loopback port (never 8443): create (201, 409), get / list / watch
(404, ``resourceVersion``, ``labelSelector``, ``fieldSelector``, ``timeoutSeconds``, 410
after ``compact()``), replace / merge-patch with the ``/status`` subresource, delete with
finalizers and ``propagationPolicy``, pod logs, and pod port-forward over the websocket
protocol the Python client speaks (``tests.kube.portforward``). CRD-backed objects are
validated closed-world against the CRD schema on every write (422 Invalid, as strict
field validation). Tests steer it: ``deny`` answers 403 like RBAC would, ``inject``
answers chosen requests with an error (503, 429 + Retry-After, ...), ``requests`` records
what the client sent.

    with FakeKube(crds=[load_crd(path)]) as kube:
        configuration = kube.configuration()   # a kubernetes.client.Configuration
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.kube.crd_schema import Crd
from tests.kube.errors import ApiError
from tests.kube.patching import apply_patch
from tests.kube.selectors import SelectorError, field_selector, label_selector
from tests.kube.store import ObjectStore, Resource
from tests.kube.streams import serve_log, serve_watch

RESERVED_PORTS = frozenset({8443})  # never bind the Kubernetes Dashboard's port
CORE = [
    Resource("", "v1", "pods", "Pod"),
    Resource("", "v1", "events", "Event"),
    Resource("", "v1", "configmaps", "ConfigMap"),
    Resource("", "v1", "services", "Service"),
    Resource("", "v1", "namespaces", "Namespace", namespaced=False),
]


@dataclass
class Fault:
    """Answer matching requests with ``status`` (``times`` times) instead of serving them."""

    status: int
    method: str | None = None
    path: str = ""  # substring of the request path
    times: int = 1
    retry_after: float | None = None
    message: str = "injected by the test"


@dataclass(frozen=True)
class Rule:
    verb: str
    resource: str  # plural, or plural/subresource
    group: str = ""
    namespace: str | None = None  # None: every namespace and the cluster scope


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    verb: str
    resource: str


@dataclass(frozen=True)
class Route:
    resource: Resource
    namespace: str | None
    name: str | None
    sub: str | None


@dataclass
class FakeKube:
    crds: list[Crd] = field(default_factory=list)
    user: str = "system:serviceaccount:autotuner:autotune"
    enforce_namespaces: bool = False  # creating in a missing namespace: 404, as for real
    store: ObjectStore = field(default_factory=ObjectStore)
    logs: dict[tuple[str, str, str, bool], str] = field(default_factory=dict)
    port_targets: dict[tuple[str, str, int], tuple[str, int]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    denied: set[Rule] = field(default_factory=set)
    requests: list[Request] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for resource in CORE:
            self.store.register(resource)
        for crd in self.crds:
            self.store.register(Resource.of_crd(crd))

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> str:
        for _ in range(20):
            server = _Server(("127.0.0.1", 0), _Handler)
            if server.server_address[1] not in RESERVED_PORTS:
                break
            server.server_close()
        server.kube = self
        self._server = server
        threading.Thread(
            target=server.serve_forever, args=(0.05,), name="fake-kube", daemon=True
        ).start()
        return self.url

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeKube:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def configuration(self) -> Any:
        from kubernetes import client

        configuration = client.Configuration()
        configuration.host = self.url
        return configuration

    # -- steering ------------------------------------------------------------------------
    def deny(self, verb: str, resource: str, group: str = "", namespace: str | None = None) -> None:
        self.denied.add(Rule(verb, resource, group, namespace))

    def inject(self, status: int, **where: Any) -> Fault:
        fault = Fault(status, **where)
        with self._lock:
            self.faults.append(fault)
        return fault

    def resource(self, group: str, plural: str) -> Resource:
        return self.store.resource(group, plural)

    def objects(
        self, group: str, plural: str, namespace: str | None = None
    ) -> list[dict[str, Any]]:
        return self.store.list(self.resource(group, plural), namespace, lambda obj: True)[0]

    def put(self, group: str, plural: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Create an object directly in the store (fixtures: runtimes, namespaces)."""
        namespace = obj.get("metadata", {}).get("namespace", "")
        return self.store.create(self.resource(group, plural), namespace, obj)

    # -- request handling (called from handler threads) ----------------------------------
    def route(self, path: str) -> Route:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "v1"]:
            group, rest = "", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, rest = parts[1], parts[3:]
        else:
            raise ApiError(404, "NotFound", f"the server could not find the requested path {path}")
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise ApiError(404, "NotFound", f"the server could not find the requested path {path}")
        resource = self.store.resource(group, rest[0])
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if resource.namespaced and namespace is None and name is not None:
            raise ApiError(404, "NotFound", f"{rest[0]} is namespaced: no namespace in {path}")
        return Route(resource, namespace if resource.namespaced else "", name, sub)

    def check_access(self, verb: str, route: Route) -> None:
        resource = route.resource.plural + (f"/{route.sub}" if route.sub else "")
        for rule in self.denied:
            if (rule.verb, rule.resource, rule.group) != (verb, resource, route.resource.group):
                continue
            if rule.namespace not in (None, route.namespace):
                continue
            target = route.resource.plural + (
                f".{route.resource.group}" if route.resource.group else ""
            )
            named = f' "{route.name}"' if route.name else ""
            scope = (
                f'in the namespace "{route.namespace}"'
                if route.namespace
                else "at the cluster scope"
            )
            raise ApiError(
                403,
                "Forbidden",
                f'{target}{named} is forbidden: User "{self.user}" cannot {verb} resource '
                f'"{resource}" in API group "{route.resource.group}" {scope}',
                {"name": route.name or "", "group": route.resource.group, "kind": resource},
            )

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method in (None, method) and fault.path in path:
                    fault.times -= 1
                    return fault
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    kube: FakeKube


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        kube = self.server.kube
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        body = self._body()
        try:
            route = kube.route(url.path)
            verb = _verb(method, route, query)
            kube.requests.append(
                Request(
                    method,
                    url.path,
                    query,
                    verb,
                    route.resource.plural + (f"/{route.sub}" if route.sub else ""),
                )
            )
            for needed in _also_needed(verb, route):
                kube.check_access(needed, route)
            fault = kube.take_fault(method, url.path)
            if fault is not None:
                error = ApiError(fault.status, "Injected", fault.message)
                if fault.retry_after is not None:
                    error.headers["Retry-After"] = f"{fault.retry_after:g}"
                raise error
            self._serve(kube, method, route, verb, query, body)
        except ApiError as error:
            self._json(error.code, error.status(), error.headers)
        except SelectorError as error:
            self._json(400, ApiError(400, "BadRequest", str(error)).status())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _serve(
        self, kube: FakeKube, method: str, route: Route, verb: str, query: dict[str, str], body: Any
    ) -> None:
        store, res, ns, name = kube.store, route.resource, route.namespace, route.name
        if route.sub == "log":
            serve_log(self, kube, ns or "", name or "", query)
        elif route.sub == "portforward":
            from tests.kube.portforward import serve_portforward

            store.get(res, ns or "", name or "")
            serve_portforward(self, kube, ns or "", name or "", query)
        elif route.sub not in (None, "status"):
            raise ApiError(404, "NotFound", f"no subresource {route.sub!r} in this fake")
        elif verb == "watch":
            match = _selectors(query)
            serve_watch(self, kube, res, ns, match, query)
        elif verb == "list":
            items, rv = store.list(res, ns, _selectors(query))
            self._json(
                200,
                {
                    "kind": f"{res.kind}List",
                    "apiVersion": res.api_version,
                    "metadata": {"resourceVersion": str(rv)},
                    "items": items,
                },
            )
        elif verb == "get":
            self._json(200, store.get(res, ns or "", name or ""))
        elif verb == "create":
            if not isinstance(body, dict):
                raise ApiError(400, "BadRequest", "the body is not a JSON object")
            if kube.enforce_namespaces and res.namespaced:
                store.get(kube.resource("", "namespaces"), "", ns or "")
            self._json(201, store.create(res, ns or "", body))
        elif verb in ("update", "patch"):
            status = route.sub == "status"
            if verb == "patch":
                current = store.get(res, ns or "", name or "")
                body = apply_patch(current, body, self.headers.get("Content-Type", ""))
                body["metadata"].pop("resourceVersion", None)
            self._json(200, store.replace(res, ns or "", name or "", body, status=status))
        elif verb == "delete":
            options = body if isinstance(body, dict) else {}
            policy = query.get("propagationPolicy") or options.get("propagationPolicy")
            self._json(200, store.delete(res, ns or "", name or "", policy))
        else:
            raise ApiError(405, "MethodNotAllowed", f"{method} is not supported by this fake")

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _json(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def _verb(method: str, route: Route, query: dict[str, str]) -> str:
    if route.sub == "portforward":
        return "get"  # the websocket upgrade is a GET
    if method == "GET":
        if route.name is None:
            return "watch" if query.get("watch", "").lower() in ("true", "1") else "list"
        return "get"
    return {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]


def _also_needed(verb: str, route: Route) -> list[str]:
    # A websocket port-forward is authorized as get and, from Kubernetes 1.35, also as
    # create (what SPDY clients always needed): this fake plays 1.35.
    return [verb, "create"] if route.sub == "portforward" else [verb]


def _selectors(query: dict[str, str]) -> Any:
    labels = label_selector(query.get("labelSelector"))
    fields = field_selector(query.get("fieldSelector"))
    return lambda obj: labels(obj) and fields(obj)
