"""The app shell: health, pages, error shapes, security headers, CSRF, the store on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from k2lab.errors import StoreError
from k2lab.store import open_store
from k2lab.web import Settings, create_app


def test_health_and_home(client: TestClient) -> None:
    assert client.get("/api/v1/health").json()["status"] == "ok"
    page = client.get("/")
    assert page.status_code == 200
    assert "Vitamin K by form" in page.text
    assert 'name="csrf-token"' in page.text


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    directives = dict(
        d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";") if d.strip()
    )
    assert directives["script-src"] == "'self'"  # no inline script, no other origin
    assert directives["frame-ancestors"] == "'none'"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def test_openapi_is_served_and_no_explorer_loads_a_cdn(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/trials" in doc["paths"] and "/api/v1/diaries" in doc["paths"]
    # FastAPI's Swagger page pulls its script from a CDN and runs an inline script
    assert client.get("/api/docs").status_code == 404
    assert client.get("/docs").status_code == 404


def test_unknown_page_is_a_page_and_unknown_api_is_json(client: TestClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "There is no page at this address" in page.text
    api = client.get("/api/v1/no-such-route")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_oversized_body_is_413(client: TestClient) -> None:
    r = client.post("/api/v1/health", content=b"x" * 10, headers={"content-length": "99999999"})
    assert r.status_code == 413
    assert "5,000,000" in r.json()["detail"]


def test_store_tables_exist_on_both_backends(app: object, store_url: str) -> None:
    store = open_store(store_url)
    with store.session() as s:
        assert store.local_user(s).username == "local"
    assert store.dialect in {"sqlite", "postgresql"}
    store.close()


def test_foreign_sqlite_file_is_never_written(tmp_path: Path, food_db_path: Path) -> None:
    foreign = tmp_path / "mine.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    before = foreign.read_bytes()
    with pytest.raises(StoreError, match="another program's database"):
        create_app(Settings(database_url=f"sqlite:///{foreign}", food_db=food_db_path))
    assert foreign.read_bytes() == before
    with pytest.raises(StoreError, match="not a regular file"):
        open_store(f"sqlite:///{tmp_path}")
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("no url at all")
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        open_store("mysql://u@h/db")


def test_unreachable_postgres_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="Check that the server runs"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_plotly_bundle_is_served_locally(client: TestClient) -> None:
    r = client.get("/vendor/plotly.min.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert len(r.content) > 1_000_000
