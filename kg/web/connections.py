"""Connection-level limits for uvicorn: slow clients cannot take the server down.

uvicorn has a keep-alive timeout but no limit on the time a client may take
to send its request headers, nor on open connections other than a 503 once
too many are open (which would turn away ordinary clients as well), and its
httptools protocol no limit on the size of the headers.
``protocol_class(limits)`` subclasses uvicorn's httptools protocol (the
llhttp parser, in C: h11, in Python, cost a tenth of a millisecond a
request), so that:

- every accepted socket gets ``TCP_NODELAY`` (asyncio sets it only on
  sockets it created as TCP: without it every response after the first on
  a keep-alive connection waits ~40 ms for a delayed ACK);
- a request's headers must arrive within ``header_timeout`` seconds of its
  first byte (or of the connection), else the connection is closed: a
  client dribbling a header line every few seconds holds it no longer;
- a request's line and headers may take at most ``max_header_bytes``
  (16 KiB, as h11 allows), else the client gets a 400 and the connection
  is closed;
- at most ``max_connections`` are open: past that, a new connection
  closes the *oldest one that is not in a request* (idle keep-alive, or
  still sending its headers) to make room, so clients that send a request
  promptly are always served, while the dribblers are shed first.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("kg.serve")


@dataclass(frozen=True)
class Limits:
    max_connections: int = 1000
    header_timeout: float = 10.0
    max_header_bytes: int = 16 * 1024


def protocol_class(limits: Limits) -> type[HttpToolsProtocol]:
    """An httptools protocol class for uvicorn's ``http=`` with these limits (one set of waiting connections per server)."""
    waiting: dict[GuardedProtocol, None] = {}  # connections not in a request, oldest first

    class GuardedProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None
        _header_bytes: int | None = 0  # bytes received since the request (or the connection) began, while its headers are not all in

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().connection_made(transport)
            self._await_request()
            while len(self.connections) > limits.max_connections:
                victim = next(iter(waiting), None)
                if victim is None or victim is self:
                    self._close("too many connections")
                    break
                victim._close("making room")

        def connection_lost(self, exc: Exception | None) -> None:
            self._in_request()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._header_bytes is not None:
                self._header_bytes += len(data)
            super().data_received(data)
            if self._header_bytes is not None and self._header_bytes > limits.max_header_bytes and not self.transport.is_closing():
                if self.cycle is None or self.cycle.response_complete:
                    self.send_400_response("Request headers too large.")
                else:  # a pipelined request's: a 400 now would cut into the answer being sent
                    self._close("request headers too large")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._header_bytes is None:  # a pipelined request: its bytes count from here
                self._header_bytes = 0
            if self in waiting and self._header_timer is None:  # the first byte of a request on a kept-alive connection
                self._header_timer = self.loop.call_later(limits.header_timeout, self._close, "request headers too slow")

        def on_headers_complete(self) -> None:
            self._in_request()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            pipelined = bool(self.pipeline)
            super().on_response_complete()
            if not pipelined and not self.transport.is_closing():  # no request queued behind this one: idle again
                self._await_request(timer=self._header_bytes is not None)  # unless the next one's headers are coming in

        def _await_request(self, *, timer: bool = True) -> None:
            waiting[self] = None
            if self._header_bytes is None:
                self._header_bytes = 0
            if timer and self._header_timer is None:
                self._header_timer = self.loop.call_later(limits.header_timeout, self._close, "request headers too slow")

        def _in_request(self) -> None:
            waiting.pop(self, None)
            self._header_bytes = None
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _close(self, reason: str) -> None:
            self._in_request()
            if not self.transport.is_closing():
                log.info("closing a connection from %s: %s", _peer(self.client), reason)
                self.transport.close()

    return GuardedProtocol


def _peer(client: Any) -> str:
    return f"{client[0]}:{client[1]}" if client else "?"
