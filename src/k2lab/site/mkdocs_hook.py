"""MkDocs hook (``hooks:`` in mkdocs.yml): ``[@key]`` citations become links to the sources
page; a key missing from ``data/sources_*.csv`` is a warning, so ``--strict`` fails.
"""

from __future__ import annotations

import logging
from typing import Any

from k2lab.data.citations import citations as sources
from k2lab.site.citations import SOURCES_PAGE, cited_keys, render_citations

log = logging.getLogger("mkdocs.plugins.k2lab_citations")


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    """Render the page's citations; warn about keys without a source."""
    src = str(page.file.src_uri)
    known = sources()
    for key in cited_keys(markdown):
        if key not in known:
            log.warning("%s cites '%s', which is in no data/sources_*.csv", src, key)
    return render_citations(markdown, SOURCES_PAGE, src)
