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

import math
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, Literal
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from k2lab.data.citations import cite
from k2lab.errors import K2LabError, NotFoundError, UnknownFoodError
from k2lab.foods.database import Food, FoodDatabase
from k2lab.foods.nutrients import DIET_PATTERNS, K2_VITAMERS, NUTRIENT_UNITS, VITAMERS
from k2lab.intake import cover, parse_target
from k2lab.report import citations_json, food_json
from k2lab.web.deps import CurrentUser, State, render

__all__ = [
    "MAX_MATCHES",
    "api",
    "cover_json",
    "find_food",
    "food_summary",
    "matches",
    "pages",
    "parse_filters",
]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["foods"])

#: Most matches one search returns (pages slice these).
MAX_MATCHES = 200
#: Foods on one page of the search.
PAGE_SIZE = 25
RANKS = ("relevance", "k2_per_100g", "k2_per_portion")
_VITAMER_NAMES = {v.lower().replace("-", ""): v for v in (*VITAMERS, "K2")}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such food; the message gives the closest matches."}
}
_BAD_INPUT: dict[int | str, dict[str, Any]] = {
    422: {"description": "Bad input; `loc` names the field."}
}


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


def _search(
    db: FoodDatabase,
    q: str,
    diet: str | None,
    category: str | None,
    vitamer: str | None,
    rank: str | None,
) -> tuple[str, ...]:
    d, v, r = parse_filters(diet, vitamer, rank)
    return matches(db, q.strip(), d, _category(db, category), v, r)


def cover_json(food: Food, target: str) -> dict[str, Any]:
    """What ``k2lab cover --json`` prints, for ``target`` (errors name ``target``)."""
    try:
        c = cover(food, parse_target(target))
    except K2LabError as exc:
        exc.field = "target"
        raise

    def finite(x: float) -> float | None:
        return None if math.isinf(x) else round(x, 2)

    return {
        "food_key": c.food.key,
        "name": c.food.name,
        "target_form": c.target.form,
        "target_ug_per_day": c.target.amount_ug,
        "grams_per_day": {
            "typical": round(c.grams_typical, 2),
            "low": round(c.grams_low, 2),
            "high": finite(c.grams_high),
        },
        "portions": [
            {"portion": n, "count_typical": round(t, 2), "count_low": round(lo, 2), "count_high": finite(hi)}
            for n, t, lo, hi in c.portions
        ],
    }  # fmt: skip


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
    keys = _search(db, q, diet, category, vitamer, rank)
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
    covered = cover_json(food, target) if target.strip() else None
    context = {**_detail_context(state.foods, food), "target": target, "cover": covered}
    if request.headers.get("HX-Request") and target.strip():
        return render(request, "food_cover.html", **context)
    return render(request, "food.html", **context)


# -- API --------------------------------------------------------------------------------


@api.get("/foods", responses=_BAD_INPUT)
def api_foods(
    state: State,
    q: Annotated[str, Query(max_length=200, description="Name to look for (fuzzy).")] = "",
    diet: Annotated[str | None, Query(description=f"One of {', '.join(DIET_PATTERNS)}.")] = None,
    vitamer: Annotated[str | None, Query(description="K1, K2 or MK-4 ... MK-10.")] = None,
    category: Annotated[
        str | None, Query(description="A k2lab category, e.g. cheese_hard.")
    ] = None,
    rank: Annotated[Literal["relevance", "k2_per_100g", "k2_per_portion"], Query()] = "relevance",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_MATCHES)] = 0,
) -> FoodPage:
    """Foods matching ``q`` and the filters, a page at a time."""
    db = state.foods
    keys = _search(db, q, diet, category, vitamer, rank)
    items = [food_summary(db.get(k)) for k in keys[offset : offset + limit]]
    return FoodPage(items=items, total=len(keys), limit=limit, offset=offset)


class SourcedValueOut(BaseModel):
    """One published value per 100 g with its source."""

    value: float
    low: float | None
    high: float | None
    quality: str
    source_key: str
    country: str
    notes: str


class NutrientOut(BaseModel):
    """Typical value and range per 100 g, the evidence tier, and every value."""

    typical: float
    low: float
    high: float
    evidence: str
    rule: str
    values: list[SourcedValueOut]


class PortionOut(BaseModel):
    """A household measure in grams, with its source."""

    name: str
    grams: float
    quality: str
    source_key: str


class CitationOut(BaseModel):
    """A source: citation text, DOI and URL."""

    citation: str
    doi: str
    url: str


class FoodDetail(BaseModel):
    """What ``k2lab foods show --json`` prints."""

    food_key: str
    name: str
    synonyms: list[str]
    category: str
    diet: str
    diet_basis: str
    origin: str
    usda_name: str | None
    article_label: str | None
    main_k2_form: str | None
    k2_total_ug_per_100g: float
    nutrients: dict[str, NutrientOut]
    portions: list[PortionOut]
    sources: dict[str, CitationOut]


@api.get("/foods/{key}", responses=_NOT_FOUND)
def api_food(state: State, key: str) -> FoodDetail:
    """Every nutrient of one food with each sourced value, its portions and the citations."""
    data = food_json(find_food(state.foods, key))
    keys = [v["source_key"] for n in data["nutrients"].values() for v in n["values"]]
    keys += [p["source_key"] for p in data["portions"]]
    data["sources"] = citations_json(cite(dict.fromkeys(keys)))
    return FoodDetail.model_validate(data)


class GramsOut(BaseModel):
    """Grams a day: typical, and the range from the food's content range (``high`` is
    null when the low end of the range has none of the form)."""

    typical: float
    low: float
    high: float | None


class PortionCount(BaseModel):
    """How many of one portion a day."""

    portion: str
    count_typical: float
    count_low: float
    count_high: float | None


class CoverOut(BaseModel):
    """How much of a food reaches a daily target (what ``k2lab cover --json`` prints)."""

    food_key: str
    name: str
    target_form: str
    target_ug_per_day: float
    grams_per_day: GramsOut
    portions: list[PortionCount]


@api.get("/foods/{key}/cover", responses={**_NOT_FOUND, **_BAD_INPUT})
def api_cover(
    state: State,
    key: str,
    target: Annotated[str, Query(max_length=80, description="e.g. '180 ug MK-7', '90 ug K2'.")],
) -> CoverOut:
    """Grams and portions of the food a day that reach ``target``."""
    return CoverOut.model_validate(cover_json(find_food(state.foods, key), target))
