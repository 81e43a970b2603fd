"""The Outlook page: the diary's person and intake, the form, progress, charts with the
evidence of each link, the table, chart downloads; and :func:`outlook_charts`."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from k2lab.store.days import add_food
from k2lab.store.diaries import create_diary
from k2lab.web.outlook_charts import MAIN_ENDPOINTS, outlook_charts, outlook_table
from k2lab.web.simulations import latest_result


def natto_diary(app: FastAPI) -> int:
    """A diary of a 64-year-old woman with one tablespoon of natto a day, two days."""
    state = app.state.k2
    with state.store.session() as s:
        owner = state.store.local_user(s).id
        diary = create_diary(s, owner, "Mum", {"age": 64, "population": "postmenopausal"},
                             "180 ug MK-7", [])  # fmt: skip
        for day in (dt.date(2026, 11, 1), dt.date(2026, 11, 2)):
            add_food(s, owner, diary.id, day, state.foods, food="natto", amount="1 tbsp")
        return diary.id


def run_page(client: TestClient, location: str, timeout_s: float = 120.0) -> str:
    """The run page once its status fragment says it is no longer waiting."""
    run_id = location.rsplit("/", 1)[1]
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        fragment = client.get(f"/outlook/{run_id}/status").text
        if "hx-trigger" not in fragment:
            return client.get(location).text
        time.sleep(0.2)
    raise AssertionError("the outlook did not finish")


def test_form_shows_the_diary_person_and_intake(client: TestClient, app: FastAPI) -> None:
    diary = natto_diary(app)
    page = client.get("/outlook", params={"diary": diary})
    assert page.status_code == 200
    html = page.text
    assert "64 years, female" in html and "MK-7" in html and "mean of 2 days" in html
    assert 'for="outlook-add"' in html and 'for="outlook-years"' in html
    assert 'value="MK-7 180 ug daily"' in html and 'name="csrf_token"' in html


def test_form_without_a_diary_uses_the_first_and_says_it_is_empty(client: TestClient) -> None:
    html = client.get("/outlook").text
    assert "has no entries" in html and "reference intake" in html


def test_outlook_runs_and_shows_both_curves_evidence_and_table(
    client: TestClient, app: FastAPI, csrf: dict[str, str]
) -> None:
    diary = natto_diary(app)
    r = client.post(
        "/outlook",
        data={"diary": diary, "add": "MK-7 180 ug daily", "years": 1},
        headers=csrf,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    html = run_page(client, location)
    assert "dp-ucMGP (inactive MGP)" in html and "Lumbar spine BMD change" in html
    assert '<details class="outlook-more">' in html and "25(OH)D" in html
    assert "Evidence for the link from inactive MGP to arterial calcification" in html
    assert "very low" in html and "Knapen" in html  # the claim's grade and a source
    assert re.search(r'<th scope="col" class="num">Year 0</th>', html)
    assert html.count('<script type="application/json"') >= 6  # both curves are in each
    assert "/vendor/plotly.min.js" in html
    run_id = location.rsplit("/", 1)[1]
    png = client.get(f"/outlook/{run_id}/chart/dp_ucMGP_pmol_per_L", params={"format": "png"})
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    svg = client.get(f"/outlook/{run_id}/chart/calcification_index_AU", params={"format": "svg"})
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert client.get(f"/outlook/{run_id}/chart/nothing").status_code == 404
    assert client.get(f"/outlook/{run_id}/chart/INR", params={"format": "gif"}).status_code == 422
    done = client.get(f"/outlook/{run_id}/status", headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true"
    # the same outlook again: the stored run, at once
    again = client.post("/outlook", data={"diary": diary, "add": "MK-7 180 ug daily",
                                          "years": 1}, headers=csrf, follow_redirects=False)  # fmt: skip
    assert again.headers["location"] == location
    assert f'href="/outlook/{run_id}"' in client.get("/outlook", params={"diary": diary}).text
    # what the PDF report draws: the diary's latest finished outlook
    with app.state.k2.store.session() as s:
        owner = app.state.k2.store.local_user(s).id
        latest = latest_result(s, owner, diary)
        assert latest is not None and latest_result(s, owner, diary + 1) is None
    assert [c.id for c in outlook_charts(latest, main_only=True)] == list(MAIN_ENDPOINTS)


def test_running_outlook_shows_progress_and_a_refresh_link(
    client: TestClient, app: FastAPI
) -> None:
    from k2lab.store.schema import SimulationRun

    with app.state.k2.store.session() as s:
        run = SimulationRun(owner_id=app.state.k2.store.local_user(s).id, key="1" * 64,
                            status="running", progress=0.5, request={"base": {"label": "x"}})  # fmt: skip
        s.add(run)
        s.flush()
        run_id = run.id
    html = client.get(f"/outlook/{run_id}").text
    assert "Simulating: 50" in html and f'hx-get="/outlook/{run_id}/status"' in html
    assert 'hx-trigger="every 1s"' in html and f'href="/outlook/{run_id}">Refresh' in html
    assert client.get(f"/outlook/{run_id}/chart/dp_ucMGP_pmol_per_L").status_code == 404


def test_dialysis_outlook_says_what_was_not_simulated(client: TestClient) -> None:
    r = client.post("/api/v1/simulations",
                    json={"person": {"population": "hemodialysis"}, "weeks": 3, "samples": 2})  # fmt: skip
    html = run_page(client, r.json()["links"]["page"])
    assert "Not simulated" in html and "calcium system" in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"add": "MK-7 lots", "years": "1"}, "add"),
        ({"add": "", "years": "11"}, "years"),
        ({"add": "", "years": "many"}, "years"),
        ({"add": "x" * 201, "years": "1"}, "add"),
    ],
)
def test_bad_form_input_is_422_naming_the_field(
    client: TestClient, app: FastAPI, csrf: dict[str, str], data: dict[str, str], field: str
) -> None:
    diary = natto_diary(app)
    r = client.post("/outlook", data={"diary": str(diary), **data}, headers=csrf)
    assert r.status_code == 422 and field in r.text
    assert client.get("/api/v1/simulations").json()["total"] == 0


def test_other_diary_or_run_is_404_and_post_needs_csrf(
    client: TestClient, csrf: dict[str, str]
) -> None:
    assert client.get("/outlook", params={"diary": 999}).status_code == 404
    assert client.get("/outlook/999").status_code == 404
    assert client.get("/outlook/999/status").status_code == 404
    assert client.post("/outlook", data={"diary": "999"}, headers=csrf).status_code == 404
    assert client.post("/outlook", data={"diary": "1"}).status_code == 403


def _result(labels: tuple[str, ...]) -> dict[str, Any]:
    def side(label: str) -> dict[str, Any]:
        series = {
            name: {"unit": "%", "label": name, "values": [0.0, 1.0, None],
                   "low": [0.0, 0.5, 1.0], "high": [0.0, 1.5, 2.0]}
            for name in (*MAIN_ENDPOINTS, "pth_pmol_per_L")
        }  # fmt: skip
        return {"label": label, "time_h": [0.0, 8766.0, 3 * 8766.0], "series": series}

    if len(labels) == 1:
        return side(labels[0])
    return {"schema": "k2lab.trajectory/1", "a": side(labels[0]), "b": side(labels[1])}


def test_outlook_charts_main_first_both_scenarios_years_axis() -> None:
    charts = outlook_charts(_result(("no supplements", "MK-7 180 ug daily")))
    assert [c.id for c in charts] == [*MAIN_ENDPOINTS, "pth_pmol_per_L"]
    first = charts[0]
    assert [t.name for t in first.traces] == ["no supplements", "MK-7 180 ug daily"]
    assert first.x_title == "Years" and list(first.traces[0].x) == [0.0, 1.0, 3.0]
    assert first.y_title == "pmol/L" and charts[1].y_title == "Change from start (%)"
    assert first.traces[0].low is not None and first.note.startswith("Evidence")
    assert [c.id for c in outlook_charts(_result(("a",)), main_only=True)] == list(MAIN_ENDPOINTS)
    years, rows = outlook_table(_result(("a",)))
    assert years == (0.0, 1.0, 2.0) and rows[0].values == (0.0, 1.0, 1.0)
