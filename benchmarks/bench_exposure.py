"""Benchmark: one year of daily dosing, analytic superposition vs scipy solve_ivp.

Run with ``PYTHONPATH=src python benchmarks/bench_exposure.py``. Prints the best-of-N CPU
time per call (time.process_time, one core) and the speed-up; also the largest relative
difference between the two so the comparison is of equal answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from k2lab.physiology.exposure import group_doses, simulate_trajectories
from k2lab.physiology.params import default_parameters
from k2lab.physiology.pk import disposition_modes, superpose_grid
from k2lab.physiology.reference import ode_concentration
from k2lab.regimen import parse_regimen
from k2lab.units import ug_to_nmol


def best_cpu_seconds(fn: Callable[[], object], repeat: int, number: int) -> float:
    """Best per-call CPU time over ``repeat`` batches of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - t0) / number)
    return best


def main() -> None:
    params = default_parameters()
    days = 365
    times = np.arange(days) * 24.0 + 8.0
    nmol = np.full(days, ug_to_nmol("MK-7", 180.0))
    modes = disposition_modes("MK-7", params)

    def analytic_daily() -> object:
        return superpose_grid(times, nmol, modes, 24.0, days)

    def analytic_hourly() -> object:
        return superpose_grid(times, nmol, modes, 1.0, days * 24)

    grid_daily = np.arange(days + 1) * 24.0

    def ode_daily() -> object:
        return ode_concentration("MK-7", params, times, nmol, grid_daily, rtol=1e-8, atol=1e-12)

    groups = group_doses(parse_regimen("MK-7 180 ug daily").doses(days * 24.0))

    def full_model() -> object:
        return simulate_trajectories(
            groups,
            population="healthy",
            medication="warfarin",
            step_h=24.0,
            n_steps=days,
            params=params,
        )

    points, _ = superpose_grid(times, nmol, modes, 24.0, days)
    reference = ode_daily()
    assert isinstance(reference, np.ndarray)
    max_rel = float(np.max(np.abs(points - reference)) / np.max(points))

    t_daily = best_cpu_seconds(analytic_daily, repeat=7, number=200)
    t_hourly = best_cpu_seconds(analytic_hourly, repeat=7, number=50)
    t_full = best_cpu_seconds(full_model, repeat=7, number=50)
    t_ode = best_cpu_seconds(ode_daily, repeat=3, number=1)

    print("One year of daily MK-7 180 ug, one person, CPU time per call (best of N):")
    print(f"  analytic superposition, daily grid   : {t_daily * 1e6:9.1f} us")
    print(f"  analytic superposition, hourly grid  : {t_hourly * 1e6:9.1f} us")
    print(f"  full model (PK + ucOC + MGP + INR)   : {t_full * 1e6:9.1f} us")
    print(f"  scipy solve_ivp (LSODA), daily grid  : {t_ode * 1e6:9.1f} us")
    print(f"  speed-up analytic/ODE (daily grid)   : {t_ode / t_daily:9.0f} x")
    print(f"  max |analytic - ODE| / max(C)        : {max_rel:9.1e}")


if __name__ == "__main__":
    main()
