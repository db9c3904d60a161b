"""A tiny HTTP server that plays a ready engine's port: ``/health`` and ``/v1/models``.

The simulated OME controller starts one per Ready InferenceService and points the
InferenceService's ``status.url`` and the engine pod's port-forward target at it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RESERVED_PORTS = frozenset({8443})


class EngineStub:
    def __init__(self, served_model_name: str) -> None:
        self.served_model_name = served_model_name
        self.hits: list[str] = []
        for _ in range(20):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            if server.server_address[1] not in RESERVED_PORTS:
                break
            server.server_close()
        server.daemon_threads = True
        server.stub = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        stub: EngineStub = self.server.stub  # type: ignore[attr-defined]
        stub.hits.append(self.path)
        if self.path == "/health":
            self._send(200, b"")
        elif self.path == "/v1/models":
            body = {"object": "list", "data": [{"id": stub.served_model_name, "object": "model"}]}
            self._send(200, json.dumps(body).encode(), "application/json")
        else:
            self._send(404, b"not found")

    def _send(self, code: int, body: bytes, kind: str = "text/plain") -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
