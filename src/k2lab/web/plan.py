"""Plan: the planner's form (pattern, K2 target, exclusions, days, supplements,
anticoagulated) → whole days as portions and grams, the nutrients against their limits, and
the diagnosis when no plan meets every constraint; ``POST /api/v1/plans`` gives the plan
JSON of ``k2lab plan --json``.

The inputs become constraints exactly as the CLI's ``k2lab plan`` builds them (whole days
from scratch, the closest objective); the web caps a plan at :data:`MAX_WEB_DAYS` days and
each solve at :data:`SOLVE_LIMIT_S` seconds so an answer comes in seconds, and runs at most
:data:`CONCURRENT_PLANS` at once (routes are plain ``def``: FastAPI's thread pool).

An infeasible plan is an answer, not an error: 200 with ``status: "infeasible"`` and the
``diagnosis`` (the CLI prints the same and exits 2).
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from k2lab.advice import DISCLAIMER
from k2lab.errors import K2LabError, UnitError
from k2lab.foods.database import FoodDatabase
from k2lab.foods.nutrients import DIET_PATTERNS, NUTRIENT_UNITS
from k2lab.intake import parse_supplement
from k2lab.intake.cover import parse_target
from k2lab.person import Person
from k2lab.plan import (
    DietPlan,
    candidate_foods,
    plan_diet,
    split_exclusions,
    whole_day_constraints,
)
from k2lab.report import plan_json
from k2lab.web.deps import CurrentUser, State, render

__all__ = [
    "CONCURRENT_PLANS",
    "MAX_WEB_DAYS",
    "SOLVE_LIMIT_S",
    "PlanRequest",
    "api",
    "pages",
    "run_plan",
]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["plans"])

#: Most days one web plan covers (7 days take ~10 s on 2 cores; 14 took 20-40 s).
MAX_WEB_DAYS = 7
#: Seconds per solve (a day of a day-by-day plan); the solver then keeps its best plan so
#: far (status ``time_limit``: every constraint met, maybe not the closest plan; a 1-day
#: omnivore plan is within 2 % of the best after ~5 s, the CLI's limit per day).
SOLVE_LIMIT_S = 2.0
#: Plans computed at once; the others wait up to :data:`QUEUE_WAIT_S`, then get a 503.
CONCURRENT_PLANS = 2
QUEUE_WAIT_S = 30.0
_MAX_LIST = 20


class PlanRequest(BaseModel):
    """What to plan (the CLI's ``k2lab plan`` options of the same names)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    pattern: str = Field("omnivore", description=f"One of {', '.join(DIET_PATTERNS)}.")
    target: str = Field("90 ug K2", max_length=80, description="'90 ug K2' or '180 ug MK-7'.")
    exclude: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list,
        max_length=_MAX_LIST,
        description="Food groups (soy, fish, dairy, egg, organ_meat) or food names.",
    )
    days: int = Field(1, ge=1, le=MAX_WEB_DAYS)
    supplements: list[Annotated[str, Field(max_length=120)]] = Field(
        default_factory=list, max_length=_MAX_LIST, description="Daily supplements: 'D3 15 ug'."
    )
    anticoagulated: bool = Field(
        False,
        description="On a vitamin K antagonist (warfarin ...): total vitamin K kept within "
        "100 µg between days, natto excluded, food MK-7 below 10 µg a day.",
    )


def _field(name: str, call: Any, *args: Any) -> Any:
    """``call(*args)``, with a K2LabError pointed at the input ``name``."""
    try:
        return call(*args)
    except K2LabError as exc:
        exc.field = name
        raise


def _constraints(db: FoodDatabase, person: Person, req: PlanRequest) -> Any:
    pattern = req.pattern.strip().lower()
    if pattern not in DIET_PATTERNS:
        raise K2LabError(
            f"Unknown diet pattern '{req.pattern}'. Use one of: {', '.join(DIET_PATTERNS)}.",
            field="pattern",
        )
    t = _field("target", parse_target, req.target)
    if t.form in ("K1", "K"):
        raise UnitError(
            f"The target must be in K2 or one menaquinone, not {t.form}: write e.g. "
            "'90 ug K2' or '180 ug MK-7'.",
            field="target",
        )
    groups, foods = _field("exclude", split_exclusions, db, req.exclude)
    supplements = tuple(_field("supplements", parse_supplement, s) for s in req.supplements)
    return whole_day_constraints(
        person.with_(diet=pattern),
        k2_target_ug=t.amount_ug,
        k2_form=t.form,
        days=req.days,
        exclude_groups=frozenset(groups),
        exclude_foods=frozenset(foods),
        supplements=supplements,
        steady_k_range_ug=100.0 if req.anticoagulated else None,
    )


