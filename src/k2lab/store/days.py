"""Days of a diary and their entries: add a food by name or key and an amount as typed
("1 tbsp", "2 slices", "30 g"), a supplement in the regimen grammar or servings of a recipe;
edit, move, delete; copy a day to another date.

Every write to a day's entries bumps the day's ``version``; a write that carries the version
it was based on (``expected_version``) and finds the day changed is a ConflictError, so no
update is lost. A day that has never been written has version 0.

Example
-------
>>> import datetime as dt, tempfile, pathlib
>>> from k2lab.foods.database import FoodDatabase
>>> from k2lab.store import open_store
>>> from k2lab.store.diaries import current_diary
>>> store = open_store(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 's.sqlite3'}")
>>> foods = FoodDatabase.open()
>>> with store.session() as s:
...     owner = store.local_user(s).id
...     diary = current_diary(s, owner)
...     e = add_food(s, owner, diary.id, dt.date(2026, 1, 5), foods, food="natto",
...                  amount="1 tbsp", meal="breakfast")
...     e.amount, round(e.grams, 1), day_version(get_day(s, owner, diary.id, e.day.date))
('1 tbsp', 10.9, 1)
>>> store.close()
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from k2lab.errors import K2LabError, NotFoundError, UnknownFoodError
from k2lab.foods.database import Food, FoodDatabase
from k2lab.intake import parse_supplement, to_grams
from k2lab.intake.portions import parse_amount_text
from k2lab.store.diaries import get_diary
from k2lab.store.recipes import get_recipe
from k2lab.store.schema import Diary, DiaryDay, Entry
from k2lab.store.versions import check_version, flush

__all__ = [
    "KINDS",
    "MAX_DAYS",
    "MAX_ENTRIES_PER_DAY",
    "MEALS",
    "add_food",
    "add_recipe",
    "add_supplement",
    "copy_day",
    "day_version",
    "delete_entry",
    "get_day",
    "get_entry",
    "resolve_food",
    "update_entry",
]

#: Meals a day is shown in; ``""`` is an entry without a meal (imports).
MEALS: Final = ("breakfast", "lunch", "dinner", "snack")
KINDS: Final = ("food", "recipe", "supplement")
MAX_ENTRIES_PER_DAY: Final = 200
#: Days one diary may hold (ten years).
MAX_DAYS: Final = 3660
_MAX_TEXT = 120


def get_day(s: Session, owner_id: int, diary_id: int, date: dt.date) -> DiaryDay | None:
    """The day ``date`` of the owner's diary, or ``None`` when nothing was written to it."""
    get_diary(s, owner_id, diary_id)
    return s.scalars(
        select(DiaryDay).where(DiaryDay.diary_id == diary_id, DiaryDay.date == date)
    ).first()


def day_version(day: DiaryDay | None) -> int:
    """The day's version (0 for a day never written)."""
    return 0 if day is None else day.version


def _writable_day(
    s: Session, owner_id: int, diary_id: int, date: dt.date, expected: int | None, adding: int
) -> DiaryDay:
    diary = get_diary(s, owner_id, diary_id)
    day = get_day(s, owner_id, diary_id, date)
    check_version("day", day_version(day), expected)
    if day is None:
        count = s.scalar(
            select(func.count()).select_from(DiaryDay).where(DiaryDay.diary_id == diary.id)
        )
        if (count or 0) >= MAX_DAYS:
            raise K2LabError(
                f"A diary holds at most {MAX_DAYS:,} days; start a new diary.", field="date"
            )
        day = DiaryDay(diary=diary, date=date, note="")
        s.add(day)
    if len(day.entries) + adding > MAX_ENTRIES_PER_DAY:
        raise K2LabError(
            f"A day holds at most {MAX_ENTRIES_PER_DAY} entries; {date} has {len(day.entries)}.",
            field="entries",
        )
    return day


def _touch(s: Session, day: DiaryDay) -> None:
    """Mark the day changed so its version moves with any change to its entries."""
    flag_modified(day, "note")
    flush(s, "day", day)


