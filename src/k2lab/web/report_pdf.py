"""The printable report and its PDF: the same HTML (``report_print.html``, charts as SVG
data URIs drawn by matplotlib), turned into a PDF by weasyprint, which may read only the
report's own stylesheet and data URIs (never the network).

Example
-------
>>> pdf_bytes("<h1>k2lab report — test</h1>")[:5]
b'%PDF-'
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from k2lab.advice import DISCLAIMER
from k2lab.errors import MissingDependencyError
from k2lab.store import Diary
from k2lab.web.charts import Chart, render_image
from k2lab.web.state import STATIC_DIR

__all__ = ["PRINT_CSS", "chart_images", "pdf_bytes", "print_context"]

PRINT_CSS = STATIC_DIR / "report_print.css"


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def chart_images(charts: Mapping[str, Chart]) -> dict[str, str]:
    """Each chart as an SVG data URI (what the printable page and the PDF show)."""
    return {name: _data_uri(render_image(c, "svg")) for name, c in charts.items()}


def print_context(diary: Diary, view: Any, report_body: Markup | None) -> dict[str, Any]:
    """What ``report_print.html`` reads: the title, today's date, the disclaimer, and (with
    a report) the view and its content rendered for printing."""
    return {
        "title": f"k2lab report — {diary.name}",
        "printed_on": dt.date.today().isoformat(),
        "disclaimer": DISCLAIMER,
        "selected": diary,
        "view": view,
        "body": None if view is None else view.body,
        "report_body": report_body,
    }


def pdf_bytes(html: str) -> bytes:
    """The PDF of ``html`` (A4, the print stylesheet)."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError as exc:  # pragma: no cover - weasyprint is a dependency
        raise MissingDependencyError(
            "The PDF report needs weasyprint: pip install weasyprint"
        ) from exc

    class OwnFilesOnly(URLFetcher):  # type: ignore[misc]
        """Data URIs and the print stylesheet; nothing else (no network, no files)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.split("?")[0].endswith("/static/report_print.css"):
                return URLFetcherResponse(url, PRINT_CSS.read_bytes(), {"Content-Type": "text/css"})
            raise ValueError(f"the PDF reads no other address ({url[:80]})")

    document = weasyprint.HTML(
        string=html, base_url="http://k2lab.invalid/", url_fetcher=OwnFilesOnly()
    )
    pdf: bytes = document.write_pdf()
    return pdf
