"""The app shell in a real browser: the start page renders, htmx loads, the CSP holds."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_home_page_renders_without_console_errors(page: Page) -> None:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.location.get('url')}: {m.text}") if m.type == "error" else None
        ),
    )
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto("/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert page.evaluate("typeof window.htmx") == "object"
    assert not failed, failed
    # No favicon is served (yet): the browser's own request for one is not the page's error.
    assert not [e for e in errors if "/favicon.ico:" not in e], errors
