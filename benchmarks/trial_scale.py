"""Benchmark: virtual-trial throughput (person-years/s) and peak memory, local vs Dask.

Run with ``.venv/bin/python benchmarks/trial_scale.py`` (add ``--full`` for 100,000
person-years). The trial is ``examples/trials/bmd_lumbar_3_years.toml`` with n per arm
set so the trial has the asked person-years. Each configuration runs in a fresh process so
its peak resident memory is its own: for Dask, the largest of the client and its worker
processes. ``cpu s`` is the CPU time spent (for Dask: the workers' and the client's), so a
speed-up below 2 on a loaded machine can be told from overhead; ``client s`` is the part
spent in the client process (which also hosts the LocalCluster's scheduler). The Dask rows
also check that the effects equal the local run's, number for number, and give the
speed-up over one local process in the same run. ``--calcium`` adds the throughput of
``examples/trials/calcium_d3_k2_2_years.toml`` (every person runs the calcium core). The
load average is printed before and after: on a shared 2-core machine a second busy
process halves what the second worker gets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

#: People per task: at least 50 (so two workers share even the 1,000 person-year trial)
#: and at most a twentieth of an arm, so each run has about 40 tasks or more: the client and
#: scheduler spend ~10 ms per task, 10.8 of 139 CPU s at 100,000 person-years in chunks of
#: 50, while the last task of an arm is at most ~2.5 % of the run.
MIN_CHUNK = 50
TASKS_PER_ARM = 20


def chunk_for(n_per_arm: int) -> int:
    """People per task for a trial of ``n_per_arm`` per arm (the same for both backends)."""
    return max(MIN_CHUNK, n_per_arm // TASKS_PER_ARM)


SPEC = Path(__file__).resolve().parents[1] / "examples" / "trials" / "bmd_lumbar_3_years.toml"
#: A trial whose arms give calcium and vitamin D (every person runs the calcium core).
CALCIUM_SPEC = SPEC.with_name("calcium_d3_k2_2_years.toml")


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def one(backend: str, person_years: int) -> None:
    """Run one configuration and print a JSON line (called in a child process)."""
    from k2lab.population import DaskBackend, load_spec, run_trial

    spec = load_spec(CALCIUM_SPEC if backend == "calcium" else SPEC)
    n = max(2, round(person_years / (len(spec.arms) * spec.years)))
    spec = spec.with_n(n)
    t0, cpu0 = time.perf_counter(), time.process_time()
    if backend in ("local", "calcium"):
        result = run_trial(spec, chunk=chunk_for(n))
        cpu = time.process_time() - cpu0
    else:
        with DaskBackend(workers=2) as dask:
            run_trial(spec.with_n(2), backend=dask, chunk=1)  # warm the workers' imports
            before = sum(dask.client.run(_cpu_seconds).values())
            t0, cpu0 = time.perf_counter(), time.process_time()  # start-up is not throughput
            result = run_trial(spec, backend=dask, chunk=chunk_for(n))
            workers = sum(dask.client.run(_cpu_seconds).values()) - before
            client = time.process_time() - cpu0  # the client and the in-process scheduler
            cpu = workers + client
    seconds = time.perf_counter() - t0
    if backend in ("local", "calcium"):
        workers, client = cpu, 0.0
    kib = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(
        json.dumps(
            {
                "backend": backend,
                "n_per_arm": n,
                "chunk": chunk_for(n),
                "person_years": result.person_years,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "worker_cpu_seconds": workers,
                "client_cpu_seconds": client,
                "peak_rss_mib": kib / 1024,
                "effects": [e.to_dict() for e in result.effects],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="Also 100,000 person-years.")
    parser.add_argument(
        "--calcium",
        action="store_true",
        help="Also the calcium + D3 example (calcium core per person), locally.",
    )
    parser.add_argument("--one", nargs=2, metavar=("BACKEND", "PERSON_YEARS"))
    args = parser.parse_args()
    if args.one:
        one(args.one[0], int(args.one[1]))
        return
    sizes = [1_000, 10_000] + ([100_000] if args.full else [])
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'person-years':>12} {'backend':>8} {'n/arm':>6} {'s':>7} {'py/s':>7} "
        f"{'cpu s':>7} {'client s':>8} {'peak MiB':>9} {'speed-up':>8} same"
    )
    for size in sizes:
        rows = {}
        for backend in ("local", "dask"):
            done = subprocess.run(
                [sys.executable, __file__, "--one", backend, str(size)],
                check=True,
                capture_output=True,
                text=True,
            )
            rows[backend] = json.loads(done.stdout.strip().splitlines()[-1])
        base = rows["local"]
        for backend, r in rows.items():
            speed = base["seconds"] / r["seconds"]
            same = r["effects"] == base["effects"]
            print(
                f"{r['person_years']:>12,.0f} {backend:>8} {r['n_per_arm']:>6} "
                f"{r['seconds']:>7.1f} {r['person_years'] / r['seconds']:>7.0f} "
                f"{r['cpu_seconds']:>7.1f} {r['client_cpu_seconds']:>8.1f} "
                f"{r['peak_rss_mib']:>9.0f} {speed:>8.2f} {same}"
            )
    if args.calcium:
        done = subprocess.run(
            [sys.executable, __file__, "--one", "calcium", "300"],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"calcium + D3 arms ({CALCIUM_SPEC.name}, every person on the core): "
            f"{r['person_years']:,.0f} person-years in {r['seconds']:.1f} s, "
            f"{r['person_years'] / r['seconds']:.0f} person-years/s, "
            f"peak {r['peak_rss_mib']:.0f} MiB"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
