"""CLI commands ``k2lab advise`` and ``k2lab plan`` (registered on the main typer app).

Bad input is a :class:`~k2lab.errors.K2LabError`: message on stderr, exit code 2. An
infeasible plan is a result (exit 0) with its diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from k2lab.advice import DISCLAIMER, Profile, advise, suggestion_foods
from k2lab.commands._common import friendly, out, print_json
from k2lab.errors import UnitError
from k2lab.foods.database import FoodDatabase
from k2lab.foods.nutrients import DIET_PATTERNS
from k2lab.intake import Day, Diet, Person, compute_intake, load_diet, parse_supplement
from k2lab.intake.cover import parse_target
from k2lab.plan import (
    BACKENDS,
    DietPlan,
    PlanError,
    constraints_for,
    food_groups,
    plan_diet,
)
from k2lab.report import advice_json, build_advice_report, plan_json, print_advice

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


def _print_plan(plan: DietPlan, console: Console) -> None:
    body = plan_json(plan)
    style = "green" if plan.ok else "yellow"
    console.print(f"[{style}]{plan.status.value}[/]: {plan.message}")
    console.print(
        f"{plan.n_candidates} candidate foods; objective {plan.objective.value}; "
        f"{plan.backend} {plan.solve_seconds:.2f} s"
    )
    if plan.items:
        table = Table(title="Plan (whole portions per day)")
        for col in ("day", "foods", "K1 µg", "K2 µg", "MK-7 µg", "calcium mg", "kcal"):
            table.add_column(col)
        for d in body["days"]:
            foods = "; ".join(f"{f['portions']} × {f['portion']} {f['name']}" for f in d["foods"])
            table.add_row(
                str(d["day"]),
                foods,
                f"{d['k1_ug']:.0f}",
                f"{d['k2_total_ug']:.0f}",
                f"{d['mk7_ug']:.0f}",
                f"{d['calcium_mg']:.0f}",
                f"{d['energy_kcal']:.0f}",
            )
        console.print(table)
    if "diagnosis" in body:
        dg = body["diagnosis"]
        console.print(
            f"Most {plan.constraints.k2_form} reachable from allowed foods within the portion "
            f"limits: {dg['max_k2_from_food_ug_per_day']:.0f} µg/day"
        )
        for p in dg["proposals"]:
            console.print(f"  to make it feasible: {p}")
        if dg["feasible_with_proposal"] is not None:
            console.print(
                "  checked: with the proposed supplement(s) a plan "
                + ("exists." if dg["feasible_with_proposal"] else "still does not exist.")
            )


def _split_exclusions(db: FoodDatabase, values: list[str]) -> tuple[set[str], set[str]]:
    groups, foods = set(), set()
    for v in values:
        for part in (p.strip() for p in v.split(",")):
            if not part:
                continue
            if part.lower() in food_groups() and part.lower() != "not_retail":
                groups.add(part.lower())
            else:
                foods.add(db.resolve(part).key)  # unknown food -> UnknownFoodError (exit 2)
    return groups, foods


def _prices(db: FoodDatabase, values: list[str]) -> dict[str, float]:
    out = {}
    for v in values:
        name, sep, price = v.rpartition("=")
        if not sep:
            raise PlanError(
                f"Cannot read the price '{v}'. Write FOOD=PRICE_PER_100G, e.g. natto=0.9."
            )
        try:
            amount = float(price)
        except ValueError:
            raise PlanError(f"The price in '{v}' is not a number.") from None
        out[db.resolve(name.strip()).key] = amount
    return out


def register(app: typer.Typer, db_factory: Callable[[], FoodDatabase] = FoodDatabase.open) -> None:
    """Add ``advise`` and ``plan`` to ``app``; ``db_factory`` opens the food database."""

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
            typer.Option(help="Repeatable: warfarin, apixaban, aspirin, nattokinase ..."),
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

    @app.command("plan")
    @friendly
    def plan_cmd(
        pattern: Annotated[
            str | None, typer.Option(help=f"Diet pattern: {', '.join(DIET_PATTERNS)}.")
        ] = None,
        target: Annotated[
            str, typer.Option(help="Daily K2 target: '90 ug K2' or '180 ug MK-7'.")
        ] = "90 ug K2",
        days: Annotated[int, typer.Option(help="Number of days.")] = 7,
        exclude: Annotated[
            list[str] | None,
            typer.Option(help="Repeatable: soy, fish, dairy, egg, organ_meat, or a food name."),
        ] = None,
        diet: Annotated[
            Path | None, typer.Option(help="Current diet to stay close to (.toml or .csv).")
        ] = None,
        objective: Annotated[
            str, typer.Option(help="closest, fewest_changes or cost.")
        ] = "closest",
        price: Annotated[
            list[str] | None, typer.Option(help="Repeatable FOOD=PRICE per 100 g (cost objective).")
        ] = None,
        supplement: Annotated[
            list[str] | None, typer.Option(help="Daily supplement kept as is, repeatable.")
        ] = None,
        medication: Annotated[
            list[str] | None,
            typer.Option(help="A vitamin K antagonist switches on the steady-vitamin-K mode."),
        ] = None,
        steady_range: Annotated[
            float, typer.Option(help="Anticoagulated mode: most µg total K may vary between days.")
        ] = 100.0,
        energy_max: Annotated[float | None, typer.Option(help="Energy budget, kcal/day.")] = None,
        energy_min: Annotated[float | None, typer.Option(help="Energy minimum, kcal/day.")] = None,
        max_g_per_day: Annotated[
            float | None, typer.Option(help="Grams of any one food per day (default by category).")
        ] = None,
        max_days_per_food: Annotated[
            int | None, typer.Option(help="Variety: days a food may appear.")
        ] = None,
        min_foods_per_day: Annotated[int, typer.Option(help="Variety: foods per day.")] = 1,
        age: Annotated[float | None, typer.Option(help="Age in years.")] = None,
        sex: Annotated[str | None, typer.Option(help="female or male.")] = None,
        pregnant: Annotated[bool, typer.Option(help="Pregnant.")] = False,
        soy_allergy: Annotated[bool, typer.Option(help="Allergic to soy: exclude soy.")] = False,
        k1_reference: Annotated[
            str, typer.Option(help="Authority for the K1 reference: EFSA, IOM, D-A-CH, NHMRC.")
        ] = "EFSA",
        candidates: Annotated[
            str, typer.Option(help="portioned (foods with household measures) or all.")
        ] = "portioned",
        backend: Annotated[
            str, typer.Option(help=f"MILP backend: {', '.join(BACKENDS)}.")
        ] = "highs",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Plan whole portions for N days that reach a K2 target within the references."""
        db = db_factory()
        current_diet = load_diet(diet, db) if diet is not None else None
        base = current_diet.person if current_diet is not None else Person()
        person = _person(base, age, sex, pregnant, False, None, pattern)
        t = parse_target(target)
        if t.form in ("K1", "K"):
            raise UnitError(
                f"--target must be in K2 or one menaquinone, not {t.form}: write e.g. "
                "'90 ug K2' or '180 ug MK-7'."
            )
        groups, foods = _split_exclusions(db, exclude or [])
        current: dict[str, float] = {}
        if current_diet is not None:
            n = len(current_diet.days)
            for day in current_diet.days:
                for e in day.foods:
                    current[e.food.key] = current.get(e.food.key, 0.0) + e.grams.grams / n
        meds = [m.strip().lower() for m in medication or []]
        profile = Profile(person, medications=frozenset(meds))
        supplements = tuple(parse_supplement(s) for s in supplement or [])
        constraints = constraints_for(
            person,
            k1_authority=k1_reference,
            days=days,
            k2_target_ug=t.amount_ug,
            k2_form=t.form,
            exclude_groups=frozenset(groups | ({"soy"} if soy_allergy else set())),
            exclude_foods=frozenset(foods),
            max_g_per_food_day=max_g_per_day,
            max_days_per_food=max_days_per_food,
            min_foods_per_day=min_foods_per_day,
            energy_min_kcal=energy_min,
            energy_max_kcal=energy_max,
            supplements=supplements,
            steady_k_range_ug=steady_range if profile.on_vka else None,
            current_g_per_day=current,
            prices_per_100g=_prices(db, price or []),
            candidates=candidates,
        )
        result = plan_diet(db, constraints, objective, backend=backend)
        if as_json:
            print_json({**plan_json(result), "disclaimer": DISCLAIMER})
            return
        _print_plan(result, out)
        out.print(f"[italic]{DISCLAIMER}[/]")
