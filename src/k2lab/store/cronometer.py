"""A Cronometer "servings" export (CSV) as diary entries.

The export has one row per food eaten: ``Day`` (ISO date), optionally ``Time`` and
``Group`` (the meal: Breakfast, Lunch, Dinner, Snacks, Uncategorized), ``Food Name``,
``Amount`` (``"1.00 tbsp"``, ``"100.00 g"``, ``"2.00 slice"``), ``Category`` and one column per
nutrient. Only the day, meal, name and amount are read: k2lab computes the vitamin K forms
itself.

Each distinct food name is matched once: a name that is exactly a k2lab food's name or
synonym (whole, or before a comma followed only by "raw", "fresh", "plain" ...) is confident; any
other name (e.g. "Salmon, Atlantic, Wild, Raw") is a question with the fuzzy search's closest foods as candidates. An amount
whose unit the chosen food has no weight for is a question too (grams per unit), unless the
amount carries its weight ("1 serving (28 g)") or the export has a weight column
("Weight (g)"). :func:`plan_import` answers with the items
to write, or with the questions still open; nothing is written until none is.

Example
-------
>>> rows = read_servings("Day,Group,Food Name,Amount\\n2026-03-02,Breakfast,Natto,1.00 tbsp\\n")
>>> rows[0].meal, rows[0].name, rows[0].amount
('breakfast', 'Natto', '1.00 tbsp')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from k2lab.errors import AmountError, K2LabError, UnknownFoodError
from k2lab.foods.database import Food, FoodDatabase
from k2lab.intake import to_grams
from k2lab.intake.portions import MAX_GRAMS_PER_ENTRY, parse_amount_text
from k2lab.store.diary_io import MAX_IMPORT_ROWS, ImportItem

__all__ = [
    "FoodQuestion",
    "ImportPlan",
    "ServingRow",
    "UnitQuestion",
    "plan_import",
    "read_servings",
    "unit_key",
]

_MEALS = {"breakfast": "breakfast", "lunch": "lunch", "dinner": "dinner", "snacks": "snack",
          "snack": "snack"}  # fmt: skip
_WEIGHT_HINT = re.compile(r"\(?\s*-?\s*(\d+(?:\.\d+)?)\s*g\s*\)?\s*$")
_CANDIDATES = 5
#: Qualifiers after a comma that do not change which food it is ("Kale, Raw").
_NEUTRAL = frozenset({"raw", "fresh", "plain", "whole", "prepared"})


@dataclass(frozen=True)
class ServingRow:
    """One row of the export."""

    line: int
    date: dt.date
    meal: str
    name: str
    amount: str
    grams: float | None = None  # a weight column, when the export has one


@dataclass(frozen=True)
class FoodQuestion:
    """A name with no confident match: the user picks one of ``candidates`` or skips it."""

    name: str
    rows: int
    candidates: tuple[tuple[str, str], ...]  # (food key, food name)


@dataclass(frozen=True)
class UnitQuestion:
    """A unit k2lab has no weight for in this food: the user gives grams per unit."""

    name: str
    unit: str
    food_name: str
    example: str


@dataclass
class ImportPlan:
    """What an import would write, or what it still needs to know."""

    items: list[ImportItem] = field(default_factory=list)
    food_questions: list[FoodQuestion] = field(default_factory=list)
    unit_questions: list[UnitQuestion] = field(default_factory=list)
    skipped: int = 0

    @property
    def ready(self) -> bool:
        """Whether every name and unit is settled."""
        return not self.food_questions and not self.unit_questions


def _column(header: Sequence[str], *names: str) -> str | None:
    low = {h.strip().lower(): h for h in header}
    for n in names:
        if n in low:
            return low[n]
    return None


def read_servings(text: str, *, name: str = "servings.csv") -> list[ServingRow]:
    """The rows of a servings export; errors name the line and the column."""
    try:
        return _read_servings(text, name)
    except csv.Error as exc:  # e.g. a bare carriage return inside a field (found by fuzzing)
        raise K2LabError(
            f"{name}: not a readable CSV file ({exc}). Export it from Cronometer again.",
            field="file",
        ) from exc


def _read_servings(text: str, name: str) -> list[ServingRow]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    day_col = _column(header, "day", "date")
    food_col = _column(header, "food name")
    amount_col = _column(header, "amount")
    group_col = _column(header, "group", "meal")
    grams_col = _column(header, "weight (g)", "grams", "amount (g)")
    missing = [n for n, c in (("Day", day_col), ("Food Name", food_col), ("Amount", amount_col))
               if c is None]  # fmt: skip
    if missing:
        raise K2LabError(
            f"{name}: not a Cronometer servings export (no column {', '.join(missing)}). "
            "Export 'Food & Recipe Entries' (servings.csv) from Cronometer.",
            field="file",
        )
    assert day_col and food_col and amount_col
    rows: list[ServingRow] = []
    for row in reader:
        line = reader.line_num
        if len(rows) >= MAX_IMPORT_ROWS:
            raise K2LabError(
                f"{name}: more than {MAX_IMPORT_ROWS:,} rows; split the export by date range.",
                field="file",
            )
        raw_day = (row.get(day_col) or "").strip()
        try:
            date = dt.date.fromisoformat(raw_day)
        except ValueError as exc:
            raise K2LabError(
                f"{name}, line {line}, column Day: '{raw_day}' is not a date (YYYY-MM-DD).",
                field="file",
            ) from exc
        food = " ".join((row.get(food_col) or "").split())
        amount = " ".join((row.get(amount_col) or "").split())
        if not food or not amount:
            raise K2LabError(
                f"{name}, line {line}: empty {'Food Name' if not food else 'Amount'}.",
                field="file",
            )
        group = (row.get(group_col) or "").strip().lower() if group_col else ""
        grams = _number(row.get(grams_col)) if grams_col else None
        rows.append(ServingRow(line, date, _MEALS.get(group, ""), food[:200], amount[:120], grams))
    if not rows:
        raise K2LabError(f"{name}: no rows after the header.", field="file")
    return rows


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if 0 < value <= MAX_GRAMS_PER_ENTRY else None


def _confident(foods: FoodDatabase, name: str) -> Food | None:
    head, *rest = [part.strip().lower() for part in name.split(",")]
    candidates = [name]
    if rest and all(part in _NEUTRAL for part in rest):
        candidates.append(head)
    for candidate in candidates:
        try:
            return foods.resolve(candidate)
        except UnknownFoodError:
            continue
    return None


def unit_key(name: str, unit: str) -> str:
    """The key of a unit question's answer: ``"Natto|serving"``."""
    return f"{name}|{unit}"


