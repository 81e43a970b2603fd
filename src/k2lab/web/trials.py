"""The Trials page and API: a virtual trial from a design in the TOML of
``k2lab trial run`` (arms with regimens, n per arm, visits, endpoints, dropout, analysis),
run in the simulation pool, then each arm's change from baseline, the effect against the
control arm with its 95 % CI and p-value, and the mean per visit as charts.

- ``GET /trials[?example=NAME]``: the form (the design, prefilled with an example design)
  and the latest trials; ``POST /trials``: validate, queue, 303 to ``/trials/{id}``.
- ``GET /trials/{id}``: progress (htmx polls ``/trials/{id}/status``), then the results.
- ``POST /api/v1/trials`` ``{"design_toml": "..."}`` → 202 with the run (200 when an equal
  finished trial is reused), 422 naming the field; ``GET /api/v1/trials``,
  ``GET /api/v1/trials/{id}``, ``GET /api/v1/trials/{id}/result`` (409 until done).

A web trial is bounded to :data:`MAX_WEB_PERSON_YEARS`; larger ones and Dask clusters are
the CLI's (``k2lab trial run``). The same form's "power curve" button is
:mod:`k2lab.web.trial_power`.

Example
-------
>>> job = trial_job('''
... [trial]
... name = "x"
... visits_weeks = [0, 12]
... [population]
... preset = "postmenopausal"
... [[arms]]
... name = "placebo"
... n = 10
... regimens = []
... [[arms]]
... name = "MK-7"
... n = 10
... regimens = ["MK-7 180 ug daily"]
... [[endpoints]]
... name = "dp_ucMGP_pmol_per_L"
... [analysis]
... control = "placebo"
... ''')
>>> job.kind, [a.n for a in job.spec.arms]
('trial', [10, 10])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from k2lab.errors import K2LabError
from k2lab.population import TrialSpec, run_trial
from k2lab.store.schema import SimulationRun, User
from k2lab.web.charts import Chart, Trace
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.power_job import form_context
from k2lab.web.runs import (
    RunId,
    RunLinks,
    RunOut,
    RunPage,
    accepted,
    finished_result,
    owned_run,
    queue_job,
    recent_runs,
    run_page,
)
from k2lab.web.simulations import run_out as simulation_run_out
from k2lab.web.state import AppState
from k2lab.web.trial_design import (
    MAX_DESIGN_CHARS,
    POWER_KIND,
    TRIAL_KIND,
    endpoint_label,
    example_designs,
    parse_design,
)

__all__ = ["MAX_DESIGN_CHARS", "MAX_WEB_PERSON_YEARS", "TrialJob", "api", "pages", "trial_job"]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["trials"])

#: Most person-years one web trial simulates (2 arms × 250 people × 3 years: ~10 s here).
MAX_WEB_PERSON_YEARS = 1500.0
KIND = TRIAL_KIND


@dataclass(frozen=True)
class TrialJob:
    """A virtual trial for the pool: :func:`k2lab.population.run_trial` of ``spec``."""

    spec: TrialSpec
    kind: ClassVar[str] = KIND

    def canonical(self) -> dict[str, Any]:
        """The design as JSON (what the reuse key hashes)."""
        return {"trial": self.spec.to_dict()}

    def compute(self, progress: Callable[[float], None] = lambda _p: None) -> dict[str, Any]:
        """``TrialResult.to_dict``; ``progress(share)`` as chunks of people finish."""
        result = run_trial(self.spec, progress=lambda done, total: progress(done / max(total, 1)))
        return result.to_dict()


def trial_job(text: str, field: str = "design_toml") -> TrialJob:
    """The job of a design written as TOML; a :class:`K2LabError` naming ``field`` (or the
    design's own key, e.g. ``arms[1].n``) when it is not a design a web trial can run."""
    spec = parse_design(text, field)
    person_years = sum(a.n for a in spec.arms) * spec.years
    if person_years > MAX_WEB_PERSON_YEARS:
        raise K2LabError(
            f"This trial is {person_years:,.0f} person-years; the web runs up to "
            f"{MAX_WEB_PERSON_YEARS:,.0f} (fewer people or a shorter trial). Larger trials: "
            "`k2lab trial run design.toml`, on a Dask cluster if you like.",
            field=field,
        )
    return TrialJob(spec)


def _submit(state: AppState, s: Session, user: User, text: str) -> tuple[SimulationRun, bool]:
    job = trial_job(text)
    return queue_job(state, s, user, job, {"name": job.spec.name})


def run_out(run: SimulationRun) -> RunOut:
    """The API's view of a trial run."""
    out = simulation_run_out(run)
    return out.model_copy(
        update={
            "label": str(run.request.get("name", "")),
            "links": RunLinks(
                self=f"/api/v1/trials/{run.id}",
                result=f"/api/v1/trials/{run.id}/result",
                page=f"/trials/{run.id}",
            ),
        }
    )


# -- what the results page shows -----------------------------------------------------------


def trial_charts(result: dict[str, Any]) -> list[Chart]:
    """One chart per endpoint: each arm's mean at each visit, ± 1 SD as a band."""
    weeks = [float(w) for w in result["trial"]["visits_weeks"]]
    charts = []
    names = [e["name"] for e in result["trial"]["endpoints"]]
    for i, name in enumerate(names):
        label, unit = endpoint_label(name)
        traces = []
        for arm, by_endpoint in result["visits"].items():
            series = by_endpoint[name]
            mean = [float("nan") if m is None else m for m in series["mean"]]
            sd = [0.0 if v is None else v for v in series["sd"]]
            traces.append(Trace(arm, weeks, mean, low=[m - v for m, v in zip(mean, sd, strict=True)],
                                high=[m + v for m, v in zip(mean, sd, strict=True)], band="± 1 SD"))  # fmt: skip
        charts.append(
            Chart(f"endpoint-{i}", f"{label}, mean per visit", "Week", f"{label} ({unit})",
                  tuple(traces), note="Bands: ± 1 SD between the people of each arm (not a confidence interval).")
        )  # fmt: skip
    return charts


def _effects(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for e in result["effects"]:
        label, unit = endpoint_label(e["endpoint"])
        per = "%" if e["change"] == "percent" else unit
        rows.append({**e, "label": label, "per": per})
    return rows


# -- pages ----------------------------------------------------------------------------------


@pages.get("/trials", response_class=HTMLResponse)
def trials_form(
    request: Request,
    s: DbSession,
    user: CurrentUser,
    example: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    """The design form, prefilled with ``?example=`` (or the first example)."""
    examples = example_designs()
    if example is not None and example not in examples:
        raise K2LabError(
            f"No example design '{example[:40]}'; use {', '.join(examples) or 'none'}.",
            field="example",
        )
    chosen = example or next(iter(examples), None)
    design = examples.get(chosen or "", "")
    return render(request, "trials.html", examples=examples, chosen=chosen, design=design,
                  runs=recent_runs(s, user.id, KIND), max_person_years=MAX_WEB_PERSON_YEARS,
                  power_runs=recent_runs(s, user.id, POWER_KIND), **form_context(design))  # fmt: skip


@pages.post("/trials")
def trials_submit(
    state: State,
    s: DbSession,
    user: CurrentUser,
    design_toml: Annotated[str, Form(max_length=MAX_DESIGN_CHARS)],
) -> Response:
    """Queue the trial and go to its page (303)."""
    run, _ = _submit(state, s, user, design_toml)
    return RedirectResponse(f"/trials/{run.id}", status_code=303)


def _run_context(run: SimulationRun) -> dict[str, Any]:
    ctx: dict[str, Any] = {"run": run, "name": run.request.get("name", ""), "base": "/trials"}
    if run.status == "done" and run.result is not None:
        ctx.update(result=run.result, charts=trial_charts(run.result),
                   effects=_effects(run.result))  # fmt: skip
    return ctx


@pages.get("/trials/{run_id}", response_class=HTMLResponse)
def trial_page(request: Request, run_id: RunId, s: DbSession, user: CurrentUser) -> HTMLResponse:
    """A trial: its progress, or its results."""
    return render(request, "trial_run.html", **_run_context(owned_run(s, user, run_id, KIND)))


@pages.get("/trials/{run_id}/status", response_class=HTMLResponse)
def trial_status(request: Request, run_id: RunId, s: DbSession, user: CurrentUser) -> Response:
    """The progress fragment htmx polls; once done it asks for a page refresh."""
    run = owned_run(s, user, run_id, KIND)
    response = render(request, "trial_status.html", run=run, base="/trials")
    if run.status == "done" and request.headers.get("HX-Request"):
        response.headers["HX-Refresh"] = "true"
    return response


# -- API ------------------------------------------------------------------------------------


class TrialRequest(BaseModel):
    """A trial design, as the TOML that ``k2lab trial run`` reads."""

    model_config = ConfigDict(strict=True, extra="forbid")

    design_toml: str = Field(max_length=MAX_DESIGN_CHARS, description="The design (TOML).")


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such trial of yours."},
    422: {"description": "Bad input; the field is named."},
}


@api.post(
    "/trials",
    status_code=202,
    responses={
        200: {"model": RunOut, "description": "An equal finished trial, reused."},
        400: {"description": "The body is not JSON."},
        503: {"description": "The queue is full; retry after the Retry-After seconds."},
        **_ERRORS,
    },
)
def post_trial(req: TrialRequest, state: State, s: DbSession, user: CurrentUser) -> JSONResponse:
    """Submit a virtual trial; 202 with its id and links (200 if reused and done)."""
    return accepted(*_submit(state, s, user, req.design_toml), run_out)


@api.get("/trials")
def list_trials(
    s: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> RunPage:
    """The user's trials, newest first."""
    return run_page(s, user.id, KIND, limit, offset, run_out)


@api.get("/trials/{run_id}", responses=_ERRORS)
def get_trial(run_id: RunId, s: DbSession, user: CurrentUser) -> RunOut:
    """A trial's status and progress."""
    return run_out(owned_run(s, user, run_id, KIND))


@api.get(
    "/trials/{run_id}/result",
    responses={409: {"description": "Not done (queued, running or failed)."}, **_ERRORS},
)
def get_trial_result(run_id: RunId, s: DbSession, user: CurrentUser) -> dict[str, Any]:
    """The result: the design, effects with 95 % CI and p-values, means per visit."""
    return finished_result(owned_run(s, user, run_id, KIND), "Trial")
