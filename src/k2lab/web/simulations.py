"""The simulations API: submit a scenario (or a diary's outlook), follow its progress,
read its result in the trajectory schema.

- ``POST /api/v1/simulations`` → 202 with the run (200 when an equal finished run is
  reused), 422 naming the field, 503 with ``Retry-After`` when the queue is full.
- ``GET /api/v1/simulations`` (the owner's runs, newest first, paginated),
  ``GET /api/v1/simulations/{id}`` (status and progress),
  ``GET /api/v1/simulations/{id}/result``: ``k2lab.trajectory/1`` JSON, or for a
  comparison ``{"schema", "a", "b", "difference_b_minus_a"}``; **409** while the run is
  queued or running (and for a failed run, with its message): the resource exists but is
  not in the state the request needs. Another owner's run is 404.

The pool, its bounds and the reuse rule are in :mod:`k2lab.web.jobs`; what every kind of
run shares (queueing, listing, ownership) is in :mod:`k2lab.web.runs`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from k2lab.errors import K2LabError, ScenarioError
from k2lab.person import Person
from k2lab.scenario import Horizon, Scenario
from k2lab.simulation import SimulationOptions
from k2lab.store.diaries import current_diary, diary_medications, diary_person, diary_to_diet
from k2lab.store.schema import SimulationRun, User
from k2lab.web.deps import CurrentUser, DbSession, State
from k2lab.web.jobs import (
    DIARY_LABEL,
    MAX_WEB_SAMPLES,
    Job,
)
from k2lab.web.runs import (
    MAX_ID,
    RunId,
    RunLinks,
    RunOut,
    RunPage,
    accepted,
    finished_result,
    owned_run,
    queue_job,
    run_page,
    utc,
)
from k2lab.web.state import AppState

__all__ = [
    "DEFAULT_ADD",
    "MAX_ADDED",
    "PersonSpec",
    "SimulationRequest",
    "api",
    "job_for",
    "latest_result",
    "submit",
]

api = APIRouter(prefix="/api/v1", tags=["simulations"])

#: What the outlook compares with unless told otherwise.
DEFAULT_ADD = "MK-7 180 ug daily"
#: Most supplements one comparison adds.
MAX_ADDED = 10
T = TypeVar("T")
_Text = Annotated[str, Field(min_length=1, max_length=200)]


class PersonSpec(BaseModel):
    """Who is simulated: a preset ``population`` and/or :class:`k2lab.person.Person` fields
    (left out: the stated defaults)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    population: str | None = Field(default=None, max_length=40, examples=["postmenopausal"])
    age: float | None = Field(default=None, examples=[64])
    sex: str | None = Field(default=None, max_length=10, examples=["female"])
    menopause_age: float | None = None
    weight_kg: float | None = None
    egfr_ml_per_min: float | None = None
    dialysis: bool | None = None
    sun: str | None = Field(default=None, max_length=20)
    calcification_au: float | None = None
    calcium_food_mg_per_day: float | None = None
    vitamin_d_food_ug_per_day: float | None = None

    def person(self) -> Person:
        """The :class:`Person` (raises :class:`ScenarioError` naming the field)."""
        given = self.model_dump(exclude_none=True, exclude={"population"})
        return Person.preset(self.population, **given) if self.population else Person(**given)


