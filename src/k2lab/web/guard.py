"""What every HTTP response passes through, as plain ASGI middleware (no per-request task
or response wrapping): the security headers, the CSRF cookie when the browser lacks it or
it changed, and, on SQLite, writing requests taking turns.

SQLite has one writer at a time. Writing requests wait their turn here, on the event loop,
instead of in the database's busy handler on a worker thread: 50 concurrent writers there
held every worker thread while the writer holding the lock waited for a thread to commit
on (500s after the 10 s busy timeout).

Example
-------
>>> from starlette.applications import Starlette
>>> from starlette.testclient import TestClient
>>> response = TestClient(Guard(Starlette(), one_writer=False, secure_cookies=False)).get("/")
>>> response.headers["x-frame-options"], "k2lab_csrf" in response.cookies
('DENY', True)
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from k2lab.web.csrf import COOKIE, SAFE_METHODS, csrf_token
from k2lab.web.headers import add_security_headers

__all__ = ["Guard"]


class Guard:
    """ASGI middleware: security headers and the CSRF cookie on every response; with
    ``one_writer``, one state-changing request at a time."""

    def __init__(self, app: ASGIApp, *, one_writer: bool, secure_cookies: bool) -> None:
        self.app = app
        self.secure_cookies = secure_cookies
        self.write_turn = asyncio.Semaphore(1) if one_writer else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        csrf_token(request)  # the route may read it; a new one is set as a cookie below

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                token = csrf_token(request)
                if request.cookies.get(COOKIE) != token:
                    headers.append("set-cookie", self._cookie(token))
                add_security_headers(headers)
            await send(message)

        if self.write_turn is not None and scope["method"] not in SAFE_METHODS:
            async with self.write_turn:
                await self.app(scope, receive, guarded)
        else:
            await self.app(scope, receive, guarded)

    def _cookie(self, token: str) -> str:
        response = Response()
        response.set_cookie(
            COOKIE, token, httponly=False, samesite="strict", secure=self.secure_cookies
        )
        return response.headers["set-cookie"]
