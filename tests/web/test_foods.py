"""Foods pages and API: search (with and without htmx), a food's page, cover; bad input
names the field; the food database shared between threads."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from k2lab.foods.database import FoodDatabase

HX = {"HX-Request": "true"}


def test_search_page_finds_natto_from_a_misspelling_without_javascript(client: TestClient) -> None:
    r = client.get("/foods", params={"q": "nato"})
    assert r.status_code == 200
    assert '<input type="search" id="food-q" name="q" value="nato"' in r.text
    assert 'hx-trigger="input changed delay:200ms' in r.text
    assert '<a href="/foods/natto">Natto</a>' in r.text
    assert "<html" in r.text


def test_search_fragment_for_htmx_is_only_the_results(client: TestClient) -> None:
    r = client.get("/foods", params={"q": "gouda", "rank": "k2_per_100g"}, headers=HX)
    assert r.status_code == 200
    assert "<html" not in r.text and "Gouda" in r.text
    assert "K2 per portion (µg)" in r.text


def test_filters_ignore_case_and_dashes_on_the_page(client: TestClient) -> None:
    page = client.get("/foods", params={"diet": "VEGAN", "vitamer": "mk7", "q": "natto"})
    assert page.status_code == 200 and '<a href="/foods/natto">Natto</a>' in page.text
    r = client.get("/api/v1/foods", params={"diet": "vegan", "vitamer": "MK-7", "limit": 50})
    assert r.status_code == 200
    body = r.json()
    assert body["items"] and body["limit"] == 50 and body["offset"] == 0
    assert all(i["diet"] == "vegan" for i in body["items"])
    assert "natto" in [i["food_key"] for i in body["items"]]


def test_api_pages_slice_one_ranking(client: TestClient) -> None:
    params = {"q": "cheese", "rank": "k2_per_100g", "limit": 5}
    first = client.get("/api/v1/foods", params=params).json()
    second = client.get("/api/v1/foods", params={**params, "offset": 5}).json()
    both = client.get("/api/v1/foods", params={**params, "limit": 10}).json()
    assert first["total"] == both["total"] >= 10
    assert [i["food_key"] for i in first["items"] + second["items"]] == [
        i["food_key"] for i in both["items"]
    ]
    k2 = [i["k2_total_ug_per_100g"] for i in both["items"]]
    assert k2 == sorted(k2, reverse=True)


def test_search_result_gives_k2_per_portion(client: TestClient) -> None:
    item = client.get("/api/v1/foods", params={"q": "natto", "limit": 1}).json()["items"][0]
    assert item["food_key"] == "natto"
    expected = item["k2_total_ug_per_100g"] * item["portion_grams"] / 100
    assert item["k2_total_ug_per_portion"] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    "params,field",
    [
        ({"diet": "carnivore"}, "diet"),
        ({"vitamer": "K3"}, "vitamer"),
        ({"category": "moon rock"}, "category"),
    ],
)
def test_bad_filters_name_the_field(client: TestClient, params: dict[str, str], field: str) -> None:
    api = client.get("/api/v1/foods", params=params)
    if field == "category":  # the API's schema cannot list the database's categories
        assert api.status_code == 200 and api.json()["total"] == 0
    else:
        assert api.status_code == 422
        assert api.json()["detail"][0]["loc"][-1] == field
    page = client.get("/foods", params=params)
    assert page.status_code == 422 and f'data-field="{field}"' in page.text


@pytest.mark.parametrize(
    "params,field",
    [({"rank": "tastiest"}, "rank"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")],
)
def test_bad_paging_and_rank_are_422_on_the_api(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    r = client.get("/api/v1/foods", params=params)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == field


def test_bad_rank_on_the_page_names_it(client: TestClient) -> None:
    r = client.get("/foods", params={"rank": "tastiest"})
    assert r.status_code == 422 and 'data-field="rank"' in r.text


def test_food_page_shows_every_vitamer_with_range_evidence_and_source(client: TestClient) -> None:
    r = client.get("/foods/natto")
    assert r.status_code == 200
    assert "<h1>Natto</h1>" in r.text
    for form in ("K1", "MK-7"):
        assert f'<th scope="row">{form}</th>' in r.text
    detail = client.get("/api/v1/foods/natto").json()
    for value in detail["nutrients"]["mk7_ug_per_100g"]["values"]:
        key = value["source_key"]
        assert f'id="src-{key}"' in r.text
        assert detail["sources"][key]["citation"].split()[0] in r.text
    assert "1 tablespoon" in r.text  # portions


def test_food_page_by_name_and_unknown_food_gives_closest_matches(client: TestClient) -> None:
    assert client.get("/foods/Natto").status_code == 200
    r = client.get("/foods/nattto")
    assert r.status_code == 404 and "Natto" in r.text
    api = client.get("/api/v1/foods/nattto")
    assert api.status_code == 404
    assert "Closest matches" in api.json()["detail"][0]["msg"]


def test_cover_form_page_fragment_and_api_agree(client: TestClient) -> None:
    api = client.get("/api/v1/foods/natto/cover", params={"target": "180 ug MK-7"})
    assert api.status_code == 200
    body = api.json()
    assert body["target_form"] == "MK-7" and body["target_ug_per_day"] == 180
    grams = body["grams_per_day"]
    assert grams["low"] <= grams["typical"] <= grams["high"]
    page = client.get("/foods/natto", params={"target": "180 ug MK-7"})
    assert page.status_code == 200 and "180 µg MK-7 a day" in page.text
    fragment = client.get("/foods/natto", params={"target": "180 ug MK-7"}, headers=HX)
    assert "<html" not in fragment.text and "1 tablespoon" in fragment.text


@pytest.mark.parametrize("target", ["lots", "180 ug K3", "90 ug K2"])
def test_bad_target_names_target(client: TestClient, target: str) -> None:
    # The last target is fine, but this FNDDS natto reports no K2: no amount reaches it.
    food = "usda:fndds:natto" if target == "90 ug K2" else "natto"
    api = client.get(f"/api/v1/foods/{food}/cover", params={"target": target})
    assert api.status_code == 422, api.text
    assert api.json()["detail"][0]["loc"] == ["body", "target"]
    page = client.get(f"/foods/{food}", params={"target": target}, headers=HX)
    assert page.status_code == 422 and 'data-field="target"' in page.text


def test_cover_of_an_unknown_food_is_404_and_missing_target_422(client: TestClient) -> None:
    assert (
        client.get("/api/v1/foods/nope-food/cover", params={"target": "1 ug K1"}).status_code == 404
    )
    r = client.get("/api/v1/foods/natto/cover")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "target"


def test_suggestions_are_datalist_options(client: TestClient) -> None:
    r = client.get("/foods/suggest", params={"q": "goud"})
    assert r.status_code == 200 and '<option value="Gouda' in r.text
    assert client.get("/foods/suggest").text.strip() == ""


def test_food_database_is_safe_to_share_between_threads(food_db_path: Path) -> None:
    assert sqlite3.threadsafety == 3  # serialized: one connection may serve every thread
    sequential = FoodDatabase(food_db_path)
    keys = list(sequential.keys[:: max(1, len(sequential) // 400)])
    expected = {k: sequential.get(k) for k in keys}
    shared = FoodDatabase(food_db_path)  # a fresh cache: every get reads the connection
    with ThreadPoolExecutor(max_workers=16) as pool:
        got = list(pool.map(shared.get, keys * 2))
        stats = list(pool.map(lambda _: shared.stats(), range(8)))
    assert got == [expected[k] for k in keys * 2]
    assert all(s == stats[0] for s in stats)


def test_api_enums_match_the_food_vocabulary() -> None:
    from typing import get_args

    from k2lab.foods.nutrients import DIET_PATTERNS, VITAMERS
    from k2lab.web.foods_api import Diet, Vitamer

    assert get_args(Diet) == DIET_PATTERNS
    assert set(get_args(Vitamer)) == {*VITAMERS, "K2"}


def test_usda_rows_say_where_their_values_come_from(client: TestClient) -> None:
    # Three foods are named Natto; only the curated one carries MK-7, and the page says why.
    page = client.get("/foods", params={"q": "natto"}).text
    assert page.count('">Natto</a>') >= 2
    assert "USDA FoodData Central: K1 and MK-4 only" in page
    items = client.get("/api/v1/foods", params={"q": "natto", "limit": 5}).json()["items"]
    assert {i["origin"] for i in items} >= {"curated", "usda"}
