"""The user journeys of issue 10 in a real browser, each asserting what a person sees.

Every journey saves a screenshot (``shot``): into ``docs/screenshots/`` with
``K2LAB_WRITE_SCREENSHOTS=1``, otherwise into a temporary folder. The served app has the
example diaries loaded and the session's food database (``live_server``).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Locator, Page, expect

from k2lab.foods import FoodDatabase
from k2lab.intake import to_grams
from k2lab.vocab import VITAMERS

from .conftest import Shot

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data"


def test_search_nato_finds_natto_and_its_page_shows_every_vitamer(
    page: Page, db: FoodDatabase, shot: Shot
) -> None:
    page.goto("/foods")
    page.get_by_label("Food name").fill("nato")  # as typed: htmx searches as you type
    first = page.locator("#food-results tbody tr").first.get_by_role("link")
    expect(first).to_have_text(re.compile(r"^Natto\b"))
    expect(first).to_have_attribute("href", "/foods/natto")  # k2lab's natto, with its MK-7
    assert "q=nato" in page.url  # the search is in the address bar (hx-push-url)
    shot(page, "foods-search")

    first.click()
    natto = db.get("natto")
    expect(page.get_by_role("heading", level=1)).to_have_text(natto.name)
    table = page.locator("table").first
    shown = [v for v in VITAMERS if natto.nutrient(v) is not None]
    assert "MK-7" in shown
    for vitamer in shown:
        summary = natto.nutrient(vitamer)
        assert summary is not None
        row = table.locator("tbody tr", has=page.locator(f"th:text-is('{vitamer}')"))
        expect(row).to_have_count(1)
        low, high = row.locator("td").nth(1).inner_text().split("–")  # the range
        assert (_number(low), _number(high)) == pytest.approx((summary.low, summary.high), 0.01)
        expect(row.locator("td").nth(2)).to_have_text(summary.evidence)  # the evidence tier
        for value in summary.values:
            expect(row).to_contain_text(value.source_key)
    for key in {v.source_key for s in natto.nutrients.values() for v in s.values}:
        expect(page.locator(f"#src-{key}")).to_be_visible()
    shot(page, "food-natto", full_page=True)


def _expected_ug(db: FoodDatabase, nutrient: str, *entries: tuple[str, str]) -> float:
    """What the food database says ``entries`` (food, amount) bring of ``nutrient``."""
    total = 0.0
    for name, amount in entries:
        food = db.resolve(name)
        total += to_grams(food, amount).grams * food.per_100g(nutrient) / 100.0
    return total


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("µg", "").strip())


def _new_diary(page: Page, name: str) -> str:
    """Create a diary from the diary page; returns its ``?diary=`` query."""
    page.goto("/diary")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/diary/settings\?diary=\d+$"))  # who it is for, next
    return page.url[page.url.index("?") :]


def test_add_natto_and_gouda_to_today_shows_about_100_ug_mk7(
    page: Page, db: FoodDatabase, shot: Shot
) -> None:
    query = _new_diary(page, "Natto and Gouda")
    page.goto(f"/diary/{dt.date.today().isoformat()}{query}")
    for food, amount in (("natto", "1 tbsp"), ("gouda", "2 slices")):
        form = page.locator("form.add-food")
        form.get_by_label("Food").fill(food)
        form.get_by_label("Amount").fill(amount)
        form.get_by_role("button", name="Add food").click()
        expect(page.locator("table.entries")).to_contain_text(db.resolve(food).name)
    expected = _expected_ug(db, "MK-7", ("natto", "1 tbsp"), ("gouda", "2 slices"))
    assert 80 < expected < 120  # "about 100 µg": one tablespoon of natto
    cell = page.locator("table.day-totals td[data-form='MK-7']")
    assert _number(cell.inner_text()) == pytest.approx(expected, rel=0.01)
    shot(page, "diary-day")

    page.goto(f"/report{query}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Natto and Gouda")
    (today,) = _column(page.locator("table.intake"), "MK-7")
    assert _number(today) == pytest.approx(expected, rel=0.01)
    expect(page.locator("figure.chart .main-svg").first).to_be_visible()
    shot(page, "report", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    pdf = Path(info.value.path())
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "Natto and Gouda" in text.stdout and "MK-7" in text.stdout
    png = shot.folder / "report-pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(png)], check=True)  # fmt: skip
    assert png.with_suffix(".png").stat().st_size > 10_000


def _column(table: Locator, header: str) -> list[str]:
    """The body cells under the column headed ``header``."""
    cells: list[str] = table.evaluate(
        """(t, h) => {
          const i = [...t.tHead.rows[0].cells].findIndex(c => c.textContent.trim() === h);
          return i < 0 ? [] : [...t.tBodies[0].rows].map(r => r.cells[i].textContent.trim());
        }""",
        header,
    )
    assert cells, f"no column {header!r}"
    return cells


def test_import_cronometer_csv_and_resolve_an_ambiguous_food(page: Page, shot: Shot) -> None:
    query = _new_diary(page, "From Cronometer")
    page.goto(f"/diary/import{query}")
    page.get_by_label(re.compile(r"^File")).set_input_files(DATA / "cronometer_servings.csv")
    page.get_by_label("Format").select_option("cronometer")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A few foods need your choice")
    questions = page.locator("form select")
    assert questions.count() >= 1
    shot(page, "import-resolve", full_page=True)
    for i in range(questions.count()):  # take each first candidate: the best match
        options = questions.nth(i).locator("option")
        questions.nth(i).select_option(index=0)
        assert options.first.get_attribute("value")  # a food, not "skip"
    for box in page.locator("form input[type='number']").all():
        box.fill("30")
    page.get_by_role("button", name="Continue the import").click()
    expect(page).to_have_url(re.compile(r"/diary\?diary=\d+&imported=[1-9]"))
    days = page.locator("table tbody tr")
    expect(days.first).to_be_visible()
    dates = {line.split(",", 1)[0] for line in _cronometer_rows()}
    expect(days).to_have_count(len(dates))


def _cronometer_rows() -> list[str]:
    lines = (DATA / "cronometer_servings.csv").read_text(encoding="utf-8-sig").splitlines()
    return [line for line in lines[1:] if line.strip()]


def test_ten_year_outlook_with_and_without_mk7_draws_two_curves(page: Page, shot: Shot) -> None:
    page.goto("/outlook")
    page.get_by_label(re.compile(r"^Compare with")).fill("MK-7 180 ug daily")
    page.get_by_label(re.compile(r"^Years")).fill("10")
    page.get_by_role("button", name="Simulate").click()
    expect(page).to_have_url(re.compile(r"/outlook/\d+$"))
    # Queued or running: the page shows the progress and polls it (htmx) until done.
    progress = page.locator("#outlook-status progress")
    if progress.count():
        expect(page.locator("#outlook-status")).to_contain_text("%")
        shot(page, "outlook-progress")
    figure = page.locator("#figure-dp_ucMGP_pmol_per_L")
    expect(figure.locator(".main-svg").first).to_be_visible(timeout=240_000)
    names = figure.locator(".plot").evaluate("el => el.data.map(t => t.name)")
    curves = [n for n in names if not n.endswith("(90 % band)")]
    assert len(curves) == 2 and len(set(curves)) == 2, names
    assert any("MK-7" in n for n in curves), curves
    ys = figure.locator(".plot").evaluate(
        "el => el.data.filter(t => !t.name.endsWith('(90 % band)')).map(t => t.y)"
    )
    assert ys[0] != ys[1]  # the supplement changes the curve
    expect(figure.locator(".scatterlayer .trace .js-line")).to_have_count(len(names))
    expect(page.get_by_role("heading", name="Arteries and bones")).to_be_visible()
    shot(page, "outlook", full_page=True)
    page.get_by_role("heading", name="Arteries and bones").evaluate(
        "h => h.scrollIntoView({block: 'start'})"
    )
    shot(page, "outlook-charts")


def test_virtual_trial_of_mk7_shows_dp_ucmgp_falling_against_placebo(
    page: Page, shot: Shot
) -> None:
    page.goto("/trials")
    page.get_by_label("Start from an example").select_option("dp_ucmgp_12_weeks")
    page.get_by_role("button", name="Load").click()
    expect(page.locator("#design_toml")).to_have_value(re.compile(r"MK-7 180 ug daily"))
    page.get_by_role("button", name="Run the trial").click()
    expect(page).to_have_url(re.compile(r"/trials/\d+$"))
    figure = page.locator("#figure-endpoint-0")
    expect(figure.locator(".main-svg").first).to_be_visible(timeout=120_000)
    names = figure.locator(".plot").evaluate("el => el.data.map(t => t.name)")
    assert {"placebo", "MK-7 180"} <= set(names), names
    row = page.locator("table tbody tr").filter(has_text="dp-ucMGP").first
    expect(row).to_contain_text("MK-7 180")
    difference = row.locator("td").nth(4).inner_text()
    assert difference.startswith("-") or difference.startswith("−"), difference
    shot(page, "trial", full_page=True)


def test_trial_power_curve_of_dp_ucmgp_reaches_80_percent_with_tens_per_arm(
    page: Page, shot: Shot
) -> None:
    page.goto("/trials?example=dp_ucmgp_12_weeks")
    endpoint = page.get_by_label("Endpoint")
    expect(endpoint.locator("option")).to_have_count(2)  # dp-ucMGP and ucOC, from the design
    # editing the design refreshes the choices (htmx): drop the ucOC endpoint
    design = page.locator("#design_toml")
    text = design.input_value()
    cut = text.index('[[endpoints]]\nname = "ucOC_ng_per_mL"')
    design.fill(text[:cut] + text[text.index("[analysis]") :])
    design.blur()
    expect(page.get_by_label("Endpoint").locator("option")).to_have_count(1)
    page.get_by_label("n per arm (start:stop:step)").fill("2:20:2")
    page.get_by_label("Virtual trials per n").fill("30")
    page.locator("#power").evaluate("el => el.scrollIntoView({block: 'center'})")
    shot(page, "trial-power-form")
    page.get_by_role("button", name="Compute the power curve").click()
    expect(page).to_have_url(re.compile(r"/trials/power/\d+$"))
    figure = page.locator("#figure-power")
    expect(figure.locator(".main-svg").first).to_be_visible(timeout=180_000)
    names = figure.locator(".plot").evaluate("el => el.data.map(t => t.name)")
    assert names == ["Power (95 % Monte-Carlo interval)", "Power"], names
    ys = figure.locator(".plot").evaluate("el => el.data[1].y")
    assert len(ys) == 10 and ys[-1] >= 80 and ys[0] < ys[-1], ys
    expect(page.locator("#power-table tbody tr")).to_have_count(10)
    expect(page.locator("#power-answer")).to_contain_text("per arm")
    shot(page, "trial-power", full_page=True)


def test_vegan_seven_day_plan_is_a_table_of_portions(
    page: Page, db: FoodDatabase, shot: Shot
) -> None:
    page.goto("/plan")
    page.get_by_label("Diet pattern").select_option("vegan")
    page.get_by_label(re.compile(r"^Days")).fill("7")
    # Without D3 and B12 no vegan whole-day plan meets the references (the how-to's advice).
    page.get_by_label(re.compile(r"^Supplements")).fill("D3 15 ug, B12 25 ug")
    page.get_by_role("button", name="Make the plan").click()
    result = page.locator("section.plan-result")
    expect(result.get_by_role("heading", level=2)).to_have_text("Your plan", timeout=120_000)
    days = result.get_by_role("heading", level=3, name=re.compile(r"^Day \d"))
    expect(days).to_have_count(7)
    foods = result.locator("table").first.locator("tbody tr")
    assert foods.count() >= 1
    for row in foods.all():
        name = row.locator("th").inner_text()
        key = unquote((row.locator("th a").get_attribute("href") or "").rsplit("/", 1)[-1])
        assert db.get(key).diet == "vegan", name  # a vegan plan holds vegan foods only
        expect(row.locator("td").first).to_contain_text("×")  # portions, e.g. "1 × 1 tablespoon"
        assert _number(row.locator("td").nth(1).inner_text()) > 0
    result.get_by_role("heading", level=2).evaluate("h => h.scrollIntoView({block: 'start'})")
    shot(page, "plan")  # the screen with the plan's first day (the whole week is long)
