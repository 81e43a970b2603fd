"""docs/advice.md documents every rule, claim and food group (fails when one is missing)."""

from __future__ import annotations

from pathlib import Path

from k2lab.advice import claims, rule_data
from k2lab.plan import food_groups

DOC = (Path(__file__).resolve().parents[2] / "docs" / "advice.md").read_text(encoding="utf-8")


def test_every_rule_claim_and_group_is_documented() -> None:
    missing = [f"`{k}`" for k in (*rule_data(), *claims()) if f"`{k}`" not in DOC]
    missing += [g for g in food_groups() if f"`{g}`" not in DOC]
    assert not missing, missing
    assert "does not diagnose or prescribe" in DOC
