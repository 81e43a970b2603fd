"""Import into a diary (k2lab TOML/CSV, Cronometer servings CSV) and export it (CSV, JSON):
the pages and the API.

A Cronometer import whose names or units need the user is kept in memory (for an hour, by
a random token, for its owner only) while the page asks; the API is stateless instead: it
answers 422 with the questions, and the client sends the file again with ``choices`` and
``grams`` (JSON). Either way nothing is written until every question is answered, and then
all of it in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from k2lab.errors import K2LabError, NotFoundError
from k2lab.foods.database import FoodDatabase
from k2lab.store import Diary
from k2lab.store.cronometer import ImportPlan, ServingRow, plan_import, read_servings, unit_key
from k2lab.store.diaries import current_diary, get_diary
from k2lab.store.diary_io import (
    FORMATS,
    MAX_IMPORT_BYTES,
    decode_upload,
    diet_items,
    export_csv,
    export_json,
    parse_diary_file,
    sniff_format,
    write_items,
)
from k2lab.web.csrf import verify_csrf
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.diary_models import DiaryQuery, Id, open_diary
from k2lab.web.headers import attachment
from k2lab.web.state import AppState

__all__ = ["api", "pages"]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["diaries"])

_PENDING_KEY = "diary_imports"
_PENDING_SECONDS = 3600
_PENDING_MAX = 200


@dataclass
class _Pending:
    owner_id: int
    diary_id: int
    rows: list[ServingRow]
    choices: dict[str, str]
    grams: dict[str, float]
    created: float


def _pending(state: AppState) -> dict[str, _Pending]:
    store: dict[str, _Pending] = state.extras.setdefault(_PENDING_KEY, {})
    now = time.monotonic()
    for token in [t for t, p in store.items() if now - p.created > _PENDING_SECONDS]:
        del store[token]
    return store


async def _load(file: UploadFile, fmt: str) -> tuple[str, str, str]:
    """The upload's text, name and format (``auto``: told from the file)."""
    if fmt not in FORMATS:
        raise K2LabError(f"Unknown format '{fmt}'; use {', '.join(FORMATS)}.", field="format")
    name = file.filename or "upload"
    text = decode_upload(await file.read(MAX_IMPORT_BYTES + 1), name=name)
    return text, name, sniff_format(text, name) if fmt == "auto" else fmt


def _start(text: str | None) -> dt.date:
    if not text or not text.strip():
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise K2LabError(f"'{text}' is not a date; use YYYY-MM-DD.", field="start") from exc


def _import_k2lab(
    s: Session, owner_id: int, diary: Diary, text: str, fmt: str, foods: FoodDatabase,
    start: dt.date, name: str,
) -> int:  # fmt: skip
    diet = parse_diary_file(text, fmt, foods, name=name)
    if fmt == "toml" and not diary.person:
        diary.person = diet.person.given()
    items = diet_items(diet, start, text if fmt == "csv" else None)
    return write_items(s, owner_id, diary.id, items)


def _plan(rows: list[ServingRow], foods: FoodDatabase, p: _Pending | None = None) -> ImportPlan:
    return plan_import(
        rows, foods, choices=p.choices if p else None, grams_per_unit=p.grams if p else None
    )


@pages.get("/diary/import", response_class=HTMLResponse)
def import_page(
    request: Request,
    s: DbSession,
    user: CurrentUser,
    diary_id: DiaryQuery = None,
) -> HTMLResponse:
    """The upload form."""
    diary = open_diary(s, user.id, diary_id)
    return render(request, "import.html", diary=diary, formats=FORMATS, errors={}, values={})


