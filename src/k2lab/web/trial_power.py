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

The work of a curve is bounded: replicates × arms × the largest n × years ≤
:data:`MAX_WEB_POWER_PERSON_YEARS` and replicates × arms × the largest n ≤
:data:`MAX_WEB_POWER_PEOPLE` (short trials cost per person). Larger curves are the CLI's
(``k2lab trial power``, on Dask if you like).

Example
-------
>>> parse_n_range("10:50:20"), parse_n_range("20, 40")
((10, 30, 50), (20, 40))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from k2lab.errors import K2LabError, NotFoundError
from k2lab.population import TrialSpec, power_curve
from k2lab.store.schema import SimulationRun, User
from k2lab.web.charts import render_image
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.power_charts import TARGET_POWER, endpoint_of, power_charts, power_rows, reaching
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
from k2lab.web.trial_design import (
    MAX_DESIGN_CHARS,
    POWER_KIND,
    PowerChoices,
    parse_design,
    power_choices,
)

__all__ = [
    "DEFAULT_REPLICATES",
    "MAX_N_VALUES",
    "MAX_REPLICATES",
    "MAX_WEB_POWER_PEOPLE",
    "MAX_WEB_POWER_PERSON_YEARS",
    "PowerJob",
    "api",
    "default_n_range",
    "form_context",
    "pages",
    "parse_n_range",
    "power_job",
]

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["trials"])

#: Most person-years one web power curve simulates (≈ 15-30 s on 2 shared cores).
MAX_WEB_POWER_PERSON_YEARS = 10_000.0
#: Most people one web power curve simulates (each costs ≈ 0.5 ms however short the trial).
MAX_WEB_POWER_PEOPLE = 20_000
#: Most virtual trials per n, and most n values in one curve.
MAX_REPLICATES = 500
MAX_N_VALUES = 20
DEFAULT_REPLICATES = 40
_RANGE = re.compile(r"\s*(\d{1,6})\s*:\s*(\d{1,6})\s*:\s*(\d{1,6})\s*")
_LIST = re.compile(r"\s*\d{1,6}\s*(,\s*\d{1,6}\s*)*")


def parse_n_range(text: str, field: str = "n") -> tuple[int, ...]:
    """``"start:stop:step"`` (stop included) or a list ``"20, 40, 80"``: the n per arm,
    each ≥ 2, at most :data:`MAX_N_VALUES` of them, ascending and distinct."""
    if m := _RANGE.fullmatch(text):
        start, stop, step = (int(g) for g in m.groups())
        if step < 1 or stop < start:
            raise K2LabError(
                f"n range {text.strip()!r}: need start ≤ stop and a step ≥ 1.", field=field
            )
        ns = tuple(range(start, stop + 1, step))
    elif _LIST.fullmatch(text):
        ns = tuple(sorted({int(x) for x in text.split(",")}))
    else:
        raise K2LabError(
            f"n range {text.strip()[:40]!r}: write start:stop:step (e.g. 10:100:10) or a "
            "list (20, 40, 80).",
            field=field,
        )
    if ns[0] < 2:
        raise K2LabError("Every n per arm must be at least 2.", field=field)
    if len(ns) > MAX_N_VALUES:
        raise K2LabError(
            f"{len(ns)} values of n; the web computes up to {MAX_N_VALUES} per curve "
            "(a larger step).",
            field=field,
        )
    return ns


@dataclass(frozen=True)
class PowerJob:
    """A power curve for the pool: :func:`k2lab.population.power_curve` of ``spec`` (whose
    α is the one asked for) on ``endpoint``, ``arm`` against the control."""

    spec: TrialSpec
    endpoint: str
    arm: str
    ns: tuple[int, ...]
    replicates: int
    kind: ClassVar[str] = POWER_KIND

    def canonical(self) -> dict[str, Any]:
        """The request as JSON (what the reuse key hashes)."""
        return {"trial": self.spec.to_dict(), "endpoint": self.endpoint, "arm": self.arm,
                "ns": list(self.ns), "replicates": self.replicates}  # fmt: skip

    def compute(self, progress: Callable[[float], None] = lambda _p: None) -> dict[str, Any]:
        """``PowerCurve.to_dict`` with the design, α and the n that reaches 80 %;
        ``progress(share)`` as chunks of people finish."""
        curve = power_curve(self.spec, self.endpoint, list(self.ns), arm=self.arm,
                            replicates=self.replicates,
                            progress=lambda done, total: progress(done / max(total, 1)))  # fmt: skip
        out = curve.to_dict()
        return {**out, "trial": self.spec.to_dict(), "alpha": self.spec.alpha,
                "target_power": TARGET_POWER, "reaches_target": reaching(out["rows"], TARGET_POWER)}  # fmt: skip


