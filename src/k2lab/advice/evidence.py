"""The evidence table for every health claim of the article, and the advice rule data.

Both come from shipped CSVs (``data/claims.csv``, ``data/advice_rules.csv``) whose
``source_key`` values (``;``-separated) resolve in ``data/sources_*.csv``.

Example
-------
>>> claim("bones").grade
'low (mixed RCTs)'
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

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


def _split(text: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in text.split(";") if k.strip())


@cache
def claims() -> dict[str, Claim]:
    """Every claim of the article (plus two common ones), by id, in file order."""
    return {
        r["claim_id"]: Claim(
            r["claim_id"], r["claim"], r["grade"], r["summary"], _split(r["source_key"])
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
            _split(r["claims"]),
            _split(r["source_key"]),
            r["message"],
        )
        for r in read_data_csv("advice_rules.csv")
    }


@cache
def sources() -> dict[str, dict[str, str]]:
    """Every citation shipped in ``data/sources_*.csv``, by source key."""
    out: dict[str, dict[str, str]] = {}
    for entry in sorted(resources.files("k2lab.data").iterdir(), key=lambda p: p.name):
        if entry.name.startswith("sources_") and entry.name.endswith(".csv"):
            text = entry.read_text(encoding="utf-8")
            for row in csv.DictReader(io.StringIO(text, newline="")):
                out[row["source_key"]] = {
                    "citation": row["citation"],
                    "doi": row.get("doi") or "",
                    "url": row.get("url") or "",
                }
    return out


def cite(keys: tuple[str, ...] | list[str]) -> dict[str, dict[str, str]]:
    """Citations for ``keys`` (unknown keys raise: shipped data must resolve)."""
    table = sources()
    missing = [k for k in keys if k not in table]
    if missing:
        raise DataError(f"Source keys without a citation: {', '.join(missing)}.")
    return {k: table[k] for k in keys}


__all__ = ["Claim", "RuleData", "cite", "claim", "claims", "rule_data", "sources"]
