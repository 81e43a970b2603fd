"""Recipes: the API (CRUD, ETag, If-Match) and the pages; a recipe on a day counts its foods."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from k2lab.foods import FoodDatabase
from k2lab.intake import to_grams

DAY = "2026-03-02"


def test_recipe_api_crud_and_use_on_a_day(client: TestClient, db: FoodDatabase) -> None:
    body = {"name": "Natto rice", "servings": 2, "items": [{"food": "natto", "amount": "2 tbsp"}]}
    r = client.post("/api/v1/recipes", json=body)
    assert r.status_code == 201 and r.headers["etag"] == '"1"'
    recipe = r.json()
    assert recipe["items"][0]["food_name"] == "Natto"
    rid = recipe["id"]
    assert client.post("/api/v1/recipes", json=body).json()["detail"][0]["loc"][-1] == "name"
    for bad, field in [({**body, "name": "B", "servings": 0}, "servings"),
                       ({**body, "name": "B", "items": []}, "items"),
                       ({**body, "name": "B", "items": [{"food": "natto", "amount": "-1 g"}]},
                        "items.0.amount"),
                       ({**body, "name": "B", "items": [{"food": "zzqq", "amount": "1 g"}]},
                        "items.0.food"),
                       ({**body, "name": "B", "servings": "2"}, "servings")]:  # fmt: skip
        r = client.post("/api/v1/recipes", json=bad)
        assert r.status_code == 422, bad
        assert r.json()["detail"][0]["loc"][-1] in {field, field.split(".")[-1]}, bad
    diary_id = client.post("/api/v1/diaries", json={"name": "D"}).json()["id"]
    day = f"/api/v1/diaries/{diary_id}/days/{DAY}"
    r = client.post(f"{day}/entries", json={"kind": "recipe", "recipe_id": rid, "amount": "1"})
    assert r.status_code == 201
    natto = db.resolve("natto")
    one_tbsp = natto.per_100g("MK-7") / 100 * to_grams(natto, "1 tbsp").grams
    assert client.get(day).json()["totals_ug"]["MK-7"] == pytest.approx(one_tbsp)
    r = client.patch(f"/api/v1/recipes/{rid}", json={"servings": 1}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    assert client.get(day).json()["totals_ug"]["MK-7"] == pytest.approx(2 * one_tbsp)
    r = client.patch(f"/api/v1/recipes/{rid}", json={"name": "x"}, headers={"If-Match": '"1"'})
    assert r.status_code == 409 and r.json()["current_version"] == 2
    assert client.delete(f"/api/v1/recipes/{rid}").status_code == 422  # a day uses it
    assert client.get("/api/v1/recipes").json()["total"] == 1
    assert client.get(f"/api/v1/recipes/{rid}").headers["etag"] == '"2"'
    entry = client.get(day).json()["entries"][0]["id"]
    assert client.delete(f"{day}/entries/{entry}").status_code == 204
    assert client.delete(f"/api/v1/recipes/{rid}", headers={"If-Match": '"1"'}).status_code == 409
    assert client.delete(f"/api/v1/recipes/{rid}").status_code == 204
    assert client.get(f"/api/v1/recipes/{rid}").status_code == 404


def test_recipe_pages(client: TestClient, csrf: dict[str, str]) -> None:
    assert client.get("/recipes").status_code == 200
    form = {"name": "Breakfast bowl", "servings": "2", "items": "2 tbsp natto\n30 g gouda"}
    r = client.post("/recipes", data=form, headers=csrf)
    assert r.status_code == 200 and "Breakfast bowl" in r.text and "2 tbsp Natto" in r.text
    rid = client.get("/api/v1/recipes").json()["items"][0]["id"]
    for field, bad in [("name", ""), ("servings", "many"), ("servings", "0"),
                       ("items", "2 tbsp nattoqq"), ("items", "natto"), ("items", "")]:  # fmt: skip
        r = client.post("/recipes", data={**form, "name": "Other", field: bad}, headers=csrf)
        assert r.status_code == 422, (field, bad)
        assert f'id="new-{field}-error"' in r.text, (field, bad)
    r = client.post(f"/recipes/{rid}", data={**form, "servings": "4", "version": "1"}, headers=csrf)
    assert r.status_code == 200
    assert client.get(f"/api/v1/recipes/{rid}").json()["servings"] == 4
    r = client.post(f"/recipes/{rid}", data={**form, "version": "1"}, headers=csrf)
    assert r.status_code == 409 and "changed elsewhere" in r.text
    r = client.post(f"/recipes/{rid}", data={**form, "items": "-1 g natto"}, headers=csrf)
    assert r.status_code == 422 and f'id="r{rid}-items-error"' in r.text
    # a recipe on a day, from the day page
    r = client.post(f"/diary/{DAY}/entries", data={"kind": "recipe", "recipe_id": str(rid),
                                                   "servings": "1"}, headers=csrf)  # fmt: skip
    assert r.status_code == 200 and "Breakfast bowl" in r.text
    r = client.post(f"/diary/{DAY}/entries", data={"kind": "recipe", "recipe_id": str(rid),
                                                   "servings": "-1"}, headers=csrf)  # fmt: skip
    assert r.status_code == 422 and 'id="amount-error"' in r.text
    r = client.post(f"/recipes/{rid}", data={"action": "delete"}, headers=csrf)
    assert r.status_code == 422 and "used by 1" in r.text
    assert client.post("/recipes/9999", data={"action": "delete"}, headers=csrf).status_code == 404
