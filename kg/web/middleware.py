"""HTTP manners applied to every response, as ASGI middleware.

- ``SecurityHeaders``: a Content-Security-Policy without inline script
  (the pages have none), ``X-Content-Type-Options: nosniff``, and framing
  refused both ways (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``),
  on every response, errors included.
- ``Conditional``: the data cannot change while the server runs, so every
  successful GET or HEAD gets a weak ``ETag`` (a hash of the body), a
  ``Last-Modified`` (when the server loaded the data) and a
  ``Cache-Control``, and a matching ``If-None-Match`` or
  ``If-Modified-Since`` gets a 304 without a body.  The ETag is weak
  because the same body may leave gzipped (Starlette's GZipMiddleware
  sits outside this one).

CORS and gzip are Starlette's own middleware (kg.web.app).
"""

from __future__ import annotations

import hashlib
from email.utils import formatdate

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from werkzeug.http import parse_date, parse_etags

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


class Conditional:
    """ETag, Last-Modified, Cache-Control and 304 for the successful GETs and HEADs of an immutable dataset."""

    def __init__(self, app: ASGIApp, *, last_modified: float, max_age: int = 300) -> None:
        self.app = app
        self.last_modified = int(last_modified)
        self.http_date = formatdate(self.last_modified, usegmt=True)
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    start = None
                    await send(message)
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._finish(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffered)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        headers = MutableHeaders(scope=start)
        tag = hashlib.sha256(body).hexdigest()[:32]
        headers["ETag"] = f'W/"{tag}"'
        headers["Last-Modified"] = self.http_date
        headers.setdefault("Cache-Control", f"public, max-age={self.max_age}")
        if self._fresh(Headers(scope=scope), tag):
            kept = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})

    def _fresh(self, request: Headers, tag: str) -> bool:
        """RFC 9110 13.1: If-None-Match (weak comparison) decides when present, else If-Modified-Since (werkzeug parses both)."""
        if_none_match = request.get("if-none-match")
        if if_none_match is not None:
            return bool(parse_etags(if_none_match).contains_weak(tag))
        since = parse_date(request.get("if-modified-since"))
        return since is not None and since.timestamp() >= self.last_modified
