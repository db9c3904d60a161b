"""Pod port-forward in the fake API: the websocket protocol the Python client speaks.

``kubernetes.stream.portforward`` opens a websocket (subprotocol ``v4.channel.k8s.io``)
on ``pods/<name>/portforward?ports=P``. Each port gets two channels, data ``2i`` and
error ``2i+1``; the server's first frame on each is the port number (2 bytes, little
endian); after that a binary frame is ``channel byte + payload``. The fake connects the
data channel to ``kube.port_targets[(namespace, pod, port)]``, a local TCP server that
plays the pod's container port, and closes the websocket when either side ends.
What is verified this way: the client's real websocket code path end to end. What is
not: a kubelet, SPDY (what kubectl speaks), TLS and authentication.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import struct
import threading
from typing import TYPE_CHECKING, Any

from tests.kube.errors import ApiError

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from tests.kube.fake_api import FakeKube

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455's fixed handshake suffix
_BINARY, _CLOSE, _PING, _PONG = 0x2, 0x8, 0x9, 0xA
PROTOCOL = "v4.channel.k8s.io"


def serve_portforward(
    handler: BaseHTTPRequestHandler, kube: FakeKube, namespace: str, pod: str, query: dict[str, str]
) -> None:
    key = handler.headers.get("Sec-WebSocket-Key")
    if handler.headers.get("Upgrade", "").lower() != "websocket" or not key:
        raise ApiError(400, "BadRequest", "port-forward needs a websocket upgrade in this fake")
    ports = [int(p) for p in query.get("ports", "").split(",") if p.strip()]
    if not ports:
        raise ApiError(400, "BadRequest", "missing the ports query parameter")
    accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
    handler.send_response(101, "Switching Protocols")
    handler.send_header("Upgrade", "websocket")
    handler.send_header("Connection", "Upgrade")
    handler.send_header("Sec-WebSocket-Accept", accept)
    handler.send_header("Sec-WebSocket-Protocol", PROTOCOL)
    handler.end_headers()
    handler.close_connection = True
    _Session(handler.connection, handler.rfile, kube, namespace, pod, ports).run()


class _Session:
    def __init__(
        self,
        sock: socket.socket,
        rfile: Any,
        kube: FakeKube,
        namespace: str,
        pod: str,
        ports: list[int],
    ) -> None:
        self.sock, self.rfile, self.kube = sock, rfile, kube
        self.namespace, self.pod, self.ports = namespace, pod, ports
        self.send_lock = threading.Lock()
        self.targets: dict[int, socket.socket] = {}

    def run(self) -> None:
        try:
            for index, port in enumerate(self.ports):
                for channel in (2 * index, 2 * index + 1):
                    self._send(_BINARY, bytes([channel]) + struct.pack("<H", port))
                self._connect(index, port)
            self._from_client()
        finally:
            for target in self.targets.values():
                with contextlib.suppress(OSError):
                    target.close()

    def _connect(self, index: int, port: int) -> None:
        address = self.kube.port_targets.get((self.namespace, self.pod, port))
        try:
            if address is None:
                raise OSError(f"nothing listens on port {port} in pod {self.pod}")
            target = socket.create_connection(address, timeout=5)
        except OSError as exc:
            message = f"error forwarding port {port} to pod {self.pod}: {exc}"
            self._send(_BINARY, bytes([2 * index + 1]) + message.encode())
            return
        target.settimeout(None)
        self.targets[index] = target
        threading.Thread(target=self._from_target, args=(index, target), daemon=True).start()

    def _from_target(self, index: int, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := target.recv(65536):
                self._send(_BINARY, bytes([2 * index]) + data)
        # the pod closed its side: end the stream, as the API server does
        with contextlib.suppress(OSError):
            self._send(_CLOSE, struct.pack(">H", 1000))
            self.sock.shutdown(socket.SHUT_RDWR)

    def _from_client(self) -> None:
        while not self.kube.stopping.is_set():
            frame = _read_frame(self.rfile)
            if frame is None:
                return
            opcode, payload = frame
            if opcode == _CLOSE:
                with contextlib.suppress(OSError):
                    self._send(_CLOSE, payload[:2])
                return
            if opcode == _PING:
                self._send(_PONG, payload)
            elif opcode == _BINARY and payload:
                channel, data = payload[0], payload[1:]
                target = self.targets.get(channel // 2)
                if channel % 2 == 0 and target is not None and data:
                    target.sendall(data)

    def _send(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([len(payload)])
        elif len(payload) < 1 << 16:
            header += bytes([126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([127]) + struct.pack(">Q", len(payload))
        with self.send_lock:
            self.sock.sendall(header + payload)  # server frames are never masked


def _read_frame(rfile: Any) -> tuple[int, bytes] | None:
    try:
        head = rfile.read(2)
        if len(head) < 2:
            return None
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack(">H", rfile.read(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", rfile.read(8))[0]
        mask = rfile.read(4) if head[1] & 0x80 else b""
        payload = rfile.read(length)
    except (OSError, struct.error):
        return None
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return opcode, payload
