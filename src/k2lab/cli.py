"""Command-line interface: ``k2lab foods|intake|cover|report|db``.

Every command takes ``--json`` (machine-readable, units in field names). Bad input is a
:class:`~k2lab.errors.K2LabError`: its message goes to stderr and the exit code is 2.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from k2lab.commands._common import App, JsonOpt, err, friendly, out, print_json
from k2lab.commands.advice import register as register_advice
from k2lab.commands.foods import register as register_foods
from k2lab.commands.inr import register as register_inr
from k2lab.commands.model import register as register_model
from k2lab.commands.plan import register as register_plan
from k2lab.commands.serve import register as register_serve
from k2lab.commands.simulate import register as register_simulate
from k2lab.commands.trial import register as register_trial
from k2lab.commands.validate import register as register_validate

if TYPE_CHECKING:
    from k2lab.foods.database import FoodDatabase
    from k2lab.intake import Diet

app = App(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="k2lab: vitamin K by form (K1, MK-4 ... MK-10), intake, and sources.",
)

_state: dict[str, Path | None] = {"db": None}


def _db() -> FoodDatabase:
    # The commands import the core when they run, so that `k2lab --help` starts fast.
    from k2lab.foods.build import default_database_path
    from k2lab.foods.database import FoodDatabase

    if _state["db"] is None and not default_database_path().is_file():
        err.print(
            f"Building the food database at {default_database_path()} (first run, a few seconds)…"
        )
    return FoodDatabase.open(_state["db"])


def _version(value: bool) -> None:
    if value:
        from k2lab import __version__

        out.print(f"k2lab {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    db: Annotated[
        Path | None,
        typer.Option(help="Food database file (default: built cache; env K2LAB_FOOD_DB)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    _state["db"] = db


def _load(path: Path, age: float | None, sex: str | None) -> tuple[FoodDatabase, Diet]:
    """The diet file, with age/sex from the command line when given (they replace the note
    that a CSV diary assumes a default person)."""
    from k2lab.intake import load_diet

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


@app.command("intake")
@friendly
def intake_cmd(
    diet_file: Annotated[Path, typer.Argument(help="Diet (.toml) or diary (.csv).")],
    age: AgeOpt = None,
    sex: SexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Intake per vitamer per day, by food, against reference intakes."""
    from k2lab.intake import compute_intake
    from k2lab.report import build_intake_report, intake_json, print_intake

    _, diet = _load(diet_file, age, sex)
    report = build_intake_report(compute_intake(diet))
    if as_json:
        print_json(intake_json(report))
    else:
        print_intake(report, out)


@app.command("cover")
@friendly
def cover_cmd(
    food: Annotated[str, typer.Argument(help="Food key, name or synonym.")],
    target: Annotated[str, typer.Option(help="Daily target, e.g. '180 ug MK-7', '90 ug K2'.")],
    as_json: JsonOpt = False,
) -> None:
    """How much of a food reaches a daily target of one vitamin K form."""
    from k2lab.intake import cover, parse_target
    from k2lab.report import cover_json, fmt

    c = cover(_db().resolve(food), parse_target(target))
    if as_json:
        print_json(cover_json(c))
        return
    hi = (
        "unbounded (the low end of its range has none)"
        if math.isinf(c.grams_high)
        else fmt(c.grams_high, "g")
    )
    out.print(
        f"{fmt(c.target.amount_ug, 'µg')} {c.target.form} a day from {c.food.name}: "
        f"{fmt(c.grams_typical, 'g')} (range {fmt(c.grams_low, 'g')} to {hi})"
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
        list[str] | None,
        typer.Option(metavar="DRUG", help="Repeatable: warfarin, apixaban ... (for the advice)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Intake by form, top contributors, the gap to your K2 target, advice, and the sources."""
    from k2lab.advice import suggestion_foods
    from k2lab.intake import compute_intake, parse_target
    from k2lab.report import build_report, print_report, report_json, report_profile

    db, diet = _load(diet_file, age, sex)
    t = parse_target(target)
    report = build_report(
        compute_intake(diet),
        t,
        suggestion_foods=suggestion_foods(db),
        profile=report_profile(diet.person, t, medication or ()),
    )
    if as_json:
        print_json(report_json(report))
    else:
        print_report(report, out)


register_foods(app, db_factory=_db, db_path=lambda: _state["db"])
register_simulate(app, db_factory=_db)
register_validate(app)
register_advice(app, db_factory=_db)
register_inr(app, db_factory=_db)
register_plan(app, db_factory=_db)
register_model(app)
register_trial(app)
register_serve(app, db_path=lambda: _state["db"])


def main() -> None:
    """Entry point of the ``k2lab`` script."""
    app()
