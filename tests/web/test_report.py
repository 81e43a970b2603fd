"""Report page, printable page, PDF, chart downloads and the report/advice API, on a diary
written through the store; bad input names the field; another owner's diary is a 404."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from k2lab.store.days import add_food
from k2lab.store.diaries import create_diary, delete_diary, update_diary

DAY1 = dt.date(2026, 11, 30)
DAY2 = dt.date(2026, 12, 1)


def _diary(app: FastAPI, name: str, medications: list[str], entries: bool = True) -> int:
    state = app.state.k2
    with state.store.session() as s:
        owner = state.store.local_user(s).id
        diary = create_diary(s, owner, name, {"age": 64, "sex": "female"}, "90 ug K2", medications)
        if entries:
            for date, food, amount in (
                (DAY1, "natto", "1 tbsp"),
                (DAY1, "gouda", "2 slices"),
                (DAY2, "gouda", "2 slices"),
            ):
                add_food(s, owner, diary.id, date, state.foods, food=food, amount=amount)
        return diary.id


@pytest.fixture
def diary_id(app: FastAPI, client: TestClient) -> int:
    return _diary(app, "Mum", ["warfarin"])


def _grams(client: TestClient, food: str, portion: str) -> float:
    detail = client.get(f"/api/v1/foods/{food}").json()
    return float(next(p["grams"] for p in detail["portions"] if p["name"] == portion))


def test_api_report_sums_the_entries_food_values(client: TestClient, diary_id: int) -> None:
    r = client.get(f"/api/v1/diaries/{diary_id}/report")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["days"] == 2 and [d["day"] for d in body["per_day"]] == [str(DAY1), str(DAY2)]
    mk7 = {
        f: client.get(f"/api/v1/foods/{f}").json()["nutrients"].get("mk7_ug_per_100g", {})
        for f in ("natto", "gouda")
    }
    natto_g = _grams(client, "natto", "1 tablespoon")
    expected_day1 = natto_g * mk7["natto"]["typical"] / 100 + (
        2 * _grams(client, "gouda", "1 slice") * mk7["gouda"].get("typical", 0.0) / 100
    )
    assert body["per_day"][0]["mk7_ug_per_day"] == pytest.approx(expected_day1, rel=0.01)
    assert 80 < body["per_day"][0]["mk7_ug_per_day"] < 130  # the journey's "MK-7 ≈ 100 µg"
    assert body["target"]["target_ug_per_day"] == 90
    assert body["sources"]


def test_api_advice_warns_the_warfarin_user_about_natto(client: TestClient, diary_id: int) -> None:
    r = client.get(f"/api/v1/diaries/{diary_id}/advice")
    assert r.status_code == 200
    body = r.json()
    assert body["advice"], body
    assert {"severity", "evidence_grade", "source_keys"} <= set(body["advice"][0])
    keys = {k for a in body["advice"] for k in a["source_keys"]}
    assert keys <= set(body["sources"])


def test_report_page_has_the_table_charts_advice_and_sources(
    client: TestClient, diary_id: int
) -> None:
    r = client.get("/report", params={"diary": diary_id})
    assert r.status_code == 200
    text = r.text
    assert "<h1>Report: Mum</h1>" in text
    assert f'<th scope="row">{DAY1}</th>' in text
    blocks = re.findall(
        r'<script type="application/json" id="chart-data-([\w-]+)">(.*?)</script>', text
    )
    assert [b[0] for b in blocks] == ["k2-forms", "k1"]
    k2 = json.loads(blocks[0][1])
    assert k2["layout"]["barmode"] == "stack"
    assert k2["layout"]["shapes"][0]["y0"] == 90  # the target line
    assert {t["name"] for t in k2["data"]} >= {"MK-7"}
    assert "/vendor/plotly.min.js" in text
    assert f"/report/chart/k2-forms?diary={diary_id}&amp;format=svg" in text
    assert "evidence" in text and 'id="src-' in text
    advice = client.get(f"/api/v1/diaries/{diary_id}/advice").json()
    assert advice["advice"][0]["message"][:40] in text


def test_default_diary_and_date_range(client: TestClient, diary_id: int) -> None:
    assert "<h1>Report: Mum</h1>" in client.get("/report").text  # the first diary
    r = client.get("/report", params={"diary": diary_id, "start": str(DAY2), "end": str(DAY2)})
    assert r.status_code == 200
    assert f'<th scope="row">{DAY2}</th>' in r.text and f'<th scope="row">{DAY1}</th>' not in r.text
    api = client.get(f"/api/v1/diaries/{diary_id}/report", params={"start": str(DAY2)}).json()
    assert api["days"] == 1


def test_empty_diary_says_how_to_add_food(app: FastAPI, client: TestClient) -> None:
    empty = _diary(app, "Empty", [], entries=False)
    r = client.get("/report", params={"diary": empty})
    assert r.status_code == 200 and "add what you ate" in r.text
    assert "chart-data" not in r.text
    api = client.get(f"/api/v1/diaries/{empty}/report")
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["body", "date"]
    chart = client.get("/report/chart/k1", params={"diary": empty})
    assert chart.status_code == 422


@pytest.mark.parametrize(
    "params,field",
    [
        ({"start": "yesterday"}, "start"),
        ({"end": "2026-13-01"}, "end"),
        ({"start": "2026-12-02", "end": "2026-12-01"}, "start"),
        ({"diary": "mine"}, "diary"),
        ({"diary": "99999999999"}, "diary"),  # beyond PostgreSQL's integer: 422, not 500
    ],
)
def test_bad_query_names_the_field(
    client: TestClient, diary_id: int, params: dict[str, str], field: str
) -> None:
    page = client.get("/report", params={"diary": str(diary_id), **params})
    assert page.status_code == 422 and f'data-field="{field}"' in page.text
    if field != "diary":
        api = client.get(f"/api/v1/diaries/{diary_id}/report", params=params)
        assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == field


def test_unknown_diary_is_404(client: TestClient, diary_id: int) -> None:
    missing = diary_id + 1000
    assert client.get("/report", params={"diary": missing}).status_code == 404
    for path in ("report", "advice"):
        assert client.get(f"/api/v1/diaries/{missing}/{path}").status_code == 404
    assert client.get("/report.pdf", params={"diary": missing}).status_code == 404
    assert client.get("/api/v1/diaries/99999999999/report").status_code == 422


@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_chart_downloads(client: TestClient, diary_id: int, fmt: str, magic: bytes) -> None:
    r = client.get("/report/chart/k2-forms", params={"diary": diary_id, "format": fmt})
    assert r.status_code == 200 and r.content.startswith(magic)
    assert "attachment" in r.headers["content-disposition"]


@pytest.mark.parametrize(
    "path,params,field",
    [("/report/chart/pie", {}, "chart_id"), ("/report/chart/k1", {"format": "gif"}, "format")],
)
def test_bad_chart_requests_name_the_field(
    client: TestClient, diary_id: int, path: str, params: dict[str, str], field: str
) -> None:
    r = client.get(path, params={"diary": diary_id, **params})
    assert r.status_code == 422 and f'data-field="{field}"' in r.text


def test_printable_page_has_no_navigation_and_lists_every_source(
    client: TestClient, diary_id: int
) -> None:
    r = client.get("/report/print", params={"diary": diary_id})
    assert r.status_code == 200
    text = r.text
    assert '<nav aria-label="Main">' not in text
    assert "<h1>k2lab report — Mum</h1>" in text
    assert "does not diagnose or prescribe" in text
    assert text.count('<img src="data:image/svg+xml;base64,') == 2
    body = client.get(f"/api/v1/diaries/{diary_id}/report").json()
    for key in {**body["sources"], **body["advice_sources"]}:
        assert f'id="src-{key}"' in text


def test_pdf_has_the_title_and_the_sources(
    client: TestClient, diary_id: int, tmp_path: Path
) -> None:
    r = client.get("/report.pdf", params={"diary": diary_id})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert 'filename="k2lab-report-mum.pdf"' in r.headers["content-disposition"]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "k2lab report — Mum" in text
    assert "does not diagnose or prescribe" in text
    assert "Sources" in text
    body = client.get(f"/api/v1/diaries/{diary_id}/report").json()
    first = next(iter(body["sources"]))
    assert first in text


def test_a_cached_report_follows_every_edit(
    app: FastAPI, client: TestClient, diary_id: int
) -> None:
    def mk7() -> float:
        body = client.get(f"/api/v1/diaries/{diary_id}/report").json()
        return float(next(d for d in body["per_day"] if d["day"] == str(DAY2))["mk7_ug_per_day"])

    before = mk7()
    assert mk7() == before  # served again (from the cache)
    state = app.state.k2
    with state.store.session() as s:
        owner = state.store.local_user(s).id
        add_food(s, owner, diary_id, DAY2, state.foods, food="natto", amount="1 tbsp")
    after = mk7()
    assert after > before + 50  # a tablespoon of natto carries well over 50 µg MK-7
    with state.store.session() as s:
        update_diary(s, owner, diary_id, target="180 ug K2")
    target = client.get(f"/api/v1/diaries/{diary_id}/report").json()["target"]
    assert target["target_ug_per_day"] == 180


def test_pdf_of_a_diary_named_outside_latin1_is_not_a_500(
    app: FastAPI, client: TestClient, diary_id: int
) -> None:
    """HTTP headers are Latin-1: the diary's name goes into ``filename*`` (found by the
    served schemathesis run on the export, the same bug here)."""
    state = app.state.k2
    with state.store.session() as s:
        update_diary(s, state.store.local_user(s).id, diary_id, name="納豆 week")
    r = client.get("/report.pdf", params={"diary": diary_id})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert (
        "filename*=UTF-8''k2lab-report-%E7%B4%8D%E8%B1%86-week.pdf"
        in r.headers["content-disposition"]
    )


def test_a_new_diary_with_a_deleted_diarys_id_gets_its_own_report(
    app: FastAPI, client: TestClient
) -> None:
    """SQLite gives a deleted row's id to the next row, whose versions start again: the
    report cached for the deleted diary (same id, same versions) was shown for the new one."""
    state = app.state.k2

    def diary(first_food: str) -> int:
        with state.store.session() as s:
            owner = state.store.local_user(s).id
            d = create_diary(s, owner, "Same shape", {"age": 64, "sex": "female"}, "90 ug K2", [])
            for date, food, amount in ((DAY1, first_food, "1 tbsp"), (DAY2, "gouda", "2 slices")):
                add_food(s, owner, d.id, date, state.foods, food=food, amount=amount)
            return d.id

    def mk7(diary_id: int) -> float:
        body = client.get(f"/api/v1/diaries/{diary_id}/report").json()
        return float(body["mean"]["mk7_ug_per_day"]["typical"])

    natto = diary("natto")
    with_natto = mk7(natto)
    natto_page = client.get("/report").text
    with state.store.session() as s:
        delete_diary(s, state.store.local_user(s).id, natto)
    parsley = diary("parsley")
    assert mk7(parsley) < with_natto / 10  # parsley has no MK-7; natto is rich in it
    assert client.get("/report").text != natto_page


def test_the_rendered_page_and_print_follow_an_edit(
    app: FastAPI, client: TestClient, diary_id: int
) -> None:
    """The report's HTML is rendered once per version too: a new target shows at once."""
    pages = (f"/report?diary={diary_id}", f"/report/print?diary={diary_id}")
    before = [client.get(p).text for p in pages]
    assert all("137 µg" not in text for text in before)
    assert [client.get(p).text for p in pages] == before  # served again (from the cache)
    state = app.state.k2
    with state.store.session() as s:
        owner = state.store.local_user(s).id
        update_diary(s, owner, diary_id, target="137 ug K2")
    assert all("target of 137 µg" in client.get(p).text for p in pages)
