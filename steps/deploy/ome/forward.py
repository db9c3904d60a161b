"""The port-forward helper: ``python -m steps.deploy.ome.forward ...``, a process of its own.

Outside the cluster the benchmark reaches the engine through a port-forward to its pod.
The forward must outlive the wait-ready step and serve the benchmark step, so it runs
detached (its own process group, like a local engine) and teardown stops it by the pid
recorded in deploy.json. It listens on 127.0.0.1:<local-port> and opens one
port-forward stream to the pod per accepted connection, with the kubernetes client
(a websocket to ``pods/<pod>/portforward``). When that is not possible and ``kubectl``
is on the PATH it becomes ``kubectl port-forward`` (exec: same pid, same group).
It exits by itself once the pod is gone, so a forward whose record was lost cannot
linger for longer than its trial.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import select
import shutil
import signal
import socket
import sys
import threading
import time
from typing import Any

from steps.deploy.ome import api
from steps.deploy.ome.client import HOST_ENV, Kube
from steps.deploy.process import RESERVED_PORTS

POD_CHECK_S = 5.0  # how often the helper checks that its pod still exists


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} forward: {message}", flush=True)


def kubectl_argv(args: argparse.Namespace) -> list[str]:
    argv = [
        "kubectl",
        "port-forward",
        "--namespace",
        args.namespace,
        f"pod/{args.pod}",
        f"{args.local_port}:{args.port}",
        "--address",
        "127.0.0.1",
    ]
    if os.environ.get(HOST_ENV):
        argv += ["--server", os.environ[HOST_ENV]]
    return argv


def handshake_status(exc: BaseException) -> int | None:
    """The HTTP status that refused the websocket upgrade. kubernetes 36 wraps it in an
    ApiException and then fails on that (``None.decode``): the status is in the chain."""
    seen: BaseException | None = exc
    while seen is not None:
        match = re.search(r"Handshake status (\d{3})", str(seen))
        if match:
            return int(match.group(1))
        seen = seen.__cause__ or seen.__context__
    return None


def _refusal_message(exc: BaseException) -> str:
    seen: BaseException | None = exc
    while seen is not None and "Handshake status" not in str(seen):
        seen = seen.__cause__ or seen.__context__
    text = str(seen or exc)
    message = re.search(r'"message": "((?:[^"\\]|\\.)*)"', text)
    return message.group(1).replace('\\"', '"') if message else text.splitlines()[0][:300]


def open_stream(kube: Kube, args: argparse.Namespace) -> Any:
    from kubernetes.stream import portforward

    return portforward(
        kube.core.connect_get_namespaced_pod_portforward,
        args.pod,
        args.namespace,
        ports=str(args.port),
    )


def relay(kube: Kube, args: argparse.Namespace, conn: socket.socket) -> None:
    stream = None
    try:
        stream = open_stream(kube, args)
        remote = stream.socket(args.port)
        pump(conn, remote)
        error = stream.error(args.port)
        if error:
            log(f"pod {args.pod} port {args.port}: {error}")
    except Exception as exc:
        log(f"connection failed: {exc}")
    finally:
        with contextlib.suppress(OSError):
            conn.close()
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()


def pump(a: Any, b: Any) -> None:
    """Copy bytes both ways until either side closes."""
    while True:
        readable, _, _ = select.select([a, b], [], [], 60)
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (b if sock is a else a).sendall(data)


def pod_exists(kube: Kube, args: argparse.Namespace) -> bool:
    try:
        api.call(
            api.GET_POD,
            args.namespace,
            kube.core.read_namespaced_pod,
            args.pod,
            args.namespace,
            _preload_content=False,
        )
    except Exception as exc:
        return api.status_of(exc) != 404  # anything but "gone": keep serving
    return True


def serve(kube: Kube, args: argparse.Namespace) -> int:
    listener = socket.create_server(("127.0.0.1", args.local_port))
    listener.settimeout(0.25)  # how soon SIGTERM is noticed
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    log(f"127.0.0.1:{args.local_port} -> pod {args.namespace}/{args.pod} port {args.port}")
    checked = time.monotonic()
    with listener:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                if time.monotonic() - checked > args.check_s:
                    checked = time.monotonic()
                    if not pod_exists(kube, args):
                        log(f"pod {args.pod} is gone; exiting")
                        return 0
                continue
            conn.setblocking(True)
            threading.Thread(target=relay, args=(kube, args, conn), daemon=True).start()
    log("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m steps.deploy.ome.forward")
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--pod", required=True)
    parser.add_argument("--isvc", required=True, help="the InferenceService (names the helper)")
    parser.add_argument("--port", type=int, required=True, help="the engine's port in the pod")
    parser.add_argument("--local-port", type=int, required=True)
    parser.add_argument("--via", choices=("auto", "api", "kubectl"), default="auto")
    parser.add_argument("--check-s", type=float, default=POD_CHECK_S, help="pod check period")
    args = parser.parse_args(argv)
    if args.local_port in RESERVED_PORTS:
        log(f"refusing port {args.local_port}: it is reserved (Kubernetes Dashboard)")
        return 2
    if args.via != "kubectl":
        kube = Kube()
        try:
            stream = open_stream(kube, args)  # probe: can this client forward at all?
            stream.close()
            return serve(kube, args)
        except api.RbacDenied as exc:
            log(str(exc))
            return 2
        except Exception as exc:
            if handshake_status(exc) == 403:  # the websocket upgrade was refused: RBAC
                message = _refusal_message(exc)
                rule = api.denied_rule(message, args.namespace, api.PORT_FORWARD)
                log(str(api.RbacDenied(rule, args.namespace, message)))
                return 2
            if args.via == "api" or shutil.which("kubectl") is None:
                log(f"the kubernetes client cannot port-forward: {exc}")
                return 1
            log(f"the kubernetes client cannot port-forward ({exc}); using kubectl")
    argv_kubectl = kubectl_argv(args)
    log(" ".join(argv_kubectl))
    sys.stdout.flush()
    os.execvp(argv_kubectl[0], argv_kubectl)  # same pid: teardown stops it the same way


if __name__ == "__main__":
    sys.exit(main())
