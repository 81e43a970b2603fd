"""The simulations API and its pool: submit → status with progress → result in the
trajectory schema; reuse; queue bound; time limit; failures; owner scoping; restarts.

Short horizons (three weeks, three draws) keep these fast; the ten-year run and the pool's
bounds run on SQLite only (their own app), since the store plays no part in them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from k2lab.store import User
from k2lab.store.schema import SimulationRun
from k2lab.trajectory import TRAJECTORY_SCHEMA
from k2lab.web import Settings, create_app
from k2lab.web.jobs import INTERRUPTED

SHORT: dict[str, Any] = {"person": {"age": 60}, "weeks": 3, "samples": 3}


def wait(client: TestClient, run_id: int, timeout_s: float = 120.0) -> dict[str, Any]:
    """The run's status once it is done or failed."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        status: dict[str, Any] = client.get(f"/api/v1/simulations/{run_id}").json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout_s} s")


def submit(client: TestClient, body: dict[str, Any], code: int = 202) -> dict[str, Any]:
    r = client.post("/api/v1/simulations", json=body)
    assert r.status_code == code, r.text
    out: dict[str, Any] = r.json()
    return out


def other_user(app: FastAPI) -> int:
    with app.state.k2.store.session() as s:
        user = User(username="someone-else")
        s.add(user)
        s.flush()
        return user.id


def test_comparison_runs_in_the_pool_and_follows_the_schema(client: TestClient) -> None:
    run = submit(client, {**SHORT, "add": ["MK-7 180 ug daily"]})
    assert run["status"] == "queued" and run["links"]["result"].endswith(f"/{run['id']}/result")
    status = wait(client, run["id"])
    assert status["status"] == "done" and status["progress"] == 1.0, status
    assert status["created_at"].endswith(("Z", "+00:00")), status  # RFC 3339 with a zone
    result = client.get(run["links"]["result"]).json()
    for side in ("a", "b"):
        jsonschema.validate(result[side], TRAJECTORY_SCHEMA)
    assert result["a"]["label"] == "no supplements"
    assert result["b"]["label"] == "MK-7 180 ug daily"
    # MK-7 activates MGP: less of it inactive, paired draw by draw
    assert result["difference_b_minus_a"]["dp_ucMGP_pmol_per_L"]["difference"] < 0


def test_same_scenario_is_reused_and_a_new_seed_is_not(client: TestClient) -> None:
    first = submit(client, SHORT)
    wait(client, first["id"])
    again = submit(client, SHORT, code=200)
    assert again["id"] == first["id"] and again["status"] == "done"
    other = submit(client, {**SHORT, "seed": 7})
    assert other["id"] != first["id"]
    wait(client, other["id"])
    page = client.get("/api/v1/simulations", params={"limit": 1, "offset": 0}).json()
    assert page["total"] == 2 and [r["id"] for r in page["items"]] == [other["id"]]
    assert client.get("/api/v1/simulations", params={"limit": 0}).status_code == 422


def test_another_owners_finished_run_is_copied_not_shown(client: TestClient, app: FastAPI) -> None:
    first = submit(client, SHORT)
    wait(client, first["id"])
    stranger = other_user(app)
    with app.state.k2.store.session() as s:
        mine = s.get(SimulationRun, first["id"])
        assert mine is not None
        mine.owner_id = stranger  # the finished run now belongs to someone else
    assert client.get(f"/api/v1/simulations/{first['id']}").status_code == 404
    assert client.get(f"/api/v1/simulations/{first['id']}/result").status_code == 404
    assert client.get("/api/v1/simulations").json()["total"] == 0
    copy = submit(client, SHORT, code=200)
    assert copy["id"] != first["id"] and copy["status"] == "done"
    ours = client.get(copy["links"]["result"]).json()
    with app.state.k2.store.session() as s:
        theirs = s.get(SimulationRun, first["id"])
        assert theirs is not None and ours == theirs.result


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"person": {"age": -4}}, "age"),
        ({"person": {"sex": "x"}}, "sex"),
        ({"person": {"population": "martian"}}, "population"),
        ({"person": {"age": "old"}}, "age"),
        ({"add": ["MK-7 lots"]}, "add"),
        ({"supplements": ["MK-7 lots"]}, "supplements"),
        ({"medications": ["phenprocoumon"]}, "medications"),
        ({"weeks": 1e9}, "weeks"),
        ({"years": 1, "weeks": 2}, "weeks"),
        ({"samples": 31}, "samples"),
        ({"seed": -1}, "seed"),
        ({"diary_id": 1, "person": {"age": 50}}, "person"),
        ({"diary_id": 0}, "diary_id"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    r = client.post("/api/v1/simulations", json=body)
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"][0]["loc"], r.json()
    assert client.get("/api/v1/simulations").json()["total"] == 0


def test_unknown_diary_and_run_are_404(client: TestClient) -> None:
    assert client.post("/api/v1/simulations", json={"diary_id": 999}).status_code == 404
    assert client.get("/api/v1/simulations/999").status_code == 404
    assert client.get("/api/v1/simulations/999/result").status_code == 404


def test_refused_input_fails_the_run_with_its_message(client: TestClient) -> None:
    # D3 acts through the calcium system, which does not run for a dialysis patient
    run = submit(
        client,
        {**SHORT, "person": {"population": "hemodialysis"}, "supplements": ["D3 25 ug daily"]},
    )
    status = wait(client, run["id"])
    assert status["status"] == "failed", status
    assert "D3 25 ug daily acts through the calcium system" in status["error"]
    r = client.get(run["links"]["result"])
    assert r.status_code == 409 and "failed" in r.json()["detail"][0]["msg"]


def test_result_of_a_waiting_run_is_409(client: TestClient, app: FastAPI) -> None:
    with app.state.k2.store.session() as s:
        run = SimulationRun(owner_id=app.state.k2.store.local_user(s).id, key="0" * 64)
        s.add(run)
        s.flush()
        run_id = run.id
    r = client.get(f"/api/v1/simulations/{run_id}/result")
    assert r.status_code == 409 and "queued" in r.json()["detail"][0]["msg"]


def test_runs_left_by_a_stopped_server_are_marked_interrupted(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as c:
        c.get("/")
    store = app.state.k2.store
    with store.session() as s:
        owner = store.local_user(s).id
        for status in ("queued", "running", "done"):
            s.add(SimulationRun(owner_id=owner, key=status.ljust(64, "0"), status=status))
    store.close()
    restarted = create_app(settings)
    with TestClient(restarted) as c:
        items = c.get("/api/v1/simulations").json()["items"]
        statuses = sorted((r["status"], r["error"]) for r in items)
    restarted.state.k2.store.close()
    assert statuses == [("done", None), ("failed", INTERRUPTED), ("failed", INTERRUPTED)]


@pytest.fixture
def bounded(tmp_path: Path, food_db_path: Path) -> Iterator[TestClient]:
    """One worker, no waiting room, a 20 s limit (SQLite)."""
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'k2lab.sqlite3'}",
            food_db=food_db_path,
            simulation_workers=1,
            simulation_queue=0,
            simulation_time_limit_s=20.0,
        )
    )
    with TestClient(app) as c:
        yield c
    app.state.k2.store.close()


