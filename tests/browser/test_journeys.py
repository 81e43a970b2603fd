"""The user journeys of issue 10 in a real browser, each asserting what a person sees.

Every journey saves a screenshot (``shot``): into ``docs/screenshots/`` with
``K2LAB_WRITE_SCREENSHOTS=1``, otherwise into a temporary folder. The served app has the
example diaries loaded and the session's food database (``live_server``).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from k2lab.foods import FoodDatabase
from k2lab.vocab import VITAMERS

from .conftest import Shot

pytestmark = pytest.mark.browser


def test_search_nato_finds_natto_and_its_page_shows_every_vitamer(
    page: Page, db: FoodDatabase, shot: Shot
) -> None:
    page.goto("/foods")
    page.get_by_label("Food name").fill("nato")  # as typed: htmx searches as you type
    first = page.locator("#food-results tbody tr").first.get_by_role("link")
    expect(first).to_have_text(re.compile(r"^Natto\b"))
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
        expect(row.locator("td").nth(2)).to_have_text(summary.evidence)  # the evidence tier
        for value in summary.values:
            expect(row).to_contain_text(value.source_key)
    for key in {v.source_key for s in natto.nutrients.values() for v in s.values}:
        expect(page.locator(f"#src-{key}")).to_be_visible()
    shot(page, "food-natto", full_page=True)
