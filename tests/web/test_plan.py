"""Plan page and API: 1–2 day plans, the diagnosis of an infeasible plan, bad input naming
the field (never a 500)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

HX = {"HX-Request": "true"}
VEGAN_SUPPLEMENTS = ["D3 15 ug", "B12 25 ug"]


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only: planning reads the food database and writes nothing to the store
    (the store's behaviour on PostgreSQL is tested by the other web tests)."""
    yield f"sqlite:///{tmp_path / 'k2lab.sqlite3'}"


def test_form_has_every_field_labelled(client: TestClient) -> None:
    r = client.get("/plan")
    assert r.status_code == 200
    for name in ("pattern", "target", "exclude", "days", "supplements", "anticoagulated"):
        assert f'name="{name}"' in r.text
    for ident in ("plan-pattern", "plan-target", "plan-exclude", "plan-days", "plan-vka"):
        assert f'for="{ident}"' in r.text
    assert 'hx-get="/foods/suggest"' in r.text  # exclusions autocomplete


def test_api_plan_of_one_vegan_day_meets_the_target(client: TestClient) -> None:
    body = {"pattern": "vegan", "target": "90 ug K2", "days": 1, "supplements": VEGAN_SUPPLEMENTS}
    r = client.post("/api/v1/plans", json=body)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["status"] in ("ok", "time_limit")
    (day,) = plan["days"]
    assert day["k2_total_ug"] >= 90
    assert plan["constraints"]["pattern"] == "vegan"
    assert day["foods"] and all(f["portions"] >= 1 and f["grams"] > 0 for f in day["foods"])
    assert "disclaimer" in plan


def test_page_plan_shows_portions_grams_and_limits(client: TestClient) -> None:
    params = {"pattern": "vegan", "target": "90 ug K2", "days": "1",
              "supplements": ", ".join(VEGAN_SUPPLEMENTS)}  # fmt: skip
    r = client.get("/plan", params=params, headers=HX)
    assert r.status_code == 200
    assert "<html" not in r.text
    assert "Day 1" in r.text and "Nutrients against their limits" in r.text
    assert "K2 (all menaquinones) (µg)" in r.text and "Energy (kcal)" in r.text
    full = client.get("/plan", params=params)
    assert "<html" in full.text and 'value="D3 15 ug, B12 25 ug"' in full.text


def test_anticoagulated_plan_keeps_natto_out(client: TestClient) -> None:
    body = {"pattern": "omnivore", "target": "90 ug K2", "days": 1, "anticoagulated": True}
    plan = client.post("/api/v1/plans", json=body).json()
    assert plan["constraints"]["steady_k_range_ug"] == 100.0
    keys = {f["food_key"] for d in plan["days"] for f in d["foods"]}
    assert "natto" not in keys


def test_infeasible_plan_is_200_with_the_diagnosis(client: TestClient) -> None:
    # Vegan days without supplements cannot reach vitamin D from food alone.
    r = client.post("/api/v1/plans", json={"pattern": "vegan", "days": 1})
    assert r.status_code == 200
    plan = r.json()
    assert plan["status"] == "infeasible" and plan["days"] == []
    assert plan["diagnosis"]["relax_labels"]
    page = client.get("/plan", params={"pattern": "vegan", "target": "90 ug K2", "days": "1"})
    assert page.status_code == 200
    assert "Why there is no plan" in page.text
    assert plan["diagnosis"]["relax_labels"][0] in page.text


@pytest.mark.parametrize(
    "body,field",
    [
        ({"pattern": "carnivore"}, "pattern"),
        ({"target": "lots"}, "target"),
        ({"target": "90 ug K1"}, "target"),
        ({"days": 0}, "days"),
        ({"days": 30}, "days"),
        ({"days": "2"}, "days"),
        ({"exclude": ["nattoo-xyz"]}, "exclude"),
        ({"supplements": ["magic beans"]}, "supplements"),
        ({"anticoagulated": "yes"}, "anticoagulated"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_api_bad_input_names_the_field(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    r = client.post("/api/v1/plans", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field


@pytest.mark.parametrize(
    "params,field",
    [
        ({"pattern": "carnivore"}, "pattern"),
        ({"target": "90 ug K"}, "target"),
        ({"days": "many"}, "days"),
        ({"days": "8"}, "days"),
        ({"exclude": "soy, nattoo-xyz"}, "exclude"),
        ({"supplements": "magic beans"}, "supplements"),
    ],
)
def test_page_bad_input_names_the_field(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    r = client.get("/plan", params={"target": "90 ug K2", **params})
    assert r.status_code == 422
    assert f'data-field="{field}"' in r.text
    fragment = client.get("/plan", params={"target": "90 ug K2", **params}, headers=HX)
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert f'data-field="{field}"' in fragment.text
