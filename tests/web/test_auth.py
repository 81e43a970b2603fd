"""Accounts in multi-user mode: register, log in, log out, sessions, the rate limit, and what
a request without a session gets (pages: the login page; the API: 401)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from k2lab.store import AuthSession, User
from k2lab.web import Settings, create_app
from k2lab.web.security import LoginLimiter, check_password, check_username, safe_next

PASSWORD = "correct horse battery"  # the password of conftest's accounts
T = TypeVar("T")
Accounts = Callable[[str], tuple[TestClient, dict[str, str]]]


@pytest.fixture
def anon(multi_app: FastAPI) -> Iterator[TestClient]:
    """A client of the multi-user app with no account, after one page view (CSRF cookie)."""
    with TestClient(multi_app) as c:
        c.get("/login")
        yield c


def _form(c: TestClient, url: str, **fields: str) -> httpx.Response:
    fields.setdefault("csrf_token", c.cookies.get("k2lab_csrf") or "")
    return c.post(url, data=fields, follow_redirects=False)


def _rows(app: FastAPI, model: type[T]) -> list[T]:
    with app.state.k2.store.session() as s:
        return list(s.scalars(select(model)))


def test_register_logs_in_with_a_hashed_password_and_token(
    multi_app: FastAPI, anon: TestClient
) -> None:
    r = _form(anon, "/register", username="Ada", password=PASSWORD, confirm=PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "k2lab_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    token = anon.cookies.get("k2lab_session") or ""
    assert anon.get("/api/v1/session").json() == {"username": "ada", "multi_user": True}
    (user,) = [u for u in _rows(multi_app, User) if u.username == "ada"]
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    (session,) = _rows(multi_app, AuthSession)
    assert session.token_hash != token and len(session.token_hash) == 64
    assert token not in str(vars(session))


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"username": "ab"}, "username", "3 to 40 characters"),
        ({"username": "bad name!"}, "username", "3 to 40 characters"),
        ({"username": "local"}, "username", "reserved"),
        ({"password": "short", "confirm": "short"}, "password", "at least 10"),
        ({"password": "x" * 257, "confirm": "x" * 257}, "password", "at most 256"),
        ({"password": "grace-hopper-1906", "confirm": "grace-hopper-1906"}, "password", "username"),
        ({"password": "abababababab", "confirm": "abababababab"}, "password", "4 different"),
        ({"confirm": "something else entirely"}, "confirm", "differ"),
    ],
)
def test_register_refuses_bad_input_naming_the_field(
    multi_app: FastAPI, anon: TestClient, fields: dict[str, str], field: str, says: str
) -> None:
    data = {"username": "grace-hopper", "password": PASSWORD, "confirm": PASSWORD} | fields
    r = _form(anon, "/register", **data)
    assert r.status_code == 422
    assert f'id="{field}-error"' in r.text and says in r.text
    assert f'value="{data["username"]}"' in r.text  # what was typed is kept
    assert data["password"] not in r.text or len(data["password"]) < 6
    assert [u.username for u in _rows(multi_app, User)] == []


def test_register_missing_field_and_taken_name(accounts: Accounts, anon: TestClient) -> None:
    r = _form(anon, "/register", username="someone", password=PASSWORD)
    assert r.status_code == 422 and "confirm" in r.text
    accounts("taken")
    r = _form(anon, "/register", username="Taken", password=PASSWORD, confirm=PASSWORD)
    assert r.status_code == 422 and "taken" in r.text


def test_login_logout_and_next(accounts: Accounts, anon: TestClient, multi_app: FastAPI) -> None:
    accounts("ada")
    r = _form(anon, "/login", username="ADA", password=PASSWORD, next="/diary?day=1")
    assert r.status_code == 303 and r.headers["location"] == "/diary?day=1"
    assert anon.get("/api/v1/session").status_code == 200
    old = anon.cookies.get("k2lab_session")
    r = _form(anon, "/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert anon.get("/api/v1/session").status_code == 401
    anon.cookies.set("k2lab_session", old or "")  # the old token is dead, not just forgotten
    assert anon.get("/api/v1/session").status_code == 401
    assert len(_rows(multi_app, AuthSession)) == 1  # only the account's first session


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/diary?day=2026-01-01", "/diary?day=2026-01-01"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
    ],
)
def test_next_is_a_local_path(target: str, safe: str) -> None:
    assert safe_next(target) == safe


def test_login_redirect_never_leaves_the_site(accounts: Accounts, anon: TestClient) -> None:
    accounts("ada")
    r = _form(anon, "/login", username="ada", password=PASSWORD, next="//evil.example/")
    assert r.headers["location"] == "/"


def test_wrong_password_and_unknown_user_read_the_same(
    accounts: Accounts, anon: TestClient
) -> None:
    accounts("ada")
    wrong = _form(anon, "/login", username="ada", password="not the password")
    unknown = _form(anon, "/login", username="nobody", password="not the password")
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert "Wrong username or password." in r.text
        assert "k2lab_session" not in r.headers.get("set-cookie", "")
    assert 'value="ada"' in wrong.text
    r = _form(anon, "/login", username="ada")
    assert r.status_code == 422 and "password" in r.text


def test_login_rate_limit(accounts: Accounts, anon: TestClient) -> None:
    accounts("ada")
    for _ in range(5):
        assert _form(anon, "/login", username="ada", password="wrong guess").status_code == 401
    r = _form(anon, "/login", username="ada", password=PASSWORD)  # even the right one now
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 900
    assert "Too many failed logins" in r.text
    api = anon.post("/api/v1/session", json={"username": "ada", "password": PASSWORD})
    assert api.status_code == 429 and "retry-after" in api.headers
    other = _form(anon, "/login", username="someone-else", password="wrong guess")
    assert other.status_code == 401


def test_limiter_window_and_memory_bound() -> None:
    limiter = LoginLimiter(limit=2, window_s=0.05, max_keys=3)
    limiter.failed("a", "ip")
    limiter.failed("a", "ip")
    assert limiter.retry_after("a", "ip") >= 1
    assert limiter.retry_after("a", "other-ip") == 0
    import time

    time.sleep(0.06)
    assert limiter.retry_after("a", "ip") == 0
    for name in "bcdef":
        limiter.failed(name, "ip")
    assert len(limiter._failures) == 3


def test_expired_session_is_refused_and_purged(accounts: Accounts, multi_app: FastAPI) -> None:
    c, _ = accounts("ada")
    with multi_app.state.k2.store.session() as s:
        for row in s.scalars(select(AuthSession)):
            row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert c.get("/api/v1/session").status_code == 401
    (expired,) = _rows(multi_app, AuthSession)
    c.post("/api/v1/session", json={"username": "ada", "password": PASSWORD})
    assert c.get("/api/v1/session").status_code == 200
    assert expired.token_hash not in [row.token_hash for row in _rows(multi_app, AuthSession)]


def test_outdated_hash_is_replaced_on_login(accounts: Accounts, multi_app: FastAPI) -> None:
    accounts("ada")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    with multi_app.state.k2.store.session() as s:
        user = s.scalars(select(User).where(User.username == "ada")).one()
        user.password_hash = weak.hash(PASSWORD)
    with TestClient(multi_app) as c:
        r = c.post("/api/v1/session", json={"username": "ada", "password": PASSWORD})
        assert r.status_code == 200
    (user,) = [u for u in _rows(multi_app, User) if u.username == "ada"]
    assert not PasswordHasher().check_needs_rehash(user.password_hash)


def test_pages_without_a_session_go_to_login(anon: TestClient) -> None:
    r = anon.get("/?x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2F%3Fx%3D1"
    htmx = anon.get("/", headers={"HX-Request": "true", "HX-Current-URL": "http://t/diary"})
    assert htmx.headers["hx-redirect"] == "/login?next=%2Fdiary"
    page = anon.get("/login?next=/diary")
    assert page.status_code == 200 and 'name="next" value="/diary"' in page.text
    assert '<label for="username">' in page.text and '<label for="password">' in page.text
    assert anon.get("/register").status_code == 200


def test_api_session_login_csrf_and_logout(accounts: Accounts, multi_app: FastAPI) -> None:
    accounts("ada")
    with TestClient(multi_app) as c:
        r = c.get("/api/v1/session")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Cookie")
        assert r.json()["detail"][0]["type"] == "LoginRequired"
        bad = c.post("/api/v1/session", json={"username": "ada", "password": "nope nope"})
        assert bad.status_code == 401 and bad.json()["detail"][0]["loc"] == ["body", "password"]
        r = c.post("/api/v1/session", json={"username": "ada", "password": PASSWORD})
        assert r.status_code == 200
        body = r.json()
        assert body["username"] == "ada" and body["csrf_token"] == c.cookies.get("k2lab_csrf")
        assert "HttpOnly" in r.headers["set-cookie"]
        refused = c.delete("/api/v1/session")  # the cookie alone cannot change anything
        assert refused.status_code == 403
        assert refused.json()["detail"][0]["loc"] == ["body", "X-CSRF-Token"]
        assert c.delete("/api/v1/session", headers={"X-CSRF-Token": "forged"}).status_code == 403
        ok = c.delete("/api/v1/session", headers={"X-CSRF-Token": body["csrf_token"]})
        assert ok.status_code == 204
        assert c.get("/api/v1/session").status_code == 401
        assert c.post("/api/v1/session", json={"username": 1}).status_code == 422
        assert c.post("/api/v1/session", content=b"{", headers={"content-type": "application/json"}).status_code in {400, 422}  # fmt: skip


def test_secure_cookie_when_configured(tmp_path: Path, food_db_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 's.sqlite3'}",
        food_db=food_db_path,
        multi_user=True,
        secure_cookies=True,
    )
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as c:
        c.get("/login")
        token = c.cookies.get("k2lab_csrf") or ""
        r = c.post(
            "/register",
            data={"username": "ada", "password": PASSWORD, "confirm": PASSWORD,
                  "csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 303
        session_cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie"]
        assert any("k2lab_session=" in v and "Secure" in v for v in session_cookie)
    app.state.k2.store.close()


def test_single_user_mode_has_no_logins(client: TestClient, csrf: dict[str, str]) -> None:
    assert client.get("/api/v1/session").json() == {"username": "local", "multi_user": False}
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"
    assert client.get("/register", follow_redirects=False).headers["location"] == "/"
    r = client.post("/api/v1/session", json={"username": "ada", "password": PASSWORD})
    assert r.status_code == 404
    assert client.get("/").status_code == 200  # no login on 127.0.0.1


def test_rules_as_functions() -> None:
    assert check_username("  Grace_H ") == "grace_h"
    check_password("four different words", "grace")
    with pytest.raises(Exception, match="username"):
        check_password("grace is my password", "grace")