def _gate(state: Any) -> threading.BoundedSemaphore:
    gate: threading.BoundedSemaphore = state.extras.setdefault(
        "plan_gate", threading.BoundedSemaphore(CONCURRENT_PLANS)
    )
    return gate


def warm_up(state: Any) -> None:
    """Load the candidate foods once in the background (the first plan of an app reads
    every food: ~8 s), started when someone opens the form."""
    if state.extras.setdefault("plan_warm", False):
        return
    state.extras["plan_warm"] = True
    c = whole_day_constraints(Person(), k2_target_ug=90.0, days=1)
    threading.Thread(target=candidate_foods, args=(state.foods, c), daemon=True).start()


def run_plan(state: Any, req: PlanRequest, person: Person | None = None) -> DietPlan:
    """The plan for ``req`` (errors name the field), at most :data:`CONCURRENT_PLANS` at once."""
    constraints = _constraints(state.foods, person or Person(), req)
    gate = _gate(state)
    if not gate.acquire(timeout=QUEUE_WAIT_S):
        raise HTTPException(
            503, "The planner is busy; try again in a minute.", headers={"Retry-After": "30"}
        )
    try:
        return plan_diet(state.foods, constraints, "closest", time_limit_s=SOLVE_LIMIT_S)
    finally:
        gate.release()


_LABELS = {"K2": "K2 (all menaquinones)", "K": "Vitamin K (all forms)", "energy": "Energy"}


def _label(nutrient: str) -> str:
    """``vitamin_b12`` -> ``Vitamin B12``, ``MK-7`` stays."""
    if nutrient in _LABELS:
        return _LABELS[nutrient]
    head, _, rest = nutrient.partition("_")
    if head == "vitamin":
        return f"Vitamin {rest.upper()}"
    return nutrient.replace("_", " ").capitalize() if nutrient.islower() else nutrient


def limits(plan: DietPlan) -> list[dict[str, Any]]:
    """Each bounded nutrient: its label, unit, limits and the amount on each day."""
    c = plan.constraints
    rows: list[tuple[str, float | None, float | None, str]] = [
        (c.k2_form, c.k2_target_ug, c.k2_max_ug, "your target"),
        ("K1", c.k1_min_ug, None, "reference intake"),
        ("energy", c.energy_min_kcal, c.energy_max_kcal, "your energy need ±10 %"),
        ("calcium", c.calcium_min_mg, c.calcium_max_mg, "reference intake"),
    ]
    seen = {r[0] for r in rows}
    rows += [
        (b.nutrient, b.min, b.max, b.authority) for b in c.nutrient_bounds if b.nutrient not in seen
    ]
    out = []
    for nutrient, low, high, basis in rows:
        if low is None and high is None:
            continue
        unit = NUTRIENT_UNITS.get(nutrient, "ug").replace("ug", "µg")
        out.append(
            {"label": _label(nutrient), "unit": unit, "min": low, "max": high, "basis": basis,
             "days": [t.get(nutrient, 0.0) for t in plan.day_totals]}
        )  # fmt: skip
    return out


def _request_from_form(params: Any) -> PlanRequest:
    """The form's query (text fields; exclusions and supplements comma separated)."""
    days_text = str(params.get("days", "1")).strip()
    if not days_text.isdigit() or not 1 <= int(days_text) <= MAX_WEB_DAYS:
        raise K2LabError(
            f"Days must be a whole number from 1 to {MAX_WEB_DAYS}, not '{days_text}'.",
            field="days",
        )

    def items(name: str) -> list[str]:
        values = [v.strip() for v in str(params.get(name, "")).split(",") if v.strip()]
        if len(values) > _MAX_LIST or any(len(v) > 200 for v in values):
            raise K2LabError(f"At most {_MAX_LIST} {name}, each up to 200 characters.", field=name)
        return values

    target = str(params.get("target", "")).strip()[:80]
    return PlanRequest(
        pattern=str(params.get("pattern", "omnivore")),
        target=target or "90 ug K2",
        exclude=items("exclude"),
        days=int(days_text),
        supplements=items("supplements"),
        anticoagulated=params.get("anticoagulated") in ("on", "true", "1"),
    )


