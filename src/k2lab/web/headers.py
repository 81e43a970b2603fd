"""The security headers of every answer: a Content-Security-Policy without inline script
and without framing, no MIME sniffing, no referrer to other sites.

Set by the app's middleware, and by the handler of unexpected errors too (Starlette sends
those from outside every middleware). Also the ``Content-Disposition`` of a download
(:func:`attachment`).

Example
-------
>>> "frame-ancestors 'none'" in SECURITY_HEADERS["Content-Security-Policy"]
True
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import MutableHeaders

__all__ = ["CSP", "SECURITY_HEADERS", "add_security_headers", "attachment"]

#: Content-Security-Policy: no inline script, no other origins, no framing. Inline style is
#: allowed only because Plotly adds its own <style> rules (without them its charts fall apart:
#: tests/browser shows it); templates use classes.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(headers: MutableHeaders) -> None:
    """Add the headers a route has not set itself."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


def attachment(name: str, suffix: str, fallback: str = "download") -> dict[str, str]:
    """The ``Content-Disposition`` header that saves a download as ``name`` + ``suffix``.

    Letters and digits of any script are kept, everything else becomes ``-``. HTTP headers
    are Latin-1, so the name goes in ``filename*`` (UTF-8, percent-encoded, RFC 6266), and
    ``filename`` has an ASCII-only copy for old clients (``fallback`` if nothing is left).

    >>> print(attachment("Natto & kale", ".csv")["Content-Disposition"])
    attachment; filename="Natto---kale.csv"; filename*=UTF-8''Natto---kale.csv
    >>> print(attachment("納豆", ".json", fallback="diary")["Content-Disposition"])
    attachment; filename="diary.json"; filename*=UTF-8''%E7%B4%8D%E8%B1%86.json
    """
    stem = "".join(c if c.isalnum() else "-" for c in name).strip("-") or fallback
    ascii_stem = "".join(c if c.isascii() else "-" for c in stem).strip("-") or fallback
    return {
        "Content-Disposition": f'attachment; filename="{ascii_stem}{suffix}"; '
        f"filename*=UTF-8''{quote(stem + suffix)}"
    }
