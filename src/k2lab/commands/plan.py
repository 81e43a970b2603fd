"""CLI command ``k2lab plan``: whole days (default) or vitamin K only, from scratch or as
the smallest change to a diary (``--from``).

Bad input is a :class:`~k2lab.errors.K2LabError` (exit 2). No plan is exit 2 too, after
printing the constraints to relax.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from k2lab.commands._common import friendly, out, print_json
from k2lab.errors import UnitError
from k2lab.foods.database import FoodDatabase
from k2lab.foods.nutrients import DIET_PATTERNS
from k2lab.person import Person
from k2lab.vocab import ACTIVITY_LEVELS, PLAN_BACKENDS

if TYPE_CHECKING:  # imported where used, so that `k2lab --help` starts fast
    from k2lab.intake import Diet
    from k2lab.plan import DietPlan

__all__ = ["print_plan", "register"]


def print_plan(plan: DietPlan, console: Console) -> None:
    """The plan's status, days, binding constraints, K2 note, diff and diagnosis."""
    from k2lab.plan.report import plan_json

    body = plan_json(plan)
    style = "green" if plan.ok else "yellow"
    console.print(f"[{style}]{plan.status.value}[/]: {plan.message}")
    console.print(
        f"{plan.n_candidates} candidate foods; objective {plan.objective.value}; "
        f"{plan.backend} {plan.solve_seconds:.2f} s"
    )
    if plan.items:
        table = Table(title="Plan (whole portions per day)")
        for col in ("day", "foods", "K1 µg", "K2 µg", "Ca mg", "kcal", "protein g"):
            table.add_column(col)
        for d in body["days"]:
            foods = "; ".join(f"{f['portions']} × {f['portion']} {f['name']}" for f in d["foods"])
            table.add_row(
                str(d["day"]),
                foods,
                f"{d['k1_ug']:.0f}",
                f"{d['k2_total_ug']:.0f}",
                f"{d['calcium_mg']:.0f}",
                f"{d['energy_kcal']:.0f}",
                f"{d['protein_g']:.0f}",
            )
        console.print(table)
    for b in body["binding"]:
        days = f" (days {', '.join(map(str, b['days']))})" if b["days"] else ""
        console.print(f"  binds: {b['label']} = {b['bound']:g} {b['unit']}{days}")
    if plan.k2_note:
        console.print(f"[bold]Why this K2:[/] {plan.k2_note}")
    if body["changes"]:
        console.print("[bold]Changes to your diary:[/]")
        for ch in body["changes"]:
            console.print(f"  - {ch['text']}")
    if "diagnosis" in body:
        dg = body["diagnosis"]
        if dg["relax"]:
            console.print(
                "[bold]Relax one of these (they cannot all hold):[/] "
                + "; ".join(dg["relax_labels"])
            )
        for p in dg["proposals"]:
            console.print(f"  to make it feasible: {p}")


def _prices(db: FoodDatabase, values: list[str]) -> dict[str, float]:
    from k2lab.plan import PlanError

    out = {}
    for v in values:
        name, sep, price = v.rpartition("=")
        try:
            amount = float(price) if sep else None
        except ValueError:
            amount = None
        if amount is None:
            raise PlanError(
                f"Cannot read the price '{v}'. Write FOOD=PRICE_PER_100G, e.g. natto=0.9."
            )
        out[db.resolve(name.strip()).key] = amount
    return out


def _mean_day(diet: Diet) -> dict[str, float]:
    """Grams per day of each food, averaged over the diary's days."""
    current: dict[str, float] = {}
    for day in diet.days:
        for e in day.foods:
            current[e.food.key] = current.get(e.food.key, 0.0) + e.grams.grams / len(diet.days)
    return current


