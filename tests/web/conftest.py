"""Web fixtures: the app on SQLite and on a real PostgreSQL, and a client for each.

``store_url`` is parametrized: every test that uses ``client`` (or ``app``) runs on both
stores. PostgreSQL is the server `.ci/run` installs: a throw-away cluster is started here
(as the ``postgres`` user when running as root, since ``initdb`` refuses root), or
``K2LAB_TEST_POSTGRES_URL`` names one to use. Without PostgreSQL binaries the PostgreSQL
cases are skipped, with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from k2lab.web import Settings, create_app

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server (database ``postgres``) for this test session."""
    if url := os.environ.get("K2LAB_TEST_POSTGRES_URL"):
        yield url
        return
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="k2lab-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=60)

    run(
        str(pg / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-locale",
    )
    run(
        str(pg / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "30",
        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
        "-c synchronous_commit=off -c max_connections=200",
        "start",
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store: an SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'k2lab.sqlite3'}"
        return
    server: str = request.getfixturevalue("postgres_server")
    import sqlalchemy as sa

    name = f"k2lab_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as con:
            con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(store_url: str, food_db_path: Path) -> Settings:
    """Single-user settings on the test store and the session's food database."""
    return Settings(database_url=store_url, food_db=food_db_path)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    _ROUTES.update(_endpoint_names(application))
    yield application
    application.state.k2.store.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of the app (lifespan run), with the CSRF cookie of a first page view."""
    with TestClient(app) as c:
        c.get("/")
        yield c


@pytest.fixture
def csrf(client: TestClient) -> dict[str, str]:
    """The header an htmx request carries (forms send the same value as ``csrf_token``)."""
    return {"X-CSRF-Token": client.cookies.get("k2lab_csrf") or ""}


# ---- Multi-user mode (accounts) ----

PASSWORD = "correct horse battery"


@pytest.fixture
def multi_app(store_url: str, food_db_path: Path) -> Iterator[FastAPI]:
    """The app in multi-user mode (accounts required), on both stores."""
    application = create_app(
        Settings(database_url=store_url, food_db=food_db_path, multi_user=True)
    )
    yield application
    application.state.k2.store.close()


def sign_up(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Register ``username`` through the page (which logs ``client`` in); the CSRF header."""
    client.get("/register")
    token = client.cookies.get("k2lab_csrf") or ""
    r = client.post(
        "/register",
        data={"username": username, "password": password, "confirm": password,
              "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    return {"X-CSRF-Token": token}


@pytest.fixture
def accounts(multi_app: FastAPI) -> Iterator[Callable[[str], tuple[TestClient, dict[str, str]]]]:
    """``accounts("ada")``: a client of the multi-user app logged in as a new user ``ada``,
    and its CSRF header."""
    clients: list[TestClient] = []

    def make(username: str) -> tuple[TestClient, dict[str, str]]:
        c = TestClient(multi_app)
        c.__enter__()
        clients.append(c)
        return c, sign_up(c, username)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


# ---- Every page and API route is exercised: routes served during the web tests are
# recorded, and a run of the whole of tests/web fails if a route of the app was never hit.

_ROUTES: set[str] = set()
_HIT: set[str] = set()
_PARTIAL_RUN: list[str] = []


def _name(route: APIRoute) -> str:
    return (
        f"{sorted(route.methods or ())} {route.endpoint.__module__}.{route.endpoint.__qualname__}"
    )


def _endpoint_names(application: FastAPI) -> set[str]:
    from fastapi.routing import iter_route_contexts

    return {
        _name(c.original_route)
        for c in iter_route_contexts(application.routes)
        if isinstance(c.original_route, APIRoute)
    }


@pytest.fixture(scope="session", autouse=True)
def _record_routes() -> Iterator[None]:
    original = APIRoute.handle

    async def handle(self: APIRoute, scope: Scope, receive: Receive, send: Send) -> None:
        _HIT.add(_name(self))
        await original(self, scope, receive, send)

    APIRoute.handle = handle  # type: ignore[method-assign]
    yield
    APIRoute.handle = original  # type: ignore[method-assign]


def pytest_deselected(items: list[pytest.Item]) -> None:
    if any(HERE in Path(str(item.path)).parents for item in items):
        _PARTIAL_RUN.append("some web tests were deselected")


def pytest_collection_finish(session: pytest.Session) -> None:
    files = {Path(str(item.path)) for item in session.items}
    if not set(HERE.glob("test_*.py")) <= files:
        _PARTIAL_RUN.append("not every web test file was collected")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _PARTIAL_RUN or session.testsfailed or not _ROUTES:
        return
    missing = sorted(_ROUTES - _HIT)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"web routes exercised: {len(_ROUTES) - len(missing)} of {len(_ROUTES)}"
            + "".join(f"\n  never exercised: {name}" for name in missing)
        )
    if missing:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
