"""The diary's settings page (who it is for: population, age, sex, conditions, sunlight;
the K2 target; medications) and creating another diary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from k2lab.errors import ConflictError, K2LabError
from k2lab.person import PRESETS, SEXES, SUN_LEVELS
from k2lab.store import Diary
from k2lab.store.diaries import PERSON_FIELDS, create_diary, current_diary, update_diary
from k2lab.vocab import MEDICATIONS
from k2lab.web.deps import CurrentUser, DbSession, render
from k2lab.web.diary_models import DiaryQuery, form_version, open_diary, read_form

__all__ = ["pages"]

pages = APIRouter(include_in_schema=False)

_NUMBER_FIELDS = {
    "age", "menopause_age", "weight_kg", "egfr_ml_per_min", "calcification_au",
    "calcium_food_mg_per_day", "vitamin_d_food_ug_per_day",
}  # fmt: skip
_FLAGS = ("pregnant", "lactating", "dialysis")


@pages.get("/diary/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, s: DbSession, user: CurrentUser, diary_id: DiaryQuery = None
) -> HTMLResponse:
    """Who the diary is for: age, sex, population, target, medications."""
    diary = open_diary(s, user.id, diary_id)
    values = {k: "" if v is None else str(v) for k, v in (diary.person or {}).items()}
    values["target"] = diary.target
    values["medications"] = ", ".join(diary.medications or ())
    values["name"] = diary.name
    return _settings(request, diary, values, {})


def _settings(
    request: Request,
    diary: Diary,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "diary_settings.html",
        status_code=status_code,
        diary=diary,
        values=values,
        errors=errors,
        presets=list(PRESETS),
        sexes=SEXES,
        sun_levels=SUN_LEVELS,
        medications=list(MEDICATIONS),
    )


def _person_from_form(form: dict[str, str]) -> dict[str, Any]:
    person: dict[str, Any] = {}
    for key in PERSON_FIELDS:
        raw = form.get(key, "").strip()
        if key in _FLAGS:
            if raw:
                person[key] = True
            continue
        if not raw:
            continue
        if key in _NUMBER_FIELDS:
            try:
                person[key] = float(raw)
            except ValueError as exc:
                raise K2LabError(f"'{raw}' is not a number.", field=key) from exc
        else:
            person[key] = raw
    return person


@pages.post("/diary/settings", response_class=HTMLResponse)
async def settings_save(
    request: Request, s: DbSession, user: CurrentUser, diary_id: DiaryQuery = None
) -> Response:
    """Save the settings; bad input re-renders them with the message by the field."""
    form = await read_form(request)
    diary = open_diary(s, user.id, diary_id)
    try:
        update_diary(
            s,
            user.id,
            diary.id,
            expected_version=form_version(form.get("version")),
            name=form.get("name", diary.name),
            person=_person_from_form(form),
            target=form.get("target", diary.target),
            medications=form.get("medications", "").replace(";", ",").split(","),
        )
    except K2LabError as exc:
        s.rollback()
        diary = current_diary(s, user.id, diary.id)
        status = 409 if isinstance(exc, ConflictError) else 422
        return _settings(request, diary, form, {exc.field or "form": exc.message}, status)
    return RedirectResponse(f"/diary/settings?diary={diary.id}&saved=1", status_code=303)


@pages.post("/diary/new")
async def diary_new(request: Request, s: DbSession, user: CurrentUser) -> Response:
    """Create a diary with a name (the person is set on its settings page)."""
    form = await request.form()
    name = form.get("name", "")
    diary = create_diary(s, user.id, name if isinstance(name, str) else "", {}, "90 ug K2", [])
    return RedirectResponse(f"/diary/settings?diary={diary.id}", status_code=303)
