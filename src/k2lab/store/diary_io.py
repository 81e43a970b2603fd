"""Import into a diary and export from one: k2lab's TOML diet and CSV diary formats in (the
intake layer's readers resolve them), CSV and JSON out.

An import is all or nothing: every row is read and resolved before anything is written, and
the caller's session holds the writes in one transaction. A TOML diet (a typical day)
becomes one day dated ``start``; a CSV diary's days keep their dates when labelled with ISO
dates and otherwise follow each other from ``start``. The CSV export is the diary format
(``day,kind,food,amount,meal``, food by key, recipes expanded to their foods in grams), so
export → import gives the same entries back.

Example
-------
>>> text = "day,kind,food,amount\\n2026-03-02,food,natto,1 tbsp\\n"
>>> decode_upload(b"\\xef\\xbb\\xbf" + text.encode()) == text    # a BOM is dropped
True
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from k2lab.errors import DietFileError, K2LabError
from k2lab.foods.database import FoodDatabase
from k2lab.intake import Diet, parse_csv_diary, parse_toml_diet
from k2lab.store.days import MAX_DAYS, MAX_ENTRIES_PER_DAY, MEALS
from k2lab.store.diaries import entry_servings, get_diary
from k2lab.store.schema import Diary, DiaryDay, Entry, Recipe
from k2lab.store.versions import flush

__all__ = [
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "ImportItem",
    "decode_upload",
    "diet_items",
    "export_csv",
    "export_json",
    "parse_diary_file",
    "write_items",
]

MAX_IMPORT_BYTES: Final = 5_000_000
MAX_IMPORT_ROWS: Final = 20_000
#: Import formats; ``auto`` tells them apart by the name and the header.
FORMATS: Final = ("auto", "toml", "csv", "cronometer")
CSV_HEADER: Final = ("day", "kind", "food", "amount", "meal")


@dataclass(frozen=True)
class ImportItem:
    """One entry to write: a food (key, amount as given, grams) or a supplement (text)."""

    date: dt.date
    kind: str
    meal: str = ""
    food_key: str | None = None
    amount: str = ""
    grams: float | None = None
    text: str = ""


def decode_upload(data: bytes, *, name: str = "upload") -> str:
    """The text of an uploaded file: UTF-8 (a byte-order mark is dropped), at most
    :data:`MAX_IMPORT_BYTES` bytes and :data:`MAX_IMPORT_ROWS` lines."""
    if len(data) > MAX_IMPORT_BYTES:
        raise K2LabError(
            f"{name} is {len(data):,} bytes; an import is at most {MAX_IMPORT_BYTES:,} bytes. "
            "Split it into smaller files.",
            field="file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise K2LabError(
            f"{name} is not UTF-8 text (byte {exc.start}). Save it as UTF-8 CSV or TOML.",
            field="file",
        ) from exc
    if "\x00" in text:
        raise K2LabError(f"{name} is a binary file, not CSV or TOML.", field="file")
    lines = text.count("\n") + 1
    if lines > MAX_IMPORT_ROWS + 1:
        raise K2LabError(
            f"{name} has {lines:,} lines; an import is at most {MAX_IMPORT_ROWS:,} rows. "
            "Split it by date range.",
            field="file",
        )
    return text


def sniff_format(text: str, name: str = "") -> str:
    """``toml``, ``csv`` (k2lab's diary) or ``cronometer`` (a servings export)."""
    if name.lower().endswith(".toml"):
        return "toml"
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    header = {h.strip().strip('"').lower() for h in first.split(",")}
    if {"day", "food name", "amount"} <= header:
        return "cronometer"
    if {"day", "food", "amount"} <= header:
        return "csv"
    if first.startswith("[") or "=" in first or first.startswith("#"):
        return "toml"
    raise K2LabError(
        "Cannot tell the file's format: a k2lab CSV diary starts with day,food,amount, a "
        "Cronometer servings export with Day,...,Food Name,Amount, a diet with [person] or "
        "[[day]]. Choose the format.",
        field="format",
    )


def parse_diary_file(text: str, fmt: str, foods: FoodDatabase, *, name: str) -> Diet:
    """A k2lab TOML diet or CSV diary, resolved by the intake layer's readers."""
    try:
        if fmt == "toml":
            return parse_toml_diet(text, foods, name=name)
        return parse_csv_diary(text, foods, name=name)
    except RecursionError as exc:
        raise DietFileError(f"{name}: nested too deeply to be a diet.", field="file") from exc
    except K2LabError as exc:
        raise type(exc)(exc.message, field="file") from exc


def _meals_by_row(text: str) -> dict[str, list[tuple[str, str]]]:
    """(kind, meal) of each row of a CSV diary, by day label, in file order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        meal = (row.get("meal") or "").strip().lower()
        kind = (row.get("kind") or "food").strip().lower()
        out.setdefault((row.get("day") or "").strip(), []).append(
            (kind, meal if meal in MEALS else "")
        )
    return out


def diet_items(diet: Diet, start: dt.date, csv_text: str | None = None) -> list[ImportItem]:
    """The entries of ``diet``: a typical day on ``start``; diary days on their ISO-date
    labels, other labels on consecutive days from ``start``. ``csv_text`` (the CSV the diet
    came from) gives each row's meal."""
    meals = _meals_by_row(csv_text) if csv_text is not None else {}
    items: list[ImportItem] = []
    for i, day in enumerate(diet.days):
        try:
            date = dt.date.fromisoformat(day.label)
        except ValueError:
            date = start + dt.timedelta(days=i)
        foods = [
            ImportItem(date, "food", "", e.food.key, e.amount, e.grams.grams) for e in day.foods
        ]
        supplements = [ImportItem(date, "supplement", "", text=x.text) for x in day.supplements]
        # The file's order of foods and supplements, and each row's meal (an export read
        # back is the diary it came from; found by tests/test_parser_fuzz.py).
        for kind, meal in meals.get(day.label, []):
            queue = supplements if kind == "supplement" else foods
            if queue:
                items.append(replace(queue.pop(0), meal=meal))
        items += foods + supplements
    return items


def write_items(s: Session, owner_id: int, diary_id: int, items: Sequence[ImportItem]) -> int:
    """Append ``items`` to the owner's diary (days created as needed, each written day's
    version bumped); refuses before writing when a bound would be passed."""
    diary = get_diary(s, owner_id, diary_id)
    days = {d.date: d for d in diary.days}
    adding: dict[dt.date, int] = {}
    for item in items:
        adding[item.date] = adding.get(item.date, 0) + 1
    new_days = [d for d in adding if d not in days]
    if len(days) + len(new_days) > MAX_DAYS:
        raise K2LabError(
            f"The import would give the diary {len(days) + len(new_days):,} days; a diary "
            f"holds at most {MAX_DAYS:,}.",
            field="file",
        )
    for date, count in adding.items():
        have = len(days[date].entries) if date in days else 0
        if have + count > MAX_ENTRIES_PER_DAY:
            raise K2LabError(
                f"{date} would have {have + count} entries; a day holds at most "
                f"{MAX_ENTRIES_PER_DAY}.",
                field="file",
            )
    for date in new_days:
        days[date] = DiaryDay(diary=diary, date=date, note="")
        s.add(days[date])
    for item in items:
        day = days[item.date]
        day.entries.append(
            Entry(
                kind=item.kind,
                meal=item.meal,
                food_key=item.food_key,
                amount=item.amount,
                grams=item.grams,
                text=item.text,
                position=len(day.entries),
            )
        )
    for date in adding:
        if days[date] not in s.new:
            flag_modified(days[date], "note")
    flush(s, "diary")
    return len(items)


def _recipes(s: Session, diary: Diary) -> dict[int, Recipe]:
    return {r.id: r for r in s.query(Recipe).filter(Recipe.owner_id == diary.owner_id)}


def _rows(s: Session, diary: Diary) -> list[tuple[dt.date, Entry, Recipe | None]]:
    recipes = _recipes(s, diary)
    return [
        (day.date, e, recipes.get(e.recipe_id) if e.recipe_id is not None else None)
        for day in sorted(diary.days, key=lambda d: d.date)
        for e in day.entries
    ]


def export_csv(s: Session, diary: Diary) -> str:
    """The diary as a k2lab CSV diary (see module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for date, e, recipe in _rows(s, diary):
        day = date.isoformat()
        if e.kind == "food" and e.food_key:
            writer.writerow([day, "food", e.food_key, e.amount, e.meal])
        elif e.kind == "supplement":
            substance, _, dose = e.text.partition(" ")
            writer.writerow([day, "supplement", substance, dose, e.meal])
        elif recipe is not None:
            scale = entry_servings(e) / recipe.servings
            for item in recipe.items:
                writer.writerow(
                    [day, "food", item.food_key, f"{item.grams * scale:.10g} g", e.meal]
                )
    return out.getvalue()


def export_json(s: Session, diary: Diary) -> dict[str, Any]:
    """The diary as JSON (schema ``k2lab.diary/1``): who, target, medications, and each day's
    entries as stored (recipes by name with their items)."""
    days: dict[str, list[dict[str, Any]]] = {}
    for date, e, recipe in _rows(s, diary):
        entry: dict[str, Any] = {"kind": e.kind, "meal": e.meal}
        if e.kind == "food":
            entry.update(food_key=e.food_key, amount=e.amount, grams=e.grams)
        elif e.kind == "supplement":
            entry["text"] = e.text
        elif recipe is not None:
            entry.update(
                recipe=recipe.name,
                servings=entry_servings(e),
                recipe_servings=recipe.servings,
                items=[
                    {"food_key": i.food_key, "amount": i.amount, "grams": i.grams}
                    for i in recipe.items
                ],
            )
        days.setdefault(date.isoformat(), []).append(entry)
    return {
        "schema": "k2lab.diary/1",
        "name": diary.name,
        "person": dict(diary.person or {}),
        "target": diary.target,
        "medications": list(diary.medications or ()),
        "days": [{"date": d, "entries": entries} for d, entries in days.items()],
    }
