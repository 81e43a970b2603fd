"""Report: a diary's intake by form per day and on average, against the reference intakes
and the user's K2 target, the top contributors and the advice with its evidence and
sources; a printable page, a PDF and the charts as PNG/SVG. The API gives the JSON of
``k2lab report --json`` and of the advice.

Everything is computed as the CLI's ``report`` command does (:func:`build_report` over
:func:`compute_intake` of the diary's days, :func:`report_profile` with the diary's
medications), for ``?diary=ID`` (default: the user's first diary) and ``?start=&end=``
(default: every day).

Example
-------
>>> parse_date("2026-12-01", "start"), parse_date("", "end")
(datetime.date(2026, 12, 1), None)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from k2lab.advice import suggestion_foods
from k2lab.errors import K2LabError
from k2lab.foods.database import FoodDatabase
from k2lab.intake import compute_intake, parse_target
from k2lab.physiology.inr import VKAS as INR_VKAS
from k2lab.report import Report, advice_json, build_report, report_json, report_profile
from k2lab.store import Diary
from k2lab.store.diaries import (
    current_diary,
    diary_medications,
    diary_to_diet,
    list_diaries,
)
from k2lab.web.charts import Chart, Trace, render_image
from k2lab.web.deps import CurrentUser, DbSession, State, render
from k2lab.web.diary_models import MAX_ID, Id
from k2lab.web.headers import attachment
from k2lab.web.report_cache import VersionedCache, report_key
from k2lab.web.report_pdf import chart_images, pdf_bytes, print_context

__all__ = ["ReportView", "api", "pages", "report_body", "report_charts", "report_view"]

T = TypeVar("T")

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"])

#: The K2 forms stacked in the chart (others, when present, as "other menaquinones").
STACKED = (("MK-4", "mk4"), ("MK-7", "mk7"), ("MK-8", "mk8"), ("MK-9", "mk9"))
_OTHER = ("mk5", "mk6", "mk10")
_COLOURS = {"MK-4": "#c62828", "MK-7": "#1565c0", "MK-8": "#6a1b9a", "MK-9": "#ef6c00"}
CHART_NAMES = ("k2-forms", "k1")
#: Reports by what they are computed from (an edit makes a new key); about 0.2 MB each, so
#: at most ~13 MB (a load test that edits and reads many diaries filled 256 to ~50 MB).
_REPORTS: VersionedCache[tuple[Report, dict[str, Any]]] = VersionedCache(size=64)
#: What is rendered from a report (its HTML for the page and for printing, chart images),
#: by the report's key and the part: a page view renders only what names the user.
_RENDERED: VersionedCache[Any] = VersionedCache(size=64)


def parse_date(text: str | None, field: str) -> dt.date | None:
    """An ISO date (``2026-12-01``) or None for an empty value; errors name ``field``."""
    if text is None or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise K2LabError(
            f"Cannot read the date '{text[:40]}'. Write it as YYYY-MM-DD, e.g. 2026-12-01.",
            field=field,
        ) from None


def parse_diary_id(text: str | None) -> int | None:
    """The ``?diary=`` id, or None for the user's first diary."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value[:12]) <= MAX_ID:
        raise K2LabError(f"'{text[:40]}' is not a diary id (a whole number).", field="diary")
    return int(value)


@dataclass(frozen=True)
class ReportView:
    """A diary's report for a date range: the typed report and its JSON."""

    diary: Diary
    start: dt.date | None
    end: dt.date | None
    report: Report
    body: dict[str, Any]
    #: What the report is computed from (:func:`report_key`): rendered parts are kept by it.
    key: tuple[object, ...]


