"""Power curves on the web: for a trial design (the TOML of ``k2lab trial run``), an
endpoint, a range of n per arm, a number of replicates and α, many virtual trials per n
(:func:`k2lab.population.power_curve`) in the simulation pool, then the power by n with its
Monte-Carlo 95 % interval, the estimated effect, and the smallest n that reaches 80 %.

- ``POST /trials/power`` (the "power curve" button of the trial form): validate, queue,
  303 to ``/trials/power/{id}``; ``POST /trials/power/choices``: the form's endpoint and
  arm choices for the design being edited (htmx); ``GET /trials/power``: back to the form.
- ``GET /trials/power/{id}``: progress (htmx polls ``…/status``), then the results;
  ``GET /trials/power/{id}/chart/{chart}?format=svg|png``: a chart as an image.
- ``POST /api/v1/trials/power`` → 202 with the run (200 when an equal finished curve is
  reused), 422 naming the field (and the limit it passes); ``GET /api/v1/trials/power``,
  ``GET /api/v1/trials/power/{id}``, ``GET /api/v1/trials/power/{id}/result`` (409 until
  done).

The job, the validation and the bound on the work are :mod:`k2lab.web.power_job`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from k2lab.errors import NotFoundError
from k2lab.store.schema import SimulationRun, User
from k2lab.web.charts import render_image
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.power_charts import endpoint_of, power_charts, power_rows
from k2lab.web.power_job import (
    DEFAULT_REPLICATES,
    MAX_N_VALUES,
    MAX_REPLICATES,
    PowerJob,
    form_context,
    power_job,
)
from k2lab.web.runs import (
    RunId,
    RunLinks,
    RunOut,
    RunPage,
    accepted,
    finished_result,
    owned_run,
    queue_job,
    run_page,
)
from k2lab.web.simulations import run_out as simulation_run_out
from k2lab.web.state import AppState
from k2lab.web.trial_design import MAX_DESIGN_CHARS, POWER_KIND

__all__ = ["PowerRequest", "api", "pages", "run_out"]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["trials"])


def _submit(state: AppState, s: Session, user: User, job: PowerJob) -> tuple[SimulationRun, bool]:
    return queue_job(state, s, user, job, {"name": job.spec.name})


def run_out(run: SimulationRun) -> RunOut:
    """The API's view of a power-curve run."""
    out = simulation_run_out(run)
    label = f"{run.request.get('name', '')}: {run.request.get('endpoint', '')}".strip(": ")
    return out.model_copy(
        update={
            "label": label,
            "links": RunLinks(
                self=f"/api/v1/trials/power/{run.id}",
                result=f"/api/v1/trials/power/{run.id}/result",
                page=f"/trials/power/{run.id}",
            ),
        }
    )


# -- pages ----------------------------------------------------------------------------------


@pages.get("/trials/power")
def power_home() -> RedirectResponse:
    """The power form is part of the trial form."""
    return RedirectResponse("/trials#power", status_code=303)


