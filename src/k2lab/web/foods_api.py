"""The foods API: search (paginated), one food with every sourced value, and how much of
it covers a daily target; the same functions as the foods pages (:mod:`k2lab.web.foods`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from k2lab.data.citations import cite
from k2lab.report import citations_json, food_json
from k2lab.web.deps import State
from k2lab.web.foods import MAX_MATCHES, FoodPage, cover_for, find_food, food_summary, search

__all__ = ["api"]

api = APIRouter(prefix="/api/v1", tags=["foods"])
Diet = Literal["vegan", "vegetarian", "pescatarian", "omnivore"]
Vitamer = Literal["K1", "K2", "MK-4", "MK-5", "MK-6", "MK-7", "MK-8", "MK-9", "MK-10"]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such food; the message gives the closest matches."}
}
_BAD_INPUT: dict[int | str, dict[str, Any]] = {
    422: {"description": "Bad input; `loc` names the field."}
}


@api.get("/foods", responses=_BAD_INPUT)
def api_foods(
    state: State,
    q: Annotated[str, Query(max_length=200, description="Name to look for (fuzzy).")] = "",
    diet: Annotated[Diet | None, Query(description="Foods this diet pattern allows.")] = None,
    vitamer: Annotated[
        Vitamer | None, Query(description="Foods with this form (K2: any menaquinone).")
    ] = None,
    category: Annotated[
        str | None,
        Query(
            max_length=40,
            description="A k2lab category, e.g. cheese_hard (the /foods page lists them); "
            "one that no food has matches no food.",
        ),
    ] = None,
    rank: Annotated[Literal["relevance", "k2_per_100g", "k2_per_portion"], Query()] = "relevance",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_MATCHES)] = 0,
) -> FoodPage:
    """Foods matching ``q`` and the filters, a page at a time."""
    db = state.foods
    if category is not None and category.strip().lower() not in db.categories:
        return FoodPage(items=[], total=0, limit=limit, offset=offset)
    keys = search(db, q, diet, category, vitamer, rank)
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
    return CoverOut.model_validate(cover_for(find_food(state.foods, key), target))
