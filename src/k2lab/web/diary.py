"""The diary pages: the days of a diary, one day by meal with its totals by form, adding a
food (autocomplete and portions by htmx), a recipe or a supplement, editing, deleting and
copying; the diary's settings (person, target, medications).

Every form posts and redirects (303) back; bad input re-renders the page with the message
next to the field and everything typed kept (status 422, or 409 when the day changed
elsewhere). ``api`` is the JSON API of :mod:`k2lab.web.diary_api`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from k2lab.errors import ConflictError, K2LabError, NotFoundError, UnknownFoodError
from k2lab.foods.database import Food, FoodDatabase
from k2lab.intake.portions import parse_amount_text
from k2lab.person import PRESETS, SEXES, SUN_LEVELS
from k2lab.store import Diary
from k2lab.store import days as store_days
from k2lab.store.diaries import (
    PERSON_FIELDS,
    create_diary,
    current_diary,
    list_diaries,
    update_diary,
)
from k2lab.store.recipes import list_recipes
from k2lab.vocab import MEDICATIONS
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.diary_api import api
from k2lab.web.diary_models import FORMS, day_totals, open_diary

__all__ = ["api", "pages"]

pages = APIRouter(include_in_schema=False)

DiaryQuery = Annotated[int | None, Query(alias="diary", ge=1)]
MEAL_LABELS = {"breakfast": "Breakfast", "lunch": "Lunch", "dinner": "Dinner", "snack": "Snack"}
_NUMBER_FIELDS = {
    "age", "menopause_age", "weight_kg", "egfr_ml_per_min", "calcification_au",
    "calcium_food_mg_per_day", "vitamin_d_food_ug_per_day",
}  # fmt: skip
_FLAGS = ("pregnant", "lactating", "dialysis")


def _day_url(diary: Diary, date: dt.date) -> str:
    return f"/diary/{date.isoformat()}?diary={diary.id}"


@pages.get("/diary", response_class=HTMLResponse)
def diary_home(
    request: Request, s: DbSession, user: CurrentUser, diary_id: DiaryQuery = None
) -> HTMLResponse:
    """The diary's days (newest first) and the way to today."""
    diary = open_diary(s, user.id, diary_id)
    days = sorted((d for d in diary.days if d.entries), key=lambda d: d.date, reverse=True)
    return render(
        request,
        "diary.html",
        diary=diary,
        diaries=list_diaries(s, user.id),
        days=days[:366],
        today=dt.date.today(),
    )


def _portions(food: Food | None) -> list[str]:
    return [p.name for p in food.portions] if food is not None else []


def _food_or_none(foods: FoodDatabase, text: str) -> Food | None:
    if not text.strip():
        return None
    try:
        return store_days.resolve_food(foods, text)[0]
    except K2LabError:
        return None


def _day_page(
    request: Request,
    s: DbSession,
    user_id: int,
    diary: Diary,
    date: dt.date,
    foods: FoodDatabase,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form: str = "",
) -> HTMLResponse:
    day = store_days.get_day(s, user_id, diary.id, date)
    entries = [] if day is None else list(day.entries)
    names = {e.food_key: foods.get(e.food_key).name for e in entries if e.food_key}
    meals = [(key, label, [e for e in entries if e.meal == key]) for key, label in
             (*MEAL_LABELS.items(), ("", "Any time"))]  # fmt: skip
    values = values or {}
    return render(
        request,
        "diary_day.html",
        status_code=status_code,
        diary=diary,
        date=date,
        prev=date - dt.timedelta(days=1),
        next=date + dt.timedelta(days=1),
        version=store_days.day_version(day),
        meals=[m for m in meals if m[0] or m[2]],
        names=names,
        totals=day_totals(diary, day, foods),
        forms=FORMS,
        meal_labels=MEAL_LABELS,
        recipes=list_recipes(s, user_id),
        portions=_portions(_food_or_none(foods, values.get("food", ""))),
        errors=errors or {},
        values=values,
        form=form,
    )


