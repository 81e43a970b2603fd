"""Population benchmark: k2lab's engine against a libroadrunner loop over people.

The scenario: N people (default 1,000) for 3 years; each person has their own GFR and mean
calcium intake, and the intake changes every day (a fixed-seed random walk around the mean).
k2lab runs everyone in one vectorised call; libroadrunner runs one person after another,
setting the intake at each midnight. If the full loop would take too long, the loop is timed
on a subset of people and the per-person throughput is extrapolated (the output says so).
Endpoints of the subset are compared with k2lab's for the same people.

Run: ``PYTHONPATH=src python benchmarks/population_vs_roadrunner.py [--people 1000]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from k2lab.calcium import CalciumModel, CalciumScenario, simulate_calcium
from k2lab.calcium.reference import load_reference_runner, simulate_reference

FloatArray = NDArray[np.float64]


def make_scenario(people: int, days: int, seed: int) -> CalciumScenario:
    """Per-person GFR and mean intake; intake varies day to day around the mean."""
    rng = np.random.default_rng(seed)
    mean_intake = rng.lognormal(np.log(900.0), 0.3, size=(people, 1))
    daily = mean_intake * rng.lognormal(0.0, 0.25, size=(people, days))
    gfr = rng.uniform(50.0, 120.0, size=(people, 1))
    return CalciumScenario(calcium_intake_mg_per_day=daily, gfr_ml_per_min=gfr)


def max_deviation(
    reference: Mapping[str, FloatArray], result: Mapping[str, FloatArray]
) -> tuple[float, str]:
    """Largest relative deviation of ``result`` from ``reference`` over endpoints and times.

    Relative to the reference, floored at 1 % of its largest magnitude (urinary calcium can
    be clamped at zero by the model). Returns the deviation and the endpoint's name.
    """
    worst, worst_name = 0.0, ""
    for name, values in reference.items():
        denom = np.maximum(np.abs(values), 0.01 * np.max(np.abs(values)))
        dev = float(np.max(np.abs(result[name] - values) / denom))
        if dev > worst:
            worst, worst_name = dev, name
    return worst, worst_name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument(
        "--reference-people",
        type=int,
        default=40,
        help="people run through libroadrunner (timed and compared)",
    )
    parser.add_argument(
        "--rtol",
        type=float,
        default=1e-3,
        help="k2lab's local error tolerance (endpoints must stay within 1%%)",
    )
    parser.add_argument(
        "--jacobian-age",
        type=int,
        default=1000,
        help="steps a Jacobian is reused for (it is renewed each day anyway)",
    )
    parser.add_argument("--seed", type=int, default=2010)
    args = parser.parse_args()

    days = round(args.years * 365)
    model = CalciumModel.from_sbml()
    scenario = make_scenario(args.people, days, args.seed)
    # Warm-up (compilation is done once per process in from_sbml; this warms numpy/BLAS).
    simulate_calcium(
        model, make_scenario(4, 5, 0), years=5 / 365, rtol=args.rtol, jacobian_age=args.jacobian_age
    )

    t0 = time.perf_counter()
    traj = simulate_calcium(
        model, scenario, years=args.years, rtol=args.rtol, jacobian_age=args.jacobian_age
    )
    k2lab_s = time.perf_counter() - t0
    k2lab_py = args.people * args.years / k2lab_s

    n_ref = min(args.reference_people, args.people)
    runner = load_reference_runner()
    ref_rows = []
    t0 = time.perf_counter()
    for i in range(n_ref):
        ref_rows.append(
            simulate_reference(model, scenario, years=args.years, person=i, runner=runner)
        )
    rr_s = time.perf_counter() - t0
    rr_py = n_ref * args.years / rr_s

    worst, worst_name = max(
        max_deviation(ref.endpoints, {k: v[i : i + 1] for k, v in traj.endpoints.items()})
        for i, ref in enumerate(ref_rows)
    )
    failed = sum(s.value != "ok" for s in traj.status)

    print(
        f"scenario: {args.people} people x {args.years:g} years, daily-varying calcium "
        f"intake, per-person GFR (seed {args.seed}); k2lab rtol {args.rtol:g}, "
        f"Jacobian reused up to {args.jacobian_age} steps"
    )
    print(
        f"k2lab engine     : {k2lab_s:8.2f} s for {args.people} people -> "
        f"{k2lab_py:9.1f} person-years/s  ({traj.stats.steps} shared steps, "
        f"{traj.stats.rejected} rejected, {failed} failed)"
    )
    note = (
        ""
        if n_ref == args.people
        else (
            f"  [timed on {n_ref} of {args.people} people; full loop extrapolated to "
            f"{rr_s * args.people / n_ref:.0f} s]"
        )
    )
    print(
        f"libroadrunner loop: {rr_s:8.2f} s for {n_ref} people -> {rr_py:9.1f} person-years/s{note}"
    )
    print(f"throughput ratio (k2lab / libroadrunner): {k2lab_py / rr_py:.1f}x")
    print(
        f"largest endpoint deviation over {n_ref} people, all days: {worst:.2e} "
        f"relative ({worst_name})"
    )


if __name__ == "__main__":
    main()
