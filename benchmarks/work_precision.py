"""Work-precision benchmark: k2lab's engine and libroadrunner at equal accuracy.

A reference solution comes from libroadrunner (CVODE, BDF) at a tight tolerance through
:func:`k2lab.calcium.reference.simulate_reference`. Each engine then runs over a range of
relative tolerances; for each, the time (best of ``--repeats``; a point whose first run takes
over 2 s is run once) and the largest relative deviation of the daily endpoints from the
reference (all endpoints, all days; the metric of ``population_vs_roadrunner.py``). For each
engine the loosest tolerance whose endpoints all stay within 1 % of the reference is chosen,
and the throughputs are compared there. Two scenarios: a small population (daily-varying
intake, per-person GFR, ``make_scenario`` of ``population_vs_roadrunner.py``) and one person
for ten years. k2lab's throughput at the chosen tolerance is also measured on
``--scale-people`` people in one vectorised call; libroadrunner's per-person throughput is
independent of the number of people, so its figure from the small population is used there.

libroadrunner's configuration, chosen by measurement (one person, three years, daily
intake): CVODE with ``stiff=True`` (BDF; ``stiff=False`` was 7-12x slower), absolute tolerance
1e-12 (its default), ``variable_step_size`` off (on: 10-13 % slower, same numbers). The intake
is set at each midnight and the day integrated with ``oneStep(t, 24, reset=True)``, which
restarts CVODE at the discontinuity; this is 1.1-1.7x faster than one ``simulate`` call per
day (what ``simulate_reference`` does) at the same accuracy. ``reset=False`` keeps CVODE's
history across the change and is 1.6-10 % off, so it is not used.

Run: ``make bench-precision`` or ``PYTHONPATH=src python benchmarks/work_precision.py
[--plot wp.png]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from population_vs_roadrunner import FloatArray, make_scenario, max_deviation

from k2lab.calcium import CalciumModel, CalciumScenario, simulate_calcium
from k2lab.calcium.reference import load_reference_runner, simulate_reference
from k2lab.calcium.simulate import DAYS_PER_YEAR, HOURS_PER_DAY, _model_inputs

#: Endpoints must stay within this relative deviation of the reference.
ACCURACY = 0.01
#: A timed point whose first run takes longer than this (seconds) is not repeated.
REPEAT_BELOW_S = 2.0

Endpoints = list[Mapping[str, FloatArray]]


@dataclass(frozen=True)
class Point:
    """One engine at one tolerance: best time, deviation from the reference."""

    engine: str
    rtol: float
    seconds: float
    person_years: float
    deviation: float
    worst: str

    @property
    def throughput(self) -> float:
        """Person-years simulated per second."""
        return self.person_years / self.seconds


def best_time(run: Callable[[], Endpoints], repeats: int) -> tuple[float, Endpoints]:
    """Best wall time of ``run`` over up to ``repeats`` runs, and its result."""
    best = np.inf
    out: Endpoints = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - t0)
        if best > REPEAT_BELOW_S:
            break
    return float(best), out


def set_tolerance(runner: Any, rtol: float, atol: float = 1e-12) -> None:
    """Set CVODE's tolerances on ``runner`` (they survive ``resetAll``)."""
    runner.integrator.relative_tolerance = rtol
    runner.integrator.absolute_tolerance = atol


def run_k2lab(
    model: CalciumModel, scenario: CalciumScenario, years: float, rtol: float
) -> Endpoints:
    """k2lab, everyone in one call; one endpoint dict (arrays of shape (1, days)) per person."""
    traj = simulate_calcium(model, scenario, years=years, rtol=rtol, jacobian_age=1000)
    people = traj.endpoints[next(iter(traj.endpoints))].shape[0]
    return [{k: v[i : i + 1] for k, v in traj.endpoints.items()} for i in range(people)]


