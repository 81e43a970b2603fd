"""``k2lab simulate --years N``: the calcium system for one person, or two side by side.

:func:`run_system` is called by the ``simulate`` command when ``--years`` is given. It
builds a :class:`~k2lab.calcium.system.SystemScenario` from the diet and supplements, runs
it (and, with ``--compare``, the same scenario plus the compared supplements, with the same
parameter draws), prints a table or JSON and optionally writes a plot.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from k2lab.calcium.system import (
    Difference,
    Subject,
    SystemResult,
    SystemScenario,
    compare_systems,
    scenario_from_diet,
    simulate_system,
)
from k2lab.commands._common import out, print_json, pyplot, save_figure
from k2lab.intake.diet import Diet
from k2lab.intake.supplements import parse_supplement
from k2lab.physiology.regimen import VITAMERS

__all__ = ["SupplementSet", "parse_supplements", "plot_systems", "run_system"]

# Shown in tables, in this order (INR only under an antagonist).
_SHOWN = (
    "vitamin_d25_nmol_per_L",
    "calcitriol_pmol_per_L",
    "pth_pmol_per_L",
    "plasma_calcium_mmol_per_L",
    "plasma_phosphate_mmol_per_L",
    "calcium_absorbed_mg_per_day",
    "urinary_calcium_mg_per_day",
    "ucOC_ng_per_mL",
    "dp_ucMGP_pmol_per_L",
    "INR",
    "bmd_lumbar_spine_change_percent",
    "bmd_femoral_neck_change_percent",
    "calcification_index_AU",
)


@dataclass(frozen=True)
class SupplementSet:
    """Daily supplements split by what they feed: calcium, vitamin D, vitamin K regimens."""

    calcium_mg: float = 0.0
    vitamin_d_ug: float = 0.0
    k_regimens: tuple[str, ...] = ()


def parse_supplements(texts: Sequence[str]) -> SupplementSet:
    """``["D3 50 ug", "calcium 1000 mg", "MK-7 180 ug daily"]`` -> a :class:`SupplementSet`.

    Vitamin K forms may carry a schedule (``daily`` when none is given).
    """
    calcium = vitamin_d = 0.0
    k: list[str] = []
    for text in texts:
        first = re.sub(r"[\s\-]", "", text.split()[0].lower()) if text.split() else ""
        if first in {v.lower().replace("-", "") for v in VITAMERS} and len(text.split()) > 3:
            k.append(text)
            continue
        s = parse_supplement(text)
        if s.nutrient == "calcium":
            calcium += s.amount
        elif s.nutrient == "vitamin_d":
            vitamin_d += s.amount
        else:
            k.append(f"{s.nutrient} {s.amount:g} ug daily")
    return SupplementSet(calcium, vitamin_d, tuple(k))


def _scenario(
    diet: Diet | None,
    subject: Subject,
    supplements: SupplementSet,
    *,
    years: float,
    medication: str | None,
    calcium_food_mg: float | None,
) -> SystemScenario:
    if diet is not None:
        base = scenario_from_diet(
            diet, subject, years=years, k_regimens=supplements.k_regimens, medication=medication
        )
        food = base.calcium_food_mg_per_day if calcium_food_mg is None else calcium_food_mg
        scenario = replace(
            base,
            calcium_food_mg_per_day=food,
            calcium_supplement_mg_per_day=base.calcium_supplement_mg_per_day
            + supplements.calcium_mg,
            vitamin_d_supplement_ug_per_day=base.vitamin_d_supplement_ug_per_day
            + supplements.vitamin_d_ug,
        )
    else:
        scenario = SystemScenario(
            subject=subject,
            calcium_food_mg_per_day=calcium_food_mg,
            calcium_supplement_mg_per_day=supplements.calcium_mg,
            vitamin_d_supplement_ug_per_day=supplements.vitamin_d_ug,
            k_regimens=supplements.k_regimens,
            medication=medication,
        )
    return replace(scenario, label=_label(scenario))


def _label(scenario: SystemScenario) -> str:
    parts = []
    if scenario.calcium_supplement_mg_per_day:
        parts.append(f"calcium {scenario.calcium_supplement_mg_per_day:g} mg")
    if scenario.vitamin_d_supplement_ug_per_day:
        parts.append(f"D3 {scenario.vitamin_d_supplement_ug_per_day:g} ug")
    parts += [re.sub(r"\s+daily$", "", t) for t in scenario.k_regimens]
    parts += sorted(
        {f"{d.vitamer} from supplements" for d in scenario.k_doses if d.matrix == "supplement"}
    )
    return " + ".join(parts) or "no supplements"


def _fmt(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:.3g}"


def _signed(x: float) -> str:
    return "0" if abs(x) < 5e-4 else f"{x:+.3g}"


def _print_one(result: SystemResult) -> None:
    from rich.table import Table

    table = Table(title=f"{result.label}: {result.years:g} years")
    pct = f"{result.interval_percent:g}% range"
    for col in ("endpoint", "day 0", "final", pct):
        table.add_column(col, justify="left" if col == "endpoint" else "right", no_wrap=True)
    for name in _SHOWN:
        if name in result.endpoints:
            e = result.endpoints[name]
            table.add_row(name, _fmt(e.baseline), _fmt(e.final), f"{_fmt(e.low)} to {_fmt(e.high)}")
    out.print(table)


def _print_compare(a: SystemResult, b: SystemResult, diffs: dict[str, Difference]) -> None:
    from rich.table import Table

    out.print(f"A = {a.label}\nB = {b.label}")
    table = Table(title=f"year {a.years:g}: B − A with {a.interval_percent:g}% range")
    for col in ("endpoint", "A", "B", "B − A", "range"):
        table.add_column(col, justify="left" if col == "endpoint" else "right", no_wrap=True)
    for name in _SHOWN:
        if name in diffs:
            d = diffs[name]
            table.add_row(
                name,
                _fmt(d.a),
                _fmt(d.b),
                _signed(d.difference),
                f"{_signed(d.low)} to {_signed(d.high)}",
            )
    out.print(table)


def plot_systems(results: Sequence[SystemResult], path: Path) -> None:
    """One panel per endpoint, each result's central trajectory and interval, in years."""
    plt = pyplot()
    names = [n for n in _SHOWN if all(n in r.endpoints for r in results)]
    cols = 3
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(13, 2.6 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        for r in results:
            e = r.endpoints[name]
            x = r.time_days / 365.0
            ax.fill_between(x, e.trajectory_low, e.trajectory_high, alpha=0.2, linewidth=0)
            ax.plot(x, e.trajectory, linewidth=1.4, label=r.label)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("year", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"k2lab calcium system ({results[0].interval_percent:g}% intervals)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)


def run_system(
    *,
    diet: Diet | None,
    supplements: Sequence[str],
    compare: Sequence[str] | None,
    subject: Subject,
    years: float,
    medication: str | None,
    calcium_food_mg: float | None,
    samples: int,
    seed: int,
    as_json: bool,
    plot: Path | None,
    every_days: int = 30,
) -> None:
    """Run one scenario (or two with ``compare``) and print/plot the result."""

    def run(supplement_set: SupplementSet) -> SystemResult:
        scenario = _scenario(
            diet,
            subject,
            supplement_set,
            years=years,
            medication=medication,
            calcium_food_mg=calcium_food_mg,
        )
        return simulate_system(scenario, years=years, n_samples=samples, seed=seed)

    base = parse_supplements(supplements)
    a = run(base)
    results = [a]
    diffs: dict[str, Difference] = {}
    if compare:
        extra = parse_supplements(compare)
        results.append(
            run(
                SupplementSet(
                    base.calcium_mg + extra.calcium_mg,
                    base.vitamin_d_ug + extra.vitamin_d_ug,
                    base.k_regimens + extra.k_regimens,
                )
            )
        )
        diffs = compare_systems(a, results[1])
    if plot is not None:
        plot_systems(results, plot)
    if as_json:
        payload: dict[str, object] = {
            "scenarios": [r.to_dict(every_days=every_days) for r in results]
        }
        if diffs:
            payload["difference_b_minus_a"] = {
                n: {
                    "unit": d.unit,
                    "a": d.a,
                    "b": d.b,
                    "difference": d.difference,
                    "low": d.low,
                    "high": d.high,
                }
                for n, d in diffs.items()
            }
        print_json(payload)
        return
    if diffs:
        _print_compare(a, results[1], diffs)
    else:
        _print_one(a)
    for note in dict.fromkeys((*a.notes, *(results[-1].notes if diffs else ()))):
        out.print(f"- {note}")
    for w in dict.fromkeys(w for r in results for w in r.warnings):
        out.print(f"[yellow]warning:[/] {w}")
    out.print(
        "- k2lab informs, it does not diagnose or prescribe; ask a clinician before changing "
        "medication or supplements."
    )
