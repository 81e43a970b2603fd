"""An advice item (what to do, the numbers, its evidence and sources), its severity, the
one change to make first, and the disclaimer every advice output carries.

Example
-------
>>> a = Advice("k2_below_target", Severity.INFO, "Add natto.", {}, "own target", ("x",))
>>> first_change([a]).rule_id, Severity.DANGER.label
('k2_below_target', 'danger')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

__all__ = ["DISCLAIMER", "GAP_RULES", "Advice", "Severity", "first_change"]

DISCLAIMER = (
    "k2lab informs; it does not diagnose or prescribe. Talk to a doctor or pharmacist before "
    "changing supplements, especially if you take a blood thinner."
)

#: Rules about a gap to a target; the first change falls back to them when all is info.
GAP_RULES = ("k2_below_target", "k1_below_reference")


class Severity(IntEnum):
    """How urgent: info < caution < warning < danger."""

    INFO = 0
    CAUTION = 1
    WARNING = 2
    DANGER = 3

    @property
    def label(self) -> str:
        """Lower-case name ('danger')."""
        return self.name.lower()


@dataclass(frozen=True)
class Advice:
    """One piece of advice: what to do, the numbers behind it, its evidence and sources."""

    rule_id: str
    severity: Severity
    message: str
    numbers: dict[str, float]
    evidence_grade: str
    source_keys: tuple[str, ...]
    claims: tuple[str, ...] = ()


def first_change(items: Sequence[Advice]) -> Advice | None:
    """The one change to make first: the most severe advice, or the gap advice when every
    item is only information (``None`` without advice)."""
    if not items:
        return None
    ranked = sorted(items, key=lambda a: (-a.severity, a.rule_id not in GAP_RULES))
    first = ranked[0]
    if first.severity == Severity.INFO:
        first = next((a for a in ranked if a.rule_id in GAP_RULES), first)
    return first