@pages.post("/diary/import", response_class=HTMLResponse)
async def import_upload(
    request: Request,
    s: DbSession,
    user: CurrentUser,
    state: State,
    file: Annotated[UploadFile, File()],
    format: Annotated[str, Form(max_length=20)] = "auto",
    start: Annotated[str, Form(max_length=20)] = "",
    diary_id: DiaryQuery = None,
) -> Response:
    """Import the file, or ask about the names and units that need the user."""
    diary = open_diary(s, user.id, diary_id)
    values = {"format": format, "start": start}
    try:
        text, name, fmt = await _load(file, format)
        if fmt == "cronometer":
            rows = read_servings(text, name=name)
            pending = _Pending(user.id, diary.id, rows, {}, {}, time.monotonic())
            return _settle(request, s, state, diary, pending, None)
        count = _import_k2lab(s, user.id, diary, text, fmt, state.foods, _start(start), name)
    except K2LabError as exc:
        s.rollback()
        diary = current_diary(s, user.id, diary.id)
        return render(
            request, "import.html", status_code=422, diary=diary, formats=FORMATS,
            errors={exc.field or "file": exc.message}, values=values,
        )  # fmt: skip
    return RedirectResponse(f"/diary?diary={diary.id}&imported={count}", status_code=303)


def _settle(
    request: Request,
    s: Session,
    state: AppState,
    diary: Diary,
    pending: _Pending,
    token: str | None,
    errors: dict[str, str] | None = None,
) -> Response:
    plan = _plan(pending.rows, state.foods, pending)
    if plan.ready and not errors:
        count = write_items(s, pending.owner_id, diary.id, plan.items)
        if token:
            _pending(state).pop(token, None)
        return RedirectResponse(
            f"/diary?diary={diary.id}&imported={count}&skipped={plan.skipped}", status_code=303
        )
    store = _pending(state)
    if token is None:
        if len(store) >= _PENDING_MAX:
            raise K2LabError("Too many imports are waiting; try again in a few minutes.")
        token = secrets.token_urlsafe(16)
        store[token] = pending
    return render(
        request, "import_resolve.html", status_code=422 if errors else 200, diary=diary,
        plan=plan, token=token, errors=errors or {},
    )  # fmt: skip


@pages.post("/diary/import/{token}", response_class=HTMLResponse)
async def import_resolve(
    request: Request, token: str, s: DbSession, user: CurrentUser, state: State
) -> Response:
    """The user's answers: a food (or skip) per name, grams per unit."""
    pending = _pending(state).get(token)
    if pending is None or pending.owner_id != user.id:
        raise NotFoundError(
            "This import has expired or is not yours; upload the file again.", field="token"
        )
    diary = get_diary(s, user.id, pending.diary_id)
    form = await request.form()
    plan = _plan(pending.rows, state.foods, pending)
    errors: dict[str, str] = {}
    for i, q in enumerate(plan.food_questions):
        choice = form.get(f"food-{i}")
        if isinstance(choice, str) and (choice == "" or choice in {k for k, _ in q.candidates}):
            pending.choices[q.name] = choice
        elif choice is not None:
            errors[f"food-{i}"] = "Choose one of the foods listed, or skip."
    for j, u in enumerate(plan.unit_questions):
        raw = form.get(f"unit-{j}")
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            grams = float(raw)
        except ValueError:
            grams = -1.0
        if not 0 < grams <= 2000:
            errors[f"unit-{j}"] = f"Give the grams in one {u.unit} as a number, e.g. 30."
            continue
        pending.grams[unit_key(u.name, u.unit)] = grams
    return _settle(request, s, state, diary, pending, token, errors)


def _export(s: Session, diary: Diary, fmt: str) -> Response:
    if fmt == "json":
        return JSONResponse(export_json(s, diary), headers=attachment(diary.name, ".json", "diary"))
    return Response(
        export_csv(s, diary),
        media_type="text/csv; charset=utf-8",
        headers=attachment(diary.name, ".csv", "diary"),
    )


ExportFormat = Annotated[Literal["csv", "json"], Query()]


@pages.get("/diary/export")
def export_page(
    s: DbSession,
    user: CurrentUser,
    format: ExportFormat = "csv",
    diary_id: DiaryQuery = None,
) -> Response:
    """Download the diary as CSV (k2lab's diary format) or JSON."""
    return _export(s, open_diary(s, user.id, diary_id), format)