def report_view(
    s: Session,
    foods: FoodDatabase,
    owner_id: int,
    diary_id: int | None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> ReportView:
    """The report of the owner's diary (errors: NotFoundError for a diary not theirs; a
    K2LabError naming ``date`` when the range has no entry, ``start`` for a reversed range)."""
    diary = current_diary(s, owner_id, diary_id)
    if start is not None and end is not None and end < start:
        raise K2LabError(f"The start ({start}) is after the end ({end}).", field="start")
    key = report_key(s, diary, start, end, foods.path)
    cached = _REPORTS.get(key)
    if cached is None:
        diet = diary_to_diet(diary, foods, start=start, end=end)
        target = parse_target(diary.target)
        report = build_report(
            compute_intake(diet),
            target,
            suggestion_foods=suggestion_foods(foods),
            profile=report_profile(diet.person, target, diary_medications(diary)),
        )
        cached = (report, report_json(report))
        _REPORTS.put(key, cached)
    return ReportView(diary, start, end, *cached, key=key)


def report_charts(view: ReportView) -> dict[str, Chart]:
    """The report's charts: K2 by form per day (stacked, with the target) and K1 per day."""
    body = view.body
    days = [d["day"] for d in body["per_day"]]
    traces = [
        Trace(label, days, [d[f"{key}_ug_per_day"] for d in body["per_day"]], kind="bar",
              color=_COLOURS[label])
        for label, key in STACKED
        if any(d[f"{key}_ug_per_day"] > 0 for d in body["per_day"])
    ]  # fmt: skip
    other = [sum(d[f"{k}_ug_per_day"] for k in _OTHER) for d in body["per_day"]]
    if any(v > 0 for v in other):
        traces.append(Trace("Other menaquinones", days, other, kind="bar", color="#5d4037"))
    if not traces:
        traces = [Trace("K2", days, [0.0] * len(days), kind="bar")]
    t = body["target"]
    k2 = Chart(
        "k2-forms",
        "Vitamin K2 by form, per day",
        "Day",
        "K2 (µg/day)",
        tuple(traces),
        note=f"Dashed line: your target, {t['target_ug_per_day']:g} µg {t['form']} a day "
        "(set by you; no authority sets a K2 intake).",
        stacked=True,
        reference=(
            float(t["target_ug_per_day"]),
            f"target {t['target_ug_per_day']:g} µg {t['form']}",
        ),
    )
    k1_refs = [
        c for c in body["comparisons"] if c["nutrient"] == "vitamin_k1" and c["kind"] != "UL"
    ]
    k1 = Chart(
        "k1",
        "Vitamin K1 (phylloquinone), per day",
        "Day",
        "K1 (µg/day)",
        (Trace("K1", days, [d["k1_ug_per_day"] for d in body["per_day"]], kind="bar", color="#2e7d32"),),
        note="Dashed line: the adequate intake of K1 (" + k1_refs[0]["authority"] + ")." if k1_refs else "",
        reference=(float(k1_refs[0]["reference_per_day"]), f"{k1_refs[0]['authority']} {k1_refs[0]['kind']}")
        if k1_refs
        else None,
    )  # fmt: skip
    return {"k2-forms": k2, "k1": k1}


def _print_context(state: Any, diary: Diary, view: ReportView | None) -> dict[str, Any]:
    body = None if view is None else report_body(state.templates, view, printing=True)
    return print_context(diary, view, body)


def _query(view: ReportView) -> str:
    parts = [f"diary={view.diary.id}"]
    if view.start:
        parts.append(f"start={view.start}")
    if view.end:
        parts.append(f"end={view.end}")
    return "&".join(parts)


def _context(view: ReportView) -> dict[str, Any]:
    """What the report templates read."""
    sources = {**view.body["sources"], **view.body["advice_sources"]}
    return {
        "view": view,
        "diary": view.diary,
        "body": view.body,
        "charts": report_charts(view),
        "query": _query(view),
        "sources": sources,
        "forms": (("K1", "k1"), ("MK-4", "mk4"), ("MK-7", "mk7"), ("MK-8", "mk8"), ("MK-9", "mk9")),
    }  # fmt: skip


def _rendered(view: ReportView, part: tuple[object, ...], make: Callable[[], T]) -> T:
    """``make()``, computed once per version of the report and ``part``."""
    key = (*view.key, *part)
    value: T | None = _RENDERED.get(key)
    if value is None:
        value = make()
        _RENDERED.put(key, value)
    return value


def report_body(templates: Jinja2Templates, view: ReportView, *, printing: bool) -> Markup:
    """The report's content as HTML (``report_body.html``): with interactive charts for the
    page, with the charts as SVG images for printing and the PDF."""

    def make() -> Markup:
        context = _context(view)
        if printing:
            context["images"] = chart_images(context["charts"])
        html = templates.get_template("report_body.html").render(printing=printing, **context)
        return Markup(html)

    return _rendered(view, ("print" if printing else "page",), make)


def _page_view(
    request: Request, s: Session, state: Any, user_id: int
) -> tuple[Diary, ReportView | None, dict[str, Any]]:
    """The diary and its report from the query (None when the diary has no entry in the
    range: the page shows how to add food)."""
    q = request.query_params
    start, end = parse_date(q.get("start"), "start"), parse_date(q.get("end"), "end")
    diary_id = parse_diary_id(q.get("diary"))
    diary = current_diary(s, user_id, diary_id)
    form = {"start": q.get("start", ""), "end": q.get("end", "")}
    try:
        view = report_view(s, state.foods, user_id, diary.id, start, end)
    except K2LabError as exc:
        if exc.field != "date":
            raise
        return diary, None, form
    return diary, view, form


# -- pages ------------------------------------------------------------------------------


@pages.get("/report", response_class=HTMLResponse)
def report_page(request: Request, s: DbSession, state: State, user: CurrentUser) -> HTMLResponse:
    """The report of ``?diary=`` from ``?start=`` to ``?end=``."""
    diary, view, form = _page_view(request, s, state, user.id)
    context: dict[str, Any] = {"diaries": list_diaries(s, user.id), "selected": diary, "form": form}
    context["on_vka"] = any(m in INR_VKAS for m in diary_medications(diary))
    if view is not None:
        context.update(view=view, query=_query(view))
        context["report_body"] = report_body(state.templates, view, printing=False)
    return render(request, "report.html", **context)


@pages.get("/report/print", response_class=HTMLResponse)
def report_print(request: Request, s: DbSession, state: State, user: CurrentUser) -> HTMLResponse:
    """The printable report (no navigation; charts as images; every source listed)."""
    diary, view, _ = _page_view(request, s, state, user.id)
    return render(request, "report_print.html", **_print_context(state, diary, view))


@pages.get("/report.pdf")
def report_pdf(request: Request, s: DbSession, state: State, user: CurrentUser) -> Response:
    """The printable report as a PDF (weasyprint)."""
    diary, view, _ = _page_view(request, s, state, user.id)
    html = state.templates.get_template("report_print.html").render(
        request=request, **_print_context(state, diary, view)
    )
    return Response(
        pdf_bytes(html),
        media_type="application/pdf",
        headers=attachment(f"k2lab-report-{diary.name.lower()}", ".pdf", fallback="k2lab-report"),
    )


@pages.get("/report/chart/{chart_id}")
def report_chart(
    request: Request,
    s: DbSession,
    state: State,
    user: CurrentUser,
    chart_id: str,
    format: str = "png",
) -> Response:
    """One chart of the report as a PNG or SVG download."""
    name = chart_id
    if name not in CHART_NAMES:
        raise K2LabError(
            f"Unknown chart '{name[:40]}'. Use {' or '.join(CHART_NAMES)}.", field="chart_id"
        )
    if format not in ("png", "svg"):
        raise K2LabError(f"Unknown format '{format[:20]}'. Use png or svg.", field="format")
    _, view, _ = _page_view(request, s, state, user.id)
    if view is None:
        raise K2LabError(
            "This diary has no entries in this range: there is nothing to chart.", field="date"
        )
    data = _rendered(
        view,
        ("image", name, format),
        lambda: render_image(report_charts(view)[name], format),  # type: ignore[arg-type]
    )
    media = "image/png" if format == "png" else "image/svg+xml"
    return Response(
        data, media_type=media,
        headers={"Content-Disposition": f'attachment; filename="k2lab-{name}.{format}"'},
    )  # fmt: skip


# -- API --------------------------------------------------------------------------------


class ReportOut(BaseModel):
    """What ``k2lab report --json`` prints (units in the field names)."""

    model_config = ConfigDict(extra="allow")

    diet_file: str
    person: dict[str, Any]
    days: int
    typical_day: bool
    mean: dict[str, dict[str, Any]]
    per_day: list[dict[str, Any]]
    contributions: list[dict[str, Any]]
    comparisons: list[dict[str, Any]]
    target: dict[str, Any]
    top_contributors: list[dict[str, Any]]
    sources: dict[str, dict[str, str]]
    disclaimer: str
    advice: list[dict[str, Any]]
    suggested_change: dict[str, Any]
    advice_sources: dict[str, dict[str, str]]


class AdviceOut(BaseModel):
    """What ``k2lab advise --json`` prints: the advice, the change to make first, sources."""

    advice: list[dict[str, Any]]
    suggested_change: dict[str, Any]
    sources: dict[str, dict[str, str]]
    disclaimer: str


_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such diary of yours."},
    422: {"description": "Bad dates, or no entry in the range (`loc` names the field)."},
}
Day = Annotated[dt.date | None, Query(description="YYYY-MM-DD (inclusive).")]


def _api_view(
    s: Session, state: Any, user_id: int, diary_id: int, start: dt.date | None, end: dt.date | None
) -> ReportView:
    return report_view(s, state.foods, user_id, diary_id, start, end)


@api.get("/diaries/{diary_id}/report", responses=_RESPONSES)
def api_report(
    s: DbSession, state: State, user: CurrentUser, diary_id: Id, start: Day = None, end: Day = None
) -> ReportOut:
    """The diary's report from ``start`` to ``end``: intake, target, contributors, advice."""
    return ReportOut.model_validate(_api_view(s, state, user.id, diary_id, start, end).body)


@api.get("/diaries/{diary_id}/advice", responses=_RESPONSES)
def api_advice(
    s: DbSession, state: State, user: CurrentUser, diary_id: Id, start: Day = None, end: Day = None
) -> AdviceOut:
    """The advice for the diary's intake, most severe first, with grades and sources."""
    view = _api_view(s, state, user.id, diary_id, start, end)
    return AdviceOut.model_validate(advice_json(view.report.advice))
