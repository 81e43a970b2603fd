"""Evidence table and rule data: complete (their source keys: tests/report/test_citations)."""

from __future__ import annotations

from k2lab.advice import claims, rule_data

ARTICLE_CLAIMS = {"bones", "arteries", "teeth", "d3_synergy", "insulin", "mk7_vs_mk4", "k1_to_k2"}


def test_every_article_claim_has_a_grade_and_sources() -> None:
    table = claims()
    assert ARTICLE_CLAIMS <= set(table)
    for c in table.values():
        assert c.grade and c.summary and c.source_keys


def test_rules_reference_known_claims_and_severities() -> None:
    for r in rule_data().values():
        assert r.severity in ("info", "caution", "warning", "danger")
        assert set(r.claims) <= set(claims())
        assert r.evidence_grade


def test_vka_thresholds_come_from_the_sources() -> None:
    rules = rule_data()
    assert rules["vka_mk7_supplement"].threshold == 10
    assert "Theuwissen_2013" in rules["vka_mk7_supplement"].source_keys
    assert rules["vka_k1_supplement"].threshold == 150
    assert "Schurgers_2004" in rules["vka_k1_supplement"].source_keys
