"""Foods: search as you type, a food's page (every vitamer with its range, evidence and
source, portions) and "how much covers my target"; the same as JSON under ``/api/v1/foods``.

The food database is read-only, so a search's answer never changes: each distinct query is
computed once (:func:`matches`, an LRU cache) and pages slice it.

Example
-------
>>> import tempfile, pathlib
>>> from fastapi.testclient import TestClient
>>> from k2lab.web import Settings, create_app
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> app = create_app(Settings(database_url=f"sqlite:///{folder / 's.sqlite3'}"))  # doctest: +SKIP
>>> TestClient(app).get("/api/v1/foods?q=nato&limit=1").json()["items"][0]["name"]  # doctest: +SKIP
'Natto'
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from k2lab.data.citations import cite
from k2lab.errors import K2LabError, NotFoundError, UnknownFoodError
from k2lab.foods.database import Food, FoodDatabase
from k2lab.foods.nutrients import DIET_PATTERNS, K2_VITAMERS, NUTRIENT_UNITS, VITAMERS
from k2lab.intake import cover, parse_target
from k2lab.report import cover_json
from k2lab.web.deps import CurrentUser, State, render

__all__ = [
    "MAX_MATCHES",
    "cover_for",
    "find_food",
    "food_summary",
    "matches",
    "pages",
    "parse_filters",
    "search",
]

pages = APIRouter(include_in_schema=False)

#: Most matches one search returns (pages slice these).
MAX_MATCHES = 200
#: Foods on one page of the search.
PAGE_SIZE = 25
RANKS = ("relevance", "k2_per_100g", "k2_per_portion")
_VITAMER_NAMES = {v.lower().replace("-", ""): v for v in (*VITAMERS, "K2")}


def parse_filters(
    diet: str | None, vitamer: str | None, rank: str | None
) -> tuple[str | None, str | None, str]:
    """The search filters in canonical form (case and dashes ignored), or a
    :class:`K2LabError` naming the field."""
    d = (diet or "").strip().lower() or None
    if d is not None and d not in DIET_PATTERNS:
        raise K2LabError(
            f"Unknown diet '{diet}'. Use one of: {', '.join(DIET_PATTERNS)}.", field="diet"
        )
    v = None
    if vitamer and vitamer.strip():
        v = _VITAMER_NAMES.get(vitamer.strip().lower().replace("-", "").replace(" ", ""))
        if v is None:
            raise K2LabError(
                f"Unknown vitamer '{vitamer}'. Use K1, K2 (any menaquinone) or MK-4 ... MK-10.",
                field="vitamer",
            )
    r = (rank or "relevance").strip().lower()
    if r not in RANKS:
        raise K2LabError(f"Unknown rank '{rank}'. Use {', '.join(RANKS)}.", field="rank")
    return d, v, r


def _category(db: FoodDatabase, category: str | None) -> str | None:
    c = (category or "").strip().lower() or None
    if c is not None and c not in db.categories:
        raise K2LabError(
            f"Unknown category '{category}'. Use one of: {', '.join(db.categories)}.",
            field="category",
        )
    return c


def find_food(db: FoodDatabase, key: str) -> Food:
    """The food with this key, name or synonym; :class:`NotFoundError` (404) with the
    closest matches otherwise."""
    try:
        return db.resolve(key[:200])
    except UnknownFoodError as exc:
        raise NotFoundError(exc.message, field="key") from exc


#: One search cache per open food database (the app's; tests open many).
_CACHES: WeakKeyDictionary[FoodDatabase, Callable[..., tuple[str, ...]]] = WeakKeyDictionary()


def matches(
    db: FoodDatabase,
    text: str,
    diet: str | None = None,
    category: str | None = None,
    vitamer: str | None = None,
    rank: str = "relevance",
) -> tuple[str, ...]:
    """Keys of the foods matching ``text`` and the filters, best first (at most
    :data:`MAX_MATCHES`); cached, since the database never changes while the app runs."""
    cached = _CACHES.get(db)
    if cached is None:
        ref = weakref.ref(db)  # the cache must not keep its database alive

        def search(*args: Any) -> tuple[str, ...]:
            text, diet, category, vitamer, rank = args
            found = ref().search(  # type: ignore[union-attr]
                text[:200], diet=diet, category=category, vitamer=vitamer, rank_by=rank, limit=MAX_MATCHES
            )  # fmt: skip
            return tuple(f.key for f in found)

        cached = _CACHES.setdefault(db, lru_cache(maxsize=4096)(search))
    return cached(text, diet, category, vitamer, rank)


class FoodSummary(BaseModel):
    """One food in a search: vitamin K per 100 g and per typical portion."""

    food_key: str
    name: str
    category: str
    diet: str
    #: Where the food's values come from: ``curated`` (literature, with menaquinones),
    #: ``article`` or ``usda`` (FoodData Central: K1 and MK-4 only).
    origin: str
    main_k2_form: str | None
    k1_ug_per_100g: float
    k2_total_ug_per_100g: float
    portion: str | None
    portion_grams: float
    k2_total_ug_per_portion: float


def food_summary(food: Food) -> FoodSummary:
    """A food as a search result (the typical portion is the median of its portions)."""
    grams = food.typical_portion_grams
    names = [p.name for p in food.portions if p.grams == grams]
    return FoodSummary(
        food_key=food.key,
        name=food.name,
        category=food.category,
        diet=food.diet,
        origin=food.origin,
        main_k2_form=food.main_k2_form,
        k1_ug_per_100g=round(food.per_100g("K1"), 2),
        k2_total_ug_per_100g=round(food.k2_per_100g(), 2),
        portion=names[0] if names else None,
        portion_grams=round(grams, 1),
        k2_total_ug_per_portion=round(food.k2_per_100g() * grams / 100, 2),
    )


class FoodPage(BaseModel):
    """A page of search results; ``total`` counts the matches (at most 200)."""

    items: list[FoodSummary]
    total: int
    limit: int
    offset: int


def search(
    db: FoodDatabase,
    q: str,
    diet: str | None,
    category: str | None,
    vitamer: str | None,
    rank: str | None,
) -> tuple[str, ...]:
    """:func:`matches` of the query as typed (filters checked; errors name the field)."""
    d, v, r = parse_filters(diet, vitamer, rank)
    return matches(db, q.strip(), d, _category(db, category), v, r)


def cover_for(food: Food, target: str) -> dict[str, Any]:
    """What ``k2lab cover --json`` prints, for ``target`` (errors name ``target``)."""
    try:
        return cover_json(cover(food, parse_target(target)))
    except K2LabError as exc:
        exc.field = "target"
        raise


def _rows(food: Food, nutrients: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for n in nutrients:
        s = food.nutrient(n)
        if s is not None:
            out.append({"nutrient": n, "unit": NUTRIENT_UNITS[n], "summary": s})
    return out


def _detail_context(db: FoodDatabase, food: Food) -> dict[str, Any]:
    keys = [v.source_key for s in food.nutrients.values() for v in s.values]
    keys += [p.source_key for p in food.portions]
    others = tuple(n for n in NUTRIENT_UNITS if n not in VITAMERS)
    return {
        "food": food,
        "vitamers": _rows(food, VITAMERS),
        "others": _rows(food, others),
        "k2_forms": K2_VITAMERS,
        "sources": cite(dict.fromkeys(keys)),
        "totals": db.totals.get(food.key, []),
    }


# -- pages ------------------------------------------------------------------------------


@pages.get("/foods", response_class=HTMLResponse)
def foods_page(
    request: Request,
    state: State,
    user: CurrentUser,
    q: str = "",
    diet: str = "",
    vitamer: str = "",
    category: str = "",
    rank: str = "relevance",
) -> HTMLResponse:
    """The search page (``?q=`` works without JavaScript); htmx asks for the results only."""
    db = state.foods
    keys = search(db, q, diet, category, vitamer, rank)
    context: dict[str, Any] = {
        "q": q,
        "diet": diet.strip().lower(),
        "vitamer": vitamer,
        "category": category.strip().lower(),
        "rank": rank,
        "results": [food_summary(db.get(k)) for k in keys[:PAGE_SIZE]],
        "total": len(keys),
        "diets": DIET_PATTERNS,
        "vitamers": ("K1", "K2", *K2_VITAMERS),
        "categories": db.categories,
        "ranks": RANKS,
    }
    if request.headers.get("HX-Request"):
        return render(request, "foods_results.html", **context)
    return render(request, "foods.html", **context)


@pages.get("/foods/suggest", response_class=HTMLResponse)
def foods_suggest(
    request: Request, state: State, q: str = "", exclude: str = "", food: str = ""
) -> HTMLResponse:
    """Food names for an input's autocomplete (a ``<datalist>``'s options). The text is
    ``q`` (or the input named ``exclude``/``food``); in a comma-separated list the last
    item is completed and the earlier ones kept."""
    text = (q or exclude or food)[:400]
    head, _, last = text.rpartition(",")
    keys = matches(state.foods, last.strip()[:200])[:10] if last.strip() else ()
    prefix = f"{head.strip()}, " if head.strip() else ""
    names = [prefix + state.foods.get(k).name for k in keys]
    return render(request, "foods_suggest.html", names=names)


@pages.get("/foods/{key}", response_class=HTMLResponse)
def food_page(
    request: Request, state: State, user: CurrentUser, key: str, target: str = ""
) -> HTMLResponse:
    """Everything known about one food, and (with ``?target=``) how much covers a target."""
    food = find_food(state.foods, key)
    covered = cover_for(food, target) if target.strip() else None
    context = {**_detail_context(state.foods, food), "target": target, "cover": covered}
    if request.headers.get("HX-Request") and target.strip():
        return render(request, "food_cover.html", **context)
    return render(request, "food.html", **context)