@api.get(
    "/diaries/{diary_id}/export",
    responses={
        200: {"content": {"text/csv": {}, "application/json": {}}, "description": "The file."},
        404: {"description": "No such diary of yours."},
        422: {"description": "Bad format."},
    },
)
def export_api(
    diary_id: Id, s: DbSession, user: CurrentUser, format: ExportFormat = "csv"
) -> Response:
    """The diary as CSV (``day,kind,food,amount,meal``; re-importable) or JSON
    (``k2lab.diary/1``)."""
    return _export(s, get_diary(s, user.id, diary_id), format)


class ImportResult(BaseModel):
    """What an import wrote."""

    imported: int
    skipped: int
    format: str


def _json_field(raw: str, field: str) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise K2LabError(f"{field} must be a JSON object.", field=field) from exc
    if not isinstance(value, dict):
        raise K2LabError(f"{field} must be a JSON object.", field=field)
    return value


@api.post(
    "/diaries/{diary_id}/import",
    status_code=201,
    dependencies=[Depends(verify_csrf)],
    responses={
        403: {"description": "No X-CSRF-Token header matching the k2lab_csrf cookie."},
        404: {"description": "No such diary of yours."},
        413: {"description": "The upload is larger than the limit."},
        422: {"description": "Bad file, or questions (food_questions, unit_questions) to "
              "answer with choices and grams."},
    },
)  # fmt: skip
async def import_api(
    diary_id: Id,
    s: DbSession,
    user: CurrentUser,
    state: State,
    file: Annotated[UploadFile, File()],
    format: Annotated[str, Form(max_length=20)] = "auto",
    start: Annotated[str, Form(max_length=20)] = "",
    choices: Annotated[str, Form(max_length=100_000)] = "",
    grams: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    """Import a k2lab TOML diet or CSV diary, or a Cronometer servings CSV. ``choices``
    (JSON: name → food key, ``""`` to skip) and ``grams`` (JSON: ``"name|unit"`` → grams per
    unit) answer a Cronometer import's questions."""
    diary = get_diary(s, user.id, diary_id)
    text, name, fmt = await _load(file, format)
    if fmt != "cronometer":
        count = _import_k2lab(s, user.id, diary, text, fmt, state.foods, _start(start), name)
        return JSONResponse(ImportResult(imported=count, skipped=0, format=fmt).model_dump(), 201)
    picks = {str(k): str(v) for k, v in _json_field(choices, "choices").items()}
    per_unit: dict[str, float] = {}
    for k, v in _json_field(grams, "grams").items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 2000:
            raise K2LabError(f"grams['{k}'] must be a number of grams (0-2000).", field="grams")
        per_unit[str(k)] = float(v)
    plan = plan_import(read_servings(text, name=name), state.foods, choices=picks,
                       grams_per_unit=per_unit)  # fmt: skip
    if not plan.ready:
        return JSONResponse(_questions(plan), status_code=422)
    count = write_items(s, user.id, diary.id, plan.items)
    return JSONResponse(
        ImportResult(imported=count, skipped=plan.skipped, format=fmt).model_dump(), 201
    )


def _questions(plan: ImportPlan) -> dict[str, Any]:
    return {
        "detail": [
            {
                "loc": ["body", "choices" if plan.food_questions else "grams"],
                "msg": "Some food names or units need your choice; send the file again with "
                "choices and grams.",
                "type": "ImportQuestions",
            }
        ],
        "food_questions": [
            {"name": q.name, "rows": q.rows, "candidates": [{"key": k, "name": n}
                                                          for k, n in q.candidates]}
            for q in plan.food_questions
        ],
        "unit_questions": [
            {"key": unit_key(u.name, u.unit), "name": u.name, "unit": u.unit, "food": u.food_name}
            for u in plan.unit_questions
        ],
    }  # fmt: skip