def _grams(
    food: Food, row: ServingRow, per_unit: Mapping[str, float]
) -> tuple[str, float] | UnitQuestion:
    amount = row.amount
    try:
        return amount, to_grams(food, amount).grams
    except AmountError as exc:
        raise AmountError(f"Line {row.line} ({row.name}): {exc}", field="file") from exc
    except K2LabError:
        pass
    hint = _WEIGHT_HINT.search(amount)
    try:
        count, unit = parse_amount_text(amount)
    except K2LabError:
        count, unit = 1.0, amount
    if hint and hint.start() > 0:
        grams = float(hint.group(1))
        return f"{grams:g} g", grams
    if row.grams is not None:
        return f"{row.grams:g} g", row.grams
    given = per_unit.get(unit_key(row.name, unit))
    if given is not None and count > 0:
        grams = count * given
        if grams <= MAX_GRAMS_PER_ENTRY:
            return f"{grams:.6g} g", grams
    example = f"{food.portions[0].name}" if food.portions else "100 g"
    return UnitQuestion(row.name, unit, food.name, example)


def plan_import(
    rows: Sequence[ServingRow],
    foods: FoodDatabase,
    *,
    choices: Mapping[str, str] | None = None,
    grams_per_unit: Mapping[str, float] | None = None,
) -> ImportPlan:
    """The items of ``rows``: ``choices`` maps a name to a food key (``""``: skip it),
    ``grams_per_unit`` maps :func:`unit_key` to grams. Unknown keys in ``choices`` are errors."""
    choices = choices or {}
    per_unit = grams_per_unit or {}
    plan = ImportPlan()
    matched: dict[str, Food | None] = {}
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.name] = counts.get(row.name, 0) + 1
    for name in counts:
        if name in choices:
            key = choices[name]
            if key and key not in foods.keys:
                raise K2LabError(f"'{key}' is not a k2lab food (for '{name}').", field="choices")
            matched[name] = foods.get(key) if key else None
            continue
        food = _confident(foods, name)
        if food is not None:
            matched[name] = food
            continue
        found = foods.search(name, limit=_CANDIDATES)
        if not found and "," in name:
            found = foods.search(name.split(",")[0], limit=_CANDIDATES)
        plan.food_questions.append(
            FoodQuestion(name, counts[name], tuple((f.key, f.name) for f in found))
        )
    asked: set[str] = set()
    for row in rows:
        if row.name not in matched:
            continue
        food = matched[row.name]
        if food is None:
            plan.skipped += 1
            continue
        result = _grams(food, row, per_unit)
        if isinstance(result, UnitQuestion):
            key = unit_key(result.name, result.unit)
            if key not in asked:
                asked.add(key)
                plan.unit_questions.append(result)
            continue
        amount, grams = result
        plan.items.append(ImportItem(row.date, "food", row.meal, food.key, amount, grams))
    return plan
