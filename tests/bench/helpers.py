"""Task builder and small real HTTP servers for the benchmark tests (stdlib, loopback only)."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from steps.spec import Task, task_from_dict

HOST = "127.0.0.1"
SERVER_ERROR = "boom: the engine fell over"


def bench_task(model: Path, **benchmark: Any) -> Task:
    scenarios = benchmark.setdefault("scenarios", ["D(32,16)"])
    levels = benchmark.setdefault("concurrency", [1, 2])
    return task_from_dict(
        {
            "name": "bench-test",
            "objective": {"at": {"scenario": scenarios[0], "concurrency": levels[-1]}},
            "model": {
                "name": "tiny-llama",
                "path": str(model / "model.gguf"),
                "tokenizer": str(model),
            },
            "engine": {"kind": "llama.cpp"},
            "search": {"parameters": {"parallel": {"type": "int", "low": 1, "high": 8}}},
            "benchmark": {"max_requests_per_run": 8, **benchmark},
        }
    )


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # stderr noise in test output
        pass

    def _fail(self) -> None:
        body = json.dumps({"error": {"code": 500, "message": SERVER_ERROR}}).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on a free loopback port (never 8443: port 0 lets the kernel pick from
    the ephemeral range) for the duration of the block."""
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def failing_server() -> contextlib.AbstractContextManager[str]:
    """Every request answers 500 with an OpenAI-style error body."""

    class Failing(_Quiet):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._fail()

        do_GET = do_POST

    return serve(Failing)


def silent_server() -> contextlib.AbstractContextManager[str]:
    """Accepts requests and never answers them (an engine that hangs)."""
    stop = threading.Event()

    class Silent(_Quiet):
        def do_POST(self) -> None:
            stop.wait(60)

    @contextlib.contextmanager
    def running() -> Iterator[str]:
        with serve(Silent) as url:
            try:
                yield url
            finally:
                stop.set()  # release the handler threads before the server closes

    return running()


def flaky_proxy(upstream: str) -> contextlib.AbstractContextManager[str]:
    """Forwards every other request to ``upstream`` (streaming the answer), fails the rest."""
    target = urlsplit(upstream)
    lock, counter = threading.Lock(), [0]

    class Flaky(_Quiet):
        protocol_version = "HTTP/1.1"  # chunked transfer needs 1.1

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                counter[0] += 1
                fail = counter[0] % 2 == 0
            if fail:
                self._fail()
                return
            conn = http.client.HTTPConnection(target.netloc, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request("POST", self.path, body=body, headers=headers)
            answer = conn.getresponse()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            # chunked, so each streamed event reaches the client as it arrives
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            # the benchmark hangs up on in-flight requests when a run ends
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                while chunk := answer.read1(65536):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            conn.close()

    return serve(Flaky)
