"""Diaries of one owner: find, list, create, change and delete them, and turn one into the
intake layer's :class:`~k2lab.intake.Diet` that the report, plan and outlook compute from.

Every function takes the owner's id and never returns another owner's record: a diary that
is not theirs is :class:`~k2lab.errors.NotFoundError`, as if it did not exist.

A diary's ``person`` holds the :class:`~k2lab.person.Person` fields the user gave, plus
``population`` (a preset of :data:`k2lab.person.PRESETS`) when they chose one.

Example
-------
>>> import tempfile, pathlib
>>> from k2lab.store import open_store
>>> store = open_store(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 's.sqlite3'}")
>>> with store.session() as s:
...     owner = store.local_user(s).id
...     diary = create_diary(s, owner, "Mum", {"age": 64, "population": "postmenopausal"},
...                          "180 ug MK-7", ["Coumadin"])
...     diary_person(diary).postmenopausal, diary_medications(diary)
(True, ('warfarin',))
>>> store.close()
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from k2lab.errors import K2LabError, NotFoundError
from k2lab.foods.database import FoodDatabase
from k2lab.intake import Day, Diet, FoodEntry, parse_supplement, parse_target, to_grams
from k2lab.intake.portions import Grams, parse_amount_text
from k2lab.person import Person
from k2lab.store.schema import Diary, DiaryDay, Entry, Recipe
from k2lab.store.versions import check_version, flush
from k2lab.vocab import normalise_medication

__all__ = [
    "DEFAULT_DIARY_NAME",
    "MAX_DIARIES",
    "PERSON_FIELDS",
    "create_diary",
    "current_diary",
    "delete_diary",
    "diary_medications",
    "diary_person",
    "diary_to_diet",
    "entry_servings",
    "get_diary",
    "list_diaries",
    "update_diary",
]

DEFAULT_DIARY_NAME = "My diary"
#: Diaries one owner may keep.
MAX_DIARIES = 100
#: Keys a diary's ``person`` may hold: the Person fields and ``population``.
PERSON_FIELDS = ("population", *(f.name for f in fields(Person)))
_MAX_MEDICATIONS = 20


def get_diary(s: Session, owner_id: int, diary_id: int) -> Diary:
    """The owner's diary ``diary_id``; :class:`NotFoundError` if there is none of theirs."""
    diary = s.get(Diary, diary_id)
    if diary is None or diary.owner_id != owner_id:
        raise NotFoundError(f"There is no diary {diary_id}.", field="diary_id")
    return diary


def list_diaries(s: Session, owner_id: int) -> list[Diary]:
    """The owner's diaries, oldest first."""
    query = select(Diary).where(Diary.owner_id == owner_id).order_by(Diary.id)
    return list(s.scalars(query))


def current_diary(s: Session, owner_id: int, diary_id: int | None = None) -> Diary:
    """The owner's diary ``diary_id``, or with ``None`` their first one (a new
    "My diary" when they have none)."""
    if diary_id is not None:
        return get_diary(s, owner_id, diary_id)
    first = s.scalars(
        select(Diary).where(Diary.owner_id == owner_id).order_by(Diary.id).limit(1)
    ).first()
    if first is not None:
        return first
    return create_diary(s, owner_id, DEFAULT_DIARY_NAME, {}, "90 ug K2", [])


def _clean_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise K2LabError("Give the diary a name, e.g. 'My diary'.", field="name")
    clean = " ".join(name.split())
    if len(clean) > 120:
        raise K2LabError("A diary name is at most 120 characters.", field="name")
    return clean


def _person_of(data: Mapping[str, Any]) -> Person:
    values = {k: v for k, v in data.items() if k != "population" and v is not None}
    population = data.get("population")
    if population:
        return Person.preset(str(population), **values)
    return Person(**values)


