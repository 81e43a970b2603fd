"""The diary API under ``/api/v1``: diaries, their days, entries and copying a day.

Diaries and days carry ``ETag: "<version>"``. PATCH and DELETE of a diary, and every write
to a day's entries, honour ``If-Match``; a stale one is answered 409 with
``current_version`` (nothing is written).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from k2lab.errors import K2LabError, NotFoundError
from k2lab.store import days as store_days
from k2lab.store.diaries import (
    create_diary,
    delete_diary,
    get_diary,
    list_diaries,
    update_diary,
)
from k2lab.web.deps import CurrentUser, DbSession, State
from k2lab.web.diary_models import (
    CONFLICT,
    DayOut,
    DiaryIn,
    DiaryOut,
    DiaryPatch,
    EntryIn,
    EntryOut,
    EntryPatch,
    Page,
    day_out,
    diary_out,
    entry_out,
    parse_if_match,
    set_etag,
)

__all__ = ["api"]

api = APIRouter(prefix="/api/v1", tags=["diaries"])

IfMatch = Annotated[str | None, Header(alias="If-Match", description='The ETag, e.g. "3".')]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@api.get("/diaries", responses={422: CONFLICT[422]})
def diaries_list(
    s: DbSession, user: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[DiaryOut]:
    """Your diaries, oldest first."""
    rows = list_diaries(s, user.id)
    return Page[DiaryOut](
        items=[diary_out(d) for d in rows[offset : offset + limit]],
        total=len(rows),
        limit=limit,
        offset=offset,
    )


@api.post("/diaries", status_code=201, responses={422: CONFLICT[422]})
def diaries_create(body: DiaryIn, s: DbSession, user: CurrentUser, response: Response) -> DiaryOut:
    """A new diary (the person, target and medications are validated)."""
    diary = create_diary(
        s, user.id, body.name, body.person.model_dump(exclude_none=True), body.target,
        body.medications,
    )  # fmt: skip
    set_etag(response, diary.version)
    return diary_out(diary)


@api.get("/diaries/{diary_id}", responses={404: CONFLICT[404]})
def diaries_get(diary_id: int, s: DbSession, user: CurrentUser, response: Response) -> DiaryOut:
    """One of your diaries."""
    diary = get_diary(s, user.id, diary_id)
    set_etag(response, diary.version)
    return diary_out(diary)


@api.patch("/diaries/{diary_id}", responses=CONFLICT)
def diaries_patch(
    diary_id: int,
    body: DiaryPatch,
    s: DbSession,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> DiaryOut:
    """Change a diary's name, person, target or medications."""
    diary = update_diary(
        s,
        user.id,
        diary_id,
        expected_version=parse_if_match(if_match),
        name=body.name,
        person=body.person.model_dump(exclude_none=True) if body.person else None,
        target=body.target,
        medications=body.medications,
    )
    set_etag(response, diary.version)
    return diary_out(diary)


@api.delete("/diaries/{diary_id}", status_code=204, responses=CONFLICT)
def diaries_delete(
    diary_id: int, s: DbSession, user: CurrentUser, if_match: IfMatch = None
) -> Response:
    """Delete a diary with all its days."""
    delete_diary(s, user.id, diary_id, expected_version=parse_if_match(if_match))
    return Response(status_code=204)


class DaySummary(BaseModel):
    """A day that has entries."""

    date: dt.date
    version: int
    entries: int


@api.get("/diaries/{diary_id}/days", responses={404: CONFLICT[404], 422: CONFLICT[422]})
def days_list(
    diary_id: int, s: DbSession, user: CurrentUser, limit: Limit = 100, offset: Offset = 0
) -> Page[DaySummary]:
    """The diary's written days, newest first."""
    diary = get_diary(s, user.id, diary_id)
    days = sorted(diary.days, key=lambda d: d.date, reverse=True)
    return Page[DaySummary](
        items=[
            DaySummary(date=d.date, version=d.version, entries=len(d.entries))
            for d in days[offset : offset + limit]
        ],
        total=len(days),
        limit=limit,
        offset=offset,
    )


@api.get("/diaries/{diary_id}/days/{date}", responses={404: CONFLICT[404], 422: CONFLICT[422]})
def days_get(
    diary_id: int, date: dt.date, s: DbSession, user: CurrentUser, state: State,
    response: Response,
) -> DayOut:  # fmt: skip
    """A day with its entries and totals by form (an unwritten day: empty, version 0)."""
    diary = get_diary(s, user.id, diary_id)
    day = store_days.get_day(s, user.id, diary_id, date)
    out = day_out(diary, date, day, state.foods)
    set_etag(response, out.version)
    return out