def _meal(meal: str) -> str:
    clean = (meal or "").strip().lower()
    if clean and clean not in MEALS:
        raise K2LabError(
            f"Unknown meal '{meal}'; use one of {', '.join(MEALS)} (or leave it empty).",
            field="meal",
        )
    return clean


def _text(value: str, field: str) -> str:
    if not isinstance(value, str):
        raise K2LabError(f"{field} must be text.", field=field)
    clean = " ".join(value.split())
    if len(clean) > _MAX_TEXT:
        raise K2LabError(f"{field} is at most {_MAX_TEXT} characters.", field=field)
    return clean


def resolve_food(foods: FoodDatabase, food: str, amount: str = "") -> tuple[Food, str]:
    """The food named ``food`` (a key, a name or a synonym) and the amount; with no
    ``amount``, ``food`` may be a phrase such as ``"1 tbsp natto"``."""
    food = _text(food, "food")
    amount = _text(amount, "amount")
    if not food:
        raise K2LabError("Name a food, e.g. 'natto'.", field="food")
    if not amount:
        words = food.split()
        for cut in range(1, len(words)):
            try:
                return foods.resolve(" ".join(words[cut:])), " ".join(words[:cut])
            except UnknownFoodError:
                continue
    try:
        return foods.resolve(food), amount
    except UnknownFoodError as exc:
        exc.field = "food"
        raise


def _grams(food: Food, amount: str) -> float:
    if not amount:
        raise K2LabError(
            f"Give an amount of {food.name}, e.g. '100 g' or '1 "
            f"{food.portions[0].name.split(' ', 1)[-1] if food.portions else 'oz'}'.",
            field="amount",
        )
    try:
        return to_grams(food, amount).grams
    except K2LabError as exc:
        raise type(exc)(exc.message, field="amount") from exc


def _append(s: Session, day: DiaryDay, entry: Entry) -> Entry:
    entry.position = max((e.position for e in day.entries), default=-1) + 1
    day.entries.append(entry)
    _touch(s, day)
    return entry


def add_food(
    s: Session,
    owner_id: int,
    diary_id: int,
    date: dt.date,
    foods: FoodDatabase,
    *,
    food: str,
    amount: str = "",
    meal: str = "",
    expected_version: int | None = None,
) -> Entry:
    """Add ``amount`` of ``food`` (see :func:`resolve_food`) to the day ``date``."""
    resolved, amount = resolve_food(foods, food, amount)
    grams = _grams(resolved, amount)
    meal = _meal(meal)
    day = _writable_day(s, owner_id, diary_id, date, expected_version, 1)
    entry = Entry(kind="food", meal=meal, food_key=resolved.key, amount=amount, grams=grams)
    return _append(s, day, entry)


def _supplement_text(text: str) -> str:
    clean = _text(text, "text")
    try:
        parse_supplement(clean)
    except K2LabError as exc:
        raise type(exc)(exc.message, field="text") from exc
    return clean


def add_supplement(
    s: Session,
    owner_id: int,
    diary_id: int,
    date: dt.date,
    *,
    text: str,
    meal: str = "",
    expected_version: int | None = None,
) -> Entry:
    """Add a supplement such as ``"MK-7 180 ug"`` or ``"D3 1000 IU"`` to the day ``date``."""
    clean = _supplement_text(text)
    meal = _meal(meal)
    day = _writable_day(s, owner_id, diary_id, date, expected_version, 1)
    return _append(s, day, Entry(kind="supplement", meal=meal, text=clean))


def _servings(servings: str) -> str:
    clean = _text(servings, "amount") or "1"
    try:
        count, unit = parse_amount_text(clean)
    except K2LabError as exc:
        raise K2LabError(
            f"Cannot read '{servings}' as servings; write a number such as 1.5.", field="amount"
        ) from exc
    if unit not in {"", "serving", "servings", "portion", "portions"} or not 0 < count <= 50:
        raise K2LabError(
            f"'{servings}': give the servings as a number above 0 and at most 50.",
            field="amount",
        )
    return f"{count:g}"


