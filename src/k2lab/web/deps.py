"""Request dependencies: the app state, a store session, the current user, page rendering."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from k2lab.store import User
from k2lab.web.csrf import csrf_token
from k2lab.web.state import AppState

__all__ = ["CurrentUser", "DbSession", "State", "app_state", "current_user", "render", "session"]


def app_state(request: Request) -> AppState:
    """The app's shared state."""
    state: AppState = request.app.state.k2
    return state


State = Annotated[AppState, Depends(app_state)]


def session(request: Request) -> Iterator[Session]:
    """One store session per request: committed when the route returns, else rolled back."""
    with app_state(request).store.session() as s:
        yield s


DbSession = Annotated[Session, Depends(session)]


def current_user(request: Request, s: DbSession) -> User:
    """The user making the request: in single-user mode the local user."""
    state = app_state(request)
    user = state.store.local_user(s)
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or an htmx fragment) from ``template`` with the shared context."""
    state = app_state(request)
    context.setdefault("user", getattr(request.state, "user", None))
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
