"""Benchmark: the web app under a locust load of 50 concurrent users (issue 11 part 2, item 7).

Run with ``make bench-load`` (10 minutes) or ``make bench-load-ci`` (60 s), or
``python benchmarks/bench_load.py --seconds N [--users 50] [--json PATH]``. It starts
``k2lab serve`` (one uvicorn process, as ``make run`` does) on a fresh SQLite store on a free
port of 127.0.0.1, runs ``benchmarks/load/locustfile.py`` headless for ``--seconds`` (locust's
``-t``, wrapped in ``timeout``), samples the server's resident memory (its process and its
simulation workers) at the start, the middle and the end, and its peak (each second), and
prints p50/p95/p99 per route, the error rate and the memory. Exit status 1 when any request
failed (and, with ``--require-goal``, when a read route's p95 is over the goal), so CI can
run it as a check. (Latency at 1/10/50 users per route is ``benchmarks/bench_web.py``'s;
this one holds a mixed load for minutes.)

Goal (issue 11): p95 < 300 ms for reads, 0 errors, memory flat.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests" / "web"))
from live_server import LiveServer  # noqa: E402

GOAL_P95_MS = 300.0
WRITES = ("POST",)


def rss_mb(pid: int) -> float:
    """Resident memory (MB) of ``pid`` and its children."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def run(seconds: int, users: int, folder: Path) -> dict[str, object]:
    server = LiveServer(f"sqlite:///{folder / 'k2lab.sqlite3'}", log=folder / "server.log")
    url = server.start(timeout_s=180)
    memory: dict[str, float] = {"start": rss_mb(server.pid)}
    memory["peak"] = memory["start"]
    done_sampling = threading.Event()

    def sample() -> None:  # the peak, sampled each second, and the middle
        began = time.monotonic()
        while not done_sampling.wait(1.0):
            now = rss_mb(server.pid)
            memory["peak"] = max(memory["peak"], now)
            if "middle" not in memory and time.monotonic() - began >= seconds / 2:
                memory["middle"] = now

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    locust = Path(sys.executable).with_name("locust")
    command = [
        "timeout", str(seconds + 60), str(locust), "-f", str(HERE / "load" / "locustfile.py"),
        "--headless", "-H", url, "-u", str(users), "-r", "10", "-t", f"{seconds}s",
        "--csv", str(folder / "locust"), "--only-summary", "--stop-timeout", "5",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True)
        memory["end"] = rss_mb(server.pid)
    finally:
        done_sampling.set()
        sampler.join()
        server.stop()
    if not (folder / "locust_stats.csv").exists():
        raise SystemExit(f"locust failed ({done.returncode}):\n{done.stderr[-4000:]}")
    routes = []
    with (folder / "locust_stats.csv").open() as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                total = row
                continue
            routes.append({
                "route": row["Name"], "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]), "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
            })  # fmt: skip
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    errors = (folder / "locust_failures.csv").read_text()
    return {
        "seconds": seconds, "users": users, "requests": requests, "failures": failures,
        "error_rate": failures / requests if requests else float("nan"),
        "requests_per_s": float(total["Requests/s"]), "routes": routes,
        "rss_mb": memory, "failures_csv": errors,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--require-goal", action="store_true",
                        help="exit 1 also when a read's p95 is over the goal (else: errors only)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="k2lab-load-") as tmp:
        result = run(args.seconds, args.users, Path(tmp))
    print(f"{args.users} users for {args.seconds} s: {result['requests']} requests "
          f"({result['requests_per_s']:.1f}/s), {result['failures']} failed "
          f"(error rate {result['error_rate']:.2%})")  # fmt: skip
    print(f"{'route':52} {'n':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    slow = []
    for r in result["routes"]:  # type: ignore[attr-defined]
        print(f"{r['route']:52} {r['requests']:6d} {r['failures']:5d} {r['p50_ms']:6.0f} "
              f"{r['p95_ms']:6.0f} {r['p99_ms']:6.0f}")  # fmt: skip
        if not r["route"].startswith(WRITES) and r["p95_ms"] > GOAL_P95_MS:
            slow.append(r["route"])
    m = result["rss_mb"]
    print("server RSS (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in m.items()))  # type: ignore[attr-defined]
    if result["failures"]:
        print(result["failures_csv"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if result["failures"] or (slow and args.require_goal):
        print(f"goal missed: {result['failures']} failures; reads over {GOAL_P95_MS:.0f} ms "
              f"p95: {', '.join(slow) or 'none'}")  # fmt: skip
        raise SystemExit(1)


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
