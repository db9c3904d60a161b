"""Calls to the Kubernetes API: transient failures retried, permission errors explained.

Timeouts, dropped connections, 5xx and 429 (honouring ``Retry-After``) are retried with
exponential backoff; when they persist the step fails as ``TransientError`` (exit 75), so
Argo's retryStrategy tries the whole step again later. A 403 names the RBAC rule that
is missing, as the rule a cluster admin would add. ``RBAC_RULES`` lists every rule the
ome backend needs: the RBAC templates grant exactly these.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from steps.errors import TaskError, TransientError

T = TypeVar("T")
ATTEMPTS = 6
BACKOFF_S = 0.5  # first wait; doubles up to MAX_BACKOFF_S
MAX_BACKOFF_S = 8.0
MAX_RETRY_AFTER_S = 30.0
REQUEST_TIMEOUT = (10, 60)  # connect, read (seconds): a hung API server is a timeout, retried
RETRIED_STATUS = frozenset({0, 408, 429, 500, 502, 503, 504})  # 0: no HTTP answer at all


@dataclass(frozen=True)
class Rule:
    """One RBAC permission: ``verb`` on ``resource`` in API group ``group``."""

    verb: str
    resource: str
    group: str = ""
    namespaced: bool = True
    why: str = ""

    def describe(self, namespace: str) -> str:
        group = self.group or '"" (core)'
        where = (
            f"namespace={namespace} (a Role there, or a ClusterRole bound there)"
            if self.namespaced
            else "cluster-wide (a ClusterRole and ClusterRoleBinding)"
        )
        return f"verb={self.verb} resource={self.resource} apiGroup={group} {where}"


OME = "ome.io"
GET_RUNTIME = Rule("get", "clusterservingruntimes", OME, False, "read the runtime's command")
CREATE_ISVC = Rule("create", "inferenceservices", OME, why="deploy a candidate")
GET_ISVC = Rule("get", "inferenceservices", OME, why="teardown waits until it is gone")
LIST_ISVC = Rule("list", "inferenceservices", OME, why="wait-ready")
WATCH_ISVC = Rule("watch", "inferenceservices", OME, why="wait-ready")
DELETE_ISVC = Rule("delete", "inferenceservices", OME, why="teardown")
LIST_PODS = Rule("list", "pods", why="wait-ready, logs")
WATCH_PODS = Rule("watch", "pods", why="wait-ready")
GET_POD = Rule("get", "pods", why="the port-forward notices its pod is gone")
POD_LOGS = Rule("get", "pods/log", why="engine logs into the store")
LIST_EVENTS = Rule("list", "events", why="wait-ready, logs")
WATCH_EVENTS = Rule("watch", "events", why="wait-ready")
# deploy.access: port-forward (outside the cluster). The client's websocket is a GET the
# API server authorizes as get (and, from Kubernetes 1.35, also as create); SPDY (kubectl)
# needs create.
PORT_FORWARD = Rule("create", "pods/portforward", why="port-forward to the engine pod")
GET_PORT_FORWARD = Rule("get", "pods/portforward", why="port-forward over a websocket")
RBAC_RULES = (
    GET_RUNTIME,
    CREATE_ISVC,
    GET_ISVC,
    LIST_ISVC,
    WATCH_ISVC,
    DELETE_ISVC,
    LIST_PODS,
    WATCH_PODS,
    GET_POD,
    POD_LOGS,
    LIST_EVENTS,
    WATCH_EVENTS,
    PORT_FORWARD,
    GET_PORT_FORWARD,
)


class RbacDenied(TaskError):
    """The API server refused a request (403): a setup problem, not worth retrying."""

    def __init__(self, rule: Rule, namespace: str, message: str) -> None:
        self.rule = rule
        super().__init__(
            f"Kubernetes refused to {rule.verb} {rule.resource}: {message}; missing RBAC rule: "
            f"{rule.describe(namespace)}; the service account of templates/ has it"
        )


def denied_rule(message: str, namespace: str, default: Rule) -> Rule:
    """The rule a 403 message names (``cannot <verb> resource "<resource>" in API group
    "<group>"``), else ``default``."""
    found = re.search(r'cannot (\w+) resource "([^"]+)" in API group "([^"]*)"', message)
    if found is None:
        return default
    verb, resource, group = found.groups()
    return Rule(verb, resource, group, namespaced="at the cluster scope" not in message)


def api_message(exc: Any) -> str:
    """The ``message`` of the Status an API error carries, else its reason."""
    try:
        return str(json.loads(exc.body)["message"])
    except (TypeError, ValueError, KeyError):
        return f"{getattr(exc, 'status', '')} {getattr(exc, 'reason', exc)}".strip()


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an ApiException, 0 for a connection-level failure, else None."""
    from kubernetes.client.rest import ApiException
    from urllib3.exceptions import HTTPError

    if isinstance(exc, ApiException):
        return int(exc.status or 0)
    if isinstance(exc, (HTTPError, ConnectionError, TimeoutError)):
        return 0
    return None


def call(rule: Rule, namespace: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, retried while the failure is transient.

    Raises ``RbacDenied`` on 403, ``TaskError`` on 401, ``TransientError`` when retries
    run out; any other API error (404, 409, 422 ...) reaches the caller unchanged.
    """
    kwargs.setdefault("_request_timeout", REQUEST_TIMEOUT)
    delay = BACKOFF_S
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            status = status_of(exc)
            if status is None:
                raise
            if status == 403:
                raise RbacDenied(rule, namespace, api_message(exc)) from None
            if status == 401:
                raise TaskError(
                    f"Kubernetes rejected the credentials (401) to {rule.verb} "
                    f"{rule.resource}: {api_message(exc)}; fix: refresh the kubeconfig login"
                ) from None
            if status not in RETRIED_STATUS:
                raise
            if attempt == ATTEMPTS:
                raise TransientError(
                    f"Kubernetes API: {rule.verb} {rule.resource} failed {ATTEMPTS} times, "
                    f"last: {api_message(exc) if status else exc}"
                ) from None
            time.sleep(_retry_after(exc) or delay)
            delay = min(delay * 2, MAX_BACKOFF_S)
    raise AssertionError("unreachable")


def _retry_after(exc: Any) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    try:
        value = float(str(headers.get("Retry-After")))
    except (TypeError, ValueError):
        return None
    return min(max(value, 0.0), MAX_RETRY_AFTER_S) or None