@api.get(
    "/diaries/{diary_id}/days/{date}/entries",
    responses={404: CONFLICT[404], 422: CONFLICT[422]},
)
def entries_list(
    diary_id: int, date: dt.date, s: DbSession, user: CurrentUser, state: State,
    response: Response, limit: Limit = 200, offset: Offset = 0,
) -> Page[EntryOut]:  # fmt: skip
    """The day's entries in order."""
    day = store_days.get_day(s, user.id, diary_id, date)
    entries = [] if day is None else day.entries
    set_etag(response, store_days.day_version(day))
    return Page[EntryOut](
        items=[entry_out(e, state.foods) for e in entries[offset : offset + limit]],
        total=len(entries),
        limit=limit,
        offset=offset,
    )


@api.post("/diaries/{diary_id}/days/{date}/entries", status_code=201, responses=CONFLICT)
def entries_create(
    diary_id: int, date: dt.date, body: EntryIn, s: DbSession, user: CurrentUser,
    state: State, response: Response, if_match: IfMatch = None,
) -> EntryOut:  # fmt: skip
    """Add a food, a recipe or a supplement to the day; the ETag is the day's new version."""
    expected = parse_if_match(if_match)
    if body.kind == "supplement":
        entry = store_days.add_supplement(
            s, user.id, diary_id, date, text=body.text or "", meal=body.meal,
            expected_version=expected,
        )  # fmt: skip
    elif body.kind == "recipe":
        entry = store_days.add_recipe(
            s, user.id, diary_id, date, recipe_id=_recipe_id(body.recipe_id),
            servings=body.amount or "1", meal=body.meal, expected_version=expected,
        )  # fmt: skip
    else:
        entry = store_days.add_food(
            s, user.id, diary_id, date, state.foods, food=body.food or "", amount=body.amount,
            meal=body.meal, expected_version=expected,
        )  # fmt: skip
    set_etag(response, entry.day.version)
    return entry_out(entry, state.foods)


def _recipe_id(value: int | None) -> int:
    if value is None:
        raise K2LabError("Give the recipe_id of a recipe entry.", field="recipe_id")
    return value


def _entry_of_day(s: DbSession, owner_id: int, diary_id: int, date: dt.date, entry_id: int) -> None:
    entry = store_days.get_entry(s, owner_id, entry_id)
    if entry.day.diary_id != diary_id or entry.day.date != date:
        raise NotFoundError(f"There is no entry {entry_id} on {date}.", field="entry_id")


@api.patch("/diaries/{diary_id}/days/{date}/entries/{entry_id}", responses=CONFLICT)
def entries_patch(
    diary_id: int, date: dt.date, entry_id: int, body: EntryPatch, s: DbSession,
    user: CurrentUser, state: State, response: Response, if_match: IfMatch = None,
) -> EntryOut:  # fmt: skip
    """Change an entry's amount, text, meal or position."""
    _entry_of_day(s, user.id, diary_id, date, entry_id)
    entry = store_days.update_entry(
        s, user.id, entry_id, state.foods, amount=body.amount, meal=body.meal, text=body.text,
        position=body.position, expected_version=parse_if_match(if_match),
    )  # fmt: skip
    set_etag(response, entry.day.version)
    return entry_out(entry, state.foods)


@api.delete(
    "/diaries/{diary_id}/days/{date}/entries/{entry_id}", status_code=204, responses=CONFLICT
)
def entries_delete(
    diary_id: int, date: dt.date, entry_id: int, s: DbSession, user: CurrentUser,
    if_match: IfMatch = None,
) -> Response:  # fmt: skip
    """Delete an entry; the ETag is the day's new version."""
    _entry_of_day(s, user.id, diary_id, date, entry_id)
    day = store_days.delete_entry(s, user.id, entry_id, expected_version=parse_if_match(if_match))
    return Response(status_code=204, headers={"ETag": f'"{day.version}"'})


class CopyIn(BaseModel):
    """Where to copy a day (an ISO date)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    to: Annotated[dt.date, Field(strict=False)]  # JSON carries dates as ISO text


@api.post("/diaries/{diary_id}/days/{date}/copy", status_code=201, responses=CONFLICT)
def days_copy(
    diary_id: int, date: dt.date, body: CopyIn, s: DbSession, user: CurrentUser,
    state: State, response: Response, if_match: IfMatch = None,
) -> DayOut:  # fmt: skip
    """Append the day's entries to the day ``to`` (``If-Match``: the target day's ETag)."""
    diary = get_diary(s, user.id, diary_id)
    day = store_days.copy_day(
        s, user.id, diary_id, date, body.to, expected_version=parse_if_match(if_match)
    )
    set_etag(response, day.version)
    return day_out(diary, body.to, day, state.foods)
