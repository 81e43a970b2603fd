"""The Trials page and API: a design in TOML → queued in the pool → effects with CIs and
the means per visit; bad designs are 422 naming the field; trials and simulations are apart."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from k2lab.web.trials import MAX_WEB_PERSON_YEARS

DESIGN = """
[trial]
name = "dp-ucMGP after 12 weeks"
seed = 7
visits_weeks = [0, 12]

[population]
preset = "postmenopausal"

[[arms]]
name = "placebo"
n = 12
regimens = []

[[arms]]
name = "MK-7 180"
n = 12
regimens = ["MK-7 180 ug daily"]

[[endpoints]]
name = "dp_ucMGP_pmol_per_L"
change = "percent"

[analysis]
control = "placebo"
"""


def wait(client: TestClient, run_id: int, timeout_s: float = 120.0) -> dict[str, Any]:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        status: dict[str, Any] = client.get(f"/api/v1/trials/{run_id}").json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"trial {run_id} did not finish in {timeout_s} s")


def test_a_trial_runs_in_the_pool_and_mk7_lowers_dp_ucmgp(client: TestClient) -> None:
    r = client.post("/api/v1/trials", json={"design_toml": DESIGN})
    assert r.status_code == 202, r.text
    run = r.json()
    assert run["links"]["page"] == f"/trials/{run['id']}"
    assert wait(client, run["id"])["status"] == "done"
    result = client.get(run["links"]["result"]).json()
    (effect,) = result["effects"]
    assert effect["endpoint"] == "dp_ucMGP_pmol_per_L" and effect["arm"] == "MK-7 180"
    # MK-7 180 µg/day lowers dp-ucMGP (trials: by a third or more within 12 weeks)
    assert effect["difference"]["ci_high"] < 0
    assert effect["difference"]["p_value"] < 0.05
    assert result["trial"]["arms"][1]["n"] == 12
    # the same design again is the same run, and trials are not listed as simulations
    again = client.post("/api/v1/trials", json={"design_toml": DESIGN})
    assert again.status_code == 200 and again.json()["id"] == run["id"]
    assert [t["id"] for t in client.get("/api/v1/trials").json()["items"]] == [run["id"]]
    assert run["id"] not in [x["id"] for x in client.get("/api/v1/simulations").json()["items"]]
    assert client.get(f"/api/v1/simulations/{run['id']}").status_code == 404
    page = client.get(f"/trials/{run['id']}").text
    assert "Effects against placebo" in page and "dp-ucMGP" in page
    assert 'id="chart-data-endpoint-0"' in page
    status = client.get(f"/trials/{run['id']}/status", headers={"HX-Request": "true"})
    assert status.headers.get("HX-Refresh") == "true"


def test_the_form_submits_and_redirects_to_the_trial(
    client: TestClient, csrf: dict[str, str]
) -> None:
    form = client.get("/trials")
    assert form.status_code == 200 and 'name="design_toml"' in form.text
    example = re.search(r'<option value="([a-z0-9_]+)"', form.text)
    assert example is not None, "the example designs are offered"
    loaded = client.get(f"/trials?example={example.group(1)}").text
    assert "[[arms]]" in loaded
    r = client.post("/trials", data={"design_toml": DESIGN}, headers=csrf, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(r"/trials/\d+", r.headers["location"])
    run_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert wait(client, run_id)["status"] == "done"
    assert "Trial #" in client.get(r.headers["location"]).text
    assert f"/trials/{run_id}" in client.get("/trials").text


@pytest.mark.parametrize(
    ("design", "field", "words"),
    [
        ("[trial\nname=", "design_toml", "not valid TOML"),
        ("a = " + "[" * 2000 + "]" * 2000, "design_toml", ""),
        (DESIGN.replace("n = 12", "n = 1", 1), "arms[0].n", "whole number"),
        (DESIGN.replace("MK-7 180 ug daily", "MK-7 lots"), "arms[1].regimens[0]", "MK-7 lots"),
        (DESIGN.replace('"dp_ucMGP_pmol_per_L"', '"nonsense"'), "endpoints[0].name", ""),
        (DESIGN.replace("n = 12", "n = 5000"), "design_toml", "person-years"),
    ],
)
def test_bad_designs_are_422_naming_the_field(
    client: TestClient, design: str, field: str, words: str
) -> None:
    r = client.post("/api/v1/trials", json={"design_toml": design})
    assert r.status_code == 422, r.text
    (detail,) = r.json()["detail"]
    assert detail["loc"][-1] == field, detail
    assert words in detail["msg"]
    assert client.get("/api/v1/trials").json()["total"] == 0


def test_bad_form_and_unknown_ids(client: TestClient, csrf: dict[str, str]) -> None:
    page = client.post("/trials", data={"design_toml": "[trial"}, headers=csrf)
    assert page.status_code == 422 and "not valid TOML" in page.text
    assert client.get("/trials?example=nope").status_code == 422
    assert client.post("/api/v1/trials", json={"design_toml": 5}).status_code == 422
    assert client.post("/api/v1/trials", json={"design": DESIGN}).status_code == 422
    for url in (
        "/api/v1/trials/999",
        "/api/v1/trials/999/result",
        "/trials/999",
        "/trials/999/status",
    ):
        assert client.get(url).status_code == 404, url


def test_the_web_bound_is_stated() -> None:
    assert MAX_WEB_PERSON_YEARS >= 2 * 200 * 3  # a 3-year, 2-arm, 200-per-arm trial fits
