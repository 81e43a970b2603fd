"""Log in, register and log out (multi-user mode), as pages and as ``/api/v1/session``.

In single-user mode there are no accounts: the pages send the user to the start page and
``POST /api/v1/session`` is 404. The rules themselves (hashing, sessions, the rate limit)
are in :mod:`k2lab.web.security`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from k2lab.errors import K2LabError, NotFoundError
from k2lab.store import User
from k2lab.web.csrf import csrf_token
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.security import (
    SESSION_COOKIE,
    SESSION_DAYS,
    LoginLimiter,
    TooManyAttempts,
    authenticate,
    create_account,
    end_session,
    safe_next,
    start_session,
)
from k2lab.web.state import AppState

__all__ = ["api", "pages"]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["account"])

Text = Annotated[str, Form(max_length=1024)]
Next = Annotated[str, Form(max_length=2000)]


def _limiter(state: AppState) -> LoginLimiter:
    limiter: LoginLimiter = state.extras.setdefault("login_limiter", LoginLimiter())
    return limiter


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login(
    request: Request, state: AppState, s: DbSession, username: str, password: str
) -> tuple[User, str, dt.datetime]:
    """Check the rate limit and the password: the user, the new session's token and its
    expiry, or the error."""
    limiter, address = _limiter(state), _address(request)
    if wait := limiter.retry_after(username, address):
        raise TooManyAttempts(wait)
    try:
        user = authenticate(s, username, password)
    except K2LabError:
        limiter.failed(username, address)
        raise
    limiter.succeeded(username, address)
    token, expires = start_session(s, user)
    return user, token, expires


def _set_session(response: Response, state: AppState, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 86_400,
        httponly=True,
        samesite="lax",
        secure=state.settings.secure_cookies,
        path="/",
    )


def _form_page(
    request: Request, template: str, exc: K2LabError, username: str, next_url: str
) -> HTMLResponse:
    """The form again, with the message by its field and what the user typed (but the
    password) kept."""
    status = getattr(exc, "status_code", 422)
    response = render(
        request,
        template,
        status_code=status,
        error=exc.message,
        field=exc.field,
        username=username,
        next=next_url,
    )
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


@pages.get("/login", response_model=None)
def login_page(request: Request, state: State, next: str = "/") -> Response:
    """The login form."""
    if not state.settings.multi_user_mode:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html", next=safe_next(next), username="")


@pages.post("/login", response_model=None)
def login_submit(
    request: Request, state: State, s: DbSession, username: Text, password: Text, next: Next = "/"
) -> Response:
    """Log in and go where the user was headed."""
    target = safe_next(next)
    if not state.settings.multi_user_mode:
        return RedirectResponse("/", status_code=303)
    try:
        _, token, _ = _login(request, state, s, username, password)
    except K2LabError as exc:
        return _form_page(request, "login.html", exc, username, target)
    response = RedirectResponse(target, status_code=303)
    _set_session(response, state, token)
    return response


@pages.get("/register", response_model=None)
def register_page(request: Request, state: State, next: str = "/") -> Response:
    """The form for a new account."""
    if not state.settings.multi_user_mode:
        return RedirectResponse("/", status_code=303)
    return render(request, "register.html", next=safe_next(next), username="")


@pages.post("/register", response_model=None)
def register_submit(
    request: Request,
    state: State,
    s: DbSession,
    username: Text,
    password: Text,
    confirm: Text,
    next: Next = "/",
) -> Response:
    """Create the account and log in."""
    target = safe_next(next)
    if not state.settings.multi_user_mode:
        return RedirectResponse("/", status_code=303)
    try:
        if password != confirm:
            raise K2LabError("The two passwords differ; type the same one twice.", field="confirm")
        user = create_account(s, username, password)
    except K2LabError as exc:
        return _form_page(request, "register.html", exc, username, target)
    token, _ = start_session(s, user)
    response = RedirectResponse(target, status_code=303)
    _set_session(response, state, token)
    return response


@pages.post("/logout", response_model=None)
def logout(request: Request, state: State, s: DbSession) -> Response:
    """End this session (the cookie's token is deleted from the store)."""
    end_session(s, request.cookies.get(SESSION_COOKIE))
    target = "/login" if state.settings.multi_user_mode else "/"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


class Account(BaseModel):
    """Who the requests of this session act for."""

    username: str
    multi_user: bool


class Credentials(BaseModel):
    """A login."""

    model_config = ConfigDict(strict=True, extra="forbid")
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class NewSession(BaseModel):
    """A started session: the cookie is set; send ``csrf_token`` as the ``X-CSRF-Token``
    header on every call that changes something."""

    username: str
    expires_at: dt.datetime
    csrf_token: str


class Problem(BaseModel):
    """An error with the field it is about."""

    detail: list[dict[str, object]] | str


_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem, "description": "No valid session (multi-user mode)"},
    403: {"model": Problem, "description": "The X-CSRF-Token header is missing or wrong"},
}


@api.get("/session", responses=_ERRORS)
def who_am_i(user: CurrentUser, state: State) -> Account:
    """The account this session acts for (``local`` in single-user mode)."""
    return Account(username=user.username, multi_user=state.settings.multi_user_mode)


@api.post(
    "/session",
    responses={
        400: {"model": Problem, "description": "The body is not JSON"},
        401: {"model": Problem, "description": "Wrong username or password"},
        404: {"model": Problem, "description": "Single-user mode has no logins"},
        429: {"model": Problem, "description": "Too many failed logins; see Retry-After"},
    },
)
def api_login(
    body: Credentials, request: Request, response: Response, state: State, s: DbSession
) -> NewSession:
    """Log in: sets the session cookie (HttpOnly) and returns the CSRF token to send back."""
    if not state.settings.multi_user_mode:
        raise NotFoundError("This server runs in single-user mode: no login is needed.")
    user, token, expires = _login(request, state, s, body.username, body.password)
    _set_session(response, state, token)
    return NewSession(username=user.username, expires_at=expires, csrf_token=csrf_token(request))


@api.delete("/session", status_code=204, responses=_ERRORS)
def api_logout(request: Request, user: CurrentUser, s: DbSession) -> Response:
    """Log out: the session ends and its cookie is cleared."""
    end_session(s, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
