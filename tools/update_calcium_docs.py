"""Regenerate the generated blocks of docs/calcium_system.md (ten-year table, trial checks).

Run: ``PYTHONPATH=src python tools/update_calcium_docs.py``; the tests check the blocks.
"""

from __future__ import annotations

import re
from pathlib import Path

from k2lab.calcium.validation import run_checks, ten_year_markdown, validation_markdown

DOC = Path(__file__).parents[1] / "docs" / "calcium_system.md"


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, block in (
        ("ten-year", ten_year_markdown()),
        ("trials", validation_markdown(run_checks())),
    ):
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        text = pattern.sub(lambda m, b=block: m.group(1) + b + m.group(2), text)
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