def test_ten_years_with_the_queue_full_meanwhile(bounded: TestClient) -> None:
    run = submit(bounded, {"person": {"population": "postmenopausal"}, "years": 10,
                           "samples": 10, "add": ["MK-7 180 ug daily"]})  # fmt: skip
    full = bounded.post("/api/v1/simulations", json=SHORT)
    assert full.status_code == 503 and full.headers["Retry-After"] == "30"
    assert "try again" in full.json()["detail"]
    status = wait(bounded, run["id"])
    assert status["status"] == "done", status
    result = bounded.get(run["links"]["result"]).json()
    jsonschema.validate(result["a"], TRAJECTORY_SCHEMA)
    assert 120 <= len(result["a"]["time_h"]) <= 125  # monthly points over ten years
    assert result["a"]["time_h"][-1] == pytest.approx(10 * 8766, rel=1e-3)
    assert {"bmd_lumbar_spine_change_percent", "calcification_index_AU"} <= set(
        result["b"]["series"]
    )
    # the queue has room again
    assert submit(bounded, SHORT)["status"] == "queued"


def test_a_run_past_the_time_limit_fails_and_frees_the_worker(
    tmp_path: Path, food_db_path: Path
) -> None:
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'k2lab.sqlite3'}",
            food_db=food_db_path,
            simulation_time_limit_s=0.3,
        )
    )
    with TestClient(app) as c:
        slow = submit(c, {"years": 10, "samples": 30, "add": ["MK-7 180 ug daily"]})
        status = wait(c, slow["id"])
        assert status["status"] == "failed" and "limit of 0.3 s" in status["error"], status
        pool = app.state.k2.extras["simulations"]
        pool.time_limit_s = 120.0
        quick = submit(c, SHORT)
        assert wait(c, quick["id"])["status"] == "done"
    app.state.k2.store.close()


def test_a_submission_is_answered_while_a_worker_process_starts(
    tmp_path: Path, food_db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting a worker process takes seconds (the fork server's first start); the
    dispatcher used to hold the queue's lock meanwhile, so the next submission waited for it
    (2.4 s in the web benchmark)."""
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'k2lab.sqlite3'}", food_db=food_db_path)
    )
    with TestClient(app) as c:
        pool = app.state.k2.extras["simulations"]
        entered, release = threading.Event(), threading.Event()
        real_submit = pool._executor.submit

        def slow_start(*args: Any, **kwargs: Any) -> Any:
            entered.set()
            release.wait(30)
            return real_submit(*args, **kwargs)

        monkeypatch.setattr(pool._executor, "submit", slow_start)
        first = submit(c, SHORT)
        assert entered.wait(10), "the dispatcher did not start the first run"
        answers: list[int] = []
        second = threading.Thread(
            target=lambda: answers.append(c.post("/api/v1/simulations", json=SHORT | {"seed": 7}).status_code)
        )  # fmt: skip
        second.start()
        second.join(timeout=10)
        answered_while_starting = bool(answers)
        release.set()
        second.join(timeout=30)
        assert answered_while_starting, "the submission waited for the worker process to start"
        assert answers == [202]
        assert wait(c, first["id"])["status"] == "done"
    app.state.k2.store.close()
