"""Power curves on the web: a design, an endpoint and an n range → queued in the pool with
its own kind → power by n with its Monte-Carlo interval and the n reaching 80 %; bad input
and work past the bound are 422 naming the field and the limit; curves and trials are apart."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from k2lab.web.power_charts import power_charts, reaching
from k2lab.web.power_job import (
    MAX_N_VALUES,
    MAX_WEB_POWER_PEOPLE,
    MAX_WEB_POWER_PERSON_YEARS,
    default_n_range,
    parse_n_range,
)
from k2lab.web.trial_design import parse_design, power_choices
from k2lab.web.trial_power import post_power

from .test_trials import DESIGN

BMD_DESIGN = DESIGN.replace("visits_weeks = [0, 12]", "visits_weeks = [0, 156]").replace(
    '"dp_ucMGP_pmol_per_L"\nchange = "percent"',
    '"bmd_lumbar_spine_change_percent"\nchange = "absolute"',
)
POWER = {"design_toml": DESIGN, "endpoint": "dp_ucMGP_pmol_per_L", "n": "4:12:4", "replicates": 8}


def wait(client: TestClient, run_id: int, timeout_s: float = 120.0) -> dict[str, Any]:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        status: dict[str, Any] = client.get(f"/api/v1/trials/power/{run_id}").json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"power curve {run_id} did not finish in {timeout_s} s")


def test_a_power_curve_runs_in_the_pool_and_dp_ucmgp_needs_few_per_arm(
    client: TestClient,
) -> None:
    r = client.post("/api/v1/trials/power", json=POWER)
    assert r.status_code == 202, r.text
    run = r.json()
    assert run["links"]["page"] == f"/trials/power/{run['id']}"
    assert run["label"] == "dp-ucMGP after 12 weeks: dp_ucMGP_pmol_per_L"
    assert wait(client, run["id"])["status"] == "done"
    result = client.get(run["links"]["result"]).json()
    assert [row["n_per_arm"] for row in result["rows"]] == [4, 8, 12]
    assert result["replicates"] == 8 and result["alpha"] == 0.05
    powers = [row["power"] for row in result["rows"]]
    for row in result["rows"]:
        low, high = row["power_ci"]
        assert 0 <= low <= row["power"] <= high <= 1
        assert row["effect_mean"] < 0  # MK-7 lowers dp-ucMGP
    # dp-ucMGP falls by a third or more: tens per arm detect it (trials: ~20 per arm)
    assert powers[-1] >= 0.8
    assert result["reaches_target"] == reaching(result["rows"], 0.8)
    assert result["reaches_target"]["n_per_arm"] is not None
    assert result["person_years"] == pytest.approx(8 * 2 * 12 * 12 * 7 / 365.25)
    # the same request is the same run; power curves are neither trials nor simulations
    again = client.post("/api/v1/trials/power", json=POWER)
    assert again.status_code == 200 and again.json()["id"] == run["id"]
    assert [x["id"] for x in client.get("/api/v1/trials/power").json()["items"]] == [run["id"]]
    assert client.get("/api/v1/trials").json()["total"] == 0
    assert client.get(f"/api/v1/trials/{run['id']}").status_code == 404
    assert client.get(f"/trials/{run['id']}").status_code == 404
    # another α is another curve, and a stricter α never has more power
    strict = client.post("/api/v1/trials/power", json={**POWER, "alpha": 0.001}).json()
    assert strict["id"] != run["id"]
    assert wait(client, strict["id"])["status"] == "done"
    strict_rows = client.get(strict["links"]["result"]).json()["rows"]
    assert all(s["power"] <= p for s, p in zip(strict_rows, powers, strict=True))
    # the page: the answer, the chart, the table
    page = client.get(f"/trials/power/{run['id']}").text
    assert 'id="power-answer"' in page and "per arm</strong>" in page
    assert 'id="chart-data-power"' in page and 'id="chart-data-effect"' in page
    assert page.count('<tr><th scope="row" class="num">') == 3
    status = client.get(f"/trials/power/{run['id']}/status", headers={"HX-Request": "true"})
    assert status.headers.get("HX-Refresh") == "true"
    svg = client.get(f"/trials/power/{run['id']}/chart/power", params={"format": "svg"})
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg")
    assert b"<svg" in svg.content
    png = client.get(f"/trials/power/{run['id']}/chart/effect")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    assert client.get(f"/trials/power/{run['id']}/chart/nothing").status_code == 404
    listed = client.get("/trials").text
    assert f"/trials/power/{run['id']}" in listed


def test_the_trial_form_offers_the_power_curve_and_submits_it(
    client: TestClient, csrf: dict[str, str]
) -> None:
    form = client.get("/trials")
    assert 'formaction="/trials/power"' in form.text
    assert re.search(r'<select id="power-endpoint" name="endpoint">\s*<option value="', form.text)
    choices = client.post(
        "/trials/power/choices", data={"design_toml": BMD_DESIGN, "n": "5:25:5"}, headers=csrf
    )
    assert choices.status_code == 200 and 'value="5:25:5"' in choices.text
    assert '<option value="bmd_lumbar_spine_change_percent">' in choices.text
    assert "week 156" in choices.text and "dp_ucMGP" not in choices.text
    broken = client.post("/trials/power/choices", data={"design_toml": "[trial"}, headers=csrf)
    assert "cannot be read yet" in broken.text and "not valid TOML" in broken.text
    assert (
        client.get("/trials/power", follow_redirects=False).headers["location"] == "/trials#power"
    )
    data = {k: str(v) for k, v in POWER.items()} | {"alpha": "0.05", "arm": "MK-7 180"}
    r = client.post("/trials/power", data=data, headers=csrf, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(r"/trials/power/\d+", r.headers["location"])
    run_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert wait(client, run_id)["status"] == "done"
    assert "Power curve #" in client.get(r.headers["location"]).text
    bad = client.post("/trials/power", data={**data, "n": "100:10:5"}, headers=csrf)
    assert bad.status_code == 422 and "start ≤ stop" in bad.text


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"design_toml": "[trial"}, "design_toml", "not valid TOML"),
        ({"endpoint": "ucOC_ng_per_mL"}, "endpoint", "dp_ucMGP_pmol_per_L"),
        ({"arm": "placebo"}, "arm", "MK-7 180"),
        ({"n": "ten"}, "n", "start:stop:step"),
        ({"n": "10:5:1"}, "n", "start ≤ stop"),
        ({"n": "1:10:3"}, "n", "at least 2"),
        ({"n": "2:200:2"}, "n", f"up to {MAX_N_VALUES}"),
        ({"replicates": 1}, "replicates", "2 to 500"),
        ({"replicates": 501}, "replicates", "2 to 500"),
        ({"alpha": 0.9}, "alpha", "0.5"),
        ({"replicates": 100, "n": "20:120:20"}, "n", f"{MAX_WEB_POWER_PEOPLE:,}"),
        ({"design_toml": BMD_DESIGN, "endpoint": "bmd_lumbar_spine_change_percent",
          "n": "100:500:100", "replicates": 50}, "n", f"{MAX_WEB_POWER_PERSON_YEARS:,.0f}"),
    ],
)  # fmt: skip
def test_bad_power_requests_are_422_naming_the_field_and_the_limit(
    client: TestClient, change: dict[str, Any], field: str, words: str
) -> None:
    r = client.post("/api/v1/trials/power", json={**POWER, **change})
    assert r.status_code == 422, r.text
    (detail,) = r.json()["detail"]
    assert detail["loc"][-1] == field, detail
    assert words in detail["msg"], detail["msg"]
    assert client.get("/api/v1/trials/power").json()["total"] == 0


def test_bad_bodies_and_unknown_ids(client: TestClient) -> None:
    assert client.post("/api/v1/trials/power", json={**POWER, "replicates": "8"}).status_code == 422
    assert client.post("/api/v1/trials/power", json={**POWER, "extra": 1}).status_code == 422
    for url in ("/api/v1/trials/power/999", "/api/v1/trials/power/999/result",
                "/trials/power/999", "/trials/power/999/status", "/trials/power/999/chart/power"):  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_n_ranges_and_the_default_fit_the_bound() -> None:
    assert parse_n_range("10:100:10") == tuple(range(10, 101, 10))
    assert parse_n_range(" 40, 20,20 ") == (20, 40)
    for design in (DESIGN, BMD_DESIGN):
        choices = power_choices(parse_design(design))
        n, reps = default_n_range(choices)
        ns = parse_n_range(n)
        people = reps * choices.arm_count * ns[-1]
        assert people <= MAX_WEB_POWER_PEOPLE
        assert people * choices.years <= MAX_WEB_POWER_PERSON_YEARS
        assert len(ns) >= 5
    # the API's documentation states the bounds the code applies
    doc = post_power.__doc__ or ""
    assert f"{MAX_WEB_POWER_PERSON_YEARS:,.0f} person-years" in doc
    assert f"{MAX_WEB_POWER_PEOPLE:,} people" in doc


def test_the_charts_show_power_in_percent_with_the_80_percent_line() -> None:
    result = {
        "endpoint": "dp_ucMGP_pmol_per_L", "arm": "MK-7 180", "replicates": 10, "alpha": 0.05,
        "target_power": 0.8, "trial": parse_design(DESIGN).to_dict(),
        "rows": [{"n_per_arm": 5, "power": 0.5, "power_ci": [0.24, 0.76], "effect_mean": -30.0,
                  "effect_95_prediction_interval": [-50.0, -10.0]}],
    }  # fmt: skip
    power, effect = power_charts(result)
    assert power.traces[0].y == [50.0] and power.traces[0].low == [24.0]
    assert power.reference == (80.0, "80 % power") and power.y_range == (0.0, 100.0)
    assert effect.y_title == "Difference in change (%)" and effect.traces[0].high == [-10.0]