def _clean_person(person: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(person, Mapping):
        raise K2LabError("person must be a table of fields such as age and sex.", field="person")
    unknown = sorted(set(person) - set(PERSON_FIELDS))
    if unknown:
        raise K2LabError(
            f"Unknown person field(s) {', '.join(unknown)}; use {', '.join(PERSON_FIELDS)}.",
            field=unknown[0],
        )
    clean = {k: v for k, v in person.items() if v is not None and v != ""}
    for key, value in clean.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise K2LabError(f"{key} must be a finite number.", field=key)
    _person_of(clean)  # raises ScenarioError naming the field
    if "population" in clean:
        clean["population"] = str(clean["population"]).strip().lower()
    return clean


def _clean_target(target: str) -> str:
    if not isinstance(target, str):
        raise K2LabError("The target is text like '90 ug K2'.", field="target")
    try:
        parse_target(target)
    except K2LabError as exc:
        raise type(exc)(exc.message, field="target") from exc
    return " ".join(target.split())


def _clean_medications(medications: Sequence[str]) -> list[str]:
    if isinstance(medications, str) or not isinstance(medications, Sequence):
        raise K2LabError("medications is a list of names.", field="medications")
    if len(medications) > _MAX_MEDICATIONS:
        raise K2LabError(f"At most {_MAX_MEDICATIONS} medications per diary.", field="medications")
    out: list[str] = []
    for name in medications:
        if not isinstance(name, str):
            raise K2LabError("Each medication is a name such as 'warfarin'.", field="medications")
        if not name.strip():
            continue
        try:
            generic = normalise_medication(name)
        except K2LabError as exc:
            raise type(exc)(exc.message, field="medications") from exc
        if generic not in out:
            out.append(generic)
    return out


def create_diary(
    s: Session,
    owner_id: int,
    name: str,
    person: Mapping[str, Any],
    target: str,
    medications: Sequence[str],
) -> Diary:
    """A new diary of the owner (validated; errors name the field)."""
    clean = _clean_name(name)
    count = s.scalar(select(func.count()).select_from(Diary).where(Diary.owner_id == owner_id))
    if (count or 0) >= MAX_DIARIES:
        raise K2LabError(f"At most {MAX_DIARIES} diaries per user; delete one first.")
    _unique_name(s, owner_id, clean, None)
    diary = Diary(
        owner_id=owner_id,
        name=clean,
        person=_clean_person(person),
        target=_clean_target(target),
        medications=_clean_medications(medications),
    )
    s.add(diary)
    s.flush()
    return diary


def _unique_name(s: Session, owner_id: int, name: str, diary_id: int | None) -> None:
    clash = s.scalars(
        select(Diary.id).where(Diary.owner_id == owner_id, Diary.name == name)
    ).first()
    if clash is not None and clash != diary_id:
        raise K2LabError(f"You already have a diary named '{name}'.", field="name")


def update_diary(
    s: Session,
    owner_id: int,
    diary_id: int,
    *,
    expected_version: int | None = None,
    name: str | None = None,
    person: Mapping[str, Any] | None = None,
    target: str | None = None,
    medications: Sequence[str] | None = None,
) -> Diary:
    """Change the given fields of the owner's diary (``None``: keep)."""
    diary = get_diary(s, owner_id, diary_id)
    check_version("diary", diary.version, expected_version)
    if name is not None:
        clean = _clean_name(name)
        _unique_name(s, owner_id, clean, diary.id)
        diary.name = clean
    if person is not None:
        diary.person = _clean_person(person)
    if target is not None:
        diary.target = _clean_target(target)
    if medications is not None:
        diary.medications = _clean_medications(medications)
    flush(s, "diary")
    return diary


def delete_diary(
    s: Session, owner_id: int, diary_id: int, *, expected_version: int | None = None
) -> None:
    """Delete the owner's diary with its days and entries."""
    diary = get_diary(s, owner_id, diary_id)
    check_version("diary", diary.version, expected_version)
    s.delete(diary)
    s.flush()


def diary_person(diary: Diary) -> Person:
    """The diary's person (its preset, with the fields given on top)."""
    return _person_of(diary.person or {})


def diary_medications(diary: Diary) -> tuple[str, ...]:
    """The diary's medications (generic names)."""
    return tuple(str(m) for m in diary.medications or ())


def _stored_grams(food_grams: float, amount: str, fresh: Grams | None) -> Grams:
    if fresh is not None and math.isclose(fresh.grams, food_grams, rel_tol=1e-6):
        return fresh
    try:
        count, unit = parse_amount_text(amount)
    except K2LabError:
        count, unit = food_grams, "g"
    return Grams(food_grams, count, unit, None, f"{amount} = {food_grams:.4g} g (as entered)")


def _food_entry(foods: FoodDatabase, key: str, amount: str, grams: float) -> FoodEntry:
    food = foods.get(key)
    try:
        fresh: Grams | None = to_grams(food, amount)
    except K2LabError:
        fresh = None
    return FoodEntry(food, amount, _stored_grams(grams, amount, fresh))


def _recipe_entries(
    foods: FoodDatabase, recipe: Recipe, servings: float, label: str
) -> list[FoodEntry]:
    scale = servings / recipe.servings
    return [
        FoodEntry(
            foods.get(item.food_key),
            f"{item.amount} × {servings:g}/{recipe.servings:g} servings of {label}",
            _stored_grams(item.grams * scale, f"{item.grams * scale:g} g", None),
        )
        for item in recipe.items
    ]


def entry_servings(entry: Entry) -> float:
    """Servings of a recipe entry (its ``amount``: ``"1.5"`` or ``"1.5 servings"``)."""
    try:
        count, _ = parse_amount_text(entry.amount or "1")
    except K2LabError:
        return 1.0
    return count


def _day(foods: FoodDatabase, day: DiaryDay, recipes: Mapping[int, Recipe]) -> Day:
    food_entries: list[FoodEntry] = []
    supplements = []
    for entry in day.entries:
        if entry.kind == "food" and entry.food_key and entry.grams is not None:
            food_entries.append(_food_entry(foods, entry.food_key, entry.amount, entry.grams))
        elif entry.kind == "recipe" and entry.recipe_id is not None:
            recipe = recipes[entry.recipe_id]  # RESTRICT: a used recipe cannot be deleted
            food_entries += _recipe_entries(foods, recipe, entry_servings(entry), recipe.name)
        elif entry.kind == "supplement" and entry.text:
            supplements.append(parse_supplement(entry.text))
    return Day(day.date.isoformat(), tuple(food_entries), tuple(supplements))


def _owner_recipes(diary: Diary) -> dict[int, Recipe]:
    s = object_session(diary)
    if s is None:
        return {}
    return {r.id: r for r in s.scalars(select(Recipe).where(Recipe.owner_id == diary.owner_id))}


def diary_to_diet(
    diary: Diary,
    foods: FoodDatabase,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Diet:
    """The diary's days from ``start`` to ``end`` (inclusive; ``None``: open) as a
    :class:`~k2lab.intake.Diet`: one day per diary day with entries, in date order, labelled
    with its ISO date; foods at their stored grams, recipes expanded to their foods by the
    serving, supplements read with the regimen grammar.

    Raises
    ------
    K2LabError
        No day in the range has an entry (``field="date"``): there is nothing to compute.
    """
    recipes = _owner_recipes(diary)
    days = [
        _day(foods, d, recipes)
        for d in sorted(diary.days, key=lambda d: d.date)
        if d.entries and (start is None or d.date >= start) and (end is None or d.date <= end)
    ]
    days = [d for d in days if d.foods or d.supplements]
    if not days:
        span = "" if start is None and end is None else f" from {start or '…'} to {end or '…'}"
        raise K2LabError(
            f"The diary '{diary.name}' has no entries{span} yet. Add a food or a supplement "
            "to a day first.",
            field="date",
        )
    return Diet(diary_person(diary), tuple(days), source=f"diary:{diary.id}:{diary.name}")
