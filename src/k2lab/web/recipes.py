"""Recipes: the pages (list, new, edit, delete) and the API (``/api/v1/recipes``, with
``ETag`` and ``If-Match``; a stale one is 409 with ``current_version``).

On the pages a recipe's foods are one per line, as a phrase: ``2 tbsp natto``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from k2lab.errors import ConflictError, K2LabError
from k2lab.foods.database import FoodDatabase
from k2lab.store import Recipe
from k2lab.store.days import resolve_food
from k2lab.store.recipes import (
    MAX_ITEMS_PER_RECIPE,
    create_recipe,
    delete_recipe,
    get_recipe,
    list_recipes,
    update_recipe,
)
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.diary_models import CONFLICT, Page, parse_if_match, set_etag

__all__ = ["api", "pages"]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["recipes"])

IfMatch = Annotated[str | None, Header(alias="If-Match", description='The ETag, e.g. "3".')]
_STRICT = ConfigDict(strict=True, extra="forbid")


class ItemIn(BaseModel):
    """One food of a recipe, for the whole recipe."""

    model_config = _STRICT
    food: str = Field(max_length=200)
    amount: str = Field(max_length=120)


class RecipeIn(BaseModel):
    """A new recipe."""

    model_config = _STRICT
    name: str = Field(max_length=200)
    servings: float = 1.0
    items: list[ItemIn] = Field(max_length=MAX_ITEMS_PER_RECIPE + 1)
    note: str = Field(default="", max_length=2000)


class RecipePatch(BaseModel):
    """Fields of a recipe to change (``items`` replaces them all)."""

    model_config = _STRICT
    name: str | None = Field(default=None, max_length=200)
    servings: float | None = None
    items: list[ItemIn] | None = Field(default=None, max_length=MAX_ITEMS_PER_RECIPE + 1)
    note: str | None = Field(default=None, max_length=2000)


class ItemOut(BaseModel):
    """One food of a recipe."""

    food_key: str
    food_name: str
    amount: str
    grams: float


class RecipeOut(BaseModel):
    """A recipe and its foods."""

    id: int
    name: str
    servings: float
    note: str
    version: int
    items: list[ItemOut]


def recipe_out(recipe: Recipe, foods: FoodDatabase) -> RecipeOut:
    """The API view of a recipe."""
    return RecipeOut(
        id=recipe.id,
        name=recipe.name,
        servings=recipe.servings,
        note=recipe.note,
        version=recipe.version,
        items=[
            ItemOut(
                food_key=i.food_key,
                food_name=foods.get(i.food_key).name,
                amount=i.amount,
                grams=i.grams,
            )
            for i in recipe.items
        ],
    )


def _pairs(items: list[ItemIn] | None) -> list[tuple[str, str]] | None:
    return None if items is None else [(i.food, i.amount) for i in items]


@api.get("/recipes", responses={422: CONFLICT[422]})
def recipes_list(
    s: DbSession, user: CurrentUser, state: State,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[RecipeOut]:  # fmt: skip
    """Your recipes by name."""
    rows = list_recipes(s, user.id)
    return Page[RecipeOut](
        items=[recipe_out(r, state.foods) for r in rows[offset : offset + limit]],
        total=len(rows),
        limit=limit,
        offset=offset,
    )


@api.post("/recipes", status_code=201, responses={422: CONFLICT[422]})
def recipes_create(
    body: RecipeIn, s: DbSession, user: CurrentUser, state: State, response: Response
) -> RecipeOut:
    """A new recipe (foods resolved, amounts to grams)."""
    recipe = create_recipe(
        s, user.id, state.foods, name=body.name, servings=body.servings,
        items=_pairs(body.items) or [], note=body.note,
    )  # fmt: skip
    set_etag(response, recipe.version)
    return recipe_out(recipe, state.foods)


@api.get("/recipes/{recipe_id}", responses={404: CONFLICT[404]})
def recipes_get(
    recipe_id: int, s: DbSession, user: CurrentUser, state: State, response: Response
) -> RecipeOut:
    """One of your recipes."""
    recipe = get_recipe(s, user.id, recipe_id)
    set_etag(response, recipe.version)
    return recipe_out(recipe, state.foods)


@api.patch("/recipes/{recipe_id}", responses=CONFLICT)
def recipes_patch(
    recipe_id: int, body: RecipePatch, s: DbSession, user: CurrentUser, state: State,
    response: Response, if_match: IfMatch = None,
) -> RecipeOut:  # fmt: skip
    """Change a recipe."""
    recipe = update_recipe(
        s, user.id, recipe_id, state.foods, expected_version=parse_if_match(if_match),
        name=body.name, servings=body.servings, items=_pairs(body.items), note=body.note,
    )  # fmt: skip
    set_etag(response, recipe.version)
    return recipe_out(recipe, state.foods)


@api.delete("/recipes/{recipe_id}", status_code=204, responses=CONFLICT)
def recipes_delete(
    recipe_id: int, s: DbSession, user: CurrentUser, if_match: IfMatch = None
) -> Response:
    """Delete a recipe that no day uses."""
    delete_recipe(s, user.id, recipe_id, expected_version=parse_if_match(if_match))
    return Response(status_code=204)


def _lines(foods: FoodDatabase, text: str) -> list[tuple[str, str]]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_ITEMS_PER_RECIPE:
        raise K2LabError(
            f"A recipe holds at most {MAX_ITEMS_PER_RECIPE} foods; this one has {len(lines)}.",
            field="items",
        )
    out = []
    for n, line in enumerate(lines, start=1):
        try:
            food, amount = resolve_food(foods, line)
        except K2LabError as exc:
            raise K2LabError(f"Line {n} ('{line}'): {exc.message}", field="items") from exc
        if not amount:
            raise K2LabError(
                f"Line {n} ('{line}'): put the amount first, e.g. '2 tbsp natto'.", field="items"
            )
        out.append((food.key, amount))
    return out


def _servings(text: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise K2LabError(f"'{text}' is not a number of servings.", field="servings") from exc


def _items_text(recipe: Recipe, foods: FoodDatabase) -> str:
    return "\n".join(f"{i.amount} {foods.get(i.food_key).name}" for i in recipe.items)


def _list_page(
    request: Request,
    s: Session,
    user_id: int,
    foods: FoodDatabase,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    editing: int | None = None,
) -> HTMLResponse:
    recipes = list_recipes(s, user_id)
    return render(
        request, "recipes.html", status_code=status_code, recipes=recipes,
        texts={r.id: _items_text(r, foods) for r in recipes}, errors=errors or {},
        values=values or {}, editing=editing,
    )  # fmt: skip


@pages.get("/recipes", response_class=HTMLResponse)
def recipes_page(request: Request, s: DbSession, user: CurrentUser, state: State) -> HTMLResponse:
    """Your recipes and the form for a new one."""
    return _list_page(request, s, user.id, state.foods)


@pages.post("/recipes", response_class=HTMLResponse)
async def recipes_new(request: Request, s: DbSession, user: CurrentUser, state: State) -> Response:
    """Save a new recipe."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        create_recipe(
            s, user.id, state.foods, name=form.get("name", ""),
            servings=_servings(form.get("servings", "1")),
            items=_lines(state.foods, form.get("items", "")), note=form.get("note", ""),
        )  # fmt: skip
    except K2LabError as exc:
        s.rollback()
        field = (exc.field or "form").split(".")[0]
        return _list_page(
            request, s, user.id, state.foods, status_code=422, errors={field: exc.message},
            values=form,
        )  # fmt: skip
    return RedirectResponse("/recipes", status_code=303)


@pages.post("/recipes/{recipe_id}", response_class=HTMLResponse)
async def recipes_edit(
    request: Request, recipe_id: int, s: DbSession, user: CurrentUser, state: State
) -> Response:
    """Save changes to a recipe (or delete it, with ``action=delete``)."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    version = form.get("version", "")
    expected = int(version) if version.isdigit() else None
    try:
        if form.get("action") == "delete":
            delete_recipe(s, user.id, recipe_id, expected_version=expected)
        else:
            update_recipe(
                s, user.id, recipe_id, state.foods, expected_version=expected,
                name=form.get("name", ""), servings=_servings(form.get("servings", "1")),
                items=_lines(state.foods, form.get("items", "")), note=form.get("note", ""),
            )  # fmt: skip
    except K2LabError as exc:
        s.rollback()
        get_recipe(s, user.id, recipe_id)  # 404 for another owner's id
        field = (exc.field or "form").split(".")[0]
        status = 409 if isinstance(exc, ConflictError) else 422
        return _list_page(
            request, s, user.id, state.foods, status_code=status, errors={field: exc.message},
            values=form, editing=recipe_id,
        )  # fmt: skip
    return RedirectResponse("/recipes", status_code=303)
