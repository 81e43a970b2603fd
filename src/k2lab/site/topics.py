"""Generated blocks of the topic pages: a claim's evidence grade, a category's foods.

Example
-------
>>> "very low" in claim_admonition("nattokinase_therapy", "nattokinase.md")
True
"""

from __future__ import annotations

from k2lab.advice.evidence import claim
from k2lab.foods.database import FoodDatabase
from k2lab.site.citations import source_links
from k2lab.site.formatting import fmt, fmt_range


def claim_admonition(claim_id: str, page: str) -> str:
    """The claim ``claim_id`` as a Material admonition: claim, grade, summary, sources."""
    c = claim(claim_id)
    return (
        f'!!! note "Claim: {c.claim}"\n'
        f"    Evidence grade: **{c.grade}**. {c.summary} "
        f"Sources: {source_links(c.source_keys, page)}.\n"
    )


def category_foods(db: FoodDatabase, category: str, vitamer: str, page: str) -> str:
    """A table of the curated foods of ``category`` with their ``vitamer`` per 100 g."""
    rel = "../" * page.count("/")
    lines = [f"| food | {vitamer} µg/100 g: typical (range) | evidence |", "|---|---|---|"]
    for key in sorted(db.keys):
        f = db.get(key)
        s = f.nutrient(vitamer)
        if f.origin == "curated" and f.category == category and s is not None:
            lines.append(
                f"| [{f.name}]({rel}foods/{f.key}.md) | {fmt(s.typical)} "
                f"({fmt_range(s.low, s.high)}) | {s.evidence} |"
            )
    return "\n".join(lines) + "\n"
