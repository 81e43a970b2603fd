"""The diary API's request and response bodies, and what the diary routes share: the
``ETag``/``If-Match`` versions and a day's totals by vitamin K form."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from k2lab.errors import K2LabError
from k2lab.foods.database import FoodDatabase
from k2lab.intake import compute_intake
from k2lab.store import Diary, DiaryDay, Entry
from k2lab.store.days import day_version
from k2lab.store.diaries import current_diary, diary_to_diet

__all__ = [
    "CONFLICT",
    "FORMS",
    "DayOut",
    "DiaryIn",
    "DiaryOut",
    "DiaryPatch",
    "EntryIn",
    "EntryOut",
    "EntryPatch",
    "Page",
    "PersonIn",
    "day_out",
    "day_totals",
    "diary_out",
    "entry_out",
    "open_diary",
    "parse_if_match",
    "set_etag",
]

#: The forms a day's totals show (µg/day).
FORMS = ("K1", "MK-4", "MK-7", "MK-8", "MK-9", "K2")
#: The documented answer to a stale ``If-Match``.
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The record changed since the version in If-Match; the body has "
          "current_version."},
    404: {"description": "No such record of yours."},
    422: {"description": "Bad input; detail names the field."},
}  # fmt: skip

T = TypeVar("T")
_STRICT = ConfigDict(strict=True, extra="forbid")


class PersonIn(BaseModel):
    """Who the diary is for (every field optional; see :class:`k2lab.person.Person`)."""

    model_config = _STRICT
    population: str | None = None
    age: float | None = None
    sex: Literal["female", "male"] | None = None
    menopause_age: float | None = None
    pregnant: bool | None = None
    lactating: bool | None = None
    weight_kg: float | None = None
    egfr_ml_per_min: float | None = None
    dialysis: bool | None = None
    sun: str | None = None
    calcification_au: float | None = None
    diet: str | None = None
    calcium_food_mg_per_day: float | None = None
    vitamin_d_food_ug_per_day: float | None = None


class DiaryIn(BaseModel):
    """A new diary."""

    model_config = _STRICT
    name: str = Field(max_length=200)
    person: PersonIn = Field(default_factory=PersonIn)
    target: str = Field(default="90 ug K2", max_length=80)
    medications: list[str] = Field(default_factory=list, max_length=20)


class DiaryPatch(BaseModel):
    """Fields of a diary to change (absent: keep)."""

    model_config = _STRICT
    name: str | None = Field(default=None, max_length=200)
    person: PersonIn | None = None
    target: str | None = Field(default=None, max_length=80)
    medications: list[str] | None = Field(default=None, max_length=20)


class DiaryOut(BaseModel):
    """A diary (its days are under ``/days``)."""

    id: int
    name: str
    person: dict[str, Any]
    target: str
    medications: list[str]
    version: int
    days: int
    first_date: dt.date | None
    last_date: dt.date | None


class EntryIn(BaseModel):
    """A new entry: a food (``food`` and ``amount``, or a phrase ``"1 tbsp natto"`` in
    ``food``), a recipe (``recipe_id``, ``amount`` in servings) or a supplement (``text``)."""

    model_config = _STRICT
    kind: Literal["food", "recipe", "supplement"] = "food"
    food: str | None = Field(default=None, max_length=200)
    amount: str = Field(default="", max_length=120)
    meal: str = Field(default="", max_length=20)
    recipe_id: int | None = None
    text: str | None = Field(default=None, max_length=300)


class EntryPatch(BaseModel):
    """Fields of an entry to change (absent: keep); ``position`` is its place in the day."""

    model_config = _STRICT
    amount: str | None = Field(default=None, max_length=120)
    meal: str | None = Field(default=None, max_length=20)
    text: str | None = Field(default=None, max_length=300)
    position: int | None = None


class EntryOut(BaseModel):
    """One line of a day."""

    id: int
    position: int
    kind: str
    meal: str
    food_key: str | None
    food_name: str | None
    recipe_id: int | None
    amount: str
    grams: float | None
    text: str


class DayOut(BaseModel):
    """A day: its entries and its totals by form (µg/day, typical values)."""

    date: dt.date
    version: int
    entries: list[EntryOut]
    totals_ug: dict[str, float]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


def open_diary(s: Session, owner_id: int, diary_id: int | None) -> Diary:
    """The diary a page works on (:func:`~k2lab.store.diaries.current_diary`), committed at
    once, so a first visit's new "My diary" survives a refused write rolled back later."""
    diary = current_diary(s, owner_id, diary_id)
    s.commit()
    return diary


def parse_if_match(value: str | None) -> int | None:
    """The version in an ``If-Match`` header (``"3"``, ``W/"3"``, ``3``; ``*`` or none:
    no condition)."""
    if value is None or value.strip() in {"", "*"}:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise K2LabError(
            f'If-Match must be the ETag of the record, such as "3", not {value!r}.',
            field="If-Match",
        )
    return int(text)


def set_etag(response: Response, version: int) -> None:
    """Put the record's version in the ``ETag`` header."""
    response.headers["ETag"] = f'"{version}"'


def diary_out(diary: Diary) -> DiaryOut:
    """The API view of a diary."""
    dates = [d.date for d in diary.days]
    return DiaryOut(
        id=diary.id,
        name=diary.name,
        person=dict(diary.person or {}),
        target=diary.target,
        medications=[str(m) for m in diary.medications or ()],
        version=diary.version,
        days=len(dates),
        first_date=min(dates, default=None),
        last_date=max(dates, default=None),
    )


def entry_out(entry: Entry, foods: FoodDatabase) -> EntryOut:
    """The API view of an entry."""
    name = None
    if entry.food_key:
        name = foods.get(entry.food_key).name
    return EntryOut(
        id=entry.id,
        position=entry.position,
        kind=entry.kind,
        meal=entry.meal,
        food_key=entry.food_key,
        food_name=name,
        recipe_id=entry.recipe_id,
        amount=entry.amount,
        grams=entry.grams,
        text=entry.text,
    )


def day_totals(diary: Diary, day: DiaryDay | None, foods: FoodDatabase) -> dict[str, float]:
    """µg/day of each of :data:`FORMS` on ``day`` (typical values; 0 for an empty day)."""
    if day is None or not day.entries:
        return dict.fromkeys(FORMS, 0.0)
    try:
        diet = diary_to_diet(diary, foods, start=day.date, end=day.date)
    except K2LabError:
        return dict.fromkeys(FORMS, 0.0)
    mean = compute_intake(diet).mean
    return {form: float(mean[form].typical) for form in FORMS}


def day_out(diary: Diary, date: dt.date, day: DiaryDay | None, foods: FoodDatabase) -> DayOut:
    """The API view of a day (an unwritten day is empty, version 0)."""
    entries = [] if day is None else [entry_out(e, foods) for e in day.entries]
    return DayOut(
        date=date,
        version=day_version(day),
        entries=entries,
        totals_ug=day_totals(diary, day, foods),
    )