# -- pages ------------------------------------------------------------------------------


@pages.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, state: State, user: CurrentUser) -> HTMLResponse:
    """The form; with ``?target=`` (the form submitted) the plan under it."""
    params = request.query_params
    form = {
        "pattern": params.get("pattern", "omnivore"),
        "target": params.get("target", "90 ug K2"),
        "exclude": params.get("exclude", ""),
        "days": params.get("days", "1"),
        "supplements": params.get("supplements", ""),
        "anticoagulated": params.get("anticoagulated") in ("on", "true", "1"),
    }
    context: dict[str, Any] = {
        "form": form,
        "patterns": DIET_PATTERNS,
        "max_days": MAX_WEB_DAYS,
        "solve_limit_s": SOLVE_LIMIT_S,
        "plan": None,
        "disclaimer": DISCLAIMER,
    }
    if "target" in params:
        plan = run_plan(state, _request_from_form(params))
        context.update(plan=plan, body=plan_json(plan), limits=limits(plan))
    else:
        warm_up(state)
    if request.headers.get("HX-Request") and context["plan"] is not None:
        return render(request, "plan_result.html", **context)
    return render(request, "plan.html", **context)


# -- API --------------------------------------------------------------------------------


class PlannedFood(BaseModel):
    """Whole portions of one food on one day."""

    food_key: str
    name: str
    portion: str
    portions: int
    grams: float


class PlanDay(BaseModel):
    """One day: its foods and its totals (every tracked nutrient, units in the names)."""

    model_config = ConfigDict(extra="allow")

    day: int
    foods: list[PlannedFood]
    k1_ug: float
    mk4_ug: float
    mk7_ug: float
    k2_total_ug: float
    k_total_ug: float


class BindingOut(BaseModel):
    """A constraint the plan sits on."""

    constraint: str
    label: str
    bound: float
    unit: str
    days: list[int]


class ChangeOut(BaseModel):
    """A change against the current diet."""

    kind: str
    food: str
    replaces: str | None
    grams_per_day: float
    days: list[int]
    text: str


class ShortfallOut(BaseModel):
    """How far the best plan misses one constraint."""

    constraint: str
    short_by: float
    unit: str
    days: list[int]
    message: str


class DiagnosisOut(BaseModel):
    """Why no plan exists: constraints that cannot all hold, and what would fix it."""

    relax: list[str]
    relax_labels: list[str]
    binding: list[ShortfallOut]
    max_k2_from_food_ug_per_day: float
    proposals: list[str]
    proposed_supplements: list[str]
    feasible_with_proposal: bool | None


class PlanOut(BaseModel):
    """What ``k2lab plan --json`` prints: status, days, binding constraints, diagnosis."""

    status: str = Field(description="ok, infeasible (see diagnosis), time_limit or error.")
    message: str
    objective: str
    backend: str
    candidate_foods: int
    solve_seconds: float
    mip_gap: float | None
    constraints: dict[str, Any]
    days: list[PlanDay]
    binding: list[BindingOut]
    k2_note: str
    changes: list[ChangeOut]
    objective_value: float | None
    diagnosis: DiagnosisOut | None = None
    disclaimer: str


@api.post(
    "/plans",
    responses={
        200: {"description": "A plan, or (status infeasible) the diagnosis of why none exists."},
        422: {"description": "Bad input; `loc` names the field."},
        503: {"description": "The planner is busy; retry after the Retry-After seconds."},
    },
)
def api_plan(state: State, user: CurrentUser, req: PlanRequest) -> PlanOut:
    """Plan whole days that reach a K2 target (infeasible plans come back with the diagnosis)."""
    plan = run_plan(state, req)
    return PlanOut.model_validate({**plan_json(plan), "disclaimer": DISCLAIMER})
