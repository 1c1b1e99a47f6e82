"""A lean asyncio Socket.IO client over WebSocket only, for thousands of simulated attendees.

It speaks Engine.IO 4 / Socket.IO 5 text packets over RFC 6455 frames, as an asyncio
``Protocol`` (no task per connection). python-socketio's AsyncClient would need aiohttp and
keep an HTTP session, a ping task and a reconnection task per client; a generic frame parser
(wsproto) costs about 20 µs per message. On a 2-core machine the load generators share the
CPU with the server they measure, so a delivery must cost them as little as possible: here
an event's JSON is decoded only when someone listens for that event name.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Callable, Container
from typing import Any

PATH = "/socket.io/?EIO=4&transport=websocket"
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA

#: ``on_event(client, name, data, arrival_time)``, called for every server→client event;
#: ``data`` is None unless ``name`` is in the client's ``decode`` set.
EventHook = Callable[["SioClient", str, Any, float], None]


class SioError(RuntimeError):
    """The connection failed, was refused, or closed while waiting."""


def mask_frame(opcode: int, payload: bytes) -> bytes:
    """Build one final client→server frame (clients must mask, RFC 6455 §5.3)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    key = os.urandom(4)
    stream = (key * (n // 4 + 1))[:n]
    body = (int.from_bytes(payload, "little") ^ int.from_bytes(stream, "little")).to_bytes(
        n, "little"
    )
    return head + key + body


class SioClient(asyncio.Protocol):
    """One Socket.IO connection on the default namespace; ``call`` waits for the ack."""

    def __init__(
        self,
        host: str,
        port: int,
        on_event: EventHook,
        index: int = 0,
        decode: Container[str] | None = None,
    ):
        self.host = host
        self.port = port
        self.on_event = on_event
        self.index = index
        self.decode = decode  # event names whose data is decoded; None: all
        self.received = 0  # server→client events, all names
        self.closed = True
        self.transport: asyncio.Transport | None = None
        self._auth: dict | None = None
        self._acks: dict[int, asyncio.Future] = {}
        self._next_id = 0
        self._buffer = b""
        self._upgraded = False
        self._fragments: list[bytes] = []
        self._connected: asyncio.Future | None = None

    # -- public -------------------------------------------------------------------------

    async def connect(self, auth: dict | None, timeout: float = 20.0) -> dict:
        """Open the WebSocket and the Socket.IO session; answer the server's connect data."""
        loop = asyncio.get_running_loop()
        self._auth = auth
        self._connected = loop.create_future()
        try:
            await asyncio.wait_for(
                loop.create_connection(lambda: self, self.host, self.port), timeout
            )
            key = base64.b64encode(os.urandom(16)).decode()
            self.transport.write(
                (
                    f"GET {PATH} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                ).encode()
            )
            return await asyncio.wait_for(self._connected, timeout)
        except BaseException:
            await self.close()
            raise

    async def call(self, event: str, data: Any = None, timeout: float = 20.0) -> Any:
        """Emit ``event`` with an ack id and return the server's acknowledgement."""
        answer, _arrival = await self.call_timed(event, data, timeout)
        return answer

    async def call_timed(self, event: str, data: Any = None, timeout: float = 20.0):
        """Like :meth:`call`; also answer when the ack arrived (read from the socket)."""
        if self.closed:
            raise SioError("not connected")
        self._next_id += 1
        ack_id = self._next_id
        future = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        self._send("42" + str(ack_id) + json.dumps([event, data], separators=(",", ":")))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._acks.pop(ack_id, None)

    async def close(self) -> None:
        """Close politely (Socket.IO disconnect, then WebSocket close)."""
        if self.transport is not None and not self.transport.is_closing():
            if self._upgraded and not self.closed:
                self._send("41")
                self.transport.write(mask_frame(CLOSE, (1000).to_bytes(2, "big")))
            self.transport.close()
        self._shutdown("closed")

    def drop(self) -> None:
        """Cut the connection without a goodbye, as a network failure or a server restart would."""
        if self.transport is not None:
            self.transport.abort()
        self._shutdown("dropped")

    # -- asyncio.Protocol -----------------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.closed = False

    def connection_lost(self, exc) -> None:
        self._shutdown(f"connection lost: {exc}" if exc else "connection closed by the server")

    def data_received(self, data: bytes) -> None:
        arrival = time.time()
        buffer = self._buffer + data if self._buffer else data
        if not self._upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self._buffer = buffer
                return
            status = buffer[: buffer.find(b"\r\n")]
            if b" 101 " not in status:
                self._fail(f"WebSocket handshake refused: {status.decode(errors='replace')}")
                return
            self._upgraded = True
            buffer = buffer[end + 4 :]
        pos, size = 0, len(buffer)
        while size - pos >= 2:
            b0, b1 = buffer[pos], buffer[pos + 1]
            length = b1 & 0x7F
            head = pos + 2
            if length == 126:
                if size - pos < 4:
                    break
                length = int.from_bytes(buffer[head : head + 2], "big")
                head += 2
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(buffer[head : head + 8], "big")
                head += 8
            key = None
            if b1 & 0x80:  # servers do not mask; tolerate it anyway
                key = buffer[head : head + 4]
                head += 4
            if size < head + length:
                break
            payload = buffer[head : head + length]
            pos = head + length
            if key is not None:
                stream = (key * (length // 4 + 1))[:length]
                payload = (
                    int.from_bytes(payload, "little") ^ int.from_bytes(stream, "little")
                ).to_bytes(length, "little")
            self._on_frame(b0, payload, arrival)
            if self.closed:
                return
        self._buffer = buffer[pos:] if pos < size else b""

    # -- internals ----------------------------------------------------------------------

    def _send(self, text: str) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(mask_frame(TEXT, text.encode()))

    def _on_frame(self, b0: int, payload: bytes, arrival: float) -> None:
        opcode = b0 & 0x0F
        if opcode in (TEXT, 0x0):  # text, or a continuation of one
            if not b0 & 0x80:
                self._fragments.append(payload)
                return
            if self._fragments:
                payload = b"".join([*self._fragments, payload])
                self._fragments = []
            self._on_eio(payload.decode(), arrival)
        elif opcode == PING:
            self.transport.write(mask_frame(PONG, payload))
        elif opcode == CLOSE:
            if not self.transport.is_closing():
                self.transport.write(mask_frame(CLOSE, payload[:2]))
                self.transport.close()
            self._shutdown("closed by the server")

    def _on_eio(self, text: str, arrival: float) -> None:
        kind = text[:1]
        if kind == "4":
            self._on_sio(text, arrival)
        elif kind == "2":  # the server's ping: answer at once, or it drops us
            self._send("3")
        elif kind == "0":
            self._send("40" + json.dumps(self._auth or {}, separators=(",", ":")))
        elif kind == "1":
            self._shutdown("closed by the server")

    def _on_sio(self, text: str, arrival: float) -> None:
        kind = text[1:2]
        if kind == "2":  # an event: 42["name",data] (the server never asks us for an ack)
            self.received += 1
            start = 2
            while text[start].isdigit():
                start += 1
            name_end = text.index('"', start + 2)
            name = text[start + 2 : name_end]
            data = None
            if self.decode is None or name in self.decode:
                body = json.loads(text[start:])
                data = body[1] if len(body) > 1 else None
            self.on_event(self, name, data, arrival)
        elif kind == "3":  # an ack: 43<id>[data]
            split = 2
            while text[split].isdigit():
                split += 1
            future = self._acks.get(int(text[2:split]))
            if future is not None and not future.done():
                body = json.loads(text[split:])
                future.set_result((body[0] if body else None, arrival))
        elif kind == "0":
            if self._connected is not None and not self._connected.done():
                self._connected.set_result(json.loads(text[2:]) if len(text) > 2 else {})
        elif kind == "4":
            self._fail(f"connection refused: {text[2:]}")
        elif kind == "1":
            self._shutdown("disconnected by the server")

    def _fail(self, reason: str) -> None:
        if self.transport is not None:
            self.transport.close()
        self._shutdown(reason)

    def _shutdown(self, reason: str) -> None:
        self.closed = True
        for future in self._acks.values():
            if not future.done():
                future.set_exception(SioError(reason))
        if self._connected is not None and not self._connected.done():
            self._connected.set_exception(SioError(reason))
