"""``k2lab simulate`` and ``k2lab validate``: the physiology on the command line.

Call :func:`register` with the main typer app to add both commands. Errors from the core
(:class:`~k2lab.errors.K2LabError`) become a message on stderr and exit code 2.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from k2lab.commands._common import JsonOpt, friendly, out, print_json, pyplot, save_figure
from k2lab.errors import RegimenError
from k2lab.foods.database import FoodDatabase
from k2lab.intake.diet import load_diet
from k2lab.physiology.diet import diet_doses, diet_notes
from k2lab.physiology.exposure import ExposureOptions, ExposureResult, simulate_exposure
from k2lab.physiology.regimen import REGIMEN_EXAMPLES, Dose, parse_regimen

__all__ = ["plot_result", "register"]


def plot_result(result: ExposureResult, path: Path) -> None:
    """Write one panel per endpoint (trajectory and interval) to a PNG file."""
    plt = pyplot()
    names = list(result.endpoints)
    cols = 2
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(10, 2.6 * rows), squeeze=False)
    days = result.step_h >= 24.0
    x = result.time_h / 24.0 if days else result.time_h
    for ax, name in zip(axes.flat, names, strict=False):
        e = result.endpoints[name]
        ax.fill_between(x, e.trajectory_low, e.trajectory_high, alpha=0.25, linewidth=0)
        ax.plot(x, e.trajectory, linewidth=1.5)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("day" if days else "hour", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{result.population}"
        + (f" + {result.medication}" if result.medication else "")
        + f" ({result.interval_percent:g}% interval)",
        fontsize=10,
    )
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def _json_payload(result: ExposureResult) -> dict[str, object]:
    data = result.to_dict()
    if result.step_h >= 24.0:
        data["time_days"] = [float(t) / 24.0 for t in result.time_h]
        del data["time_h"]
    return data


def _print_table(result: ExposureResult) -> None:
    from rich.table import Table

    table = Table(
        title=f"{result.population}"
        + (f" + {result.medication}" if result.medication else "")
        + f", {result.hours / 24:g} days"
    )
    for col in ("endpoint", "baseline", "final", "change %", f"{result.interval_percent:g}% range"):
        table.add_column(col, justify="left" if col == "endpoint" else "right")
    for name, e in result.endpoints.items():
        table.add_row(
            name,
            f"{e.baseline:.3g}",
            f"{e.final:.3g}",
            f"{e.change_percent:+.1f}" if math.isfinite(e.change_percent) else "n/a (baseline 0)",
            f"{e.low:.3g}-{e.high:.3g}",
        )
    out.print(table)
    for note in result.notes:
        out.print(f"- {note}")


def register(app: typer.Typer, db_factory: Callable[[], FoodDatabase] = FoodDatabase.open) -> None:
    """Add the ``simulate`` and ``validate`` commands to ``app``.

    ``db_factory`` opens the food database for ``--diet`` files.
    """

    @app.command()
    @friendly
    def simulate(
        diet: Annotated[
            Path | None,
            typer.Option(help="Diet (.toml) or diary (.csv) whose foods are added as doses."),
        ] = None,
        supplement: Annotated[
            list[str] | None,
            typer.Option(help=f"Regimen, repeatable: {REGIMEN_EXAMPLES}."),
        ] = None,
        population: Annotated[
            str, typer.Option(help="healthy, postmenopausal or hemodialysis.")
        ] = "healthy",
        medication: Annotated[
            str | None,
            typer.Option(help="warfarin or acenocoumarol (INR); a DOAC gives a note only."),
        ] = None,
        weeks: Annotated[
            float | None, typer.Option(help="Duration in weeks (daily output).")
        ] = None,
        hours: Annotated[
            float | None, typer.Option(help="Duration in hours (hourly output).")
        ] = None,
        as_json: JsonOpt = False,
        plot: Annotated[Path | None, typer.Option(help="Write a PNG plot to this file.")] = None,
        samples: Annotated[
            int | None, typer.Option(help="Monte Carlo draws for intervals (50; 20 with --years).")
        ] = None,
        seed: Annotated[int, typer.Option(help="Seed of the draws.")] = 20121,
        years: Annotated[
            float | None,
            typer.Option(
                help="Simulate the calcium system (PTH, 25(OH)D, BMD, calcification) for N years."
            ),
        ] = None,
        compare: Annotated[
            list[str] | None,
            typer.Option(
                help="With --years: also run the scenario plus this supplement (repeatable), "
                'e.g. --compare "MK-7 180 ug", and show both side by side.'
            ),
        ] = None,
        age: Annotated[float | None, typer.Option(help="Age, years (default: diet or 60).")] = None,
        sex: Annotated[str | None, typer.Option(help="female or male (default: diet).")] = None,
        menopause_age: Annotated[
            float | None, typer.Option(help="Age at menopause (women; default 51 if 51+).")
        ] = None,
        egfr: Annotated[float, typer.Option(help="Kidney function, eGFR mL/min.")] = 90.0,
        sun: Annotated[str, typer.Option(help="Sunlight: none, low, moderate or high.")] = "low",
        calcium_food: Annotated[
            float | None,
            typer.Option(help="Calcium from food, mg/day (default: the diet, else 964)."),
        ] = None,
        calcification: Annotated[
            float, typer.Option(help="Existing coronary calcium score (Agatston units).")
        ] = 0.0,
    ) -> None:
        """Simulate plasma vitamin K, ucOC, dp-ucMGP and INR for a supplement regimen.

        With --years: the whole calcium system (25(OH)D, PTH, calcitriol, plasma calcium,
        BMD, calcification index) for one person over years, with intervals.
        """
        if years is not None:
            if weeks is not None or hours is not None:
                raise RegimenError("Give --years or --weeks/--hours, not both, e.g. --years 10.")
            from k2lab.calcium.system import Subject
            from k2lab.commands.calcium import run_system

            loaded = load_diet(diet, db_factory()) if diet is not None else None
            person = loaded.person if loaded is not None else None
            subject = Subject(
                age=age if age is not None else (person.age if person else 60.0),
                sex=sex if sex is not None else (person.sex if person else "female"),
                menopause_age=menopause_age,
                egfr_ml_per_min=egfr,
                sun=sun,
                calcification_au=calcification,
            )
            run_system(
                diet=loaded,
                supplements=supplement or [],
                compare=compare,
                subject=subject,
                years=years,
                medication=medication,
                calcium_food_mg=calcium_food,
                samples=20 if samples is None else samples,
                seed=seed,
                as_json=as_json,
                plot=plot,
            )
            return
        if compare:
            raise RegimenError("--compare needs --years, e.g. --years 10 --compare 'MK-7 180 ug'.")
        samples = 50 if samples is None else samples
        if weeks is not None and hours is not None:
            raise RegimenError("Give either --weeks or --hours, not both, e.g. --weeks 12.")
        if samples < 1 or samples > 2000:
            raise RegimenError("--samples must be between 1 and 2000, e.g. --samples 50.")
        duration_h = hours if hours is not None else (weeks if weeks is not None else 12) * 168
        step_h = 1.0 if hours is not None else 24.0
        if not duration_h > 0:
            raise RegimenError("The duration must be positive, e.g. --weeks 12 or --hours 72.")
        doses: list[Dose] = []
        for text in supplement or []:
            doses += parse_regimen(text, duration_h)
        loaded = load_diet(diet, db_factory()) if diet is not None else None
        if loaded is not None:
            doses += diet_doses(loaded, duration_h)
        result = simulate_exposure(
            doses,
            population=population,
            medication=medication,
            hours=duration_h,
            options=ExposureOptions(step_h=step_h, n_samples=samples, seed=seed),
        )
        if loaded is not None:
            result = dataclasses.replace(result, notes=(*result.notes, *diet_notes(loaded)))
        if plot is not None:
            plot_result(result, plot)
        if as_json:
            print_json(_json_payload(result))
        else:
            _print_table(result)
