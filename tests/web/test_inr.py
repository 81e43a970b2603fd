"""The INR stability page and API on a diary written through the store: the numbers are
``inr_stability``'s on the same days, bad options name the field, the report links to it
for a diary on warfarin, and another owner's diary is a 404 (tests/web/test_isolation.py)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from k2lab.physiology.inr_stability import inr_stability
from k2lab.store.days import add_food
from k2lab.store.diaries import create_diary, diary_to_diet

DAYS = [dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(7)]


def _diary(app: FastAPI, medications: list[str], natto: bool = True) -> int:
    state = app.state.k2
    with state.store.session() as s:
        owner = state.store.local_user(s).id
        diary = create_diary(s, owner, "Dad", {"age": 70, "sex": "male"}, "90 ug K2", medications)
        for i, date in enumerate(DAYS):
            add_food(s, owner, diary.id, date, state.foods, food="kale", amount="1 cup")
            if natto and i in (0, 4):
                add_food(s, owner, diary.id, date, state.foods, food="natto", amount="1 pack")
        return diary.id


def test_api_gives_the_cores_numbers(app: FastAPI, client: TestClient) -> None:
    diary_id = _diary(app, ["warfarin"])
    r = client.get(f"/api/v1/diaries/{diary_id}/inr", params={"weeks": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    state = app.state.k2
    with state.store.session() as s:
        from k2lab.store import Diary

        diet = diary_to_diet(s.get(Diary, diary_id), state.foods)
    core = inr_stability(diet, weeks=2, n_samples=10)
    assert body["medication"] == "warfarin" and body["cycle_days"] == 7
    assert body["diary"]["sd"] == pytest.approx(core.diary.sd, abs=1e-4)
    assert body["day_labels"] == [str(d) for d in DAYS]
    assert body["diary"]["sd"] > 3 * body["steady"]["sd"]  # two natto days a week
    assert {c["source_key"] for c in body["published_checks"]} == {
        "khan2004_bjh",
        "foroughi2016_jpc",
    }


def test_page_shows_the_chart_the_tables_and_the_caveats(app: FastAPI, client: TestClient) -> None:
    diary_id = _diary(app, ["warfarin"])
    r = client.get("/inr", params={"diary": diary_id, "weeks": "2", "range": "2–3"})
    assert r.status_code == 200, r.text
    text = r.text
    assert "<h1>INR stability: Dad</h1>" in text
    block = re.search(r'<script type="application/json" id="chart-data-inr">(.*?)</script>', text)
    assert block is not None
    figure = json.loads(block.group(1))
    assert [t["name"] for t in figure["data"]] == ["Diary as written", "Same average every day"]
    assert "Time in 2–3" in text and "khan2004_bjh" in text and "does not diagnose" in text
    assert str(DAYS[0]) in text
    report = client.get("/report", params={"diary": diary_id}).text
    assert f'href="/inr?diary={diary_id}"' in report


def test_a_diary_without_an_antagonist_says_so(app: FastAPI, client: TestClient) -> None:
    diary_id = _diary(app, ["apixaban"], natto=False)
    text = client.get("/inr", params={"diary": diary_id, "weeks": "1"}).text
    assert "settings list no vitamin K antagonist" in text and "do not depend on vitamin K" in text
    assert 'href="/inr' not in client.get("/report", params={"diary": diary_id}).text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"target": "high"}, "target"),
        ({"range": "2 to 3"}, "range"),
        ({"medication": "apixaban"}, "medication"),
        ({"target": "3.5"}, "inr_target"),
        ({"weeks": "500"}, "weeks"),
    ],
)
def test_bad_options_name_the_field(
    app: FastAPI, client: TestClient, params: dict[str, str], field: str
) -> None:
    diary_id = _diary(app, ["warfarin"], natto=False)
    r = client.get("/inr", params={"diary": diary_id, **params})
    assert r.status_code == 422, r.text
    api = client.get(f"/api/v1/diaries/{diary_id}/inr", params={"medication": "apixaban"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "medication"
