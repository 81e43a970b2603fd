"""Concurrency (issue 11 part 2, item 5): clients racing on one day of a real server.

A server process (forked by :class:`live_server.Zygote`, on SQLite and on PostgreSQL) takes
simultaneous writes: with the same ``If-Match`` exactly one wins and the others get 409 with
``current_version`` (no update lost, none applied twice); blind adds all land or are refused
with 409, never a 5xx; every 201 is in the day afterwards. Simultaneous submissions of two
scenarios give one run each (reused by the others) and results valid against the trajectory
schema, one scenario's never written over the other's.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import sqlalchemy as sa

from k2lab.trajectory import TRAJECTORY_SCHEMA

sys.path.insert(0, str(Path(__file__).parent))
from live_server import Zygote

RACERS = 8
#: A short outlook (three weeks, three draws), as in test_simulations.py.
SHORT: dict[str, Any] = {"person": {"age": 60}, "weeks": 3, "samples": 3}


@pytest.fixture(scope="module")
def zygote(food_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with Zygote(food_db=food_db_path, log=log) as z:
        yield z


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, zygote: Zygote, tmp_path: Path) -> Iterator[str]:
    """The base URL of a server on a fresh store."""
    admin = None
    if request.param == "sqlite":
        store = f"sqlite:///{tmp_path / 'k2lab.sqlite3'}"
    else:
        server: str = request.getfixturevalue("postgres_server")
        name = f"k2lab_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as con:
            con.execute(sa.text(f'CREATE DATABASE "{name}"'))
        store = server.rsplit("/", 1)[0] + f"/{name}"
    pid, url = zygote.start(store)
    try:
        yield url
    finally:
        zygote.kill(pid)
        if admin is not None:
            with admin.connect() as con:
                con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _race(
    url: str, requests: list[tuple[str, str, dict[str, object], dict[str, str]]]
) -> list[httpx.Response]:
    """Send ``requests`` (method, path, JSON, headers) at once, one thread each."""
    barrier = threading.Barrier(len(requests))
    out: list[httpx.Response | None] = [None] * len(requests)

    def go(i: int) -> None:
        method, path, body, headers = requests[i]
        with httpx.Client(base_url=url, timeout=60) as client:
            barrier.wait()
            out[i] = client.request(method, path, json=body, headers=headers)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in out)
    return [r for r in out if r is not None]


def _diary(url: str) -> int:
    r = httpx.post(f"{url}/api/v1/diaries", json={"name": "shared"}, timeout=30)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _entries(url: str, diary_id: int, date: str) -> list[dict[str, object]]:
    r = httpx.get(f"{url}/api/v1/diaries/{diary_id}/days/{date}/entries", timeout=30)
    assert r.status_code == 200, r.text
    items: list[dict[str, object]] = r.json()["items"]
    return items


@pytest.mark.parametrize("date", ["2026-03-01"])
def test_same_if_match_one_wins_the_rest_get_409(served: str, date: str) -> None:
    diary_id = _diary(served)
    path = f"/api/v1/diaries/{diary_id}/days/{date}/entries"
    first = httpx.post(served + path, json={"food": "natto", "amount": "1 g"}, timeout=30)
    assert first.status_code == 201, first.text
    etag = first.headers["ETag"]
    responses = _race(served, [
        ("POST", path, {"food": "natto", "amount": f"{n + 2} g"}, {"If-Match": etag})
        for n in range(RACERS)
    ])  # fmt: skip
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (RACERS - 1), [r.text for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert r.json()["current_version"] > int(etag.strip('"')), r.text
    amounts = sorted(str(e["amount"]) for e in _entries(served, diary_id, date))
    winner = next(r for r in responses if r.status_code == 201).json()["amount"]
    assert amounts == sorted(["1 g", winner])


def test_blind_adds_to_a_new_day_all_land_or_409(served: str) -> None:
    diary_id = _diary(served)
    date = "2026-03-02"
    path = f"/api/v1/diaries/{diary_id}/days/{date}/entries"
    responses = _race(served, [
        ("POST", path, {"food": "natto", "amount": f"{n + 1} g"}, {}) for n in range(RACERS)
    ])  # fmt: skip
    assert all(r.status_code in (201, 409) for r in responses), [r.text for r in responses]
    landed = sorted(r.json()["amount"] for r in responses if r.status_code == 201)
    assert landed, "no write landed"
    assert sorted(str(e["amount"]) for e in _entries(served, diary_id, date)) == landed


def test_first_requests_of_a_fresh_store_race_to_create_diaries(served: str) -> None:
    """Regression (found by benchmarks/bench_load.py): concurrent first requests each
    created the single-user mode's local user; all but one were a 500."""
    responses = _race(served, [
        ("POST", "/api/v1/diaries", {"name": f"diary {n}"}, {}) for n in range(RACERS)
    ])  # fmt: skip
    assert sorted(r.status_code for r in responses) == [201] * RACERS, [r.text for r in responses]
    r = httpx.get(f"{served}/api/v1/diaries", timeout=30)
    assert sorted(d["name"] for d in r.json()["items"]) == sorted(
        f"diary {n}" for n in range(RACERS)
    )


def _result(url: str, run_id: int, timeout_s: float = 180.0) -> dict[str, Any]:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        status = httpx.get(f"{url}/api/v1/simulations/{run_id}", timeout=30).json()
        if status["status"] == "done":
            r = httpx.get(f"{url}/api/v1/simulations/{run_id}/result", timeout=30)
            assert r.status_code == 200, r.text
            out: dict[str, Any] = r.json()
            return out
        assert status["status"] != "failed", status
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout_s} s")


def test_concurrent_simulations_reuse_one_run_per_scenario_and_stay_valid(served: str) -> None:
    scenarios = [{**SHORT, "seed": seed} for seed in (1, 2)]
    responses = _race(served, [
        ("POST", "/api/v1/simulations", scenarios[n % 2], {}) for n in range(RACERS)
    ])  # fmt: skip
    assert all(r.status_code in (200, 202) for r in responses), [
        (r.status_code, r.text[:300]) for r in responses if r.status_code not in (200, 202)
    ]
    ids = [{r.json()["id"] for i, r in enumerate(responses) if i % 2 == k} for k in (0, 1)]
    assert [len(s) for s in ids] == [1, 1], ids  # one run per scenario, reused
    assert ids[0] != ids[1]
    results = [_result(served, next(iter(s))) for s in ids]
    for result in results:
        jsonschema.validate(result, TRAJECTORY_SCHEMA)
    assert results[0] != results[1]  # different seeds: different draws, not one overwritten
    listed = httpx.get(f"{served}/api/v1/simulations", timeout=30).json()
    assert listed["total"] == 2