def run_roadrunner(
    model: CalciumModel, scenario: CalciumScenario, years: float, runner: Any
) -> Endpoints:
    """libroadrunner, one person after another, one ``oneStep`` per day (see the docstring)."""
    days = round(years * DAYS_PER_YEAR)
    intake, gfr = scenario.daily_inputs(
        days, model.default_calcium_intake_mg_per_day, model.default_gfr_ml_per_min
    )
    inputs = _model_inputs(intake, gfr)
    oral, glomerular = (np.asarray(inputs[k], dtype=float) for k in ("OralCa", "GFR"))
    names = list(model.endpoints)
    ids = [model.endpoints[n][0] for n in names]
    factors = np.array([model.endpoints[n][1] for n in names])
    out: Endpoints = []
    for person in range(intake.shape[0]):
        runner.resetAll()
        runner["teri_dose_mcg"] = 0.0
        runner.timeCourseSelections = [f"[{s}]" if s in model.species else s for s in ids]
        rows = np.empty((days + 1, len(ids)))
        t = 0.0
        for d in range(days):
            runner["OralCa"] = float(oral[person, d])
            runner["GFR"] = float(glomerular[person, d])
            rows[d] = runner.getSelectedValues()
            t = runner.oneStep(t, HOURS_PER_DAY, True)
        rows[days] = runner.getSelectedValues()
        rows *= factors
        out.append({n: rows[None, :, j] for j, n in enumerate(names)})
    return out


def deviation(reference: Endpoints, result: Endpoints) -> tuple[float, str]:
    """Largest deviation over people (see ``max_deviation``)."""
    return max(max_deviation(ref, res) for ref, res in zip(reference, result, strict=True))


def sweep(
    label: str,
    model: CalciumModel,
    scenario: CalciumScenario,
    years: float,
    args: argparse.Namespace,
    runner: Any,
) -> list[Point]:
    """Reference, then both engines over their tolerances; prints the table and the choice."""
    people = scenario.daily_inputs(1, 0.0, 0.0)[0].shape[0]
    set_tolerance(runner, args.reference_rtol, args.reference_atol)
    t0 = time.perf_counter()
    reference: Endpoints = [
        simulate_reference(model, scenario, years=years, person=i, runner=runner).endpoints
        for i in range(people)
    ]
    ref_s = time.perf_counter() - t0
    print(
        f"\n## {label}: {people} x {years:g} years; reference: libroadrunner "
        f"rtol {args.reference_rtol:g}, atol {args.reference_atol:g} ({ref_s:.1f} s)"
    )
    points: list[Point] = []
    for rtol in args.k2lab_rtols:
        secs, out = best_time(partial(run_k2lab, model, scenario, years, rtol), args.repeats)
        points.append(Point("k2lab", rtol, secs, people * years, *deviation(reference, out)))
    for rtol in args.roadrunner_rtols:
        set_tolerance(runner, rtol)
        secs, out = best_time(lambda: run_roadrunner(model, scenario, years, runner), args.repeats)
        points.append(
            Point("libroadrunner", rtol, secs, people * years, *deviation(reference, out))
        )
    print(
        f"{'engine':14} {'rtol':>7} {'seconds':>9} {'person-years/s':>15} {'max dev %':>10}  worst"
    )
    for p in points:
        print(
            f"{p.engine:14} {p.rtol:7.0e} {p.seconds:9.3f} {p.throughput:15.2f} "
            f"{100 * p.deviation:10.4f}  {p.worst}"
        )
    return points


def choose(points: list[Point], engine: str) -> Point | None:
    """The loosest tolerance of ``engine`` whose endpoints all stay within ``ACCURACY``."""
    ok = [p for p in points if p.engine == engine and p.deviation <= ACCURACY]
    return max(ok, key=lambda p: p.rtol) if ok else None


def report_choice(points: list[Point]) -> tuple[Point, Point] | None:
    """Print the chosen tolerances and the throughput ratio at equal accuracy."""
    k2, rr = choose(points, "k2lab"), choose(points, "libroadrunner")
    if k2 is None or rr is None:
        print(f"no tolerance within {100 * ACCURACY:g} % for one of the engines")
        return None
    for p in (k2, rr):
        print(
            f"loosest within {100 * ACCURACY:g} %: {p.engine} rtol {p.rtol:g} "
            f"(max dev {100 * p.deviation:.3f} %, {p.throughput:.2f} person-years/s)"
        )
    print(f"ratio at equal accuracy (k2lab / libroadrunner): {k2.throughput / rr.throughput:.2f}x")
    return k2, rr


