"""A fake Argo server over real HTTP: the endpoints ``pipelines.argo`` uses, nothing more.

    with FakeArgoServer(token="t0k3n") as argo:
        ArgoConnection.create(argo.url, "tuning") ...

It runs a ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) and answers like the Argo
server's REST gateway (``/api/v1/...``, errors as ``{"code", "message"}``):

- POST/GET ``/api/v1/workflows/{ns}[/{name}]``, PUT ``.../{name}/retry|stop``;
- POST/GET ``/api/v1/cron-workflows/{ns}[/{name}]``, PUT ``.../{name}/suspend|resume``.

Request bodies are checked as the real server would, strictly: the request's own fields
closed-world (``REQUEST_FIELDS``, with their JSON types), the Workflow / CronWorkflow
closed-world against the Argo CRDs (``pipelines.schema_check``, when the CRDs are
there), and the namespace in the body must be the one in the path. A bad body is a 400
naming the problems. Retry follows Argo's ``FormulateRetryWorkflow``: only a finished
workflow, a Succeeded one only with ``restartSuccessful`` and a ``nodeFieldSelector``;
the nodes the selector matches (on Argo's fields: ``displayName``, ``templateName``,
``phase``, ``name``, ``id``, ``inputs.parameters.<p>.value``) are deleted with all their
descendants, and the workflow is Running again. (Argo also reruns failed nodes the
selector does not match; the fake leaves them as they are.)

Every request is recorded (method, path, query, JSON body, whether it was authorized),
never the Authorization header itself. Tests seed workflows and canned ``status``
with ``put_workflow`` / ``set_status``; the UI's tests can reuse all of it.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pipelines import schema_check

# The JSON fields of each request message (Argo's protobuf API) and their JSON types.
REQUEST_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "create-workflow": {
        "namespace": str,
        "workflow": dict,
        "instanceID": str,
        "serverDryRun": bool,
        "createOptions": dict,
    },
    "retry-workflow": {
        "name": str,
        "namespace": str,
        "restartSuccessful": bool,
        "nodeFieldSelector": str,
        "parameters": list,
    },
    "stop-workflow": {"name": str, "namespace": str, "nodeFieldSelector": str, "message": str},
    "create-cron": {"namespace": str, "cronWorkflow": dict, "createOptions": dict},
    "suspend-cron": {"name": str, "namespace": str},
    "resume-cron": {"name": str, "namespace": str},
}
KINDS = {"workflows": "Workflow", "cron-workflows": "CronWorkflow"}
FINISHED = ("Succeeded", "Failed", "Error")
# grpc status codes, as the gateway reports them
_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 6}
_ROUTE = re.compile(r"^/api/v1/(workflows|cron-workflows)/([^/]+)(?:/([^/]+))?(?:/([a-z]+))?$")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorized: bool


@dataclass
class FakeArgoServer:
    token: str | None = None  # None: no authentication, as in Argo's "server" auth mode
    forbidden_namespaces: set[str] = field(default_factory=set)
    check_schema: bool = field(default_factory=schema_check.available)
    requests: list[Recorded] = field(default_factory=list)
    # (kind plural, namespace, name) -> object
    objects: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._http: ThreadingHTTPServer | None = None

    # Life cycle

    def start(self) -> FakeArgoServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> FakeArgoServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._http is not None, "start() the server first"
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    # What tests seed and read

    def put_workflow(self, manifest: dict[str, Any], name: str | None = None) -> dict[str, Any]:
        """Store a workflow as if created (``name`` replaces a generateName)."""
        body = copy.deepcopy(manifest)
        namespace = body["metadata"].get("namespace") or "default"
        with self._lock:
            return self._create("workflows", namespace, body, name)

    def set_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        with self._lock:
            self.objects[("workflows", namespace, name)]["status"] = copy.deepcopy(status)

    def workflow(self, namespace: str, name: str) -> dict[str, Any]:
        return self.objects[("workflows", namespace, name)]

    def cron(self, namespace: str, name: str) -> dict[str, Any]:
        return self.objects[("cron-workflows", namespace, name)]

    def calls(self, method: str, path_suffix: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.endswith(path_suffix)]

    # Request handling (under the lock)

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Any:
        match = _ROUTE.match(path)
        if match is None:
            raise ApiError(404, f"no route for {method} {path}")
        plural, namespace, name, action = match.groups()
        if namespace in self.forbidden_namespaces:
            raise ApiError(403, f'{plural} is forbidden in namespace "{namespace}"')
        if method == "GET" and name is None:
            return self._list(plural, namespace, query)
        if method == "GET" and action is None:
            return self._get(plural, namespace, name)
        if method == "POST" and name is None:
            kind = "create-workflow" if plural == "workflows" else "create-cron"
            _check_request(kind, body, namespace, None)
            key = "workflow" if plural == "workflows" else "cronWorkflow"
            if key not in body:
                raise ApiError(400, f"{key} is required")
            self._check_object(plural, body[key], namespace)
            return self._create(plural, namespace, copy.deepcopy(body[key]), None)
        if method == "PUT" and plural == "workflows" and action == "retry":
            _check_request("retry-workflow", body, namespace, name)
            return self._retry(namespace, name, body)
        if method == "PUT" and plural == "workflows" and action == "stop":
            _check_request("stop-workflow", body, namespace, name)
            workflow = self._get(plural, namespace, name)
            if (workflow.get("status") or {}).get("phase") in FINISHED:
                raise ApiError(400, f'cannot shutdown a completed workflow: workflow: "{name}"')
            workflow["spec"]["shutdown"] = "Stop"
            return workflow
        if method == "PUT" and plural == "cron-workflows" and action in ("suspend", "resume"):
            _check_request(f"{action}-cron", body, namespace, name)
            cron = self._get(plural, namespace, name)
            cron["spec"]["suspend"] = action == "suspend"
            return cron
        raise ApiError(404, f"no route for {method} {path}")

    def _check_object(self, plural: str, obj: Any, namespace: str) -> None:
        if not isinstance(obj, dict):
            raise ApiError(400, f"{KINDS[plural]}: not an object")
        given = (obj.get("metadata") or {}).get("namespace")
        if given not in (None, namespace):
            raise ApiError(400, f"the {KINDS[plural]}'s namespace {given!r} is not {namespace!r}")
        if self.check_schema:
            problems = schema_check.schema_problems(obj)
            if problems:
                raise ApiError(400, "; ".join(problems))
        elif obj.get("kind") != KINDS[plural]:
            raise ApiError(400, f"kind {obj.get('kind')!r} is not {KINDS[plural]}")

    def _create(
        self, plural: str, namespace: str, obj: dict[str, Any], name: str | None
    ) -> dict[str, Any]:
        metadata = obj.setdefault("metadata", {})
        name = name or metadata.get("name")
        if not name:
            if not metadata.get("generateName"):
                raise ApiError(400, "metadata.name or metadata.generateName is required")
            name = metadata["generateName"] + "".join(
                secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(5)
            )
        if (plural, namespace, name) in self.objects:
            raise ApiError(409, f'{plural}.argoproj.io "{name}" already exists')
        metadata.update(
            name=name,
            namespace=namespace,
            uid=f"uid-{secrets.token_hex(6)}",
            resourceVersion=str(len(self.objects) + 1),
            creationTimestamp=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        )
        self.objects[(plural, namespace, name)] = obj
        return obj

    def _get(self, plural: str, namespace: str, name: str) -> dict[str, Any]:
        found = self.objects.get((plural, namespace, name))
        if found is None:
            raise ApiError(404, f'{plural}.argoproj.io "{name}" not found')
        return found

    def _list(self, plural: str, namespace: str, query: dict[str, list[str]]) -> dict[str, Any]:
        selector = (query.get("listOptions.labelSelector") or [""])[0]
        items = [
            obj
            for (kind, ns, _), obj in sorted(self.objects.items())
            if kind == plural and ns == namespace and _labels_match(selector, obj)
        ]
        return {"metadata": {"resourceVersion": str(len(self.objects))}, "items": items or None}

    def _retry(self, namespace: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        workflow = self._get("workflows", namespace, name)
        status = workflow.setdefault("status", {})
        phase = status.get("phase") or "Pending"
        restart, selector = body.get("restartSuccessful", False), body.get("nodeFieldSelector")
        if phase not in FINISHED:
            raise ApiError(400, f"Cannot retry a workflow in phase {phase}")
        if phase == "Succeeded" and not (restart and selector):
            raise ApiError(
                400,
                "To retry a succeeded workflow, set the options restartSuccessful and "
                "nodeFieldSelector",
            )
        nodes: dict[str, dict[str, Any]] = status.get("nodes") or {}
        matched = [i for i, node in nodes.items() if selector and _selects(selector, node)]
        if selector and not matched:
            raise ApiError(400, f"no node matches nodeFieldSelector {selector!r}")
        for node_id in _with_descendants(matched, nodes):
            nodes.pop(node_id, None)
        for node in nodes.values():  # as Argo: no dangling child references
            node["children"] = [c for c in node.get("children", []) if c in nodes]
        status.update(phase="Running", nodes=nodes)
        status.pop("finishedAt", None)
        workflow["metadata"].setdefault("labels", {}).pop("workflows.argoproj.io/completed", None)
        return workflow


def _check_request(kind: str, body: Any, namespace: str, name: str | None) -> None:
    if not isinstance(body, dict):
        raise ApiError(400, f"{kind}: the body is not a JSON object")
    fields = REQUEST_FIELDS[kind]
    problems = [f"unknown field {key!r}" for key in body if key not in fields]
    for key, value in body.items():
        expected = fields.get(key)
        if expected is not None and not isinstance(value, expected):
            problems.append(f"{key}: {type(value).__name__} is not {expected}")
    if body.get("namespace") not in (None, namespace):
        problems.append(f"namespace {body['namespace']!r} is not the path's {namespace!r}")
    if name is not None and body.get("name") not in (None, name):
        problems.append(f"name {body['name']!r} is not the path's {name!r}")
    if kind == "retry-workflow" and not all(isinstance(p, str) for p in body.get("parameters", [])):
        problems.append("parameters: every item must be a string NAME=VALUE")
    if problems:
        raise ApiError(400, f"{kind}: " + "; ".join(problems))


def _node_fields(node: dict[str, Any]) -> dict[str, str]:
    """The fields Argo's nodeFieldSelector matches on (SelectorMatchesNode)."""
    fields = {
        "displayName": node.get("displayName", ""),
        "templateName": node.get("templateName", ""),
        "phase": node.get("phase", ""),
        "name": node.get("name", ""),
        "id": node.get("id", ""),
    }
    for param in (node.get("inputs") or {}).get("parameters") or []:
        fields[f"inputs.parameters.{param['name']}.value"] = str(param.get("value", ""))
    return fields


