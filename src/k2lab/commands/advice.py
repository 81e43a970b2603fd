"""CLI command ``k2lab advise`` (registered on the main typer app); ``plan`` is in
:mod:`k2lab.commands.plan`.

Bad input is a :class:`~k2lab.errors.K2LabError`: message on stderr, exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from k2lab.commands._common import friendly, out, print_json
from k2lab.errors import UnitError
from k2lab.foods.database import FoodDatabase
from k2lab.person import Person

if TYPE_CHECKING:  # imported where used, so that `k2lab --help` starts fast
    from k2lab.advice import Profile
    from k2lab.intake import Diet

__all__ = ["build_diet", "build_profile", "register"]


def _person(
    base: Person,
    age: float | None,
    sex: str | None,
    pregnant: bool,
    lactating: bool,
    weight: float | None,
    pattern: str | None,
) -> Person:
    return base.with_(
        age=age,
        sex=sex,
        pregnant=pregnant or base.pregnant,
        lactating=lactating or base.lactating,
        weight_kg=weight,
        diet=pattern,
    )


def build_diet(
    db: FoodDatabase, diet_file: Path | None, supplements: list[str], person: Person
) -> Diet:
    """The diet file (or an empty typical day) with extra daily supplements and ``person``."""
    from k2lab.intake import Day, Diet, load_diet, parse_supplement

    extra = tuple(parse_supplement(s) for s in supplements)
    if diet_file is None:
        return Diet(person, (Day("typical day", (), extra),), "", typical_day=True)
    diet = load_diet(diet_file, db)
    days = tuple(Day(d.label, d.foods, d.supplements + extra) for d in diet.days)
    return Diet(person, days, diet.source, diet.typical_day, diet.warnings)


def build_profile(
    person: Person,
    *,
    population: str,
    medications: list[str],
    soy_allergy: bool,
    ckd: bool,
    target: str,
    k1_reference: str = "EFSA",
) -> Profile:
    """A validated :class:`Profile` from CLI values (target e.g. '90 ug K2')."""
    from k2lab.advice import Profile
    from k2lab.intake.cover import parse_target

    t = parse_target(target)
    if t.form in ("K1", "K"):
        raise UnitError(
            f"The K2 target must be in K2 or one menaquinone, not {t.form}: write e.g. "
            "'90 ug K2' or '180 ug MK-7'."
        )
    return Profile(
        person,
        population,
        frozenset(medications),
        soy_allergy,
        ckd,
        t.amount_ug,
        t.form,
        k1_reference,
    )


def register(app: typer.Typer, db_factory: Callable[[], FoodDatabase] = FoodDatabase.open) -> None:
    """Add ``advise`` to ``app``; ``db_factory`` opens the food database."""

    @app.command("advise")
    @friendly
    def advise_cmd(
        diet: Annotated[Path | None, typer.Option(help="Diet (.toml) or diary (.csv).")] = None,
        supplement: Annotated[
            list[str] | None, typer.Option(help="Daily supplement, repeatable: 'MK-7 180 ug'.")
        ] = None,
        population: Annotated[
            str, typer.Option(help="healthy, postmenopausal or hemodialysis.")
        ] = "healthy",
        medication: Annotated[
            list[str] | None,
            typer.Option(
                metavar="DRUG", help="Repeatable: warfarin, apixaban, aspirin, nattokinase ..."
            ),
        ] = None,
        age: Annotated[float | None, typer.Option(help="Age in years.")] = None,
        sex: Annotated[str | None, typer.Option(help="female or male.")] = None,
        pregnant: Annotated[bool, typer.Option(help="Pregnant.")] = False,
        lactating: Annotated[bool, typer.Option(help="Breastfeeding.")] = False,
        weight: Annotated[float | None, typer.Option(help="Body weight in kg.")] = None,
        pattern: Annotated[str | None, typer.Option(help="vegan ... omnivore.")] = None,
        soy_allergy: Annotated[bool, typer.Option(help="Allergic to soy.")] = False,
        ckd: Annotated[bool, typer.Option(help="Chronic kidney disease.")] = False,
        target: Annotated[
            str, typer.Option(help="Your K2 target (no authority sets one).")
        ] = "90 ug K2",
        k1_reference: Annotated[
            str, typer.Option(help="K1 reference: EFSA, IOM, D-A-CH, NHMRC or Japan.")
        ] = "EFSA",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Advice on your diet, supplements and medications, with evidence grades and sources."""
        from k2lab.advice import advise, suggestion_foods
        from k2lab.intake import compute_intake, load_diet
        from k2lab.report import advice_json, build_advice_report, print_advice

        db = db_factory()
        base = load_diet(diet, db).person if diet is not None else Person()
        person = _person(base, age, sex, pregnant, lactating, weight, pattern)
        d = build_diet(db, diet, supplement or [], person)
        profile = build_profile(
            person,
            population=population,
            medications=medication or [],
            soy_allergy=soy_allergy,
            ckd=ckd,
            target=target,
            k1_reference=k1_reference,
        )
        report = build_advice_report(
            advise(profile, compute_intake(d), suggestion_foods=suggestion_foods(db))
        )
        if as_json:
            print_json(advice_json(report))
        else:
            print_advice(report, out)