@pages.post("/trials/power/choices", response_class=HTMLResponse)
def power_form_choices(
    request: Request,
    design_toml: Annotated[str, Form(max_length=MAX_DESIGN_CHARS)],
    n: Annotated[str, Form(max_length=200)] = "",
    replicates: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """The endpoint and arm choices for the design being edited (htmx swaps them in); the
    n range and replicates typed so far are kept."""
    ctx = form_context(design_toml)
    if "power" in ctx:
        ctx.update({k: v for k, v in (("power_n", n), ("power_replicates", replicates)) if v})
    return render(request, "_trial_power_choices.html", **ctx)


@pages.post("/trials/power")
def power_submit(
    state: State,
    s: DbSession,
    user: CurrentUser,
    design_toml: Annotated[str, Form(max_length=MAX_DESIGN_CHARS)],
    endpoint: Annotated[str, Form(max_length=80)],
    n: Annotated[str, Form(max_length=200)],
    replicates: Annotated[int, Form()] = DEFAULT_REPLICATES,
    alpha: Annotated[float | None, Form()] = None,
    arm: Annotated[str | None, Form(max_length=80)] = None,
) -> Response:
    """Queue the power curve and go to its page (303)."""
    job = power_job(design_toml, endpoint, n, replicates, alpha, arm or None)
    run, _ = _submit(state, s, user, job)
    return RedirectResponse(f"/trials/power/{run.id}", status_code=303)


def _run_context(run: SimulationRun) -> dict[str, Any]:
    ctx: dict[str, Any] = {"run": run, "name": run.request.get("name", ""),
                           "base": "/trials/power"}  # fmt: skip
    if run.status == "done" and run.result is not None:
        ctx.update(result=run.result, charts=power_charts(run.result),
                   rows=power_rows(run.result), ep=endpoint_of(run.result))  # fmt: skip
    return ctx


@pages.get("/trials/power/{run_id}", response_class=HTMLResponse)
def power_page(request: Request, run_id: RunId, s: DbSession, user: CurrentUser) -> HTMLResponse:
    """A power curve: its progress, or its results."""
    run = owned_run(s, user, run_id, POWER_KIND)
    return render(request, "trial_power.html", **_run_context(run))


@pages.get("/trials/power/{run_id}/status", response_class=HTMLResponse)
def power_status(request: Request, run_id: RunId, s: DbSession, user: CurrentUser) -> Response:
    """The progress fragment htmx polls; once done it asks for a page refresh."""
    run = owned_run(s, user, run_id, POWER_KIND)
    response = render(request, "trial_status.html", run=run, base="/trials/power")
    if run.status == "done" and request.headers.get("HX-Request"):
        response.headers["HX-Refresh"] = "true"
    return response


@pages.get("/trials/power/{run_id}/chart/{chart_id}")
def power_chart(
    run_id: RunId,
    chart_id: Annotated[str, Path(max_length=20)],
    s: DbSession,
    user: CurrentUser,
    format: Annotated[Literal["png", "svg"], Query()] = "png",
) -> Response:
    """A chart of a finished power curve as PNG or SVG."""
    run = owned_run(s, user, run_id, POWER_KIND)
    charts = power_charts(run.result) if run.status == "done" and run.result else []
    chart = next((c for c in charts if c.id == chart_id), None)
    if chart is None:
        raise NotFoundError(f"Power curve {run_id} has no finished chart '{chart_id[:20]}'.",
                            field="chart")  # fmt: skip
    return Response(render_image(chart, format),
                    media_type="image/png" if format == "png" else "image/svg+xml",
                    headers={"Content-Disposition":
                             f'attachment; filename="power-{run_id}-{chart_id}.{format}"'})  # fmt: skip


# -- API ------------------------------------------------------------------------------------


class PowerRequest(BaseModel):
    """A power curve: the design (TOML), one of its endpoints, the n per arm
    (``start:stop:step`` or a list), virtual trials per n and α (default: the design's)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    design_toml: str = Field(max_length=MAX_DESIGN_CHARS, description="The design (TOML).")
    endpoint: str = Field(max_length=80, examples=["dp_ucMGP_pmol_per_L"],
                          description="One of the design's endpoints (at its visit).")  # fmt: skip
    n: str = Field(
        max_length=200,
        examples=["10:60:10"],
        description=f"n per arm: start:stop:step (stop included) or a list such as 20,40,80; "
        f"each ≥ 2, at most {MAX_N_VALUES} values. The design's own n is replaced.",
    )
    replicates: int = Field(default=DEFAULT_REPLICATES,
                            description=f"Virtual trials per n, 2 to {MAX_REPLICATES}.")  # fmt: skip
    alpha: float | None = Field(default=None,
                                description="Significance level, 0.000001 to 0.5 (default: the design's).")  # fmt: skip
    arm: str | None = Field(default=None, max_length=80,
                            description="The treated arm (default: the first that is not the control).")  # fmt: skip


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such power curve of yours."},
    422: {"description": "Bad input, or more work than the web's bound; the field is named."},
}


@api.post(
    "/trials/power",
    status_code=202,
    responses={
        200: {"model": RunOut, "description": "An equal finished power curve, reused."},
        400: {"description": "The body is not JSON."},
        503: {"description": "The queue is full; retry after the Retry-After seconds."},
        **_ERRORS,
    },
)
def post_power(req: PowerRequest, state: State, s: DbSession, user: CurrentUser) -> JSONResponse:
    """Submit a power curve; 202 with its id and links (200 if reused and done). Bounded:
    replicates × arms × the largest n × years ≤ 10,000 person-years and replicates × arms ×
    the largest n ≤ 20,000 people (else 422 on ``n``, naming the limit)."""
    job = power_job(req.design_toml, req.endpoint, req.n, req.replicates, req.alpha, req.arm)
    return accepted(*_submit(state, s, user, job), run_out)


@api.get("/trials/power")
def list_power(
    s: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> RunPage:
    """The user's power curves, newest first."""
    return run_page(s, user.id, POWER_KIND, limit, offset, run_out)


@api.get("/trials/power/{run_id}", responses=_ERRORS)
def get_power(run_id: RunId, s: DbSession, user: CurrentUser) -> RunOut:
    """A power curve's status and progress."""
    return run_out(owned_run(s, user, run_id, POWER_KIND))


@api.get(
    "/trials/power/{run_id}/result",
    responses={409: {"description": "Not done (queued, running or failed)."}, **_ERRORS},
)
def get_power_result(run_id: RunId, s: DbSession, user: CurrentUser) -> dict[str, Any]:
    """The result: power by n per arm with its 95 % Monte-Carlo interval, the estimated
    effect and its 95 % prediction interval, the n reaching 80 % power, and the design."""
    return finished_result(owned_run(s, user, run_id, POWER_KIND), "Power curve")