@pages.get("/diary/suggest", response_class=HTMLResponse)
def suggest(
    request: Request, state: State, food: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    """Options for the food field's datalist (the fuzzy search), as you type."""
    found = state.foods.search(food, limit=20) if food.strip() else []
    unique = list({f.name: f for f in reversed(found)}.values())[::-1]
    return render(request, "diary_suggest.html", foods=unique[:12])


@pages.get("/diary/portions", response_class=HTMLResponse)
def portions(
    request: Request, state: State, food: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    """The portion options of the food typed so far."""
    return render(
        request, "diary_portions.html", portions=_portions(_food_or_none(state.foods, food))
    )


@pages.get("/diary/go")
def go(
    date: Annotated[dt.date, Query()], s: DbSession, user: CurrentUser, diary_id: DiaryQuery = None
) -> Response:
    """The day picked in the date field."""
    diary = open_diary(s, user.id, diary_id)
    return RedirectResponse(_day_url(diary, date), status_code=303)


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
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    diary = open_diary(s, user.id, diary_id)
    try:
        update_diary(
            s,
            user.id,
            diary.id,
            expected_version=_version(form.get("version")),
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


def _version(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit():
        raise K2LabError("The form's version is not a number; reload the page.", field="version")
    return int(text)


@pages.post("/diary/new")
async def diary_new(request: Request, s: DbSession, user: CurrentUser) -> Response:
    """Create a diary with a name (the person is set on its settings page)."""
    form = await request.form()
    name = form.get("name", "")
    diary = create_diary(s, user.id, name if isinstance(name, str) else "", {}, "90 ug K2", [])
    return RedirectResponse(f"/diary/settings?diary={diary.id}", status_code=303)


@pages.get("/diary/{date}", response_class=HTMLResponse)
def day_page(
    request: Request,
    date: dt.date,
    s: DbSession,
    user: CurrentUser,
    state: State,
    diary_id: DiaryQuery = None,
) -> HTMLResponse:
    """One day by meal, with its totals by form and the forms to add to it."""
    diary = open_diary(s, user.id, diary_id)
    return _day_page(request, s, user.id, diary, date, state.foods)


def combine_amount(amount: str, portion: str) -> str:
    """The amount typed and the portion chosen as one amount: ``("2", "1 slice")`` ->
    ``"2 slice"``; an amount with a unit wins; no amount takes the portion as it is."""
    amount, portion = amount.strip(), portion.strip()
    if not portion:
        return amount
    if not amount:
        return portion
    try:
        count, unit = parse_amount_text(amount)
        per, what = parse_amount_text(portion)
    except K2LabError:
        return amount
    if unit:
        return amount
    return f"{count * per:g} {what}"


@pages.post("/diary/{date}/entries", response_class=HTMLResponse)
async def add_entry(
    request: Request,
    date: dt.date,
    s: DbSession,
    user: CurrentUser,
    state: State,
    diary_id: DiaryQuery = None,
) -> Response:
    """Add a food, a recipe or a supplement (``kind``) to the day."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    diary = open_diary(s, user.id, diary_id)
    kind = form.get("kind", "food")
    try:
        expected = _version(form.get("version"))
        if kind == "supplement":
            store_days.add_supplement(
                s, user.id, diary.id, date, text=form.get("text", ""),
                meal=form.get("meal", ""), expected_version=expected,
            )  # fmt: skip
        elif kind == "recipe":
            recipe = form.get("recipe_id", "")
            if not recipe.isdigit():
                raise K2LabError("Choose one of your recipes.", field="recipe_id")
            store_days.add_recipe(
                s, user.id, diary.id, date, recipe_id=int(recipe),
                servings=form.get("servings", "1"), meal=form.get("meal", ""),
                expected_version=expected,
            )  # fmt: skip
        else:
            amount = combine_amount(form.get("amount", ""), form.get("portion", ""))
            store_days.add_food(
                s, user.id, diary.id, date, state.foods, food=form.get("food", ""),
                amount=amount, meal=form.get("meal", ""), expected_version=expected,
            )  # fmt: skip
    except K2LabError as exc:
        return _refused(request, s, user.id, diary, date, state.foods, exc, form, kind)
    return RedirectResponse(_day_url(diary, date), status_code=303)


def _refused(
    request: Request,
    s: DbSession,
    user_id: int,
    diary: Diary,
    date: dt.date,
    foods: FoodDatabase,
    exc: K2LabError,
    form: dict[str, str],
    which: str,
) -> HTMLResponse:
    if isinstance(exc, NotFoundError):
        raise exc
    s.rollback()
    if getattr(exc, "field", None) is None and isinstance(exc, UnknownFoodError):
        exc.field = "food"
    field = exc.field or "form"
    if field == "servings":
        field = "amount"
    status = 409 if isinstance(exc, ConflictError) else 422
    diary = current_diary(s, user_id, diary.id)
    return _day_page(
        request, s, user_id, diary, date, foods, status_code=status,
        errors={field: exc.message}, values=form, form=which,
    )  # fmt: skip


@pages.post("/diary/{date}/entries/{entry_id}/edit", response_class=HTMLResponse)
async def edit_entry(
    request: Request,
    date: dt.date,
    entry_id: int,
    s: DbSession,
    user: CurrentUser,
    state: State,
    diary_id: DiaryQuery = None,
) -> Response:
    """Change an entry's amount (or supplement text) and meal."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    diary = open_diary(s, user.id, diary_id)
    entry = store_days.get_entry(s, user.id, entry_id)
    try:
        store_days.update_entry(
            s, user.id, entry_id, state.foods,
            amount=form.get("amount") if entry.kind != "supplement" else None,
            text=form.get("text") if entry.kind == "supplement" else None,
            meal=form.get("meal"), expected_version=_version(form.get("version")),
        )  # fmt: skip
    except K2LabError as exc:
        return _refused(
            request, s, user.id, diary, date, state.foods, exc, form, f"edit-{entry_id}"
        )
    return RedirectResponse(_day_url(diary, date), status_code=303)


@pages.post("/diary/{date}/entries/{entry_id}/delete", response_class=HTMLResponse)
async def delete_entry(
    request: Request,
    date: dt.date,
    entry_id: int,
    s: DbSession,
    user: CurrentUser,
    state: State,
    diary_id: DiaryQuery = None,
) -> Response:
    """Delete an entry."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    diary = open_diary(s, user.id, diary_id)
    try:
        store_days.delete_entry(
            s, user.id, entry_id, expected_version=_version(form.get("version"))
        )
    except K2LabError as exc:
        return _refused(request, s, user.id, diary, date, state.foods, exc, form, "")
    return RedirectResponse(_day_url(diary, date), status_code=303)


@pages.post("/diary/{date}/copy", response_class=HTMLResponse)
async def copy_day(
    request: Request,
    date: dt.date,
    s: DbSession,
    user: CurrentUser,
    state: State,
    diary_id: DiaryQuery = None,
) -> Response:
    """Copy the day's entries to another date, then show that day."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    diary = open_diary(s, user.id, diary_id)
    try:
        raw = form.get("to", "").strip()
        try:
            target = dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise K2LabError(f"'{raw}' is not a date; use YYYY-MM-DD.", field="to") from exc
        store_days.copy_day(s, user.id, diary.id, date, target)
    except K2LabError as exc:
        return _refused(request, s, user.id, diary, date, state.foods, exc, form, "copy")
    return RedirectResponse(_day_url(diary, target), status_code=303)
