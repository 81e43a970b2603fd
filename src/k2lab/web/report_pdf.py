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
from collections.abc import Callable
from typing import Any

from k2lab.advice import DISCLAIMER
from k2lab.errors import MissingDependencyError
from k2lab.store import Diary
from k2lab.web.charts import render_image
from k2lab.web.state import STATIC_DIR

__all__ = ["PRINT_CSS", "pdf_bytes", "print_context"]

PRINT_CSS = STATIC_DIR / "report_print.css"


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def print_context(
    diary: Diary, view: Any, context: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """What ``report_print.html`` reads: the title, today's date, the disclaimer, and (with
    a report) its context with each chart as an image."""
    out: dict[str, Any] = {
        "title": f"k2lab report — {diary.name}",
        "printed_on": dt.date.today().isoformat(),
        "disclaimer": DISCLAIMER,
        "selected": diary,
        "view": None,
    }
    if view is not None:
        out.update(context(view))
        out["images"] = {n: _data_uri(render_image(c, "svg")) for n, c in out["charts"].items()}
    return out


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