def register(app: typer.Typer, db_factory: Callable[[], FoodDatabase] = FoodDatabase.open) -> None:
    """Add ``plan`` to ``app``; ``db_factory`` opens the food database."""

    @app.command("plan")
    @friendly
    def plan_cmd(
        target: Annotated[
            str, typer.Option(help="Daily K2 target: '180 ug K2' or '180 ug MK-7'.")
        ] = "90 ug K2",
        from_diary: Annotated[
            Path | None,
            typer.Option(
                "--from", "--diet", help="Your diary (.toml or .csv): plan the smallest change."
            ),
        ] = None,
        pattern: Annotated[
            str | None, typer.Option(help=f"Diet pattern: {', '.join(DIET_PATTERNS)}.")
        ] = None,
        days: Annotated[int, typer.Option(help="Number of days.")] = 7,
        k_only: Annotated[
            bool, typer.Option("--k-only", help="Plan vitamin K and calcium only (no whole days).")
        ] = False,
        k2_max: Annotated[
            float | None,
            typer.Option(help="Upper end of the K2 band, µg/day (default 1.5 × target)."),
        ] = None,
        age: Annotated[float | None, typer.Option(help="Age in years.")] = None,
        sex: Annotated[str | None, typer.Option(help="female or male.")] = None,
        weight: Annotated[float | None, typer.Option(help="Body weight in kg.")] = None,
        height: Annotated[float | None, typer.Option(help="Height in cm.")] = None,
        activity: Annotated[
            str, typer.Option(help=f"Physical activity: {', '.join(ACTIVITY_LEVELS)}.")
        ] = "low",
        energy: Annotated[
            float | None, typer.Option(help="Energy need, kcal/day (overrides).")
        ] = None,
        exclude: Annotated[
            list[str] | None,
            typer.Option(help="Repeatable: soy, fish, dairy, egg, organ_meat, or a food name."),
        ] = None,
        objective: Annotated[
            str | None,
            typer.Option(
                help="closest, fewest_changes or cost (default: fewest_changes with --from)."
            ),
        ] = None,
        price: Annotated[
            list[str] | None, typer.Option(help="Repeatable FOOD=PRICE per 100 g (cost objective).")
        ] = None,
        supplement: Annotated[
            list[str] | None, typer.Option(help="Daily supplement kept as is: 'D3 15 ug'.")
        ] = None,
        medication: Annotated[
            list[str] | None,
            typer.Option(help="A vitamin K antagonist (warfarin ...) keeps K1 and total K steady."),
        ] = None,
        max_days_per_food: Annotated[
            int | None, typer.Option(help="Variety: days a food may appear (whole days: 4).")
        ] = None,
        same_days: Annotated[
            bool, typer.Option("--same-days", help="Allow identical days.")
        ] = False,
        backend: Annotated[
            str, typer.Option(help=f"MILP backend: {', '.join(PLAN_BACKENDS)}.")
        ] = "highs",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Plan whole days that reach a K2 target, or the smallest change to your diary."""
        from k2lab.advice import DISCLAIMER
        from k2lab.intake import load_diet, parse_supplement
        from k2lab.intake.cover import parse_target
        from k2lab.plan import (
            VKA,
            constraints_for,
            plan_diet,
            split_exclusions,
            whole_day_constraints,
        )
        from k2lab.plan.nutrition import minimal_change_constraints
        from k2lab.plan.report import plan_json

        db = db_factory()
        diary = load_diet(from_diary, db) if from_diary is not None else None
        base = diary.person if diary is not None else Person()
        person = base.with_(age=age, sex=sex, weight_kg=weight, diet=pattern)
        t = parse_target(target)
        if t.form in ("K1", "K"):
            raise UnitError(
                f"--target must be in K2 or one menaquinone, not {t.form}: write e.g. "
                "'90 ug K2' or '180 ug MK-7'."
            )
        groups, foods = split_exclusions(db, exclude or [])
        current = _mean_day(diary) if diary is not None else {}
        on_vka = bool(VKA & {m.strip().lower() for m in medication or []})
        supplements = tuple(parse_supplement(s) for s in supplement or [])
        common: dict[str, object] = {
            "days": days,
            "k2_form": t.form,
            "exclude_groups": frozenset(groups),
            "exclude_foods": frozenset(foods),
            "supplements": supplements,
            "steady_k_range_ug": 100.0 if on_vka else None,
            "prices_per_100g": _prices(db, price or []),
        }
        if max_days_per_food is not None:
            common["max_days_per_food"] = max_days_per_food
        if k_only:
            constraints = constraints_for(
                person,
                k2_target_ug=t.amount_ug,
                k2_max_ug=k2_max,
                current_g_per_day=current,
                **common,  # type: ignore[arg-type]
            )
        elif diary is not None:
            constraints = minimal_change_constraints(
                db,
                person,
                current,
                k2_target_ug=t.amount_ug,
                anticoagulated=on_vka,
                k2_max_ug=k2_max,
                **common,  # type: ignore[arg-type]
            )
        else:
            constraints = whole_day_constraints(
                person,
                k2_target_ug=t.amount_ug,
                k2_max_ug=k2_max,
                height_cm=height,
                activity=activity,
                energy_kcal=energy,
                distinct_days=not same_days,
                **common,  # type: ignore[arg-type]
            )
        chosen = objective or ("fewest_changes" if diary is not None else "closest")
        result = plan_diet(db, constraints, chosen, backend=backend)
        if as_json:
            print_json({**plan_json(result), "disclaimer": DISCLAIMER})
        else:
            print_plan(result, out)
            out.print(f"[italic]{DISCLAIMER}[/]")
        if not result.ok and not result.items:
            raise typer.Exit(2)
