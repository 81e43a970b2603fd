"""Recipes: a dish made of foods, saved once by its owner and added to days by the serving.

Items are for the whole recipe (all its ``servings``); each is a food and an amount as typed,
resolved to grams when written. A recipe that days still use cannot be deleted.

Example
-------
>>> import tempfile, pathlib
>>> from k2lab.foods.database import FoodDatabase
>>> from k2lab.store import open_store
>>> store = open_store(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 's.sqlite3'}")
>>> with store.session() as s:
...     owner = store.local_user(s).id
...     r = create_recipe(s, owner, FoodDatabase.open(), name="Natto rice", servings=2,
...                       items=[("natto", "1 pack"), ("egg", "1 large egg")])
...     [i.amount for i in r.items], r.version
(['1 pack', '1 large egg'], 1)
>>> store.close()
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from k2lab.errors import K2LabError, NotFoundError, UnknownFoodError
from k2lab.foods.database import FoodDatabase
from k2lab.intake import to_grams
from k2lab.store.schema import Entry, Recipe, RecipeItem
from k2lab.store.versions import check_version, flush

__all__ = [
    "MAX_ITEMS_PER_RECIPE",
    "MAX_RECIPES",
    "create_recipe",
    "delete_recipe",
    "get_recipe",
    "list_recipes",
    "update_recipe",
]

MAX_ITEMS_PER_RECIPE: Final = 100
MAX_RECIPES: Final = 1000
_MAX_SERVINGS = 100.0


def get_recipe(s: Session, owner_id: int, recipe_id: int) -> Recipe:
    """The owner's recipe ``recipe_id``; :class:`NotFoundError` otherwise."""
    recipe = s.get(Recipe, recipe_id)
    if recipe is None or recipe.owner_id != owner_id:
        raise NotFoundError(f"There is no recipe {recipe_id}.", field="recipe_id")
    return recipe


def list_recipes(s: Session, owner_id: int) -> list[Recipe]:
    """The owner's recipes by name."""
    query = select(Recipe).where(Recipe.owner_id == owner_id).order_by(Recipe.name, Recipe.id)
    return list(s.scalars(query))


def _name(s: Session, owner_id: int, name: str, recipe_id: int | None) -> str:
    clean = " ".join(name.split()) if isinstance(name, str) else ""
    if not clean:
        raise K2LabError("Give the recipe a name, e.g. 'Natto rice'.", field="name")
    if len(clean) > 120:
        raise K2LabError("A recipe name is at most 120 characters.", field="name")
    clash = s.scalars(
        select(Recipe.id).where(Recipe.owner_id == owner_id, Recipe.name == clean)
    ).first()
    if clash is not None and clash != recipe_id:
        raise K2LabError(f"You already have a recipe named '{clean}'.", field="name")
    return clean


def _servings(servings: float) -> float:
    if (
        isinstance(servings, bool)
        or not isinstance(servings, int | float)
        or not math.isfinite(servings)
        or not 0 < servings <= _MAX_SERVINGS
    ):
        raise K2LabError(
            f"servings must be a number above 0 and at most {_MAX_SERVINGS:g}.",
            field="servings",
        )
    return float(servings)


def _items(foods: FoodDatabase, items: Sequence[tuple[str, str]]) -> list[RecipeItem]:
    if not items:
        raise K2LabError("A recipe needs at least one food.", field="items")
    if len(items) > MAX_ITEMS_PER_RECIPE:
        raise K2LabError(
            f"A recipe holds at most {MAX_ITEMS_PER_RECIPE} foods; this one has {len(items)}.",
            field="items",
        )
    out = []
    for i, (name, amount) in enumerate(items):
        try:
            food = foods.resolve(name)
        except UnknownFoodError as exc:
            exc.field = f"items.{i}.food"
            raise
        try:
            grams = to_grams(food, amount).grams
        except K2LabError as exc:
            raise type(exc)(exc.message, field=f"items.{i}.amount") from exc
        out.append(RecipeItem(position=i, food_key=food.key, amount=amount.strip(), grams=grams))
    return out


def create_recipe(
    s: Session,
    owner_id: int,
    foods: FoodDatabase,
    *,
    name: str,
    servings: float = 1.0,
    items: Sequence[tuple[str, str]],
    note: str = "",
) -> Recipe:
    """A new recipe of ``items`` (food, amount for the whole recipe) making ``servings``."""
    count = s.scalar(select(func.count()).select_from(Recipe).where(Recipe.owner_id == owner_id))
    if (count or 0) >= MAX_RECIPES:
        raise K2LabError(f"At most {MAX_RECIPES} recipes per user; delete one first.")
    recipe = Recipe(
        owner_id=owner_id,
        name=_name(s, owner_id, name, None),
        servings=_servings(servings),
        note=_note(note),
        items=_items(foods, items),
    )
    s.add(recipe)
    s.flush()
    return recipe


def _note(note: str) -> str:
    if not isinstance(note, str) or len(note) > 2000:
        raise K2LabError("A note is text of at most 2,000 characters.", field="note")
    return note.strip()


def update_recipe(
    s: Session,
    owner_id: int,
    recipe_id: int,
    foods: FoodDatabase,
    *,
    expected_version: int | None = None,
    name: str | None = None,
    servings: float | None = None,
    items: Sequence[tuple[str, str]] | None = None,
    note: str | None = None,
) -> Recipe:
    """Change the given fields of the owner's recipe (``items`` replaces all items)."""
    recipe = get_recipe(s, owner_id, recipe_id)
    check_version("recipe", recipe.version, expected_version)
    if name is not None:
        recipe.name = _name(s, owner_id, name, recipe.id)
    if servings is not None:
        recipe.servings = _servings(servings)
    if note is not None:
        recipe.note = _note(note)
    if items is not None:
        recipe.items = _items(foods, items)
        flag_modified(recipe, "note")  # the version moves with the items
    flush(s, "recipe")
    return recipe


def delete_recipe(
    s: Session, owner_id: int, recipe_id: int, *, expected_version: int | None = None
) -> None:
    """Delete the owner's recipe, unless a day still uses it."""
    recipe = get_recipe(s, owner_id, recipe_id)
    check_version("recipe", recipe.version, expected_version)
    used = s.scalar(select(func.count()).select_from(Entry).where(Entry.recipe_id == recipe.id))
    if used:
        raise K2LabError(
            f"'{recipe.name}' is used by {used} diary entr{'y' if used == 1 else 'ies'}; "
            "delete those first.",
            field="recipe_id",
        )
    s.delete(recipe)
    s.flush()
