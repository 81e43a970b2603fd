"""The K2 page types no number by hand; internal links resolve; the site config lists pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import DOCS, ROOT

LINK = re.compile(r"\]\(([^)\s]+)\)")


def _hand_written(text: str) -> str:
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"<!-- BEGIN (\S+) -->.*?<!-- END \1 -->", "", text, flags=re.S)
    text = re.sub(r"^```.*?^```$", "", text, flags=re.S | re.M)
    text = re.sub(r"\[@[^\]]*\]", "", text)  # citation keys carry years
    return re.sub(r"\]\([^)]*\)", "]", text)  # link targets carry file names


def test_k2_page_types_no_number_by_hand() -> None:
    text = _hand_written((DOCS / "vitamin-k2.md").read_text(encoding="utf-8"))
    # Digits may only be part of names: K1, K2, MK-7, D3.
    typed = re.findall(r"(?<![\w\-])\d[\d.,]*", text)
    assert not typed, typed


def test_number_check_catches_a_typed_number() -> None:
    found = re.findall(r"(?<![\w\-])\d[\d.,]*", _hand_written("MK-10 gives 104 µg [@a_2000]."))
    assert found == ["104"]


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: p.name)
def test_internal_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve()
        assert resolved.is_file(), f"{page.relative_to(DOCS)} links to missing {target}"
        if anchor and path.endswith(".md"):
            assert _has_anchor(resolved.read_text(encoding="utf-8"), anchor), (
                f"{page.relative_to(DOCS)} links to missing anchor {target}"
            )


def _slug(heading: str) -> str:
    text = re.sub(r"[`*]", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return re.sub(r"[\s]+", "-", text)


def _has_anchor(text: str, anchor: str) -> bool:
    headings = re.findall(r"^#+ (.+)$", text, flags=re.M)
    return anchor in {_slug(h) for h in headings} or f'id="{anchor}"' in text


def test_every_page_is_in_the_nav_or_a_food_page() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s*(\S+\.md)\s*$", config, flags=re.M))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    orphans = {p for p in pages - listed if not p.startswith("foods/")}
    assert not orphans
