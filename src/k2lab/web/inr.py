"""INR stability of a diary for people on a vitamin K antagonist: the page ``/inr`` and
``GET /api/v1/diaries/{id}/inr``, computed as ``k2lab inr`` does
(:func:`~k2lab.physiology.inr_stability.inr_stability` over the diary's days, which cycle).

Kept per version of the diary and the options, like the report.

Example
-------
>>> InrOptions.parse({"range": "2.5-3.5", "target": "3"}).therapeutic_range
(2.5, 3.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from k2lab.errors import K2LabError
from k2lab.foods.database import FoodDatabase
from k2lab.physiology.inr import VKAS
from k2lab.physiology.inr_checks import InrCheck, published_checks
from k2lab.physiology.inr_stability import InrStability, inr_stability, parse_range
from k2lab.store.diaries import current_diary, diary_medications, diary_to_diet, list_diaries
from k2lab.web.charts import Chart, Trace
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.diary_models import Id
from k2lab.web.report import parse_diary_id
from k2lab.web.report_cache import VersionedCache, report_key

__all__ = ["InrOptions", "api", "inr_chart", "pages"]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])

#: Parameter draws on the web (the CLI's default is 20): about a second for a week's diary.
WEB_DRAWS = 10
_RESULTS: VersionedCache[tuple[InrStability, tuple[InrCheck, ...]]] = VersionedCache(size=32)


@dataclass(frozen=True)
class InrOptions:
    """What the user may choose: the antagonist, the target, the range and the weeks."""

    medication: str | None = None
    inr_target: float = 2.5
    therapeutic_range: tuple[float, float] = (2.0, 3.0)
    weeks: float = 8.0

    @classmethod
    def parse(cls, q: Any) -> InrOptions:
        """From a query string (errors name the field)."""

        def number(name: str, default: float) -> float:
            text = (q.get(name) or "").strip()
            if not text:
                return default
            try:
                return float(text[:20])
            except ValueError:
                raise K2LabError(f"'{text[:20]}' is not a number.", field=name) from None

        low, high = parse_range(q.get("range") or "2-3")
        medication = (q.get("medication") or "").strip().lower() or None
        return cls(medication, number("target", 2.5), (low, high), number("weeks", 8.0))


def _medication(diary_meds: tuple[str, ...], options: InrOptions) -> str:
    chosen = (options.medication or "").strip().lower()
    if chosen:
        if chosen not in VKAS:
            raise K2LabError(
                f"'{chosen[:30]}' is not a vitamin K antagonist with INR parameters; "
                f"choose {' or '.join(VKAS)}.",
                field="medication",
            )
        return chosen
    return next((m for m in diary_meds if m in VKAS), VKAS[0])


def inr_result(
    s: Session, foods: FoodDatabase, owner_id: int, diary_id: int | None, options: InrOptions
) -> tuple[Any, str, InrStability, tuple[InrCheck, ...]]:
    """The diary, the antagonist used, its INR stability and the published checks."""
    diary = current_diary(s, owner_id, diary_id)
    medication = _medication(diary_medications(diary), options)
    key = (*report_key(s, diary, None, None, foods.path), medication, options)
    cached = _RESULTS.get(key)
    if cached is None:
        result = inr_stability(
            diary_to_diet(diary, foods), medication=medication, inr_target=options.inr_target,
            therapeutic_range=options.therapeutic_range, weeks=options.weeks, n_samples=WEB_DRAWS,
        )  # fmt: skip
        cached = (result, published_checks())
        _RESULTS.put(key, cached)
    return diary, medication, *cached


def inr_chart(r: InrStability) -> Chart:
    """The diary's INR against the same average every day, daily points."""
    days = [round(float(t) / 24.0, 3) for t in r.time_h]
    low, high = r.therapeutic_range
    return Chart(
        "inr",
        f"INR on {r.medication}: your diary against the same vitamin K every day",
        "Day",
        "INR",
        (
            Trace("Diary as written", days, [float(x) for x in r.diary_inr], color="#c62828"),
            Trace(
                "Same average every day", days, [float(x) for x in r.steady_inr], color="#1565c0"
            ),
        ),
        note=f"Dashed line: the target {r.inr_target:g}; therapeutic range {low:g}–{high:g}. "
        "Only vitamin K intake moves the INR here (a model estimate, not a prediction for you).",
        reference=(r.inr_target, f"target {r.inr_target:g}"),
    )


@pages.get("/inr", response_class=HTMLResponse)
def inr_page(request: Request, s: DbSession, state: State, user: CurrentUser) -> HTMLResponse:
    """How steady ``?diary=`` keeps the INR (``?medication=&target=&range=&weeks=``)."""
    q = request.query_params
    options = InrOptions.parse(q)
    diary_id = parse_diary_id(q.get("diary"))
    selected = current_diary(s, user.id, diary_id)
    form = {
        "target": q.get("target", "2.5"), "range": q.get("range", "2-3"),
        "weeks": q.get("weeks", "8"), "medication": q.get("medication", ""),
    }  # fmt: skip
    context: dict[str, Any] = {
        "diaries": list_diaries(s, user.id), "selected": selected, "form": form,
        "vkas": VKAS, "on_vka": any(m in VKAS for m in diary_medications(selected)),
    }  # fmt: skip
    try:
        _, medication, result, checks = inr_result(s, state.foods, user.id, selected.id, options)
    except K2LabError as exc:
        if exc.field != "date":
            raise
        return render(request, "inr.html", **context)
    ratios = [c.observed_inr_change / c.model_inr_change for c in checks if c.model_inr_change]
    context.update(
        medication=medication, r=result, checks=checks, figure=inr_chart(result),
        ratios=(min(ratios), max(ratios)) if ratios else None,
    )  # fmt: skip
    return render(request, "inr.html", **context)


class InrOut(BaseModel):
    """What ``k2lab inr --json`` prints (INR unitless, time in days, intake in µg)."""

    model_config = ConfigDict(extra="allow")

    medication: str
    inr_target: float
    therapeutic_range: list[float]
    cycle_days: int
    diary: dict[str, float]
    steady: dict[str, float]
    in_range_percent_interval: list[float]
    published_checks: list[dict[str, Any]]


_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such diary of yours."},
    422: {"description": "Bad option, or a diary without entries (`loc` names the field)."},
}


@api.get("/diaries/{diary_id}/inr", responses=_RESPONSES)
def api_inr(
    s: DbSession,
    state: State,
    user: CurrentUser,
    diary_id: Id,
    medication: Annotated[str | None, Query(max_length=40)] = None,
    target: Annotated[float, Query(ge=1.0, le=6.0)] = 2.5,
    low: Annotated[float, Query(ge=1.0, le=6.0)] = 2.0,
    high: Annotated[float, Query(ge=1.0, le=6.0)] = 3.0,
    weeks: Annotated[float, Query(ge=1.0, le=52.0)] = 8.0,
) -> InrOut:
    """INR over ``weeks`` on the diary as written and on its average every day, time in
    range, and the model's INR response next to published studies."""
    options = InrOptions(medication, target, (low, high), weeks)
    _, _, result, checks = inr_result(s, state.foods, user.id, diary_id, options)
    return InrOut.model_validate(
        {**result.to_dict(), "published_checks": [c.to_dict() for c in checks]}
    )
