"""Connection-level limits for uvicorn: slow clients cannot take the server down.

uvicorn (h11) has a keep-alive timeout but no limit on the time a client
may take to send its request headers, nor on open connections other than a
503 once too many are open (which would turn away ordinary clients as well).
``protocol_class(limits)`` subclasses uvicorn's h11 protocol, so that:

- every accepted socket gets ``TCP_NODELAY`` (asyncio sets it only on
  sockets it created as TCP: without it every response after the first on
  a keep-alive connection waits ~40 ms for a delayed ACK);
- a request's headers must arrive within ``header_timeout`` seconds of its
  first byte (or of the connection), else the connection is closed: a
  client dribbling a header line every few seconds holds it no longer;
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

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("kg.serve")


@dataclass(frozen=True)
class Limits:
    max_connections: int = 1000
    header_timeout: float = 10.0


def protocol_class(limits: Limits) -> type[H11Protocol]:
    """An h11 protocol class for uvicorn's ``http=`` with these limits (one set of waiting connections per server)."""
    waiting: dict[GuardedH11Protocol, None] = {}  # connections not in a request, oldest first

    class GuardedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

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
            cycle = self.cycle
            super().data_received(data)
            if self.cycle is not cycle and self.cycle is not None:  # the headers of a request are in
                self._in_request()
            elif self in waiting and self._header_timer is None:  # the first byte of a request on a kept-alive connection
                self._header_timer = self.loop.call_later(limits.header_timeout, self._close, "request headers too slow")

        def on_response_complete(self) -> None:
            cycle = self.cycle
            super().on_response_complete()
            if self.cycle is cycle and not self.transport.is_closing():  # no pipelined request started: idle again
                self._await_request(timer=False)

        def _await_request(self, *, timer: bool = True) -> None:
            waiting[self] = None
            if timer:
                self._header_timer = self.loop.call_later(limits.header_timeout, self._close, "request headers too slow")

        def _in_request(self) -> None:
            waiting.pop(self, None)
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _close(self, reason: str) -> None:
            self._in_request()
            if not self.transport.is_closing():
                log.info("closing a connection from %s: %s", _peer(self.client), reason)
                self.transport.close()

    return GuardedH11Protocol


def _peer(client: Any) -> str:
    return f"{client[0]}:{client[1]}" if client else "?"
