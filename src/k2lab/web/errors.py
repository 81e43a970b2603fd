"""How errors reach people: the API answers JSON with the field and the reason, the pages
answer a page (or an htmx fragment) with the message; never a stack trace or SQL.

API error bodies have FastAPI's validation shape, so a client handles both alike::

    {"detail": [{"loc": ["body", "grams"], "msg": "…", "type": "AmountError"}]}
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from k2lab.errors import ConflictError, K2LabError, NotFoundError
from k2lab.web.deps import render
from k2lab.web.headers import add_security_headers
from k2lab.web.security import LoginRequired, TooManyAttempts, safe_next

__all__ = ["install_error_handlers", "is_api"]

log = logging.getLogger("k2lab.web")


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API."""
    return request.url.path.startswith("/api/")


def _status(exc: K2LabError) -> int:
    code = getattr(exc, "status_code", None)
    if isinstance(code, int):
        return code
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    return 422


def _page(request: Request, status: int, title: str, message: str, field: str | None) -> Response:
    template = "error_fragment.html" if request.headers.get("HX-Request") else "error.html"
    return render(request, template, status_code=status, title=title, message=message, field=field)


def _on_k2lab(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, K2LabError)
    status = _status(exc)
    if isinstance(exc, LoginRequired) and not is_api(request):
        return _to_login(request)
    headers = {}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after_s)
    if isinstance(exc, LoginRequired):
        headers["WWW-Authenticate"] = 'Cookie realm="k2lab", cookie-name="k2lab_session"'
    if is_api(request):
        body: dict[str, object] = {
            "detail": [
                {
                    "loc": ["body", exc.field] if exc.field else ["body"],
                    "msg": exc.message,
                    "type": type(exc).__name__,
                }
            ]
        }
        if isinstance(exc, ConflictError) and exc.current_version is not None:
            body["current_version"] = exc.current_version
        return JSONResponse(body, status_code=status, headers=headers)
    title = {
        404: "Not found",
        409: "Changed elsewhere",
        403: "Not allowed",
        401: "Please log in",
        429: "Too many attempts",
    }.get(status, "Please check your input")
    response = _page(request, status, title, exc.message, exc.field)
    response.headers.update(headers)
    return response


def _to_login(request: Request) -> Response:
    """A page that needs a login: to the login page, and back here afterwards (htmx: the
    whole page goes there, not a fragment)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if current := request.headers.get("HX-Current-URL"):
        parts = urlsplit(current)
        here = parts.path + (f"?{parts.query}" if parts.query else "")
    target = "/login?" + urlencode({"next": safe_next(here)})
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type"))}
        for e in exc.errors()
    ]
    if is_api(request):
        return JSONResponse({"detail": errors}, status_code=422)
    first = errors[0] if errors else {"loc": [], "msg": "Invalid input."}
    field = str(first["loc"][-1]) if first["loc"] else None
    message = "; ".join(f"{e['loc'][-1] if e['loc'] else 'input'}: {e['msg']}" for e in errors)
    return _page(request, 422, "Please check your input", message, field)


_UNREADABLE = "The body cannot be read: send UTF-8 JSON (or the form the route documents)."


def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if is_api(request) and exc.status_code == 400:
        # FastAPI's answer to a body it cannot decode (not UTF-8, a broken form): bad input
        # like any other, so the documented 422 with the body as its field.
        detail = [{"loc": ["body"], "msg": _UNREADABLE, "type": "body_unreadable"}]
        return JSONResponse({"detail": detail}, status_code=422)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    if is_api(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    title = {404: "Not found", 405: "Not allowed", 413: "Too large"}.get(exc.status_code, "Error")
    message = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404:
        message = "There is no page at this address. Use the menu to find your way."
    response = _page(request, exc.status_code, title, message, None)
    response.headers.update(headers)
    return response


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """The ``Allow`` of a 405: each method some route answers at this path (Starlette's own
    names only the first route's, ``GET`` for a path whose POST is another route)."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(r.matches(scope)[0] is Match.FULL for r in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def _on_unexpected(request: Request, exc: Exception) -> Response:
    ref = secrets.token_hex(4)
    log.error("unexpected error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    message = f"Something went wrong on our side (reference {ref}); nothing you entered was lost."
    if is_api(request):
        response: Response = JSONResponse({"detail": message, "reference": ref}, status_code=500)
    else:
        response = _page(request, 500, "Something went wrong", message, None)
    add_security_headers(response.headers)  # sent from outside the app's middleware
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Route every error class to its answer."""
    app.add_exception_handler(K2LabError, _on_k2lab)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(HTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
