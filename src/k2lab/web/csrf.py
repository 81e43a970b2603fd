"""CSRF protection for the pages: a double-submit token.

Every response carries a random ``k2lab_csrf`` cookie (``SameSite=Strict``); every form
sends it back in the ``csrf_token`` field and every htmx request in the ``X-CSRF-Token``
header (``static/k2lab.js`` copies it from the page's ``<meta name="csrf-token">``). Another
site can make the browser send the cookie but cannot read it, so it cannot forge the field.
In single-user mode the JSON API needs no token: browsers cannot send ``application/json``
cross-site without a CORS preflight, which this app never answers. In multi-user mode an API
call that changes something with the session cookie carries the header too
(:func:`k2lab.web.deps.current_user`); uploads to the API always carry it.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from k2lab.errors import K2LabError

__all__ = ["COOKIE", "FIELD", "HEADER", "SAFE_METHODS", "CsrfError", "csrf_token", "verify_csrf"]

COOKIE = "k2lab_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(K2LabError):
    """A state-changing request without the page's token (403)."""

    status_code = 403


def csrf_token(request: Request) -> str:
    """The token of this browser (from its cookie, or a new one the response will set)."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_token = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    """Dependency of every page router: refuse a state-changing request whose token is
    missing or differs from the cookie's."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(COOKIE, "")
    sent = request.headers.get(HEADER, "")
    if not sent and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(FIELD, "")
        sent = value if isinstance(value, str) else ""
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise CsrfError(
            "This form has expired or came from another site. Reload the page and try again.",
            field=FIELD,
        )
