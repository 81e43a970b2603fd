"""The request body cap, at the ASGI level: a declared ``Content-Length`` over the limit is
refused before the app runs, and a body sent without one (chunked) is counted as it
streams and refused as soon as it passes the limit, so no route ever holds more than
``max_bytes`` of one request. Either way the answer is 413 with the limit in the message.

Example
-------
>>> from starlette.applications import Starlette
>>> from starlette.testclient import TestClient
>>> capped = BodyLimit(Starlette(), max_bytes=10)
>>> TestClient(capped).post("/", content=b"x" * 11).status_code
413
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTooLarge"]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes the limit; the app's error handlers
    turn it into the 413 page or JSON (FastAPI passes HTTPExceptions from body reading
    through unchanged)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request is larger than the limit of {max_bytes:,} bytes.")


class BodyLimit:
    """ASGI middleware: at most ``max_bytes`` of request body per HTTP request."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = BodyTooLarge(self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, send, too_large)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise too_large
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            # Not turned into a response inside (e.g. read by a middleware): answer here.
            if started:
                raise
            await self._refuse(scope, send, too_large)

    async def _refuse(self, scope: Scope, send: Send, exc: BodyTooLarge) -> None:
        if str(scope.get("path", "")).startswith("/api/"):
            body, kind = json.dumps({"detail": exc.detail}).encode(), b"application/json"
        else:
            body, kind = exc.detail.encode(), b"text/plain; charset=utf-8"
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