def _selects(selector: str, node: dict[str, Any]) -> bool:
    """A Kubernetes field selector (``a=b,c!=d``; every term must hold) against a node."""
    fields = _node_fields(node)
    for term in selector.split(","):
        negate = "!=" in term
        key, _, value = term.replace("!=", "=").replace("==", "=").partition("=")
        if not key.strip() or not _:
            raise ApiError(400, f"invalid nodeFieldSelector term {term!r}")
        if (fields.get(key.strip(), "") == value.strip()) == negate:
            return False
    return True


def _with_descendants(roots: list[str], nodes: dict[str, dict[str, Any]]) -> set[str]:
    found, stack = set(), list(roots)
    while stack:
        node_id = stack.pop()
        if node_id in found or node_id not in nodes:
            continue
        found.add(node_id)
        stack.extend(nodes[node_id].get("children", []))
    return found


def _labels_match(selector: str, obj: dict[str, Any]) -> bool:
    labels = obj.get("metadata", {}).get("labels") or {}
    for term in filter(None, selector.split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.strip() not in labels:
            return False
    return True


class _Handler(BaseHTTPRequestHandler):
    fake: FakeArgoServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        fake = self.fake
        authorized = fake.token is None or self.headers.get("Authorization") == (
            f"Bearer {fake.token}"
        )
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode(errors="replace")
        with fake._lock:
            fake.requests.append(Recorded(method, parts.path, query, body, authorized))
            try:
                if not authorized:
                    raise ApiError(
                        401, "token not valid. see https://argo-workflows.readthedocs.io"
                    )
                if isinstance(body, str):
                    raise ApiError(400, "the body is not JSON")
                status, answer = 200, copy.deepcopy(fake.handle(method, parts.path, query, body))
            except ApiError as exc:
                status, answer = (
                    exc.status,
                    {"code": _CODES.get(exc.status, 2), "message": exc.message},
                )
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
