"""The evidence table for every health claim of the article, and the advice rule data.

Both come from shipped CSVs (``data/claims.csv``, ``data/advice_rules.csv``) whose
``source_key`` values (``;``-separated) resolve in the citation registry
(:mod:`k2lab.data.citations`).

Example
-------
>>> claim("bones").grade
'low (mixed RCTs)'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from k2lab.data.citations import split_keys
from k2lab.errors import DataError
from k2lab.foods.build import read_data_csv


@dataclass(frozen=True)
class Claim:
    """One claim of the article with its evidence grade, summary and sources."""

    claim_id: str
    claim: str
    grade: str
    summary: str
    source_keys: tuple[str, ...]


@dataclass(frozen=True)
class RuleData:
    """Threshold, severity, evidence grade, claims, sources and message template of a rule."""

    rule_id: str
    severity: str
    threshold: float | None
    threshold_unit: str
    evidence_grade: str
    claims: tuple[str, ...]
    source_keys: tuple[str, ...]
    message: str


@cache
def claims() -> dict[str, Claim]:
    """Every claim of the article (plus two common ones), by id, in file order."""
    return {
        r["claim_id"]: Claim(
            r["claim_id"], r["claim"], r["grade"], r["summary"], split_keys(r["source_key"])
        )
        for r in read_data_csv("claims.csv")
    }


def claim(claim_id: str) -> Claim:
    """The claim ``claim_id`` (e.g. 'bones', 'arteries', 'd3_synergy')."""
    table = claims()
    if claim_id not in table:
        raise DataError(f"Unknown claim '{claim_id}'. Known: {', '.join(table)}.")
    return table[claim_id]


@cache
def rule_data() -> dict[str, RuleData]:
    """Rule rows by id."""
    return {
        r["rule_id"]: RuleData(
            r["rule_id"],
            r["severity"],
            float(r["threshold"]) if r["threshold"] else None,
            r["threshold_unit"],
            r["evidence_grade"],
            split_keys(r["claims"]),
            split_keys(r["source_key"]),
            r["message"],
        )
        for r in read_data_csv("advice_rules.csv")
    }


__all__ = ["Claim", "RuleData", "claim", "claims", "rule_data"]
