"""Regenerate every generated page of the site (``make docs-gen``); ``--check`` only reports.

Generated: the blocks of docs/vitamin-k2.md, docs/foods/*.md, docs/reference/cli.md,
docs/reference/rest-api.md (from the web app's OpenAPI), docs/reference/sources.md, docs/assets/mk7_mk4_persistence.svg and the output of every
``console`` block on the pages listed in ``k2lab.site.commands.CHECKED_PAGES``.
Run: ``.venv/bin/python tools/update_site.py [--check]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from k2lab.cli import app
from k2lab.data.citations import citations as sources
from k2lab.foods import FoodDatabase
from k2lab.site import (
    api_reference,
    cli_reference,
    fill_blocks,
    food_index,
    food_pages,
    k2_blocks,
    persistence_svg,
    sources_page,
)
from k2lab.site.commands import CHECKED_PAGES, fill_console_blocks
from k2lab.site.topics import category_foods, claim_admonition

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def run_cli(args: list[str]) -> tuple[int, str]:
    """Run ``k2lab ARGS`` in-process (80 columns): exit code and output."""
    result = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    return result.exit_code, result.output


def openapi(db: FoodDatabase) -> dict[str, Any]:
    """The web app's OpenAPI document (an app on a throw-away store; nothing is served)."""
    from k2lab.web import Settings, create_app

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/k2lab.sqlite3", food_db=db.path)
        web = create_app(settings)
        try:
            return web.openapi()
        finally:
            web.state.k2.store.close()


def generated(db: FoodDatabase, root: Path = ROOT) -> dict[Path, str]:
    """Every generated file under ``root`` with the text it must have."""
    docs = root / "docs"
    out = {docs / rel: text for rel, text in food_pages(db).items()}
    out[docs / "foods" / "index.md"] = food_index(db)
    out[docs / "reference" / "cli.md"] = cli_reference(typer.main.get_command(app))
    out[docs / "reference" / "rest-api.md"] = api_reference(openapi(db))
    out[docs / "reference" / "sources.md"] = sources_page(sources())
    out[docs / "assets" / "mk7_mk4_persistence.svg"] = persistence_svg()
    blocks = {
        "vitamin-k2.md": k2_blocks(db),
        "nattokinase.md": {
            "claim-nattokinase": claim_admonition("nattokinase_therapy", "nattokinase.md")
        },
        "bacillus-subtilis-natto.md": {
            "natto-foods": category_foods(db, "fermented_soy", "MK-7", "bacillus-subtilis-natto.md")
        },
    }
    for rel, named in blocks.items():
        out[docs / rel] = fill_blocks((docs / rel).read_text(encoding="utf-8"), named)
    for rel in CHECKED_PAGES:
        path = root / rel
        text = out.get(path) or path.read_text(encoding="utf-8")
        out[path] = fill_console_blocks(text, run_cli)
    return out


def stale(db: FoodDatabase, root: Path = ROOT) -> list[Path]:
    """Generated files whose committed text differs from what the data give."""
    return [
        p
        for p, text in generated(db, root).items()
        if not p.is_file() or p.read_text(encoding="utf-8") != text
    ]


def main() -> int:
    db = FoodDatabase.open()
    if "--check" in sys.argv[1:]:
        bad = stale(db)
        for p in bad:
            sys.stderr.write(f"stale: {p.relative_to(ROOT)} (run tools/update_site.py)\n")
        return 1 if bad else 0
    pages = generated(db)
    for path, text in pages.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for old in set((DOCS / "foods").glob("*.md")) - set(pages):
        old.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