class SimulationRequest(BaseModel):
    """A diary's outlook (``diary_id``) or a scenario (``person``, ``supplements``,
    ``medications``); ``add`` (regimen texts) makes it a comparison; one of ``years``,
    ``weeks`` or ``hours`` (default 10 years)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    diary_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    person: PersonSpec | None = None
    supplements: list[_Text] = Field(default_factory=list, max_length=20)
    medications: list[_Text] = Field(default_factory=list, max_length=10)
    add: list[_Text] = Field(default_factory=list, max_length=MAX_ADDED, examples=[[DEFAULT_ADD]])
    years: float | None = Field(default=None, examples=[10])
    weeks: float | None = None
    hours: float | None = None
    samples: int = Field(default=MAX_WEB_SAMPLES, ge=1, le=MAX_WEB_SAMPLES)
    seed: int = Field(default=20121, ge=0, le=2**31 - 1)


def _horizon(req: SimulationRequest) -> Horizon:
    given = [(k, v) for k in ("years", "weeks", "hours") if (v := getattr(req, k)) is not None]
    if len(given) > 1:
        raise ScenarioError(
            f"Give one of years, weeks or hours, not {' and '.join(k for k, _ in given)}.",
            field=given[1][0],
        )
    name, value = given[0] if given else ("years", 10.0)
    try:
        return Horizon(value * {"years": 8766.0, "weeks": 168.0, "hours": 1.0}[name])
    except ScenarioError as exc:
        raise ScenarioError(exc.message, field=name) from None


def _named(field: str, build: Callable[[], T]) -> T:
    """``build()``; an error of it that names no field gets ``field``."""
    try:
        return build()
    except K2LabError as exc:
        if exc.field:
            raise
        raise type(exc)(exc.message, field=field) from None


def job_for(
    state: AppState, s: Session, user: User, req: SimulationRequest
) -> tuple[Job, dict[str, Any]]:
    """The job a request asks for and what to store with it (the diary id); raises
    :class:`~k2lab.errors.K2LabError` naming the bad field."""
    horizon = _horizon(req)
    options = SimulationOptions(n_samples=req.samples, seed=req.seed)
    add = tuple(req.add)
    _named("add", lambda: Scenario(supplements=add))
    if req.diary_id is not None:
        for name in ("person", "supplements", "medications"):
            if getattr(req, name):
                raise ScenarioError(
                    f"{name} comes from the diary; leave it out with diary_id.", field=name
                )
        return _diary_job(state, s, user, req.diary_id, horizon, add, options), {
            "diary_id": req.diary_id
        }
    person = _named("person", (req.person or PersonSpec()).person)
    base = _named(
        "supplements",
        lambda: Scenario(person, supplements=tuple(req.supplements),
                         medications=tuple(req.medications), horizon=horizon),
    )  # fmt: skip
    return Job(base, add, options), {}


def _diary_job(
    state: AppState,
    s: Session,
    user: User,
    diary_id: int,
    horizon: Horizon,
    add: tuple[str, ...],
    options: SimulationOptions,
) -> Job:
    diary = current_diary(s, user.id, diary_id)
    # A diary without entries: the person on the model's reference intakes (the page says so).
    diet = diary_to_diet(diary, state.foods) if any(d.entries for d in diary.days) else None
    base = _named(
        "diary_id",
        lambda: Scenario(diary_person(diary), diet=diet, medications=diary_medications(diary),
                         horizon=horizon, label=DIARY_LABEL),
    )  # fmt: skip
    return Job(base, add, options)


def submit(
    state: AppState, s: Session, user: User, req: SimulationRequest
) -> tuple[SimulationRun, bool]:
    """Validate ``req``, then reuse or queue its run (503 when the queue is full)."""
    job, meta = job_for(state, s, user, req)
    return queue_job(state, s, user, job, meta)


def run_label(run: SimulationRun) -> str:
    """What the run simulates, for lists: the base and what was added."""
    req = run.request
    label = str(req.get("base", {}).get("label", ""))
    add = req.get("add") or []
    return f"{label}, and with {' + '.join(add)}" if add else label


def run_out(run: SimulationRun) -> RunOut:
    """The API's view of ``run``."""
    return RunOut(
        id=run.id,
        status=run.status,  # type: ignore[arg-type]
        progress=round(run.progress, 4),
        error=run.error,
        label=run_label(run),
        created_at=utc(run.created_at) or run.created_at,
        finished_at=utc(run.finished_at),
        links=RunLinks(
            self=f"/api/v1/simulations/{run.id}",
            result=f"/api/v1/simulations/{run.id}/result",
            page=f"/outlook/{run.id}",
        ),
    )


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such run of yours."},
    422: {"description": "Bad input; the field is named."},
}


@api.post(
    "/simulations",
    status_code=202,
    responses={
        200: {"model": RunOut, "description": "An equal finished run, reused."},
        400: {"description": "The body is not JSON."},
        503: {"description": "The queue is full; retry after the Retry-After seconds."},
        **_ERRORS,
    },
)
def post_simulation(
    req: SimulationRequest, state: State, s: DbSession, user: CurrentUser
) -> JSONResponse:
    """Submit a simulation; 202 with its id and links (200 if reused and done)."""
    return accepted(*submit(state, s, user, req), run_out)


@api.get("/simulations")
def list_simulations(
    s: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> RunPage:
    """The user's runs, newest first."""
    return run_page(s, user.id, "simulation", limit, offset, run_out)


@api.get("/simulations/{run_id}", responses=_ERRORS)
def get_simulation(run_id: RunId, s: DbSession, user: CurrentUser) -> RunOut:
    """A run's status and progress."""
    return run_out(owned_run(s, user, run_id))


@api.get(
    "/simulations/{run_id}/result",
    responses={409: {"description": "Not done (queued, running or failed)."}, **_ERRORS},
)
def get_result(run_id: RunId, s: DbSession, user: CurrentUser) -> dict[str, Any]:
    """The result: ``k2lab.trajectory/1`` JSON, or a comparison of two."""
    return finished_result(owned_run(s, user, run_id))


def latest_result(s: Session, owner_id: int, diary_id: int) -> dict[str, Any] | None:
    """The result of the owner's latest finished outlook of diary ``diary_id`` (for the PDF
    report; draw it with :func:`k2lab.web.outlook_charts.outlook_charts`), or ``None``."""
    runs = s.scalars(
        select(SimulationRun)
        .where(
            SimulationRun.owner_id == owner_id,
            SimulationRun.kind == "simulation",
            SimulationRun.status == "done",
        )
        .order_by(SimulationRun.id.desc())
        .limit(200)
    )
    return next((r.result for r in runs if r.request.get("diary_id") == diary_id), None)
