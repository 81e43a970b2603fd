"""The diary pages and API: days by meal, entries, copying, settings; versions and owners."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from k2lab.foods import FoodDatabase
from k2lab.intake import to_grams
from k2lab.store import Diary, User
from k2lab.web.state import _num

TODAY = dt.date.today().isoformat()
DAY = "2026-03-02"


def _diary_id(client: TestClient) -> int:
    return int(client.get("/api/v1/diaries").json()["items"][0]["id"])


def _day(client: TestClient, date: str = DAY) -> dict[str, object]:
    body: dict[str, object] = client.get(f"/api/v1/diaries/{_diary_id(client)}/days/{date}").json()
    return body


def _add(client: TestClient, csrf: dict[str, str], date: str = DAY, **form: str):  # type: ignore[no-untyped-def]
    return client.post(f"/diary/{date}/entries", data=form, headers=csrf, follow_redirects=False)


def test_journey_natto_and_gouda_give_the_data_s_mk7(
    client: TestClient, csrf: dict[str, str], db: FoodDatabase
) -> None:
    assert client.get("/diary").status_code == 200
    r = _add(client, csrf, TODAY, food="1 tbsp natto", meal="breakfast", version="0")
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/diary/{TODAY}")
    r = _add(client, csrf, TODAY, food="gouda", amount="2 slices", meal="lunch", version="1")
    assert r.status_code == 303
    pairs = ((db.resolve("natto"), "1 tbsp"), (db.resolve("gouda"), "2 slices"))

    def mk7(estimate: str) -> float:
        return sum(f.per_100g("MK-7", estimate) / 100 * to_grams(f, a).grams for f, a in pairs)

    expected = mk7("typical")
    totals = _day(client, TODAY)["totals_ug"]
    assert isinstance(totals, dict)
    assert totals["MK-7"] == pytest.approx(expected)
    # "about 100 µg": 100 lies within the range the sources give for these two foods
    assert mk7("low") <= 100 <= mk7("high")
    page = client.get(f"/diary/{TODAY}").text
    assert f'data-form="MK-7">{_num(expected)}<' in page
    assert "Natto" in page and "2 slices" in page
    overview = client.get("/diary").text
    assert TODAY in overview


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"food": "natto", "amount": "-2 g"}, "amount"),
        ({"food": "natto", "amount": "5 kg"}, "amount"),
        ({"food": "natto", "amount": "abc"}, "amount"),
        ({"food": "natto", "amount": ""}, "amount"),
        ({"food": "nattoqq", "amount": "1 tbsp"}, "food"),
        ({"food": "natto", "amount": "1 tbsp", "meal": "brunch"}, "meal"),
        ({"kind": "supplement", "text": "MK-7 lots"}, "text"),
        ({"kind": "recipe", "recipe_id": "x"}, "recipe_id"),
        ({"food": "natto", "amount": "1 tbsp", "version": "x"}, "version"),
    ],
)
def test_bad_entry_rerenders_with_the_message_and_keeps_the_input(
    client: TestClient, csrf: dict[str, str], form: dict[str, str], field: str
) -> None:
    r = _add(client, csrf, **form)
    assert r.status_code == 422
    if field in {"amount", "food", "meal", "text", "recipe_id"}:
        assert f'id="{field}-error"' in r.text
    else:
        assert 'class="error"' in r.text
    for key in ("food", "amount", "text"):  # what was typed is still there
        if form.get(key):
            assert f'value="{form[key]}"' in r.text
    assert _day(client)["entries"] == []


def test_stale_version_is_409_and_keeps_the_input(client: TestClient, csrf: dict[str, str]) -> None:
    assert _add(client, csrf, food="natto", amount="1 tbsp", version="0").status_code == 303
    r = _add(client, csrf, food="egg yolk", amount="1 large yolk", version="0")
    assert r.status_code == 409
    assert 'value="egg yolk"' in r.text and "changed elsewhere" in r.text
    assert len(_day(client)["entries"]) == 1  # type: ignore[arg-type]


def test_supplement_recipe_edit_delete_and_copy_pages(
    client: TestClient, csrf: dict[str, str]
) -> None:
    assert _add(client, csrf, kind="supplement", text="MK-7 180 ug", meal="").status_code == 303
    assert _add(client, csrf, food="natto", amount="1 tbsp").status_code == 303
    entries = _day(client)["entries"]
    assert isinstance(entries, list)
    supp, natto = entries
    url = f"/diary/{DAY}/entries/{natto['id']}"
    r = client.post(f"{url}/edit", data={"amount": "2 tbsp", "meal": "dinner"}, headers=csrf)
    assert r.status_code == 200  # followed the 303
    assert _day(client)["entries"][1]["amount"] == "2 tbsp"  # type: ignore[index]
    r = client.post(f"{url}/edit", data={"amount": "-1 g", "meal": "dinner"}, headers=csrf)
    assert r.status_code == 422
    assert 'value="-1 g"' in r.text
    assert _day(client)["entries"][1]["amount"] == "2 tbsp"  # type: ignore[index]
    r = client.post(
        f"/diary/{DAY}/entries/{supp['id']}/edit", data={"text": "MK-7 90 ug"}, headers=csrf
    )
    assert r.status_code == 200
    r = client.post(f"/diary/{DAY}/copy", data={"to": "2026-03-05"}, headers=csrf)
    assert r.status_code == 200
    assert r.url.path == "/diary/2026-03-05"
    assert [e["text"] for e in _day(client, "2026-03-05")["entries"]] == ["MK-7 90 ug", ""]  # type: ignore[union-attr, index]
    for bad, field in (("tomorrow", "to"), (DAY, "to")):
        r = client.post(f"/diary/{DAY}/copy", data={"to": bad}, headers=csrf)
        assert r.status_code == 422
        assert f'id="{field}-error"' in r.text
    r = client.post("/diary/2026-01-01/copy", data={"to": DAY}, headers=csrf)
    assert r.status_code == 422 and 'id="from-error"' in r.text
    r = client.post(f"{url}/delete", data={}, headers=csrf)
    assert r.status_code == 200
    assert len(_day(client)["entries"]) == 1  # type: ignore[arg-type]
    assert client.post(f"{url}/delete", data={}, headers=csrf).status_code == 404
    assert client.post(f"/diary/{DAY}/entries", data={"food": "natto"}).status_code == 403


def test_day_navigation_suggestions_and_portions(client: TestClient) -> None:
    r = client.get("/diary/go", params={"date": DAY}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/diary/{DAY}")
    assert client.get("/diary/go", params={"date": "soon"}).status_code == 422
    assert client.get("/diary/2026-02-30").status_code == 422
    assert client.get("/diary/2026-03-01?diary=999").status_code == 404
    r = client.get("/diary/suggest", params={"food": "nato"})
    assert r.status_code == 200 and 'value="Natto"' in r.text
    assert client.get("/diary/suggest").text.strip() == ""
    r = client.get("/diary/portions", params={"food": "gouda"})
    assert "1 slice" in r.text
    assert "(type the amount)" in client.get("/diary/portions", params={"food": "zzz"}).text


def test_portion_select_combines_with_a_count(client: TestClient, csrf: dict[str, str]) -> None:
    assert _add(client, csrf, food="gouda", amount="2", portion="1 slice").status_code == 303
    assert _add(client, csrf, food="gouda", amount="", portion="1 slice").status_code == 303
    assert [e["amount"] for e in _day(client)["entries"]] == ["2 slice", "1 slice"]  # type: ignore[union-attr, index]


def test_settings_page(client: TestClient, csrf: dict[str, str]) -> None:
    assert client.get("/diary/settings").status_code == 200
    good = {"name": "Mum", "population": "postmenopausal", "age": "64", "sex": "female",
            "target": "180 ug MK-7", "medications": "Coumadin", "sun": "moderate"}  # fmt: skip
    r = client.post("/diary/settings", data=good, headers=csrf)
    assert r.status_code == 200 and "Saved." in r.text
    diary = client.get("/api/v1/diaries").json()["items"][0]
    assert diary["medications"] == ["warfarin"] and diary["person"]["age"] == 64.0
    for field, bad in [("age", "-5"), ("age", "old"), ("population", "martian"),
                       ("target", "lots"), ("medications", "unobtainium"), ("name", ""),
                       ("sex", "x"), ("menopause_age", "70")]:  # fmt: skip
        r = client.post("/diary/settings", data={**good, field: bad}, headers=csrf)
        assert r.status_code == 422, field
        assert f'id="{field}-error"' in r.text, field
        assert client.get("/api/v1/diaries").json()["items"][0]["target"] == "180 ug MK-7"
    r = client.post("/diary/new", data={"name": "Second"}, headers=csrf)
    assert r.status_code == 200
    assert client.get("/api/v1/diaries").json()["total"] == 2
    assert client.post("/diary/new", data={"name": ""}, headers=csrf).status_code == 422


def test_api_diaries_crud_with_etags(client: TestClient) -> None:
    r = client.post("/api/v1/diaries", json={"name": "Clinic", "person": {"age": 70},
                                             "medications": ["warfarin"]})  # fmt: skip
    assert r.status_code == 201 and r.headers["etag"] == '"1"'
    diary_id = r.json()["id"]
    r = client.patch(f"/api/v1/diaries/{diary_id}", json={"target": "100 ug K2"},
                     headers={"If-Match": '"1"'})  # fmt: skip
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    r = client.patch(f"/api/v1/diaries/{diary_id}", json={"name": "x"}, headers={"If-Match": '"1"'})
    assert r.status_code == 409 and r.json()["current_version"] == 2
    r = client.patch(f"/api/v1/diaries/{diary_id}", json={"name": "x"}, headers={"If-Match": "v1"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "If-Match"]
    for body, field in [({"name": "A", "person": {"age": -1}}, "age"),
                        ({"name": "A", "target": "much"}, "target"),
                        ({"name": "A", "medications": ["x"]}, "medications"),
                        ({"name": ""}, "name"), ({"name": "A", "shoe": 1}, "shoe"),
                        ({"name": "A", "person": {"age": "40"}}, "age")]:  # fmt: skip
        r = client.post("/api/v1/diaries", json=body)
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["loc"][-1] == field, body
    page = client.get("/api/v1/diaries", params={"limit": 1, "offset": 0}).json()
    assert page["total"] == 1 and page["limit"] == 1
    assert client.get(f"/api/v1/diaries/{diary_id}").headers["etag"] == '"2"'
    assert (
        client.delete(f"/api/v1/diaries/{diary_id}", headers={"If-Match": '"1"'}).status_code == 409
    )
    assert client.delete(f"/api/v1/diaries/{diary_id}").status_code == 204
    assert client.get(f"/api/v1/diaries/{diary_id}").status_code == 404


def test_api_entries_days_and_copy(client: TestClient) -> None:
    diary_id = client.post("/api/v1/diaries", json={"name": "D"}).json()["id"]
    base = f"/api/v1/diaries/{diary_id}/days/{DAY}"
    r = client.get(base)
    assert r.status_code == 200 and r.headers["etag"] == '"0"' and r.json()["entries"] == []
    r = client.post(f"{base}/entries", json={"food": "natto", "amount": "1 tbsp"},
                    headers={"If-Match": '"0"'})  # fmt: skip
    assert r.status_code == 201 and r.headers["etag"] == '"1"'
    entry = r.json()
    assert entry["food_name"] == "Natto" and entry["grams"] > 0
    r = client.post(f"{base}/entries", json={"kind": "supplement", "text": "D3 1000 IU"},
                    headers={"If-Match": '"0"'})  # fmt: skip
    assert r.status_code == 409 and r.json()["current_version"] == 1
    for body, field in [({"food": "natto", "amount": "-2 g"}, "amount"),
                        ({"food": "natto", "amount": "5 kg"}, "amount"),
                        ({"food": "zzzq", "amount": "1 g"}, "food"),
                        ({"kind": "supplement", "text": "K2 100 ug"}, "text"),
                        ({"kind": "recipe"}, "recipe_id"),
                        ({"kind": "recipe", "recipe_id": 999}, "recipe_id"),
                        ({"kind": "drink"}, "kind"), ({"grams": 5}, "grams")]:  # fmt: skip
        r = client.post(f"{base}/entries", json=body)
        assert r.status_code in {404, 422}, body
        assert r.json()["detail"][0]["loc"][-1] == field, body
    assert len(client.get(base).json()["entries"]) == 1
    url = f"{base}/entries/{entry['id']}"
    r = client.patch(url, json={"amount": "2 tbsp", "meal": "dinner"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["amount"] == "2 tbsp" and r.headers["etag"] == '"2"'
    r = client.patch(url, json={"position": 5})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "position"
    assert client.patch(f"/api/v1/diaries/{diary_id}/days/2026-03-03/entries/{entry['id']}",
                        json={"meal": "lunch"}).status_code == 404  # fmt: skip
    r = client.post(f"{base}/copy", json={"to": "2026-03-04"})
    assert r.status_code == 201 and len(r.json()["entries"]) == 1
    assert client.post(f"{base}/copy", json={"to": "soon"}).status_code == 422
    days = client.get(f"/api/v1/diaries/{diary_id}/days").json()
    assert [d["date"] for d in days["items"]] == ["2026-03-04", DAY]
    listed = client.get(f"{base}/entries", params={"limit": 1}).json()
    assert listed["total"] == 1
    assert client.delete(url, headers={"If-Match": '"1"'}).status_code == 409
    r = client.delete(url, headers={"If-Match": '"2"'})
    assert r.status_code == 204 and r.headers["etag"] == '"3"'
    assert client.delete(url).status_code == 404


def test_another_users_records_are_not_found(client: TestClient) -> None:
    store = client.app.state.k2.store  # type: ignore[attr-defined]
    with store.session() as s:
        bob = User(username="bob")
        s.add(bob)
        s.flush()
        theirs = Diary(owner_id=bob.id, name="Bob's")
        s.add(theirs)
        s.flush()
        their_id = theirs.id
    assert client.get("/api/v1/diaries").json()["total"] == 0
    assert client.get(f"/api/v1/diaries/{their_id}").status_code == 404
    assert client.get(f"/api/v1/diaries/{their_id}/days/{DAY}").status_code == 404
    r = client.post(f"/api/v1/diaries/{their_id}/days/{DAY}/entries", json={"food": "1 g natto"})
    assert r.status_code == 404
    assert client.patch(f"/api/v1/diaries/{their_id}", json={"name": "mine"}).status_code == 404
    assert client.delete(f"/api/v1/diaries/{their_id}").status_code == 404
    assert client.get(f"/diary?diary={their_id}").status_code == 404
    assert re.search("Bob", client.get("/diary").text) is None
