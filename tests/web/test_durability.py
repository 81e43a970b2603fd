"""Durability under faults (issue 11 part 2, item 4).

A real server process (uvicorn, forked by :class:`live_server.Zygote`) takes a stream of
diary-entry writes from a few concurrent writers; it is SIGKILLed at seeded random moments,
at least 20 times per store, and restarted. After each kill:

- every acknowledged write (a 2xx received) is there, once, with the id it was given;
- every entry that is there was sent (nothing invented), complete (food, amount as typed and
  grams agree: all or nothing), and no write is there twice;
- on SQLite, ``PRAGMA integrity_check`` is ``ok`` and ``foreign_key_check`` finds nothing.

The same runs on PostgreSQL. ``K2LAB_SOAK_KILLS`` sets the kills per store (20 by default,
``make soak`` 100). Last, the food database build (``k2lab db build --path X``)
is killed mid-build (the old file stays valid, nothing partial under the final name) and two
builds to the same path race (both succeed; the file is a valid database).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from k2lab.foods.database import FoodDatabase
from k2lab.store import Entry

sys.path.insert(0, str(Path(__file__).parent))
from live_server import Zygote

SEED = 20_261_202
#: Kills per store (at least 20).
KILLS = max(20, int(os.environ.get("K2LAB_SOAK_KILLS", "20")))
WRITERS = 3
#: Writes per day stay under the store's 200 entries a day.
MAX_WRITES_PER_DAY = 190
FIRST_DAY = dt.date(2026, 1, 1)
FOOD = "natto"


@dataclass
class Ledger:
    """What the writers sent and what was acknowledged, by (date, n)."""

    sent: set[tuple[str, int]] = field(default_factory=set)
    acked: dict[tuple[str, int], int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _writer(url: str, diary_id: int, date: str, ledger: Ledger, stop: threading.Event) -> None:
    """Add entries ``1 g``, ``2 g``, ... to ``date`` until the server dies or ``stop``."""
    with httpx.Client(base_url=url, timeout=10) as client:
        for n in range(1, MAX_WRITES_PER_DAY + 1):
            if stop.is_set():
                return
            with ledger.lock:
                ledger.sent.add((date, n))
            try:
                r = client.post(
                    f"/api/v1/diaries/{diary_id}/days/{date}/entries",
                    json={"kind": "food", "food": FOOD, "amount": f"{n} g"},
                )
            except httpx.HTTPError:
                return  # killed mid-request: not acknowledged
            assert r.status_code == 201, r.text
            with ledger.lock:
                ledger.acked[(date, n)] = int(r.json()["id"])


def _check_day(url: str, diary_id: int, date: str, ledger: Ledger, food_key: str) -> int:
    """Check ``date`` against the ledger; the number of entries found."""
    r = httpx.get(f"{url}/api/v1/diaries/{diary_id}/days/{date}/entries?limit=200", timeout=30)
    assert r.status_code == 200, r.text
    seen: dict[int, int] = {}
    for entry in r.json()["items"]:
        n = int(entry["amount"].removesuffix(" g"))
        assert entry["amount"] == f"{n} g", entry
        assert entry["food_key"] == food_key, entry
        assert entry["grams"] == pytest.approx(n), entry
        assert (date, n) in ledger.sent, f"{date} has an entry that was never sent: {entry}"
        assert n not in seen, f"{date}: write {n} is there twice"
        seen[n] = int(entry["id"])
    for (day, n), entry_id in ledger.acked.items():
        if day == date:
            assert seen.get(n) == entry_id, f"acknowledged write {n} of {date} is lost"
    return len(seen)


def _sqlite_checks(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


@dataclass
class Figures:
    kills: int = 0
    sent: int = 0
    acked: int = 0
    found: int = 0
    days_checked: int = 0
    integrity_checks: int = 0


def _kill_loop(zygote: Zygote, store_url: str, sqlite_path: Path | None, seed: int) -> Figures:
    rng = random.Random(seed)
    ledger = Ledger()
    figures = Figures()
    pid, url = zygote.start(store_url)
    r = httpx.post(f"{url}/api/v1/diaries", json={"name": "durability"}, timeout=30)
    assert r.status_code == 201, r.text
    diary_id = int(r.json()["id"])
    food_key = FoodDatabase.open(zygote.food_db).resolve(FOOD).key
    written: list[str] = []
    for cycle in range(KILLS):
        dates = [str(FIRST_DAY + dt.timedelta(days=cycle * WRITERS + w)) for w in range(WRITERS)]
        stop = threading.Event()
        threads = [
            threading.Thread(target=_writer, args=(url, diary_id, d, ledger, stop)) for d in dates
        ]
        for t in threads:
            t.start()
        # Let a few writes through, then kill at a seeded random moment.
        deadline = time.monotonic() + 30
        while len(ledger.acked) < figures.acked + 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.4))
        zygote.kill(pid)
        figures.kills += 1
        stop.set()
        for t in threads:
            t.join(timeout=30)
        figures.acked = len(ledger.acked)
        if sqlite_path is not None:
            _sqlite_checks(sqlite_path)
            figures.integrity_checks += 1
        pid, url = zygote.start(store_url)
        for d in dates:
            _check_day(url, diary_id, d, ledger, food_key)
        figures.days_checked += len(dates)
        written += dates
    # All days again, at the end: nothing acknowledged went missing later either.
    figures.found = sum(_check_day(url, diary_id, d, ledger, food_key) for d in written)
    figures.days_checked += len(written)
    zygote.kill(pid)
    figures.sent = len(ledger.sent)
    assert figures.acked >= KILLS, "too few acknowledged writes to mean anything"
    print(f"durability {store_url.split(':')[0]}: {figures}")
    return figures


@pytest.fixture(scope="module")
def zygote(food_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with Zygote(food_db=food_db_path, log=log) as z:
        yield z


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill_on_sqlite(
    zygote: Zygote, tmp_path: Path, record_figures: Callable[[str, dict[str, Any]], None]
) -> None:
    path = tmp_path / "k2lab.sqlite3"
    figures = _kill_loop(zygote, f"sqlite:///{path}", path, SEED)
    assert figures.kills == KILLS and figures.integrity_checks == KILLS
    record_figures("durability_sqlite", asdict(figures))


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill_on_postgresql(
    zygote: Zygote, postgres_server: str, record_figures: Callable[[str, dict[str, Any]], None]
) -> None:
    name = f"k2lab_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = postgres_server.rsplit("/", 1)[0] + f"/{name}"
        figures = _kill_loop(zygote, url, None, SEED + 1)
        assert figures.kills == KILLS
        record_figures("durability_postgresql", asdict(figures))
    finally:
        with admin.connect() as con:
            con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_write_is_committed_before_its_response_is_sent(app: FastAPI) -> None:
    """Regression: the store session was committed after the response went out (FastAPI's
    default ``scope="request"`` for a dependency with ``yield``), so a server killed
    between the two lost a write the client had seen acknowledged."""
    with TestClient(app) as client:
        diary_id = client.post("/api/v1/diaries", json={"name": "d"}).json()["id"]
    seen: list[tuple[int, int]] = []
    body = json.dumps({"kind": "food", "food": FOOD, "amount": "1 g"}).encode()

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            with app.state.k2.store.session() as s:
                stored = s.scalar(sa.select(sa.func.count()).select_from(Entry))
            seen.append((int(message["status"]), int(stored or 0)))

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": f"/api/v1/diaries/{diary_id}/days/2026-01-01/entries",
        "raw_path": b"", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1), "server": ("testserver", 80),
    }  # fmt: skip
    # In a thread of its own: another test's browser may keep an event loop running here.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    assert seen == [(201, 1)]


# ---- the food database build: atomic rename ----


def _k2lab(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("k2lab")
    return [str(script) if script.is_file() else sys.executable, *args]


def _valid_food_db(path: Path) -> int:
    """The number of foods of the valid k2lab database at ``path`` (assertions otherwise)."""
    _sqlite_checks(path)
    return len(FoodDatabase.open(path))


@pytest.mark.slow
def test_food_db_build_survives_sigkill_mid_build(
    food_db_path: Path, tmp_path: Path, record_figures: Callable[[str, dict[str, Any]], None]
) -> None:
    rng = random.Random(SEED)
    kills = 0
    target = tmp_path / "foods.sqlite"
    target.write_bytes(food_db_path.read_bytes())
    foods = _valid_food_db(target)
    killed: set[Path] = set()
    for _ in range(3):
        before = set(tmp_path.iterdir())
        build = subprocess.Popen(
            _k2lab("db", "build", "--path", str(target)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill while the temporary file is being filled, at a seeded moment.
        deadline = time.monotonic() + 120
        while not (set(tmp_path.iterdir()) - before) and build.poll() is None:
            assert time.monotonic() < deadline, "the build never started writing"
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.5))
        kills += build.poll() is None  # a kill of a running build (not one that had ended)
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)
        assert _valid_food_db(target) == foods
        leftovers = set(tmp_path.iterdir()) - before
        # Only the killed build's own file (and its journal), named as k2lab's.
        assert all(p.name.startswith(f".foods.sqlite.{build.pid}.") for p in leftovers), leftovers
        killed |= leftovers
    assert killed
    # The next build removes what the killed ones left, and nothing else.
    stranger = tmp_path / ".foods.sqlite.not-k2lab.building"
    stranger.write_text("someone else's")
    done = subprocess.run(_k2lab("db", "build", "--path", str(target)), capture_output=True)
    assert done.returncode == 0, done.stderr
    assert _valid_food_db(target) == foods
    assert set(tmp_path.iterdir()) == {target, stranger}
    record_figures("food_db_build", {"kills": kills, "foods": foods})


def test_two_concurrent_builds_to_one_path_both_succeed(tmp_path: Path) -> None:
    target = tmp_path / "foods.sqlite"
    builds = [
        subprocess.Popen(
            _k2lab("db", "build", "--path", str(target)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for build in builds:
        _, stderr = build.communicate(timeout=300)
        assert build.returncode == 0, stderr
    assert _valid_food_db(target) > 0
    assert [p.name for p in tmp_path.iterdir()] == ["foods.sqlite"]
