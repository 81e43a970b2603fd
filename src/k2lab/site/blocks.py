"""Generated blocks inside hand-written pages: ``<!-- BEGIN name -->`` ... ``<!-- END name -->``.

Example
-------
>>> fill_blocks("a\\n<!-- BEGIN n -->\\nold\\n<!-- END n -->\\n", {"n": "new\\n"})
'a\\n<!-- BEGIN n -->\\nnew\\n<!-- END n -->\\n'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from k2lab.errors import DataError


def _replacer(body: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(1) + body + m.group(2)


def fill_blocks(text: str, blocks: Mapping[str, str]) -> str:
    """Replace the body of every named block; a block missing from ``text`` is an error."""
    for name, body in blocks.items():
        pattern = re.compile(
            rf"(<!-- BEGIN {re.escape(name)} -->\n).*?(<!-- END {re.escape(name)} -->)", re.S
        )
        if not pattern.search(text):
            raise DataError(
                f"The page has no block '{name}': add <!-- BEGIN {name} --> and <!-- END {name} -->."
            )
        text = pattern.sub(_replacer(body), text)
    return text
