"""Every main page at phone (375×812) and laptop (1280×800) width, and the keyboard path to
the search box and the add-entry form."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from .conftest import LAPTOP, PHONE, Shot

pytestmark = pytest.mark.browser

MAIN_PAGES = {
    "home": "/",
    "foods": "/foods?q=natto",
    "diary": "/diary",
    "report": "/report",
    "plan": "/plan",
    "outlook": "/outlook",
    "trials": "/trials",
}


@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_main_page_fits_a_phone_and_a_laptop(page: Page, name: str, shot: Shot) -> None:
    for size, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        page.set_viewport_size(viewport)
        response = page.goto(MAIN_PAGES[name])
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        # Nothing wider than the screen: wide tables scroll inside their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow} px wider than a {viewport['width']} px screen"
        shot(page, f"{name}-{size}")


def _tab_to(page: Page, element_id: str, limit: int = 60) -> int:
    """Press Tab from the top of the page until ``element_id`` has the focus; the count."""
    page.locator("body").focus()
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"Tab never reached #{element_id} in {limit} presses")


def test_keyboard_reaches_the_search_box_and_the_add_entry_form(page: Page) -> None:
    page.goto("/foods")
    assert _tab_to(page, "food-q") <= 10  # past the skip link and the navigation
    page.keyboard.type("natto")
    expect(page.locator("#food-results tbody tr").first).to_contain_text("Natto")

    page.goto(f"/diary/{dt.date.today().isoformat()}")
    _tab_to(page, "food")
    page.keyboard.type("natto")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "amount"
