"""Request dependencies: the app state, a store session, the current user, page rendering."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from k2lab.store import User
from k2lab.web.csrf import COOKIE as CSRF_COOKIE
from k2lab.web.csrf import HEADER, SAFE_METHODS, CsrfError, csrf_token
from k2lab.web.security import SESSION_COOKIE, LoginRequired, user_for_token
from k2lab.web.state import AppState

__all__ = [
    "CurrentUser",
    "DbSession",
    "State",
    "Viewer",
    "app_state",
    "current_user",
    "render",
    "session",
]


def app_state(request: Request) -> AppState:
    """The app's shared state."""
    state: AppState = request.app.state.k2
    return state


State = Annotated[AppState, Depends(app_state)]


def session(request: Request) -> Iterator[Session]:
    """One store session per request: committed when the route returns, else rolled back.

    ``DbSession`` ends it with ``scope="function"``: the commit happens before the response
    is sent, so a 2xx means the write is on disk (found by tests/web/test_durability.py)."""
    with app_state(request).store.session() as s:
        yield s


DbSession = Annotated[Session, Depends(session, scope="function")]


def current_user(request: Request, s: DbSession) -> User:
    """The user making the request: in single-user mode the local user; in multi-user mode
    the user of the session cookie, else :class:`LoginRequired` (API: 401, pages: to the
    login page). An API call that changes something with the cookie must also carry the
    ``X-CSRF-Token`` header (pages are checked by :func:`verify_csrf` already)."""
    state = app_state(request)
    if not state.settings.multi_user_mode:
        user = state.store.local_user(s)
    else:
        found = user_for_token(s, request.cookies.get(SESSION_COOKIE))
        if found is None:
            raise LoginRequired("Log in first: this needs your account.")
        user = found
        if request.url.path.startswith("/api/") and request.method not in SAFE_METHODS:
            cookie = request.cookies.get(CSRF_COOKIE, "")
            sent = request.headers.get(HEADER, "")
            if not cookie or not hmac.compare_digest(cookie, sent):
                raise CsrfError(
                    f"Send the {HEADER} header with the value of the {CSRF_COOKIE} cookie.",
                    field=HEADER,
                )
    request.state.viewer = Viewer(id=user.id, username=user.username)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or an htmx fragment) from ``template`` with the shared context."""
    state = app_state(request)
    context.setdefault("user", _page_user(request, state))
    return state.templates.TemplateResponse(
        request,
        template,
        {
            "csrf_token": csrf_token(request),
            "multi_user": state.settings.multi_user_mode,
            **context,
        },
        status_code=status_code,
    )


@dataclass(frozen=True)
class Viewer:
    """Who the page is shown to (plain values: an error page renders after the request's
    store session has rolled back, when the ``User`` row can no longer be read)."""

    id: int
    username: str


def _page_user(request: Request, state: AppState) -> Viewer | None:
    """Who to show in the menu: the route's user, or (on pages open to everyone, such as
    the foods) the user of the session cookie, if any."""
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    if viewer is None and state.settings.multi_user_mode and SESSION_COOKIE in request.cookies:
        with state.store.session() as s:
            user = user_for_token(s, request.cookies[SESSION_COOKIE])
            viewer = Viewer(id=user.id, username=user.username) if user else None
    return viewer
