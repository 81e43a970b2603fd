"""Journey: a warfarin user logs a week with natto on two days, follows the report's link
to the INR page and sees the diary's INR curve swing against the steady one."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from .conftest import Shot
from .test_journeys import _new_diary


def test_a_week_with_natto_twice_swings_the_inr(page: Page, shot: Shot) -> None:
    query = _new_diary(page, "On warfarin")
    page.get_by_label("Medications").fill("warfarin")
    page.get_by_role("button", name=re.compile("Save")).click()
    start = dt.date.today() - dt.timedelta(days=6)
    for i in range(7):
        page.goto(f"/diary/{(start + dt.timedelta(days=i)).isoformat()}{query}")
        foods = [("kale", "1 cup")] + ([("natto", "1 pack")] if i in (0, 4) else [])
        for food, amount in foods:
            form = page.locator("form.add-food")
            form.get_by_label("Food").fill(food)
            form.get_by_label("Amount").fill(amount)
            form.get_by_role("button", name="Add food").click()
            expect(page.locator("table.entries")).to_contain_text(food.capitalize())
    page.goto(f"/report{query}")
    page.get_by_role("link", name="How steady is my INR?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("INR stability: On warfarin")
    figure = page.locator("#figure-inr")
    expect(figure.locator(".main-svg").first).to_be_visible(timeout=60_000)
    names = figure.locator(".plot").evaluate("el => el.data.map(t => t.name)")
    assert names == ["Diary as written", "Same average every day"], names
    sd = page.locator("tr").filter(has_text="SD (CV)").locator("td")
    diary_sd, steady_sd = (float(sd.nth(i).inner_text().split()[0]) for i in (0, 1))
    assert diary_sd > 3 * steady_sd
    shot(page, "inr", full_page=True)
