"""``k2lab simulate``: parse the options into a :class:`~k2lab.scenario.Scenario`, call
:func:`~k2lab.simulation.simulate` (or :func:`~k2lab.simulation.compare`) and render.

The command holds no physiology: every option becomes a field of the scenario, which the
core honours or refuses with a reason (exit code 2).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from k2lab.commands._common import (
    JsonOpt,
    check_plot_path,
    err,
    friendly,
    out,
    print_json,
    pyplot,
    save_figure,
)
from k2lab.errors import ScenarioError
from k2lab.foods.database import FoodDatabase
from k2lab.person import PRESETS, SUN_LEVELS, Person
from k2lab.vocab import REGIMEN_EXAMPLES

if TYPE_CHECKING:
    from k2lab.scenario import Horizon
    from k2lab.trajectory import Comparison, Trajectory

__all__ = ["DISPLAY_ORDER", "plot_trajectories", "register"]

#: Endpoints in the order tables show them: what most questions are about first.
DISPLAY_ORDER = (
    "dp_ucMGP_pmol_per_L",
    "ucOC_ng_per_mL",
    "INR",
    "vitamin_d25_nmol_per_L",
    "pth_pmol_per_L",
    "calcitriol_pmol_per_L",
    "plasma_calcium_mmol_per_L",
    "plasma_phosphate_mmol_per_L",
    "calcium_absorbed_mg_per_day",
    "urinary_calcium_mg_per_day",
    "bmd_lumbar_spine_change_percent",
    "bmd_femoral_neck_change_percent",
    "calcification_index_AU",
    "plasma_K1_nmol_per_L",
    "plasma_MK4_nmol_per_L",
    "plasma_MK7_nmol_per_L",
    "plasma_MK8_nmol_per_L",
    "plasma_MK9_nmol_per_L",
    "ucOC_cOC_ratio",
)


def _fmt(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:.3g}"


def _signed(x: float) -> str:
    return "n/a" if not math.isfinite(x) else "0" if abs(x) < 5e-4 else f"{x:+.3g}"


def _ordered(names: Sequence[str]) -> list[str]:
    return [n for n in DISPLAY_ORDER if n in names]


def _time_axis(t: Trajectory) -> tuple[Any, str]:
    hours = float(t.time_h[-1])
    if hours <= 240:
        return t.time_h, "hour"
    if hours <= 2 * 8766:
        return t.time_h / 24.0, "day"
    return t.time_h / 8766.0, "year"


def plot_trajectories(trajectories: Sequence[Trajectory], path: Path) -> None:
    """One panel per endpoint with each trajectory's central line and interval band."""
    plt = pyplot()
    names = _ordered(
        [
            n
            for n in trajectories[0].series
            if all(n in t.series for t in trajectories)
            # plasma levels of forms barely present (MK-8/MK-9 from cheese) only add noise
            and not (
                n.startswith("plasma_") and max(float(t[n].high.max()) for t in trajectories) < 0.01
            )
        ]
    )
    cols = 3 if len(names) > 6 else 2
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 2.7 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        for t in trajectories:
            s = t.series[name]
            x, unit = _time_axis(t)
            ax.fill_between(x, s.low, s.high, alpha=0.2, linewidth=0)
            ax.plot(x, s.values, linewidth=1.4, label=t.label)
        ax.set_title(f"{s.label} ({s.unit})" if s.unit != "1" else s.label, fontsize=9)
        ax.set_xlabel(unit, fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    first = trajectories[0]
    fig.suptitle(
        f"k2lab ({first.interval_percent:g}% intervals, {first.n_samples} draws)", fontsize=10
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    save_figure(fig, path, dpi=100)


def _print_one(t: Trajectory) -> None:
    from rich import box
    from rich.table import Table

    x, unit = _time_axis(t)
    table = Table(
        title=f"{t.label}: {x[-1]:.3g} {unit}s ({t.resolution})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    pct = f"{t.interval_percent:g}% range"
    for col in ("endpoint", "start", "end", "change %", pct):
        table.add_column(
            col,
            justify="left" if col == "endpoint" else "right",
            no_wrap=True,
            min_width=31 if col == "endpoint" else None,
        )
    for name in _ordered(list(t.series)):
        s = t.series[name]
        change = s.change_percent
        table.add_row(
            name,
            _fmt(s.baseline),
            _fmt(s.final),
            "n/a" if not math.isfinite(change) else f"{change:+.1f}",
            f"{_fmt(float(s.low[-1]))} to {_fmt(float(s.high[-1]))}",
        )
    out.print(table)


def _print_compare(c: Comparison) -> None:
    from rich import box
    from rich.table import Table

    out.print(f"A = {c.a.label}\nB = {c.b.label}")
    x, unit = _time_axis(c.a)
    table = Table(
        title=f"{unit} {x[-1]:.3g}: B − A with {c.a.interval_percent:g}% range",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for col in ("endpoint", "A", "B", "B − A", "range"):
        table.add_column(
            col,
            justify="left" if col == "endpoint" else "right",
            no_wrap=True,
            min_width=31 if col == "endpoint" else None,
        )
    diffs = c.differences()
    for name in _ordered(list(diffs)):
        d = diffs[name]
        table.add_row(
            name,
            _fmt(d.a),
            _fmt(d.b),
            _signed(d.difference),
            f"{_signed(d.low)} to {_signed(d.high)}",
        )
    out.print(table)


def _print_notes(trajectories: Sequence[Trajectory]) -> None:
    for note in dict.fromkeys(n for t in trajectories for n in t.notes):
        out.print(f"- {note}")
    for layer, why in dict.fromkeys((k, v) for t in trajectories for k, v in t.skipped.items()):
        out.print(f"- Not simulated ({layer}): {why}")
    for w in dict.fromkeys(w for t in trajectories for w in t.warnings):
        out.print(f"[yellow]warning:[/] {w}")
    from k2lab.advice import DISCLAIMER

    out.print(f"- {DISCLAIMER}")


def _horizon(hours: float | None, weeks: float | None, years: float | None) -> Horizon:
    from k2lab.scenario import Horizon

    given = [
        (v, k) for v, k in ((hours, "hours"), (weeks, "weeks"), (years, "years")) if v is not None
    ]
    if len(given) > 1:
        raise ScenarioError(
            f"Give one of --hours, --weeks or --years, not {' and '.join('--' + k for _, k in given)}.",
            field="horizon",
        )
    if hours is not None:
        return Horizon(hours)
    if years is not None:
        return Horizon.years(years)
    return Horizon.weeks(12 if weeks is None else weeks)


def _every_h(h: Horizon) -> float | None:
    """JSON trajectories: every point up to 10 days, weekly up to 2 years, then monthly."""
    if h.hours <= 240:
        return None
    return 24.0 * (7 if h.hours <= 2 * 8766 else 30)


def register(app: typer.Typer, db_factory: Callable[[], FoodDatabase] = FoodDatabase.open) -> None:
    """Add ``simulate`` to ``app``; ``db_factory`` opens the food database for ``--diet``."""

    @app.command("simulate")
    @friendly
    def simulate_cmd(
        diet: Annotated[
            Path | None,
            typer.Option(
                "--diet",
                help="Diet (.toml) or diary (.csv): its foods, supplements and habitual calcium "
                "and vitamin D.",
            ),
        ] = None,
        supplement: Annotated[
            list[str] | None,
            typer.Option(
                "--supplement", metavar="REGIMEN", help=f"Regimen, repeatable: {REGIMEN_EXAMPLES}."
            ),
        ] = None,
        medication: Annotated[
            list[str] | None,
            typer.Option(
                "--medication",
                metavar="DRUG",
                help="Repeatable: warfarin, acenocoumarol, apixaban ...",
            ),
        ] = None,
        population: Annotated[
            str | None,
            typer.Option(
                "--population", help=f"A preset person: {', '.join(PRESETS)} (options refine it)."
            ),
        ] = None,
        hours: Annotated[float | None, typer.Option("--hours", help="Horizon in hours.")] = None,
        weeks: Annotated[
            float | None, typer.Option("--weeks", help="Horizon in weeks (default 12).")
        ] = None,
        years: Annotated[float | None, typer.Option("--years", help="Horizon in years.")] = None,
        compare_with: Annotated[
            list[str] | None,
            typer.Option(
                "--compare",
                metavar="REGIMEN",
                help='Also run the scenario plus this supplement (repeatable), e.g. "MK-7 180 '
                'ug daily", and show paired differences.',
            ),
        ] = None,
        age: Annotated[float | None, typer.Option("--age", help="Age, years.")] = None,
        sex: Annotated[str | None, typer.Option("--sex", help="female or male.")] = None,
        menopause_age: Annotated[
            float | None, typer.Option("--menopause-age", help="Age at menopause (women).")
        ] = None,
        egfr: Annotated[
            float | None, typer.Option("--egfr", help="Kidney function, eGFR mL/min (default 90).")
        ] = None,
        dialysis: Annotated[
            bool, typer.Option("--dialysis", help="On hemodialysis (kidney failure).")
        ] = False,
        sun: Annotated[
            str | None,
            typer.Option("--sun", help=f"Sunlight: {', '.join(SUN_LEVELS)} (default low)."),
        ] = None,
        calcium_food: Annotated[
            float | None,
            typer.Option("--calcium-food", help="Calcium from food, mg/day (default: the diet)."),
        ] = None,
        vitamin_d_food: Annotated[
            float | None,
            typer.Option(
                "--vitamin-d-food", help="Vitamin D from food, ug/day (default: the diet)."
            ),
        ] = None,
        calcification: Annotated[
            float | None,
            typer.Option("--calcification", help="Existing coronary calcium score (Agatston)."),
        ] = None,
        samples: Annotated[
            int | None,
            typer.Option(
                "--samples", help="Parameter draws for intervals (50 kinetics, 20 system)."
            ),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the draws.")] = 20121,
        resolution: Annotated[
            str, typer.Option("--resolution", help="auto, kinetics or system.")
        ] = "auto",
        as_json: JsonOpt = False,
        plot: Annotated[
            Path | None, typer.Option("--plot", help="Write a plot here (.png, .svg or .pdf).")
        ] = None,
    ) -> None:
        """Simulate vitamin K, Gla proteins, INR and the calcium system for one person.

        Up to 10 days: the vitamin K kinetics hour by hour. Longer: the whole system
        (25(OH)D, PTH, calcitriol, plasma calcium, BMD, calcification) with intervals.
        """
        from k2lab.intake.diet import load_diet
        from k2lab.scenario import Scenario
        from k2lab.simulation import SimulationOptions, compare, simulate

        check_plot_path(plot)
        loaded = load_diet(diet, db_factory()) if diet is not None else None
        fields: dict[str, Any] = {}
        if loaded is not None:
            fields.update(loaded.person.given())
        cli = {
            "age": age,
            "sex": sex,
            "menopause_age": menopause_age,
            "egfr_ml_per_min": egfr,
            "dialysis": dialysis or None,
            "sun": sun,
            "calcification_au": calcification,
            "calcium_food_mg_per_day": calcium_food,
            "vitamin_d_food_ug_per_day": vitamin_d_food,
        }
        fields.update({k: v for k, v in cli.items() if v is not None})
        person = Person.preset(population, **fields) if population else Person(**fields)
        scenario = Scenario(
            person,
            diet=loaded,
            supplements=tuple(supplement or ()),
            medications=tuple(medication or ()),
            horizon=_horizon(hours, weeks, years),
        )
        options = SimulationOptions(n_samples=samples, seed=seed, resolution=resolution)
        every = _every_h(scenario.horizon)
        if compare_with:
            c = compare(scenario, compare_with, options=options)
            if plot is not None:
                plot_trajectories([c.a, c.b], plot)
                err.print(f"plot written to {plot.resolve()}")
            if as_json:
                print_json(c.to_dict(every_h=every))
                return
            _print_compare(c)
            _print_notes([c.a, c.b])
        else:
            t = simulate(scenario, options=options)
            if plot is not None:
                plot_trajectories([t], plot)
                err.print(f"plot written to {plot.resolve()}")
            if as_json:
                print_json(t.to_dict(every_h=every))
                return
            _print_one(t)
            _print_notes([t])
