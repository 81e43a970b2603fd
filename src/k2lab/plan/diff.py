"""A plan as changes to the current diet: add, remove, more, less, swap (by day).

The current diet is grams per day of each food (a diary's mean day). A change names
the food, the portions and the days it applies to; days with the same change are
grouped ("add 1 × 1 tablespoon Natto on days 2, 5"). A food removed and another of
the same category added on the same days read as a swap.

Example
-------
>>> Change("add", "Natto", "", "1 tablespoon", 1, 10.9, (2, 5)).text()
'add 1 × 1 tablespoon Natto (11 g) on days 2, 5'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from k2lab.plan.candidates import Candidate
from k2lab.plan.model import PlanConstraints


class _Item(Protocol):
    @property
    def day(self) -> int: ...
    @property
    def food_key(self) -> str: ...
    @property
    def grams(self) -> float: ...


@dataclass(frozen=True)
class Change:
    """One change to the current diet on ``days`` (1-based)."""

    kind: str  # 'add', 'remove', 'more', 'less', 'swap'
    name: str
    other: str  # swap: the food it replaces
    portion_name: str
    portions: int
    grams: float  # grams added (or removed) a day
    days: tuple[int, ...]

    def text(self) -> str:
        """The change in words."""
        when = _days(self.days)
        amount = f"{self.portions} × {self.portion_name} {self.name} ({self.grams:.0f} g)"
        if self.kind == "swap":
            return f"swap {self.other} for {amount} {when}"
        if self.kind == "remove":
            return f"drop {self.name} ({self.grams:.0f} g) {when}"
        if self.kind in ("more", "less"):
            sign = "+" if self.kind == "more" else "−"
            return f"{self.name}: {sign}{self.grams:.0f} g {when}"
        return f"add {amount} {when}"


def _days(days: tuple[int, ...]) -> str:
    return "on day " + str(days[0]) if len(days) == 1 else "on days " + ", ".join(map(str, days))


def diary_changes(
    items: Sequence[_Item], c: PlanConstraints, cands: Mapping[str, Candidate]
) -> tuple[Change, ...]:
    """The changes from ``c.current_g_per_day`` to the planned ``items`` (empty without one)."""
    if not c.current_g_per_day:
        return ()
    planned: dict[tuple[str, int], float] = {}
    for i in items:
        planned[i.food_key, i.day] = planned.get((i.food_key, i.day), 0.0) + i.grams
    current = {k: g for k, g in c.current_g_per_day.items() if k in cands}
    raw: dict[tuple[str, str, float], list[int]] = {}
    for key in sorted(set(current) | {k for k, _ in planned}):
        for d in range(1, c.days + 1):
            now, then = current.get(key, 0.0), planned.get((key, d), 0.0)
            delta = round(then - now, 1)
            if abs(delta) < 0.5:
                continue
            kind = "add" if now == 0 else "remove" if then == 0 else "more" if delta > 0 else "less"
            raw.setdefault((kind, key, abs(delta)), []).append(d)
    removed = {(k, tuple(ds)) for (kind, k, _), ds in raw.items() if kind == "remove"}
    swaps: dict[tuple[str, tuple[int, ...]], str] = {}  # (added, days) -> removed
    for (kind, key, _), ds in raw.items():
        days = tuple(ds)
        if kind != "add":
            continue
        for r, rd in sorted(removed):
            if rd == days and cands[r].category == cands[key].category:
                swaps[key, days] = r
                removed.discard((r, rd))
                break
    swapped = set(swaps.values())
    changes: list[Change] = []
    for (kind, key, grams), ds in sorted(raw.items(), key=lambda kv: (kv[1][0], kv[0])):
        cand, days = cands[key], tuple(ds)
        if kind == "remove" and key in swapped and (key, days) not in removed:
            continue  # shown as a swap
        other = swaps.get((key, days), "") if kind == "add" else ""
        portions = round(grams / cand.portion_g) if cand.portion_g else 0
        changes.append(
            Change(
                "swap" if other else kind,
                cand.name,
                cands[other].name if other else "",
                cand.portion_name,
                portions,
                grams,
                days,
            )
        )
    return tuple(changes)


__all__ = ["Change", "diary_changes"]