def _work_limit(spec: TrialSpec, ns: tuple[int, ...], replicates: int) -> None:
    arms = len(spec.arms)
    people = replicates * arms * ns[-1]
    person_years = people * spec.years
    how = f"{replicates} replicates × {arms} arms × {ns[-1]} per arm"
    cli = "Larger curves: `k2lab trial power design.toml --endpoint … --n …` (Dask if you like)."
    if person_years > MAX_WEB_POWER_PERSON_YEARS:
        raise K2LabError(
            f"This power curve is {person_years:,.0f} person-years ({how} × {spec.years:.2g} "
            f"years); the web computes up to {MAX_WEB_POWER_PERSON_YEARS:,.0f}: fewer "
            f"replicates, a smaller largest n or a shorter trial. {cli}",
            field="n",
        )
    if people > MAX_WEB_POWER_PEOPLE:
        raise K2LabError(
            f"This power curve simulates {people:,} people ({how}); the web computes up to "
            f"{MAX_WEB_POWER_PEOPLE:,}: fewer replicates or a smaller largest n. {cli}",
            field="n",
        )


def power_job(
    design_toml: str,
    endpoint: str,
    n: str,
    replicates: int = DEFAULT_REPLICATES,
    alpha: float | None = None,
    arm: str | None = None,
) -> PowerJob:
    """The job of a power request; a :class:`K2LabError` naming the bad field (the work
    bound names ``n`` and states the limit)."""
    spec = parse_design(design_toml)
    choices = power_choices(spec)
    names = [name for name, _ in choices.endpoints]
    if endpoint not in names:
        raise K2LabError(
            f"The design has no endpoint {endpoint[:60]!r}; choose one of {', '.join(names)}.",
            field="endpoint",
        )
    arm = arm or choices.arms[0]
    if arm not in choices.arms:
        raise K2LabError(
            f"No treated arm {arm[:60]!r} in the design; choose one of {', '.join(choices.arms)}.",
            field="arm",
        )
    if isinstance(replicates, bool) or not 2 <= replicates <= MAX_REPLICATES:
        raise K2LabError(
            f"replicates must be a whole number from 2 to {MAX_REPLICATES}, not {replicates!r}.",
            field="replicates",
        )
    if alpha is not None:
        if isinstance(alpha, bool) or not 1e-6 <= alpha <= 0.5:
            raise K2LabError(f"alpha must be from 0.000001 to 0.5, not {alpha!r}.", field="alpha")
        spec = replace(spec, alpha=float(alpha))
    ns = parse_n_range(n)
    _work_limit(spec, ns, replicates)
    return PowerJob(spec, endpoint, arm, ns, replicates)


def default_n_range(choices: PowerChoices) -> tuple[str, int]:
    """An n range and a number of replicates for the form that fit the web's bounds (up to
    200 per arm, 40 replicates; 20 for long trials)."""
    for reps in (DEFAULT_REPLICATES, 20):
        per_rep = reps * choices.arm_count
        top = min(MAX_WEB_POWER_PERSON_YEARS / (per_rep * max(choices.years, 1e-9)),
                  MAX_WEB_POWER_PEOPLE / per_rep, 200.0)  # fmt: skip
        stop = int(top // 10) * 10
        if stop >= 60 or reps == 20:
            step = max(2, stop // 5)
            return f"{step}:{max(stop, step)}:{step}", reps
    raise AssertionError("unreachable")  # pragma: no cover


def form_context(design: str) -> dict[str, Any]:
    """What the power part of the trial form shows for ``design``: its endpoints, treated
    arms, α and a default n range, or why the design cannot be read yet."""
    try:
        choices = power_choices(parse_design(design))
    except K2LabError as exc:
        return {"power_error": exc.message, "power_limit": MAX_WEB_POWER_PERSON_YEARS}
    n, reps = default_n_range(choices)
    return {"power": choices, "power_n": n, "power_replicates": reps,
            "power_limit": MAX_WEB_POWER_PERSON_YEARS, "power_people": MAX_WEB_POWER_PEOPLE}  # fmt: skip


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
