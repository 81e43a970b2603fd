"""Regenerate the generated documentation: docs/validation.md and the generated blocks of
docs/calcium_system.md (ten-year table, trial checks). The tests check all of them.

Run: ``PYTHONPATH=src python tools/update_docs.py`` after a model or trials-table change.
"""

from __future__ import annotations

import re
from pathlib import Path

from k2lab.validation import calcium_trials_markdown, validate, validation_markdown
from k2lab.validation.ten_year import ten_year_markdown

DOCS = Path(__file__).parents[1] / "docs"


def main() -> None:
    v = validate()
    (DOCS / "validation.md").write_text(validation_markdown(v), encoding="utf-8")
    path = DOCS / "calcium_system.md"
    text = path.read_text(encoding="utf-8")
    for name, block in (
        ("ten-year", ten_year_markdown()),
        ("trials", calcium_trials_markdown(v.arms)),
    ):
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        text = pattern.sub(lambda m, b=block: m.group(1) + b + m.group(2), text)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