def plot(panels: list[tuple[str, list[Point]]], path: str) -> None:
    """Work-precision diagram: seconds against max deviation, log-log, one line per engine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), squeeze=False)
    for ax, (title, points) in zip(axes[0], panels, strict=True):
        for engine, marker in (("k2lab", "o"), ("libroadrunner", "s")):
            own = [p for p in points if p.engine == engine]
            ax.plot(
                [100 * p.deviation for p in own],
                [p.seconds for p in own],
                marker=marker,
                label=engine,
            )
            for p in own:
                ax.annotate(
                    f"{p.rtol:.0e}",
                    (100 * p.deviation, p.seconds),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        ax.axvline(100 * ACCURACY, color="grey", linestyle=":", label="1 % of the reference")
        ax.set(
            xscale="log",
            yscale="log",
            title=title,
            xlabel="max endpoint deviation, %",
            ylabel="seconds (best of repeats)",
        )
        ax.legend(fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    print(f"\nplot written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20, help="people of the small population")
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--single-years", type=float, default=10.0, help="years for one person")
    parser.add_argument(
        "--scale-people",
        type=int,
        default=1000,
        help="people for k2lab's population run at its chosen rtol (0: skip)",
    )
    parser.add_argument(
        "--k2lab-rtols", type=float, nargs="+", default=[1e-2, 3e-3, 1e-3, 3e-4, 1e-4]
    )
    parser.add_argument(
        "--roadrunner-rtols",
        type=float,
        nargs="+",
        default=[1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8],
    )
    parser.add_argument("--reference-rtol", type=float, default=1e-10)
    parser.add_argument("--reference-atol", type=float, default=1e-12)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--plot", metavar="PATH", help="write the work-precision diagram here")
    args = parser.parse_args()

    model = CalciumModel.from_sbml()
    runner = load_reference_runner()
    days = round(args.years * DAYS_PER_YEAR)
    population = make_scenario(args.people, days, args.seed)
    single = make_scenario(1, round(args.single_years * DAYS_PER_YEAR), args.seed + 1)
    simulate_calcium(model, make_scenario(4, 5, 0), years=5 / 365, rtol=1e-3)  # warm-up
    print(
        "libroadrunner: CVODE stiff=True (BDF), atol 1e-12, variable_step_size off, intake set "
        "at each midnight, oneStep(t, 24 h, reset=True) per day; k2lab: RODAS3, Jacobian "
        f"reused up to 1000 steps. Deviation: all endpoints, all days. Time: best of "
        f"{args.repeats} (once if over {REPEAT_BELOW_S:g} s)."
    )

    pop_points = sweep("population", model, population, args.years, args, runner)
    chosen = report_choice(pop_points)
    old_k2 = next((p for p in pop_points if p.engine == "k2lab" and p.rtol == 1e-3), None)
    set_tolerance(runner, 1e-6)  # libroadrunner's default, as population_vs_roadrunner runs it
    t0 = time.perf_counter()
    for i in range(args.people):
        simulate_reference(model, population, years=args.years, person=i, runner=runner)
    default_py = args.people * args.years / (time.perf_counter() - t0)
    if old_k2 is not None:
        print(
            f"old ratio, for continuity (k2lab rtol 1e-3 vs libroadrunner default rtol 1e-6 "
            f"through simulate_reference, {args.people} people): "
            f"{old_k2.throughput / default_py:.2f}x"
        )
    if chosen is not None and args.scale_people > 0:
        k2, rr = chosen
        scaled = make_scenario(args.scale_people, days, args.seed)
        t0 = time.perf_counter()
        simulate_calcium(model, scaled, years=args.years, rtol=k2.rtol, jacobian_age=1000)
        secs = time.perf_counter() - t0
        py = args.scale_people * args.years / secs
        print(
            f"k2lab at rtol {k2.rtol:g}, {args.scale_people} people x {args.years:g} years in one "
            f"call: {secs:.2f} s, {py:.1f} person-years/s (run once); libroadrunner at rtol "
            f"{rr.rtol:g} extrapolated per person from {args.people} people: "
            f"{args.scale_people * args.years / rr.throughput:.0f} s; "
            f"ratio at equal accuracy: {py / rr.throughput:.1f}x"
        )

    single_points = sweep("one person", model, single, args.single_years, args, runner)
    report_choice(single_points)
    if args.plot:
        plot(
            [
                (f"{args.people} people x {args.years:g} y", pop_points),
                (f"one person x {args.single_years:g} y", single_points),
            ],
            args.plot,
        )


if __name__ == "__main__":
    main()
