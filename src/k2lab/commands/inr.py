"""``k2lab inr``: how steady a diary keeps the INR under a vitamin K antagonist, against
the same vitamin K every day, and the model's INR response next to published studies.

The command holds no physiology: :func:`k2lab.physiology.inr_stability.inr_stability`
does the work; bad input exits with code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from k2lab.commands._common import (
    JsonOpt,
    check_plot_path,
    friendly,
    out,
    print_json,
    pyplot,
    save_figure,
)
from k2lab.foods.database import FoodDatabase

if TYPE_CHECKING:
    from k2lab.physiology.inr_checks import InrCheck
    from k2lab.physiology.inr_stability import InrStability

__all__ = ["register"]


def _stats_table(r: InrStability) -> Table:
    low, high = r.therapeutic_range
    table = Table(title=f"INR over the {r.time_h[-1] / 168:.0f} analysed weeks")
    table.add_column("")
    table.add_column("diary as written", justify="right")
    table.add_column("same average every day", justify="right")
    d, s = r.diary, r.steady
    lo, hi = r.in_range_percent_interval
    table.add_row("mean INR", f"{d.mean:.2f}", f"{s.mean:.2f}")
    table.add_row(
        "SD (CV)", f"{d.sd:.2f} ({d.cv_percent:.1f} %)", f"{s.sd:.2f} ({s.cv_percent:.1f} %)"
    )
    table.add_row(
        "lowest–highest", f"{d.lowest:.2f}–{d.highest:.2f}", f"{s.lowest:.2f}–{s.highest:.2f}"
    )
    table.add_row(
        f"time in {low:g}–{high:g}",
        f"{d.in_range_percent:.0f} % ({r.interval_percent:g} %: {lo:.0f}–{hi:.0f} %)",
        f"{s.in_range_percent:.0f} %",
    )
    table.add_row(
        "below / above", f"{d.below_percent:.0f} % / {d.above_percent:.0f} %",
        f"{s.below_percent:.0f} % / {s.above_percent:.0f} %",
    )  # fmt: skip
    return table


def _intake_table(r: InrStability) -> Table:
    table = Table(title="Vitamin K of each diary day (µg, simulated forms)")
    table.add_column("day")
    forms = [v for v in ("K1", "MK-4", "MK-7", "MK-8", "MK-9") if v in r.daily_ug]
    for v in forms:
        table.add_column(v, justify="right")
    for i in range(r.cycle_days):
        table.add_row(r.day_labels[i], *(f"{r.daily_ug[v][i]:.0f}" for v in forms))
    return table


def _checks_table(checks: tuple[InrCheck, ...]) -> Table:
    table = Table(title="The model's INR response against published studies (validation)")
    for col in ("study", "change", "observed ΔINR", "model ΔINR"):
        table.add_column(col, justify="right" if "INR" in col else "left")
    for c in checks:
        table.add_row(
            c.source_key, escape(c.description), f"{c.observed_inr_change:+.2f}",
            f"{c.model_inr_change:+.2f}",
        )  # fmt: skip
    return table


def _plot(r: InrStability, path: Path, title: str) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    days = r.time_h / 24.0
    low, high = r.therapeutic_range
    ax.axhspan(
        low, high, color="tab:green", alpha=0.12, label=f"therapeutic range {low:g}–{high:g}"
    )
    ax.plot(days, r.diary_inr, color="tab:red", lw=1.4, label="diary as written")
    ax.plot(days, r.steady_inr, color="tab:blue", lw=1.2, ls="--", label="same average every day")
    ax.set_xlabel("day")
    ax.set_ylabel("INR")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def register(app: typer.Typer, *, db_factory: Callable[[], FoodDatabase]) -> None:
    """Add the ``inr`` command to ``app``."""

    @app.command("inr")
    @friendly
    def inr_cmd(
        diet_file: Annotated[Path, typer.Argument(help="Diet (.toml) or diary (.csv).")],
        medication: Annotated[
            str, typer.Option(help="Vitamin K antagonist: warfarin or acenocoumarol.")
        ] = "warfarin",
        inr_target: Annotated[
            float, typer.Option(help="INR titrated to on the average diet.")
        ] = 2.5,
        therapeutic_range: Annotated[
            str, typer.Option("--range", help="Therapeutic INR range LOW-HIGH.")
        ] = "2-3",
        weeks: Annotated[float, typer.Option(help="Weeks analysed (1-52).")] = 8,
        draws: Annotated[int, typer.Option(help="Parameter draws for the intervals.")] = 20,
        plot: Annotated[
            Path | None, typer.Option(help="Write the INR curves (.png/.svg/.pdf).")
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """How steady your diary keeps the INR on warfarin, against the same vitamin K daily."""
        from k2lab.intake import load_diet
        from k2lab.physiology.inr_checks import published_checks
        from k2lab.physiology.inr_stability import inr_stability, parse_range

        check_plot_path(plot)
        band = parse_range(therapeutic_range)
        diet = load_diet(diet_file, db_factory())
        r = inr_stability(
            diet, medication=medication, inr_target=inr_target, therapeutic_range=band,
            weeks=weeks, n_samples=draws,
        )  # fmt: skip
        checks = published_checks()
        if plot is not None:
            _plot(r, plot, f"INR on {r.medication}: {diet_file.name} vs the same average daily")
        if as_json:
            print_json({**r.to_dict(), "published_checks": [c.to_dict() for c in checks]})
            return
        out.print(
            f"INR on {r.medication} with {escape(diet_file.name)}: titrated to {r.inr_target:g} on "
            f"the diary's average, then the diary eaten as written ({r.n_samples} parameter draws)."
        )
        out.print(_intake_table(r))
        out.print(_stats_table(r))
        out.print(
            f"The INR is lowest on {escape(r.lowest_day_label)} and highest on "
            f"{escape(r.highest_day_label)} of the diary's cycle."
        )
        out.print(_checks_table(checks))
        ratios = [c.observed_inr_change / c.model_inr_change for c in checks if c.model_inr_change]
        if ratios and min(ratios) > 1.5:
            out.print(
                f"In these studies the INR fell {min(ratios):.1f}–{max(ratios):.1f}× more than the "
                "model predicts for the same change, so the swings above are probably understated."
            )
        for note in r.notes:
            out.print(f"[dim]- {escape(note)}[/]")
        out.print(
            "[dim]- Published patients vary more: CV of INR 19–26 % in long-term warfarin users "
            "(kim2010_thromb), most of it not from vitamin K. Ask your anticoagulation clinic "
            "before changing what you eat.[/]"
        )
        if plot is not None:
            out.print(f"Plot written to {escape(str(plot))}.")
