"""Web security: headers on every kind of answer, cookies, CSRF on page forms, request body
caps (declared and streamed), no stack trace or SQL in an error, templates without inline
script or style (the CSP would block them)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from k2lab.web import Settings, create_app
from k2lab.web.state import TEMPLATES_DIR

Accounts = Callable[[str], tuple[TestClient, dict[str, str]]]


@pytest.fixture
def small_app(tmp_path: Path, food_db_path: Path) -> Iterator[FastAPI]:
    """A multi-user app on SQLite with a 1,000-byte body cap and two routes that fail."""
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 's.sqlite3'}",
            food_db=food_db_path,
            multi_user=True,
            max_upload_bytes=1000,
        )
    )

    def fail() -> None:
        raise OperationalError(
            "SELECT password_hash FROM users WHERE id = ?", {"id": 1}, Exception("disk I/O")
        )

    app.get("/boom", include_in_schema=False)(fail)
    app.get("/api/v1/boom", include_in_schema=False)(fail)
    yield app
    app.state.k2.store.close()


def _check_headers(headers: object) -> None:
    csp = headers["content-security-policy"]  # type: ignore[index]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp and "*" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert headers["x-frame-options"] == "DENY"  # type: ignore[index]
    assert headers["x-content-type-options"] == "nosniff"  # type: ignore[index]


def test_headers_on_pages_api_errors_and_refusals(small_app: FastAPI) -> None:
    with TestClient(small_app, raise_server_exceptions=False) as c:
        answers = [
            c.get("/login"),
            c.get("/", follow_redirects=False),  # to the login page
            c.get("/api/v1/health"),
            c.get("/api/v1/session"),  # 401
            c.get("/no/such/page"),
            c.get("/boom"),
            c.post("/api/v1/session", content=b"x" * 2000),  # 413
            c.post("/login", data={"username": "a"}),  # 403, no CSRF token
        ]
    assert [r.status_code for r in answers] == [200, 303, 200, 401, 404, 500, 413, 403]
    for r in answers:
        _check_headers(r.headers)


def test_csrf_cookie_and_session_cookie_flags(accounts: Accounts) -> None:
    c, _ = accounts("ada")
    jar = {cookie.name: cookie for cookie in c.cookies.jar}
    session = jar["k2lab_session"]
    assert session.has_nonstandard_attr("HttpOnly")
    assert session.get_nonstandard_attr("SameSite", "").lower() == "lax"
    assert session.path == "/" and session.expires is not None
    csrf = jar["k2lab_csrf"]
    assert csrf.get_nonstandard_attr("SameSite", "").lower() == "strict"


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_page_forms_refuse_a_missing_or_wrong_csrf_token(
    accounts: Accounts, token: str | None
) -> None:
    c, _ = accounts("ada")
    data = {} if token is None else {"csrf_token": token}
    logout = c.post("/logout", data=data, follow_redirects=False)
    assert logout.status_code == 403 and "expired or came from another site" in logout.text
    assert c.get("/api/v1/session").status_code == 200  # still logged in: nothing happened
    login = c.post(
        "/login", data={"username": "ada", "password": "x" * 12, **data}, follow_redirects=False
    )
    assert login.status_code == 403
    htmx = c.post("/logout", headers={"HX-Request": "true", "X-CSRF-Token": "forged"})
    assert htmx.status_code == 403 and 'role="alert"' in htmx.text and "<html" not in htmx.text


def test_streamed_body_over_the_cap_is_413(small_app: FastAPI) -> None:
    def chunks(n: int) -> Iterator[bytes]:
        for _ in range(n):
            yield b"x" * 300

    with TestClient(small_app) as c:
        c.get("/login")
        api = c.post("/api/v1/session", content=chunks(4))  # chunked: no Content-Length
        assert api.status_code == 413
        assert api.json() == {"detail": "The request is larger than the limit of 1,000 bytes."}
        page = c.post(
            "/login",
            content=chunks(4),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert page.status_code == 413 and "1,000 bytes" in page.text
        declared = c.post("/login", content=b"x" * 1001)
        assert declared.status_code == 413 and "1,000 bytes" in declared.text
        assert c.post("/api/v1/session", content=b"x", headers={"content-length": "1e9"}).status_code == 413  # fmt: skip
        fits = c.post("/api/v1/session", content=chunks(3))  # 900 bytes: parsed, and refused
        assert fits.status_code in {400, 422}  # as malformed JSON, not as too large


_LEAKS = re.compile(r"Traceback|File \"|SELECT|password_hash|sqlalchemy|OperationalError|\.py")


def test_internal_errors_show_no_trace_or_sql(small_app: FastAPI) -> None:
    with TestClient(small_app, raise_server_exceptions=False) as c:
        page = c.get("/boom")
        api = c.get("/api/v1/boom")
        htmx = c.get("/boom", headers={"HX-Request": "true"})
    for r in (page, api, htmx):
        assert r.status_code == 500
        assert not _LEAKS.search(r.text), r.text
        assert "nothing you entered was lost" in r.text
    assert set(api.json()) == {"detail", "reference"}


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    offenders = []
    for template in sorted(TEMPLATES_DIR.rglob("*.html")):
        text = template.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            offenders += [f"{template.name}: {m}" for m in re.findall(pattern, text)]
    assert offenders == [], "the CSP blocks these; use static .js/.css files"
