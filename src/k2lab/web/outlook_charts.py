"""An outlook's result JSON (one ``k2lab.trajectory/1`` trajectory or a comparison of two)
as charts, a table for readers without JavaScript, and the evidence behind each chart.

Pure: no request, no store. The Outlook page and the PDF report both use
:func:`outlook_charts`.

Example
-------
>>> result = {"schema": "k2lab.trajectory/1", "label": "no supplements",
...           "time_h": [0.0, 8766.0], "notes": [], "skipped": {},
...           "series": {"dp_ucMGP_pmol_per_L": {"unit": "pmol/L", "label": "dp-ucMGP",
...                      "values": [500.0, 480.0], "low": [400.0, 390.0], "high": [600.0, 590.0]}}}
>>> [c.title for c in outlook_charts(result)]
['dp-ucMGP (inactive MGP)']
>>> evidence_for("dp_ucMGP_pmol_per_L").claim_id
'arteries'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from k2lab.advice.evidence import claim
from k2lab.data.citations import Citation, cite
from k2lab.vocab import ENDPOINTS
from k2lab.web.charts import Chart, Trace

__all__ = [
    "MAIN_ENDPOINTS",
    "MORE_ENDPOINTS",
    "TABLE_YEARS",
    "Evidence",
    "TableRow",
    "chart_by_id",
    "evidence_for",
    "outlook_charts",
    "outlook_notes",
    "outlook_table",
    "trajectories",
]

#: The endpoints that answer "what does this do to my arteries and bones" first.
MAIN_ENDPOINTS = (
    "dp_ucMGP_pmol_per_L",
    "bmd_lumbar_spine_change_percent",
    "bmd_femoral_neck_change_percent",
    "calcification_index_AU",
)
#: The rest, shown on demand.
MORE_ENDPOINTS = (
    "ucOC_ng_per_mL",
    "vitamin_d25_nmol_per_L",
    "pth_pmol_per_L",
    "INR",
    "calcitriol_pmol_per_L",
    "plasma_calcium_mmol_per_L",
)
#: The years the table shows (those within the horizon).
TABLE_YEARS = (0, 1, 2, 5, 10)
_HOURS_PER_YEAR = 8766.0

#: Which claim of the article each endpoint's link to health rests on, and how to say it.
_LINKS = {
    "dp_ucMGP_pmol_per_L": ("arteries", "inactive MGP to arterial calcification"),
    "calcification_index_AU": ("arteries", "vitamin K2 to arterial calcium"),
    "ucOC_ng_per_mL": ("bones", "osteocalcin carboxylation to bone"),
    "bmd_lumbar_spine_change_percent": ("bones", "vitamin K2 to bone density and fractures"),
    "bmd_femoral_neck_change_percent": ("bones", "vitamin K2 to bone density and fractures"),
    "vitamin_d25_nmol_per_L": ("d3_synergy", "vitamin D3 needing K2"),
    "pth_pmol_per_L": ("d3_synergy", "vitamin D3 needing K2"),
}


@dataclass(frozen=True)
class Evidence:
    """The evidence grade of the link an endpoint's chart shows, with its sources."""

    claim_id: str
    link: str
    grade: str
    summary: str
    citations: tuple[Citation, ...]

    @property
    def text(self) -> str:
        """One line for under a chart."""
        return f"Evidence for the link from {self.link}: {self.grade}."


def evidence_for(endpoint: str) -> Evidence | None:
    """The evidence behind ``endpoint``'s link to health (``None`` for those without a
    claim, e.g. INR, whose link to clotting is the drug's mechanism)."""
    if endpoint not in _LINKS:
        return None
    claim_id, link = _LINKS[endpoint]
    c = claim(claim_id)
    return Evidence(claim_id, link, c.grade, c.summary, tuple(cite(c.source_keys).values()))


def trajectories(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The trajectories of a result: one, or both sides of a comparison."""
    if "series" in result:
        return [result]
    return [result["a"], result["b"]]


def _x_axis(time_h: Sequence[float]) -> tuple[list[float], str]:
    end = time_h[-1] if time_h else 0.0
    if end > 2 * _HOURS_PER_YEAR:
        return [t / _HOURS_PER_YEAR for t in time_h], "Years"
    if end > 240:
        return [t / 168.0 for t in time_h], "Weeks"
    return [t / 24.0 for t in time_h], "Days"


def _y_title(name: str, unit: str) -> str:
    if name.startswith("bmd_"):
        return "Change from start (%)"
    return "Ratio" if unit == "1" else unit


def _clean(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _chart(name: str, runs: list[dict[str, Any]]) -> Chart:
    x, x_title = _x_axis(runs[0]["time_h"])
    traces = tuple(
        Trace(
            t["label"] or f"Scenario {i + 1}",
            x,
            _clean(t["series"][name]["values"]),
            low=_clean(t["series"][name]["low"]),
            high=_clean(t["series"][name]["high"]),
        )
        for i, t in enumerate(runs)
    )
    info = ENDPOINTS[name]
    ev = evidence_for(name)
    return Chart(
        id=name,
        title=info.label,
        x_title=x_title,
        y_title=_y_title(name, info.unit),
        traces=traces,
        note=ev.text if ev else "",
    )


def outlook_charts(result: dict[str, Any], *, main_only: bool = False) -> list[Chart]:
    """The charts of an outlook result: the main endpoints first, then the others the
    trajectories have (``main_only``: just the main ones); both scenarios on each chart,
    with their 90 % bands."""
    runs = trajectories(result)
    names = MAIN_ENDPOINTS if main_only else (*MAIN_ENDPOINTS, *MORE_ENDPOINTS)
    return [_chart(n, runs) for n in names if all(n in t["series"] for t in runs)]


def chart_by_id(result: dict[str, Any], chart_id: str) -> Chart | None:
    """The chart ``chart_id`` of the result (``None`` if it has none)."""
    return next((c for c in outlook_charts(result) if c.id == chart_id), None)


@dataclass(frozen=True)
class TableRow:
    """One endpoint of one scenario at the table's years."""

    endpoint: str
    unit: str
    scenario: str
    values: tuple[float | None, ...]


def outlook_table(result: dict[str, Any]) -> tuple[tuple[float, ...], list[TableRow]]:
    """The main endpoints (and ucOC, 25(OH)D, PTH) at :data:`TABLE_YEARS` within the horizon
    (the nearest output time), for each scenario: the years and the rows."""
    runs = trajectories(result)
    time_h = runs[0]["time_h"]
    years = tuple(float(y) for y in TABLE_YEARS if y * _HOURS_PER_YEAR <= time_h[-1] + 24.0)
    if len(years) < 2:  # a short run: its start and end
        years = (0.0, time_h[-1] / _HOURS_PER_YEAR)
    index = [
        min(range(len(time_h)), key=lambda i: abs(time_h[i] - y * _HOURS_PER_YEAR)) for y in years
    ]
    rows = []
    for name in (*MAIN_ENDPOINTS, *MORE_ENDPOINTS[:3]):
        for t in runs:
            s = t["series"].get(name)
            if s is None:
                continue
            info = ENDPOINTS[name]
            rows.append(
                TableRow(info.label, info.unit, t["label"], tuple(s["values"][i] for i in index))
            )
    return years, rows


def outlook_notes(result: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The notes and skipped layers of the result's trajectories, without repeats."""
    runs = trajectories(result)
    notes = list(dict.fromkeys(n for t in runs for n in t.get("notes", [])))
    skipped = {k: v for t in runs for k, v in t.get("skipped", {}).items()}
    return notes, skipped
