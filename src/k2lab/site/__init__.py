"""The knowledge site's generated pages: an adapter over the core that renders markdown.

Every table and number on the generated pages comes from the food database, the claims
and rules tables, the sources tables and the exposure model; ``tools/update_site.py``
writes them all and ``tests/docsite`` fail when a committed page is stale.

Example
-------
>>> from k2lab.site.citations import cited_keys
>>> cited_keys("Natto is old [@shurtleff_aoyagi_2012_natto; ogasawara_natto_origin].")
['shurtleff_aoyagi_2012_natto', 'ogasawara_natto_origin']
"""

from __future__ import annotations

from k2lab.site.api_reference import api_reference
from k2lab.site.blocks import fill_blocks
from k2lab.site.citations import cited_keys, render_citations, sources_page
from k2lab.site.cli_reference import cli_reference
from k2lab.site.food_pages import food_index, food_page, food_pages
from k2lab.site.k2_page import k2_blocks
from k2lab.site.persistence import persistence_svg

__all__ = [
    "api_reference",
    "cited_keys",
    "cli_reference",
    "fill_blocks",
    "food_index",
    "food_page",
    "food_pages",
    "k2_blocks",
    "persistence_svg",
    "render_citations",
    "sources_page",
]
