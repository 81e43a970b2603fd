"""Benchmark: page and API latency of the web app under 1, 10 and 50 concurrent users.

Run with ``make bench-web`` or ``python benchmarks/bench_web.py [--requests N] [--json PATH]``
(not part of the test run). It starts ``k2lab serve --load-examples`` (uvicorn, one
process, as ``make run`` does) on a free port of 127.0.0.1 with a fresh SQLite store, then
for each number of users sends a fixed number of requests per route from that many
concurrent clients (asyncio + httpx, one connection each; "saturated": each sends its next
request as soon as the last is answered) and reports p50, p95 and p99 in
ms, the error count (any status other than the one expected, or a failed connection) and
each route's p95 as a multiple of the baseline's, ``GET /api/v1/health``, measured in the
same run at the same concurrency (the clients share the machine's cores with the server,
so absolute figures include their own cost; the ratio says what a route adds).

Routes: the report page, the food search page and API, and a diary write (an entry POSTed
through the API). Then the same 50 users "paced": each pauses a random think time (mean
1 s) before each request, as a person reading the page does, 20 requests each. Last, three ten-year outlooks
are submitted at once and the report page is measured for as long as any is queued or
running: they must be queued (202 at once) and page loads must stay fast.

Goal (issue 10): p95 < 300 ms for reads at 50 users on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

USERS = (1, 10, 50)
GOAL_P95_MS = 300.0
#: Mean pause between one user's requests in the paced run (a person reading the page).
PACED_THINK_S = 1.0
PACED_REQUESTS_PER_USER = 20
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Route:
    """One measured request: ``make(i)`` gives the i-th request's method, URL and JSON body."""

    name: str
    read: bool
    make: Callable[[int], tuple[str, str, Any]]
    expect: int = 200


@dataclass(frozen=True)
class Result:
    route: str
    users: int
    think_s: float
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    seconds: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served() -> Iterator[str]:
    """``k2lab serve --load-examples`` on a fresh SQLite store; yields its base URL."""
    folder = Path(tempfile.mkdtemp(prefix="k2lab-bench-"))
    port = _free_port()
    env = {**os.environ, "K2LAB_DATABASE_URL": f"sqlite:///{folder / 'k2lab.sqlite3'}"}
    script = Path(sys.executable).with_name("k2lab")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "k2lab.cli"]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--load-examples"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise SystemExit(f"k2lab serve exited:\n{(folder / 'server.log').read_text()}")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("k2lab serve did not start in time")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _percentile(sorted_ms: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between the closest ranks."""
    if not sorted_ms:
        return float("nan")
    pos = q * (len(sorted_ms) - 1)
    low = int(pos)
    high = min(low + 1, len(sorted_ms) - 1)
    return sorted_ms[low] + (sorted_ms[high] - sorted_ms[low]) * (pos - low)


async def measure(
    url: str, route: Route, users: int, requests: int, *, think_s: float = 0.0
) -> Result:
    """Send ``requests`` requests of ``route`` from ``users`` concurrent clients; each waits
    a random think time (exponential, mean ``think_s``) before each request, the first
    included (people do not all click at the same instant)."""
    pause = random.Random(users)
    times: list[float] = []
    errors = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30.0) as client:
        await client.get("/")  # the CSRF cookie, as a browser would have it

        async def user() -> None:
            nonlocal errors
            for i in counter:
                if think_s:
                    await asyncio.sleep(pause.expovariate(1.0 / think_s))
                method, path, body = route.make(i)
                start = time.perf_counter()
                try:
                    response = await client.request(method, path, json=body)
                    ok = response.status_code == route.expect
                except httpx.HTTPError:
                    ok = False
                times.append((time.perf_counter() - start) * 1000.0)
                errors += not ok

        began = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(users)))
        seconds = time.perf_counter() - began
    times.sort()
    return Result(
        route=route.name,
        users=users,
        think_s=think_s,
        requests=len(times),
        errors=errors,
        p50_ms=_percentile(times, 0.50),
        p95_ms=_percentile(times, 0.95),
        p99_ms=_percentile(times, 0.99),
        seconds=seconds,
    )


def routes(url: str) -> list[Route]:
    """The baseline first, then the measured routes. Reads use the first example diary;
    writes go to a diary of their own, spread over a year of days (so the diary that is
    read does not grow while it is measured)."""
    report = f"/report?diary={_first_diary(url)}"
    created = httpx.post(f"{url}/api/v1/diaries", json={"name": "benchmark writes"}, timeout=10)
    created.raise_for_status()
    writes = int(created.json()["id"])
    queries = ("natto", "gouda", "kale", "egg yolk", "chicken", "sauerkraut", "brie", "spinach")
    first = dt.date(2026, 1, 1)

    def entry(i: int) -> tuple[str, str, Any]:
        day = (first + dt.timedelta(days=i % 365)).isoformat()
        body = {"food": "gouda", "amount": f"{1 + i % 3} slices", "meal": "lunch"}
        return "POST", f"/api/v1/diaries/{writes}/days/{day}/entries", body

    return [
        Route("baseline: GET /api/v1/health", True, lambda i: ("GET", "/api/v1/health", None)),
        Route("GET /report (page)", True, lambda i: ("GET", report, None)),
        Route(
            "GET /foods?q= (page)",
            True,
            lambda i: ("GET", f"/foods?q={queries[i % len(queries)]}", None),
        ),
        Route(
            "GET /api/v1/foods?q=",
            True,
            lambda i: ("GET", f"/api/v1/foods?q={queries[i % len(queries)]}", None),
        ),
        Route("POST /api/v1/diaries/{id}/days/{date}/entries", False, entry, expect=201),
    ]


