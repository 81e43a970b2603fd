"""Import (k2lab TOML/CSV, Cronometer with the ambiguity step) and export; example diaries."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from k2lab.foods import FoodDatabase
from k2lab.store import open_store
from k2lab.web.examples import EXAMPLE_FILES, load_examples

DATA = Path(__file__).resolve().parent.parent / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CRONOMETER = (DATA / "cronometer_servings.csv").read_bytes()
SALMON = "usda:sr:fish-salmon-atlantic-wild-raw"


def _diary(client: TestClient) -> int:
    return int(client.post("/api/v1/diaries", json={"name": "Imports"}).json()["id"])


def _entries(client: TestClient, diary_id: int) -> list[tuple[str, str, str, str, float]]:
    """Every entry of the diary, days in date order, entries in their order."""
    out = []
    days = client.get(f"/api/v1/diaries/{diary_id}/days").json()["items"]
    for date in sorted(d["date"] for d in days):
        body = client.get(f"/api/v1/diaries/{diary_id}/days/{date}").json()
        out += [(date, e["meal"], e["food_key"] or "", e["amount"] or e["text"], e["grams"] or 0)
                for e in body["entries"]]  # fmt: skip
    return out


def test_cronometer_page_asks_then_imports_everything_at_once(
    client: TestClient, csrf: dict[str, str]
) -> None:
    diary_id = _diary(client)
    files = {"file": ("servings.csv", CRONOMETER, "text/csv")}
    r = client.post(f"/diary/import?diary={diary_id}", files=files, headers=csrf)
    assert r.status_code == 200
    assert "Salmon, Atlantic, Wild, Raw" in r.text and "serving" in r.text
    assert _entries(client, diary_id) == []  # nothing written while asking
    token = re.search(r'action="/diary/import/([^"]+)"', r.text)
    assert token is not None
    url = f"/diary/import/{token.group(1)}"
    r = client.post(url, data={"food-0": "not-offered"}, headers=csrf)
    assert r.status_code == 422 and 'id="food-0-error"' in r.text
    r = client.post(url, data={"food-0": SALMON, "unit-0": "lots"}, headers=csrf)
    assert r.status_code == 422 and 'id="unit-0-error"' in r.text
    assert _entries(client, diary_id) == []  # the salmon answer is kept, nothing written
    r = client.post(url, data={"unit-0": "50", "unit-1": "240"}, headers=csrf)
    assert r.status_code == 200 and "imported=9" in str(r.url)
    rows = _entries(client, diary_id)
    assert len(rows) == 9
    assert ("2026-02-23", "dinner", SALMON, "100.00 g", 100.0) in rows
    assert ("2026-02-24", "snack", "usda:fndds:kefir", "240 g", 240.0) in rows
    assert client.post(url, data={}, headers=csrf).status_code == 404  # used up


def test_cronometer_api_answers_questions_statelessly(
    client: TestClient, csrf: dict[str, str]
) -> None:
    diary_id = _diary(client)
    url = f"/api/v1/diaries/{diary_id}/import"
    files = {"file": ("servings.csv", CRONOMETER, "text/csv")}
    assert client.post(url, files=files).status_code == 403  # no CSRF header
    r = client.post(url, files=files, headers=csrf)
    assert r.status_code == 422
    body = r.json()
    assert body["detail"][0]["loc"] == ["body", "choices"]
    assert [q["name"] for q in body["food_questions"]] == ["Salmon, Atlantic, Wild, Raw"]
    keys = [u["key"] for u in body["unit_questions"]]
    choices = json.dumps({"Salmon, Atlantic, Wild, Raw": ""})
    r = client.post(url, files=files, headers=csrf, data={"choices": choices})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "grams"]
    grams = json.dumps(dict.fromkeys(keys, 50))
    for bad, field in [({"choices": "[1]"}, "choices"), ({"choices": "{"}, "choices"),
                       ({"choices": choices, "grams": '{"a": -1}'}, "grams"),
                       ({"choices": '{"Natto": "nope"}'}, "choices"),
                       ({"format": "xls"}, "format")]:  # fmt: skip
        r = client.post(url, files=files, headers=csrf, data=bad)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == field, bad
    assert _entries(client, diary_id) == []
    r = client.post(url, files=files, headers=csrf, data={"choices": choices, "grams": grams})
    assert r.status_code == 201
    assert r.json() == {"imported": 8, "skipped": 1, "format": "cronometer"}
    assert len(_entries(client, diary_id)) == 8


def test_k2lab_files_import_and_csv_export_round_trips(
    client: TestClient, csrf: dict[str, str]
) -> None:
    diary_id = _diary(client)
    url = f"/api/v1/diaries/{diary_id}/import"
    week = (EXAMPLES / "diary_week.csv").read_bytes()
    r = client.post(url, files={"file": ("week.csv", b"\xef\xbb\xbf" + week)}, headers=csrf,
                    data={"start": "2026-03-02"})  # fmt: skip
    assert r.status_code == 201 and r.json()["format"] == "csv"
    toml = (EXAMPLES / "vegan_natto.toml").read_bytes()
    r = client.post(url, files={"file": ("vegan.toml", toml)}, headers=csrf,
                    data={"start": "2026-04-01"})  # fmt: skip
    assert r.status_code == 201
    diary = client.get(f"/api/v1/diaries/{diary_id}").json()
    assert diary["person"]["diet"] == "vegan"  # the TOML's person filled the empty one
    assert diary["first_date"] == "2026-03-02" and diary["last_date"] == "2026-04-01"
    client.post(f"/api/v1/diaries/{diary_id}/days/2026-04-01/entries",
                json={"food": "gouda", "amount": "1 slice", "meal": "lunch"})  # fmt: skip
    before = _entries(client, diary_id)
    exported = client.get(f"/api/v1/diaries/{diary_id}/export", params={"format": "csv"})
    assert exported.status_code == 200 and exported.text.startswith("day,kind,food,amount,meal")
    again = _diary_again(client)
    r = client.post(f"/api/v1/diaries/{again}/import", headers=csrf,
                    files={"file": ("export.csv", exported.content)})  # fmt: skip
    assert r.status_code == 201
    assert _entries(client, again) == before
    doc = client.get(f"/api/v1/diaries/{diary_id}/export", params={"format": "json"}).json()
    assert doc["schema"] == "k2lab.diary/1"
    assert sum(len(d["entries"]) for d in doc["days"]) == len(before)
    assert client.get(f"/diary/export?diary={diary_id}&format=json").status_code == 200
    assert client.get(f"/diary/export?diary={diary_id}&format=xml").status_code == 422
    assert client.get("/api/v1/diaries/999/export").status_code == 404


def _diary_again(client: TestClient) -> int:
    return int(client.post("/api/v1/diaries", json={"name": "Round trip"}).json()["id"])


@pytest.mark.parametrize(
    ("name", "content", "fmt", "field"),
    [
        ("x.csv", b"day,food,amount\nmon,nattoqq,1 tbsp\n", "auto", "file"),
        ("x.csv", b"day,food,amount\nmon,natto,-2 g\n", "csv", "file"),
        ("x.csv", b"\xff\xfe\x00garbage", "auto", "file"),
        ("x.csv", b"a,b\n1,2\n", "auto", "format"),
        ("x.toml", b"[person]\nage = -5\n[[day]]\nfoods = []\n", "auto", "file"),
        ("x.toml", b"a = " + b"[" * 2000 + b"]" * 2000, "toml", "file"),
        ("x.csv", b"Day,Food Name,Amount\n2026-13-01,Natto,1 tbsp\n", "cronometer", "file"),
        ("x.csv", b"Day,Food Name,Amount\n2026-03-01,Natto,5000 g\n", "cronometer", "file"),
        ("x.csv", b"day,food,amount\n" + b"mon,natto,1 g\n" * 20_001, "csv", "file"),
    ],
)
def test_bad_files_are_refused_whole(
    client: TestClient, csrf: dict[str, str], name: str, content: bytes, fmt: str, field: str
) -> None:
    diary_id = _diary(client)
    r = client.post(f"/api/v1/diaries/{diary_id}/import", headers=csrf, data={"format": fmt},
                    files={"file": (name, content)})  # fmt: skip
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == field
    r = client.post(f"/diary/import?diary={diary_id}", headers=csrf, data={"format": fmt},
                    files={"file": (name, content)})  # fmt: skip
    assert r.status_code == 422 and f'id="{field}-error"' in r.text
    assert _entries(client, diary_id) == []


def test_import_page_and_size_cap(client: TestClient, csrf: dict[str, str]) -> None:
    assert client.get("/diary/import").status_code == 200
    diary_id = _diary(client)
    big = b"day,food,amount\n" + b"x" * 5_000_001
    r = client.post(f"/api/v1/diaries/{diary_id}/import", headers=csrf,
                    files={"file": ("big.csv", big)})  # fmt: skip
    assert r.status_code == 413
    r = client.post(f"/diary/import?diary={diary_id}", headers=csrf, data={"start": "soon"},
                    files={"file": ("w.csv", (EXAMPLES / "diary_week.csv").read_bytes())})  # fmt: skip
    assert r.status_code == 422 and 'id="start-error"' in r.text


def test_examples_load_once_into_an_empty_store(tmp_path: Path, db: FoodDatabase) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    today = dt.date(2026, 3, 8)
    try:
        assert load_examples(store, db, today=today) == len(EXAMPLE_FILES)
        assert load_examples(store, db, today=today) == 0
        from k2lab.store.diaries import diary_to_diet, list_diaries

        with store.session() as s:
            diaries = {d.name: d for d in list_diaries(s, store.local_user(s).id)}
            week = diary_to_diet(diaries["Example: a week"], db)
            assert [d.label for d in week.days][-1] == today.isoformat()
            assert len(week.days) == 7
            pills = diaries["Example: D3 and calcium pills"]
            assert pills.person == {"age": 62.0, "sex": "female"} or pills.person["age"] == 62
    finally:
        store.close()
