"""Generated pages are current, and the K2 page follows the data (on a small database)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest

from k2lab.foods import FoodDatabase, build_database
from k2lab.site import k2_blocks
from k2lab.site.commands import CHECKED_PAGES, console_commands

from .conftest import DOCS, ROOT


def test_committed_generated_pages_are_current(
    db: FoodDatabase, update_site: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # console commands name files relative to the repository root
    stale = [str(p.relative_to(ROOT)) for p in update_site.stale(db)]
    assert not stale, f"stale, run `make docs-gen`: {stale}"


def test_every_curated_food_has_a_page_and_no_page_is_orphaned(db: FoodDatabase) -> None:
    pages = {p.stem for p in (DOCS / "foods").glob("*.md")} - {"index"}
    curated = {k for k in db.keys if db.get(k).origin == "curated"}
    assert pages == curated


def test_checked_pages_show_commands() -> None:
    for rel in CHECKED_PAGES:
        assert console_commands((ROOT / rel).read_text(encoding="utf-8")), rel


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """The curated foods only (no USDA): a fraction of a second to build."""
    return build_database(tmp_path / "small.sqlite", usda_foods=[])


def _set(path: Path, sql: str, *args: object) -> None:
    con = sqlite3.connect(path)
    with con:
        assert con.execute(sql, args).rowcount > 0
    con.close()


def test_k2_page_changes_when_a_value_changes(small_db: Path) -> None:
    before = k2_blocks(FoodDatabase(small_db))
    assert "**104 µg MK-7** (range 84.5–120)" in before["tablespoon"]
    _set(
        small_db,
        "UPDATE summaries SET typical = 500, low = 400, high = 600 "
        "WHERE food_key = 'natto' AND nutrient = 'MK-7'",
    )
    after = k2_blocks(FoodDatabase(small_db))
    # 10.9 g x 500 µg/100 g = 54.5 µg; the cover rows follow: 180 / 500 x 100 = 36 g.
    assert "**54.5 µg MK-7** (range 43.6–65.4)" in after["tablespoon"]
    assert "| 180 µg MK-7 | 30.3 % | 36 g (30–45 g)" in after["tablespoon"]
    assert "| MK-7 | 500 (400–600) |" in after["sources-table"]
    assert after["benefits"] == before["benefits"]


def test_sources_table_shows_disagreement_when_the_article_differs(small_db: Path) -> None:
    row = re.compile(r"^\| Eel \|.*$", re.M)
    assert "article only" in row.findall(k2_blocks(FoodDatabase(small_db))["sources-table"])[0]
    _set(
        small_db,
        "INSERT INTO food_values (food_key, nutrient, value, low, high, quality, source_key,"
        " country, notes) VALUES ('eel_raw', 'MK-4', 2, NULL, NULL, 'primary', 'kamao_2007',"
        " 'Japan', 'test value')",
    )
    eel = row.findall(k2_blocks(FoodDatabase(small_db))["sources-table"])[0]
    assert "| 63 | 2 | **disagree** |" in eel
