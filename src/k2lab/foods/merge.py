"""Merging several published values for one food and nutrient into a typical value and a range.

The rule is stated with every summary, so nothing is silently picked:
the typical value is the median of the best-evidence values (every tier but
'tertiary'; tertiary values only when nothing else exists), and the range spans
every value and every reported low/high from all sources.

Example
-------
>>> s = summarise([Value(939, None, None, "primary", "kamao_2007"),
...                Value(775, None, None, "primary", "tsukamoto_2000"),
...                Value(975, 850, 1100, "article", "seed_article"),
...                Value(1000, None, None, "tertiary", "davis_2007_blog")])
>>> s.typical, s.low, s.high, s.evidence
(939.0, 775.0, 1100.0, 'primary')
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from k2lab.foods.nutrients import QUALITY_ORDER


@dataclass(frozen=True)
class Value:
    """One published value per 100 g, with its optional range, tier and source."""

    value: float
    low: float | None
    high: float | None
    quality: str
    source_key: str


@dataclass(frozen=True)
class Summary:
    """Typical value and range of one food × nutrient, with the rule that made them."""

    typical: float
    low: float
    high: float
    n_values: int
    evidence: str
    rule: str


def summarise(values: Sequence[Value]) -> Summary:
    """Summarise the values of one food × nutrient (see the module docstring)."""
    if not values:
        raise ValueError("no values to summarise")
    best = [v for v in values if v.quality != "tertiary"] or list(values)
    typical = float(statistics.median(v.value for v in best))
    points = [p for v in values for p in (v.value, v.low, v.high) if p is not None]
    evidence = min((v.quality for v in best), key=QUALITY_ORDER.index)
    tiers = sorted({v.quality for v in best}, key=QUALITY_ORDER.index)
    if len(best) == 1:
        rule = f"single {best[0].quality} value"
    else:
        rule = f"median of {len(best)} values ({', '.join(tiers)})"
    if len(best) < len(values):
        rule += f"; {len(values) - len(best)} tertiary value(s) shown and in the range only"
    return Summary(typical, float(min(points)), float(max(points)), len(values), evidence, rule)