def add_recipe(
    s: Session,
    owner_id: int,
    diary_id: int,
    date: dt.date,
    *,
    recipe_id: int,
    servings: str = "1",
    meal: str = "",
    expected_version: int | None = None,
) -> Entry:
    """Add ``servings`` of the owner's recipe to the day ``date``."""
    recipe = get_recipe(s, owner_id, recipe_id)
    amount = _servings(servings)
    meal = _meal(meal)
    day = _writable_day(s, owner_id, diary_id, date, expected_version, 1)
    entry = Entry(kind="recipe", meal=meal, recipe_id=recipe.id, amount=amount, text=recipe.name)
    return _append(s, day, entry)


def get_entry(s: Session, owner_id: int, entry_id: int) -> Entry:
    """The owner's entry ``entry_id``; :class:`NotFoundError` otherwise."""
    entry = s.scalars(
        select(Entry)
        .join(DiaryDay, Entry.day_id == DiaryDay.id)
        .join(Diary, DiaryDay.diary_id == Diary.id)
        .where(Entry.id == entry_id, Diary.owner_id == owner_id)
    ).first()
    if entry is None:
        raise NotFoundError(f"There is no entry {entry_id}.", field="entry_id")
    return entry


def update_entry(
    s: Session,
    owner_id: int,
    entry_id: int,
    foods: FoodDatabase,
    *,
    amount: str | None = None,
    meal: str | None = None,
    text: str | None = None,
    position: int | None = None,
    expected_version: int | None = None,
) -> Entry:
    """Change an entry's amount (food: re-resolved to grams; recipe: servings), its
    supplement text, its meal or its place in the day (``None``: keep)."""
    entry = get_entry(s, owner_id, entry_id)
    day = entry.day
    check_version("day", day.version, expected_version)
    if amount is not None:
        if entry.kind == "food" and entry.food_key:
            clean = _text(amount, "amount")
            entry.grams = _grams(foods.get(entry.food_key), clean)
            entry.amount = clean
        elif entry.kind == "recipe":
            entry.amount = _servings(amount)
        else:
            raise K2LabError("A supplement has no amount; change its text.", field="amount")
    if text is not None:
        if entry.kind != "supplement":
            raise K2LabError("Only a supplement has a text; change the amount.", field="text")
        entry.text = _supplement_text(text)
    if meal is not None:
        entry.meal = _meal(meal)
    if position is not None:
        _reorder(day, entry, position)
    _touch(s, day)
    return entry


def _reorder(day: DiaryDay, entry: Entry, position: int) -> None:
    if isinstance(position, bool) or not 0 <= position < len(day.entries):
        raise K2LabError(
            f"position must be 0 to {len(day.entries) - 1} (the entry's place in the day).",
            field="position",
        )
    others = [e for e in sorted(day.entries, key=lambda e: e.position) if e is not entry]
    others.insert(position, entry)
    for i, e in enumerate(others):
        e.position = i
    day.entries.sort(key=lambda e: e.position)


def delete_entry(
    s: Session, owner_id: int, entry_id: int, *, expected_version: int | None = None
) -> DiaryDay:
    """Delete an entry; returns its day (with the new version)."""
    entry = get_entry(s, owner_id, entry_id)
    day = entry.day
    check_version("day", day.version, expected_version)
    day.entries.remove(entry)
    _touch(s, day)
    return day


def copy_day(
    s: Session,
    owner_id: int,
    diary_id: int,
    source: dt.date,
    target: dt.date,
    *,
    expected_version: int | None = None,
) -> DiaryDay:
    """Append the entries of the day ``source`` to the day ``target`` (``expected_version``
    is the target day's)."""
    if source == target:
        raise K2LabError("Copy a day to another date.", field="to")
    origin = get_day(s, owner_id, diary_id, source)
    if origin is None or not origin.entries:
        raise K2LabError(f"{source} has no entries to copy.", field="from")
    entries = list(origin.entries)
    day = _writable_day(s, owner_id, diary_id, target, expected_version, len(entries))
    start = max((e.position for e in day.entries), default=-1) + 1
    for i, e in enumerate(entries):
        day.entries.append(
            Entry(
                kind=e.kind,
                meal=e.meal,
                food_key=e.food_key,
                recipe_id=e.recipe_id,
                amount=e.amount,
                grams=e.grams,
                text=e.text,
                position=start + i,
            )
        )
    _touch(s, day)
    return day
