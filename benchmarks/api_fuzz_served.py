"""API fuzzing against a served app: the schemathesis CLI over ``k2lab serve`` (issue 11 part 2,
item 1; the in-process half is tests/web/test_api_fuzz.py).

Run with ``make fuzz-api-ci`` (CI: a few examples per operation, at most 90 s of fuzzing),
``make soak`` (more examples, longer), or ``python benchmarks/api_fuzz_served.py
[--max-examples N] [--max-time S] [--seed N] [--json PATH]``. It starts ``k2lab serve`` (one
uvicorn process, as ``make run`` does) on a fresh SQLite store on a free port of 127.0.0.1,
runs ``st run`` on the app's own ``/api/v1/openapi.json`` with every check and every phase
(examples, coverage, fuzzing, stateful: the stateful phase follows the schema's links, e.g.
create a diary and then export it), and prints the figures from schemathesis's JSON report:
operations tested, test cases generated, failures by check. Exit status 1 on any failure
(a 5xx, an undocumented status, a body or header that does not conform to the schema, input
that violates the schema but is accepted), or when schemathesis could not test an operation.

Checks left out, each for a reason:

- ``positive_data_acceptance``: a 422 for a schema-valid request is k2lab's answer to a food
  it does not know or a regimen it cannot read, which no JSON schema can express (the same
  exclusion as the in-process test).

The page forms' CSRF token is sent as a cookie and a header (the double submit, as a browser
page does), so uploads to the API are fuzzed past their CSRF check instead of all being 403.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests" / "web"))
from live_server import LiveServer  # noqa: E402

EXCLUDED_CHECKS = ("positive_data_acceptance",)


def run(max_examples: int, max_time_s: int, seed: int, folder: Path) -> dict[str, object]:
    """Serve the app, fuzz it with ``st run``; the figures of the run."""
    server = LiveServer(f"sqlite:///{folder / 'k2lab.sqlite3'}", log=folder / "server.log")
    url = server.start(timeout_s=180)
    token = secrets.token_urlsafe(32)
    st = Path(sys.executable).with_name("st")
    report = folder / "report.json"
    command = [
        "timeout", str(max_time_s + 120), str(st), "run", f"{url}/api/v1/openapi.json",
        "--checks", "all", "--exclude-checks", ",".join(EXCLUDED_CHECKS),
        "--max-examples", str(max_examples), "--max-time", str(max_time_s),
        "--seed", str(seed), "--workers", "2", "--request-timeout", "60",
        "--header", f"Cookie: k2lab_csrf={token}", "--header", f"X-CSRF-Token: {token}",
        "--report", "json", "--report-json-path", str(report), "--no-color",
    ]  # fmt: skip
    began = time.monotonic()
    try:
        # In the temporary folder: schemathesis keeps a cache of its own in the working one.
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    finally:
        server.stop()
    seconds = time.monotonic() - began
    if not report.exists():
        raise SystemExit(f"schemathesis failed ({done.returncode}):\n{done.stdout[-4000:]}")
    data = json.loads(report.read_text())
    cases = data["test_cases"]
    log = (folder / "server.log").read_text(errors="replace")
    return {
        "schemathesis": data["schemathesis_version"], "seed": seed,
        "max_examples": max_examples, "max_time_s": max_time_s, "seconds": round(seconds, 1),
        "stop_reason": data["stop_reason"], "operations": data["operations"]["tested"],
        "operations_total": data["operations"]["total"],
        "operations_errored": data["operations"]["errored"],
        "phases": {k: v["status"] for k, v in data["phases"].items()},
        "cases": cases["generated"], "cases_failed": cases["with_failures"],
        "cases_errored": cases["errored"],
        "failures": {f["code"] + " " + f["title"]: f["count"] for f in data["failures"]},
        "errors": [str(e) for e in data["errors"]],
        "warnings": {k: v for k, v in data["warnings"].items() if v},
        "excluded_checks": list(EXCLUDED_CHECKS),
        "server_tracebacks": log.count("Traceback (most recent call last)"),
        "exit_code": done.returncode, "output": done.stdout[-6000:],
    }  # fmt: skip


def ok(result: dict[str, object]) -> bool:
    """Whether the run found nothing: no failure, no error, no untested operation, no
    traceback in the server's log."""
    return (
        result["exit_code"] == 0
        and not result["failures"]
        and not result["errors"]
        and not result["operations_errored"]
        and result["operations"] == result["operations_total"]
        and not result["server_tracebacks"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=10, help="per operation and phase")
    parser.add_argument("--max-time", type=int, default=90, help="seconds of fuzzing, at most")
    parser.add_argument("--seed", type=int, default=20_261_202)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="k2lab-fuzz-") as tmp:
        result = run(args.max_examples, args.max_time, args.seed, Path(tmp))
    print(f"schemathesis {result['schemathesis']} against k2lab serve: "
          f"{result['operations']}/{result['operations_total']} operations, "
          f"{result['cases']} test cases in {result['seconds']} s ({result['stop_reason']}), "
          f"{result['cases_failed']} failed; phases {result['phases']}")  # fmt: skip
    for name, count in result["failures"].items():  # type: ignore[attr-defined]
        print(f"  {name}: {count}")
    for name, operations in result["warnings"].items():  # type: ignore[attr-defined]
        print(f"  warning {name}: {', '.join(operations)}")
    if args.json:
        args.json.write_text(json.dumps({k: v for k, v in result.items() if k != "output"}))
    if not ok(result):
        print(result["output"])
        raise SystemExit(1)


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
