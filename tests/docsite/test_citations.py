"""Every citation on the site resolves, and the sourced pages cite every sentence."""

from __future__ import annotations

import re

import pytest

from k2lab.data.citations import citations as sources
from k2lab.site.citations import CITE, cited_keys

from .conftest import DOCS

#: Pages where every sentence of fact must carry a citation.
SOURCED = (
    "natto-history.md",
    "nattokinase.md",
    "bacillus-subtilis-natto.md",
    "natto-japanese-cuisine.md",
)
#: The pages' sentences about their own sourcing are not facts; nor are "See ..." pointers.
NOT_FACTS = ("Every sentence of fact on this page", "the sources page says which")


def _prose(text: str) -> str:
    """The page without front matter, headings, generated blocks, code and link-only lines."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"<!-- BEGIN (\S+) -->.*?<!-- END \1 -->", "", text, flags=re.S)
    text = re.sub(r"^```.*?^```$", "", text, flags=re.S | re.M)
    lines = [line for line in text.splitlines() if not line.startswith(("#", "!!!", "    "))]
    return " ".join(" ".join(lines).split())


def _sentences(prose: str) -> list[str]:
    # A sentence ends at ". " or "]. " before a capital letter or a digit.
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9*\[])", prose)
    return [p for p in parts if p.strip()]


def test_every_cited_key_resolves() -> None:
    known = sources()
    missing = {
        str(page.relative_to(DOCS)): bad
        for page in DOCS.rglob("*.md")
        if (bad := [k for k in cited_keys(page.read_text(encoding="utf-8")) if k not in known])
    }
    assert not missing


def test_source_anchors_are_unique() -> None:
    keys = [k.lower() for k in sources()]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("page", SOURCED)
def test_every_sentence_of_fact_has_a_citation(page: str) -> None:
    prose = _prose((DOCS / page).read_text(encoding="utf-8"))
    uncited = [
        s
        for s in _sentences(prose)
        if not CITE.search(s)
        and not s.startswith("See ")
        and not any(marker in s for marker in NOT_FACTS)
    ]
    assert not uncited, uncited


def test_sentence_splitter_finds_an_uncited_sentence() -> None:
    prose = _prose("---\ntitle: x\n---\n# H\n\nCited [@a]. Not cited at all. Cited again [@b].\n")
    assert [s for s in _sentences(prose) if not CITE.search(s)] == ["Not cited at all."]