def _first_diary(url: str) -> int:
    page = httpx.get(f"{url}/api/v1/diaries", timeout=10).json()
    if not page["items"]:
        raise SystemExit("no diary on the served app (was --load-examples honoured?)")
    return int(page["items"][0]["id"])


#: Outlooks submitted at once in the last part: one runs, the others wait their turn.
SIMULATIONS = ("MK-7 180 ug daily", "MK-7 90 ug daily", "D3 25 ug daily")


async def during_simulations(url: str, report: Route) -> dict[str, Any]:
    """Submit three ten-year outlooks at once, then measure the report page (10 users) in
    batches for as long as any of them is queued or running."""
    diary_id = _first_diary(url)
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
        start = time.perf_counter()
        submits = []
        for add in SIMULATIONS:
            began = time.perf_counter()
            r = await client.post(
                "/api/v1/simulations", json={"diary_id": diary_id, "years": 10, "add": [add]}
            )
            if r.status_code not in (200, 202):
                raise SystemExit(f"simulation refused: {r.status_code} {r.text}")
            submits.append(((time.perf_counter() - began) * 1000.0, r.status_code, r.json()))
        ids = [run["id"] for _, _, run in submits]

        async def statuses() -> list[str]:
            return [(await client.get(f"/api/v1/simulations/{i}")).json()["status"] for i in ids]

        seen = [await statuses()]
        batches: list[Result] = []
        while any(st in ("queued", "running") for st in seen[-1]):
            batches.append(await measure(url, report, 10, 50))
            seen.append(await statuses())
            if time.perf_counter() - start > 600:
                break
        total_s = time.perf_counter() - start
    times_p95 = [r.p95_ms for r in batches]
    return {
        "submit_ms": [ms for ms, _, _ in submits],
        "submit_status": [code for _, code, _ in submits],
        "statuses_seen": seen,
        "report_batches": [asdict(r) for r in batches],
        "report_requests": sum(r.requests for r in batches),
        "report_errors": sum(r.errors for r in batches),
        "report_p95_ms_worst_batch": max(times_p95) if times_p95 else float("nan"),
        "report_p50_ms_median_batch": sorted(r.p50_ms for r in batches)[len(batches) // 2]
        if batches
        else float("nan"),
        "final_status": seen[-1],
        "seconds": total_s,
    }


def table(results: list[Result]) -> str:
    """A markdown table, with each route's p95 over the baseline's at the same users."""
    base = {(r.users, r.think_s): r.p95_ms for r in results if r.route.startswith("baseline")}
    lines = [
        "| route | users | think s | requests | errors | p50 ms | p95 ms | p99 ms | req/s "
        "| p95 / baseline |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        b = base.get((r.users, r.think_s))
        ratio = r.p95_ms / b if b else float("nan")
        lines.append(
            f"| {r.route} | {r.users} | {r.think_s:g} | {r.requests} | {r.errors} | {r.p50_ms:.1f} | "
            f"{r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.requests / r.seconds:.0f} | {ratio:.1f} |"
        )
    return "\n".join(lines)


async def run(url: str, requests: int) -> dict[str, Any]:
    measured = routes(url)
    results: list[Result] = []
    for users in USERS:
        count = max(requests, 4 * users)
        for route in measured:
            results.append(await measure(url, route, users, count))
    # People read a page before the next click: the same 50 users, paced (20 requests each,
    # so that the p95 is not that of a few samples).
    for route in measured:
        count = max(requests, PACED_REQUESTS_PER_USER * USERS[-1])
        results.append(await measure(url, route, USERS[-1], count, think_s=PACED_THINK_S))
    sim = await during_simulations(url, measured[1])
    return {"results": [asdict(r) for r in results], "simulation": sim, "table": table(results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per route and level")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    with served() as url:
        out = asyncio.run(run(url, args.requests))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"k2lab web latency, {args.requests} requests per route and level, one uvicorn "
        f"process, {os.cpu_count()} cores, load average before the run {load}"
    )
    print()
    print(out["table"])
    print()
    sim = out["simulation"]
    print(
        f"simulations: {len(SIMULATIONS)} submitted in "
        f"{', '.join(f'{ms:.0f}' for ms in sim['submit_ms'])} ms "
        f"(HTTP {', '.join(map(str, sim['submit_status']))}); statuses right after: "
        f"{', '.join(sim['statuses_seen'][0])}; all {', '.join(sim['final_status'])} after "
        f"{sim['seconds']:.1f} s. Meanwhile GET /report at 10 users, {sim['report_requests']} "
        f"requests in {len(sim['report_batches'])} batches: median batch p50 "
        f"{sim['report_p50_ms_median_batch']:.1f} ms, worst batch p95 "
        f"{sim['report_p95_ms_worst_batch']:.1f} ms, {sim['report_errors']} errors"
    )
    for think in (0.0, PACED_THINK_S):
        reads = [
            r
            for r in out["results"]
            if r["users"] == USERS[-1] and r["think_s"] == think and "POST" not in r["route"]
        ]
        worst = max(r["p95_ms"] for r in reads)
        verdict = "met" if worst < GOAL_P95_MS else "NOT met"
        print(
            f"goal p95 < {GOAL_P95_MS:g} ms for reads at {USERS[-1]} users, think time "
            f"{think:g} s: {verdict} (worst read p95 {worst:.0f} ms)"
        )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
