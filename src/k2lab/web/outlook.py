"""The Outlook page: a diary's ten-year simulation, with and without an added supplement.

- ``GET /outlook?diary=ID``: the diary's person and intake, the form "compare with" and
  the horizon, and the latest runs.
- ``POST /outlook``: submit (through the simulations API's :func:`submit`), then 303 to
  ``/outlook/{run_id}``.
- ``GET /outlook/{run_id}``: progress while it runs (htmx polls ``/outlook/{id}/status``
  every second; without JavaScript a "Refresh" link), then the charts (the main endpoints
  first, the rest under "More endpoints"), the evidence of each link with its sources, the
  notes and skipped layers, and a table at years 0, 1, 2, 5 and 10.
- ``GET /outlook/{run_id}/chart/{chart_id}?format=png|svg``: a chart as an image.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from k2lab.errors import K2LabError, NotFoundError
from k2lab.intake import compute_intake
from k2lab.store.diaries import current_diary, diary_medications, diary_person, diary_to_diet
from k2lab.store.schema import Diary, SimulationRun
from k2lab.web.charts import render_image
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.outlook_charts import (
    MAIN_ENDPOINTS,
    chart_by_id,
    evidence_for,
    outlook_charts,
    outlook_notes,
    outlook_table,
)
from k2lab.web.runs import MAX_ID, RunId, owned_run, recent_runs
from k2lab.web.simulations import DEFAULT_ADD, MAX_ADDED, SimulationRequest, run_label, submit
from k2lab.web.state import AppState

__all__ = ["pages"]

#: The outlook's API is the simulations API (:mod:`k2lab.web.simulations`).
pages = APIRouter(include_in_schema=False)

#: The intakes the form shows, with their names for people.
_INTAKE_NAMES = {"K1": "K1", "MK-4": "MK-4", "MK-7": "MK-7", "K2": "K2 in all",
                 "calcium": "calcium", "vitamin_d": "vitamin D"}  # fmt: skip


def _diary_summary(state: AppState, diary: Diary) -> dict[str, Any]:
    """The person, medications and mean daily intake of ``diary`` (``intake`` is ``None``
    with the reason when the diary has no entries)."""
    person = diary_person(diary)
    summary: dict[str, Any] = {
        "person": person,
        "medications": diary_medications(diary),
        "intake": None,
        "why_no_intake": "",
        "days": 0,
    }
    try:
        diet = diary_to_diet(diary, state.foods)
    except K2LabError as exc:
        summary["why_no_intake"] = exc.message
        return summary
    result = compute_intake(diet)
    summary["days"] = len(diet.days)
    summary["intake"] = [(k, result.mean[k]) for k in _INTAKE_NAMES if k in result.mean]
    return summary


@pages.get("/outlook", response_class=HTMLResponse)
def outlook_form(
    request: Request,
    state: State,
    s: DbSession,
    user: CurrentUser,
    diary: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """The form: which diary, what to add, how many years."""
    d = current_diary(s, user.id, diary)
    return render(
        request,
        "outlook.html",
        diary=d,
        summary=_diary_summary(state, d),
        add=DEFAULT_ADD,
        years=10,
        runs=recent_runs(s, user.id, "simulation"),
        run_label=run_label,
        intake_names=_INTAKE_NAMES,
    )


@pages.post("/outlook")
def outlook_submit(
    request: Request,
    state: State,
    s: DbSession,
    user: CurrentUser,
    diary: Annotated[int, Form(ge=1, le=MAX_ID)],
    add: Annotated[str, Form(max_length=200)] = "",
    years: Annotated[float, Form(ge=1, le=10)] = 10,
) -> Response:
    """Submit the outlook and go to its page (303)."""
    texts = [t.strip() for t in add.split(",") if t.strip()]
    if len(texts) > MAX_ADDED:
        raise K2LabError(f"Compare with at most {MAX_ADDED} supplements at once.", field="add")
    run, _ = submit(state, s, user, SimulationRequest(diary_id=diary, add=texts, years=years))
    return RedirectResponse(f"/outlook/{run.id}", status_code=303)


def _run_context(run: SimulationRun) -> dict[str, Any]:
    ctx: dict[str, Any] = {"run": run, "label": run_label(run)}
    if run.status != "done" or run.result is None:
        return ctx
    result = run.result
    charts = outlook_charts(result)
    notes, skipped = outlook_notes(result)
    years, rows = outlook_table(result)
    ctx.update(
        main=[c for c in charts if c.id in MAIN_ENDPOINTS],
        more=[c for c in charts if c.id not in MAIN_ENDPOINTS],
        evidence={c.id: evidence_for(c.id) for c in charts},
        notes=notes,
        skipped=skipped,
        table_years=years,
        table_rows=rows,
    )
    return ctx


@pages.get("/outlook/{run_id}", response_class=HTMLResponse)
def outlook_run(request: Request, run_id: RunId, s: DbSession, user: CurrentUser) -> HTMLResponse:
    """A run: its progress, or its charts and table."""
    run = owned_run(s, user, run_id)
    return render(request, "outlook_run.html", **_run_context(run))


@pages.get("/outlook/{run_id}/status", response_class=HTMLResponse)
def outlook_status(request: Request, run_id: RunId, s: DbSession, user: CurrentUser) -> Response:
    """The progress fragment htmx polls; once the run is done it asks for a page refresh."""
    run = owned_run(s, user, run_id)
    response = render(request, "outlook_status.html", run=run)
    if run.status == "done" and request.headers.get("HX-Request"):
        response.headers["HX-Refresh"] = "true"
    return response


@pages.get("/outlook/{run_id}/chart/{chart_id}")
def outlook_chart(
    run_id: RunId,
    chart_id: str,
    s: DbSession,
    user: CurrentUser,
    format: Annotated[Literal["png", "svg"], Query()] = "png",
) -> Response:
    """One chart of a finished run as PNG or SVG."""
    run = owned_run(s, user, run_id)
    chart = chart_by_id(run.result, chart_id) if run.status == "done" and run.result else None
    if chart is None:
        raise NotFoundError(
            f"Simulation {run_id} has no finished chart '{chart_id}'.", field="chart"
        )
    media = "image/png" if format == "png" else "image/svg+xml"
    return Response(
        render_image(chart, format),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="outlook-{run_id}-{chart_id}.{format}"'
        },
    )
