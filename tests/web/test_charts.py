"""One chart description, drawn by Plotly (JSON) and by matplotlib (PNG/SVG)."""

from __future__ import annotations

import json

import pytest

from k2lab.web.charts import Chart, Trace, chart_json, plotly_figure, render_image


def _chart() -> Chart:
    return Chart(
        "ucoc",
        "Uncarboxylated osteocalcin",
        "Years",
        "ucOC (ng/mL)",
        (
            Trace(
                "Diet only", [0, 1, 2], [3.0, 3.0, 3.1], low=[2.5, 2.4, 2.5], high=[3.5, 3.6, 3.7]
            ),
            Trace("+ MK-7 180 µg/day", [0, 1, 2], [3.0, 1.9, 1.8]),
        ),
        reference=(2.0, "threshold"),
    )


def test_plotly_figure_has_a_band_per_banded_trace_and_human_titles() -> None:
    fig = plotly_figure(_chart())
    names = [t["name"] for t in fig["data"]]
    assert names == ["Diet only (90 % band)", "Diet only", "+ MK-7 180 µg/day"]
    band = fig["data"][0]
    assert band["y"] == [3.5, 3.6, 3.7, 2.5, 2.4, 2.5]  # high, then low reversed: one polygon
    assert fig["layout"]["yaxis"]["title"]["text"] == "ucOC (ng/mL)"
    assert fig["layout"]["shapes"][0]["y0"] == 2.0


def test_chart_json_cannot_close_its_script_block() -> None:
    c = Chart("x", "</script><script>alert(1)</script>", "x", "y", (Trace("a", [0], [1.0]),))
    text = str(chart_json(c))
    assert "</script>" not in text and "<" not in text
    assert json.loads(text)["layout"]["title"]["text"].startswith("</script>")


def test_nan_is_refused_rather_than_written_as_invalid_json() -> None:
    c = Chart("x", "t", "x", "y", (Trace("a", [0, 1], [1.0, float("nan")]),))
    with pytest.raises(ValueError):
        chart_json(c)


@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_images(fmt: str, magic: bytes) -> None:
    data = render_image(_chart(), fmt)  # type: ignore[arg-type]
    assert data.startswith(magic)
    if fmt == "svg":
        assert b"ucOC (ng/mL)" in data
