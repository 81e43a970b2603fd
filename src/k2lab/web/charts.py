"""Charts: one description (:class:`Chart`) drawn two ways, interactively by Plotly in the
page (hover, zoom, PNG download) and as a PNG/SVG image by matplotlib (downloads, the PDF,
pages without JavaScript).

A page embeds a chart with the ``chart`` macro of ``_chart.html``: the figure's JSON in a
``<script type="application/json">`` data block (never executed, so the CSP holds) that
``static/charts.js`` hands to Plotly.

Example
-------
>>> c = Chart("bmd", "Lumbar spine BMD", "Years", "% change",
...           (Trace("MK-7 180 µg", [0, 1, 2], [0.0, 0.4, 0.9], low=[0, 0.1, 0.3], high=[0, 0.7, 1.5]),))
>>> fig = plotly_figure(c)
>>> [t["name"] for t in fig["data"]]
['MK-7 180 µg (90 % band)', 'MK-7 180 µg']
>>> render_image(c, "svg")[:5]
b'<?xml'
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup

__all__ = ["PALETTE", "Chart", "Trace", "chart_json", "plotly_figure", "render_image"]

#: Colours that keep 3:1 contrast on white and stay apart for common colour blindness.
PALETTE = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037")


@dataclass(frozen=True)
class Trace:
    """One series: ``y`` over ``x``, with an optional band (``low``–``high``)."""

    name: str
    x: Sequence[float | str]
    y: Sequence[float]
    low: Sequence[float] | None = None
    high: Sequence[float] | None = None
    kind: Literal["line", "bar"] = "line"
    color: str | None = None
    #: What the band is, in its legend entry.
    band: str = "90 % band"
    #: Draw a marker at each point (a curve computed at a few x values, e.g. n per arm).
    markers: bool = False


@dataclass(frozen=True)
class Chart:
    """A titled chart with human axis titles (units in them) and its traces."""

    id: str
    title: str
    x_title: str
    y_title: str
    traces: tuple[Trace, ...]
    #: Shown under the chart: the evidence behind it, or how to read it.
    note: str = ""
    stacked: bool = False
    #: A horizontal reference line (e.g. the K2 target), with its label.
    reference: tuple[float, str] | None = None
    #: The y-axis from low to high (e.g. 0-100 for a power in %); ``None``: fit the data.
    y_range: tuple[float, float] | None = None


def _colour(i: int, trace: Trace) -> str:
    return trace.color or PALETTE[i % len(PALETTE)]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def plotly_figure(chart: Chart) -> dict[str, Any]:
    """The Plotly figure (``data`` and ``layout``) of ``chart``."""
    data: list[dict[str, Any]] = []
    for i, t in enumerate(chart.traces):
        colour = _colour(i, t)
        if t.kind == "bar":
            data.append(
                {"type": "bar", "name": t.name, "x": list(t.x), "y": list(t.y),
                 "marker": {"color": colour}, "hovertemplate": "%{x}: %{y:.3g}<extra>%{fullData.name}</extra>"}
            )  # fmt: skip
            continue
        if t.low is not None and t.high is not None:
            data.append(
                {"type": "scatter", "mode": "lines", "name": f"{t.name} ({t.band})",
                 "x": [*t.x, *reversed(list(t.x))], "y": [*t.high, *reversed(list(t.low))],
                 "fill": "toself", "fillcolor": _rgba(colour, 0.18), "line": {"width": 0},
                 "hoverinfo": "skip", "showlegend": True, "legendgroup": t.name}
            )  # fmt: skip
        data.append(
            {"type": "scatter", "mode": "lines+markers" if t.markers else "lines", "name": t.name,
             "x": list(t.x), "y": list(t.y),
             "line": {"color": colour, "width": 2.2}, "legendgroup": t.name,
             "hovertemplate": "%{x:.3g}: %{y:.3g}<extra>%{fullData.name}</extra>"}
        )  # fmt: skip
    layout: dict[str, Any] = {
        "title": {"text": chart.title, "font": {"size": 16}},
        "xaxis": {"title": {"text": chart.x_title}, "zeroline": False},
        "yaxis": {"title": {"text": chart.y_title}, "zeroline": False},
        "margin": {"l": 64, "r": 16, "t": 48, "b": 40},
        # The legend sits below the x-axis title, clear of it at phone widths too.
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        "hovermode": "x unified",
        "font": {"family": "system-ui, DejaVu Sans, sans-serif", "color": "#1b1f24"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    if chart.traces and chart.traces[0].kind == "bar":
        # Bars are per day: one bar per label, never a time axis zoomed to milliseconds.
        layout["xaxis"]["type"] = "category"
    if chart.stacked:
        layout["barmode"] = "stack"
    if chart.y_range is not None:
        layout["yaxis"]["range"] = list(chart.y_range)
    if chart.reference is not None:
        value, label = chart.reference
        layout["shapes"] = [
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": value, "y1": value,
             "line": {"color": "#4a5260", "dash": "dash", "width": 1.5}}
        ]  # fmt: skip
        layout["annotations"] = [
            {"xref": "paper", "x": 1, "y": value, "text": label, "showarrow": False,
             "xanchor": "right", "yanchor": "bottom", "font": {"color": "#4a5260"}}
        ]  # fmt: skip
    return {"data": data, "layout": layout}


def chart_json(chart: Chart) -> Markup:
    """The figure as JSON safe to place inside a ``<script type="application/json">``."""
    text = json.dumps(plotly_figure(chart), separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_image(chart: Chart, fmt: Literal["png", "svg"] = "png", *, dpi: int = 110) -> bytes:
    """The chart drawn by matplotlib (same traces, bands, titles), as PNG or SVG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 3.8), layout="constrained")
    ax = fig.subplots()
    bottoms: dict[Any, float] = {}
    for i, t in enumerate(chart.traces):
        colour = _colour(i, t)
        if t.kind == "bar":
            xs = [str(x) for x in t.x]
            base = [bottoms.get(x, 0.0) if chart.stacked else 0.0 for x in xs]
            ax.bar(xs, list(t.y), bottom=base, color=colour, label=t.name)
            if chart.stacked:
                for x, y, b in zip(xs, t.y, base, strict=True):
                    bottoms[x] = b + y
            continue
        if t.low is not None and t.high is not None:
            ax.fill_between(
                list(t.x), list(t.low), list(t.high), color=colour, alpha=0.18, linewidth=0
            )
        ax.plot(list(t.x), list(t.y), color=colour, linewidth=2, label=t.name,
                marker="o" if t.markers else None)  # fmt: skip
    if chart.reference is not None:
        value, label = chart.reference
        ax.axhline(value, color="#4a5260", linestyle="--", linewidth=1.2)
        ax.annotate(label, xy=(1, value), xycoords=("axes fraction", "data"), ha="right",
                    va="bottom", color="#4a5260", fontsize=9)  # fmt: skip
    if chart.y_range is not None:
        ax.set_ylim(*chart.y_range)
    ax.set_title(chart.title, fontsize=12, loc="left")
    ax.set_xlabel(chart.x_title)
    ax.set_ylabel(chart.y_title)
    ax.grid(True, color="#e3e7ec", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    if len(chart.traces) > 1 or (chart.traces and chart.traces[0].kind == "bar"):
        ax.legend(frameon=False, fontsize=9)
    if chart.traces and chart.traces[0].kind == "bar" and len(chart.traces[0].x) > 10:
        ax.tick_params(axis="x", labelrotation=45)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()
