"""Run the reliability checks and render docs/reliability.md from their figures.

``make reliability`` (the short form, ~10 minutes) or ``make soak`` (the long form, ~35
minutes) run this: ``.venv/bin/python tools/reliability.py [--soak]``. It runs the tests named
in :data:`PROMISES` with ``K2LAB_RELIABILITY_DIR`` set (each writes its figures there, see
tests/conftest.py), the load benchmark (benchmarks/bench_load.py) and the served API fuzz
(benchmarks/api_fuzz_served.py), collects everything in docs/reliability/figures.json with
the run's date, machine and commit, and renders docs/reliability.md from that file alone.
``--render`` only renders the committed figures again (after editing :data:`PROMISES`).
Exit status 1 when any check failed; the page then says which.

tests/docsite/test_reliability.py checks that the committed page is the rendering of the
committed figures, so no figure on it is typed by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reliability.md"
FIGURES = ROOT / "docs" / "reliability" / "figures.json"
BLOB = "https://github.com/k2lab/k2lab/blob/main/"
#: The load goal for reads (issue 11), as benchmarks/bench_load.py checks it.
GOAL_P95_MS = 300.0

#: The short and the long form: kills per store, fuzz scale, load seconds, served fuzz.
FORMS: dict[str, dict[str, int]] = {
    "short": {"kills": 20, "fuzz_scale": 1, "load_s": 60, "api_examples": 10, "api_s": 90},
    "soak": {"kills": 100, "fuzz_scale": 5, "load_s": 600, "api_examples": 50, "api_s": 300},
}

#: The benchmarks among the checks, by the name of their figures.
BENCHMARKS = {
    "benchmarks/bench_load.py": "load",
    "benchmarks/api_fuzz_served.py": "api_fuzz_served",
}

#: Each promise: what k2lab promises, the tests that check it, the figures it shows.
PROMISES: list[dict[str, Any]] = [
    {
        "title": "Durability of acknowledged writes",
        "promise": "A diary write the server acknowledged (2xx) survives a SIGKILL of the "
        "server at any moment: it is there after the restart, once, with its id; nothing "
        "unacknowledged is half-there; SQLite's integrity and foreign-key checks pass. On "
        "SQLite and on PostgreSQL.",
        "tests": [
            "tests/web/test_durability.py::test_acknowledged_writes_survive_sigkill_on_sqlite",
            "tests/web/test_durability.py::test_acknowledged_writes_survive_sigkill_on_postgresql",
            "tests/web/test_durability.py::test_a_write_is_committed_before_its_response_is_sent",
        ],
        "figures": ["durability_sqlite", "durability_postgresql"],
    },
    {
        "title": "Atomic food database build",
        "promise": "`k2lab db build` killed mid-build leaves the previous database valid and "
        "nothing partial under its name; two builds to one path both succeed.",
        "tests": [
            "tests/web/test_durability.py::test_food_db_build_survives_sigkill_mid_build",
            "tests/web/test_durability.py::test_two_concurrent_builds_to_one_path_both_succeed",
        ],
        "figures": ["food_db_build"],
    },
    {
        "title": "No lost update",
        "promise": "Two clients editing one day: with the same version exactly one wins and "
        "the others get 409 with the current version; blind adds all land or get 409, never a "
        "5xx; concurrent simulations give one valid run per scenario.",
        "tests": [
            "tests/web/test_concurrency.py::test_same_if_match_one_wins_the_rest_get_409",
            "tests/web/test_concurrency.py::test_blind_adds_to_a_new_day_all_land_or_409",
            "tests/web/test_concurrency.py::test_first_requests_of_a_fresh_store_race_to_create_diaries",
            "tests/web/test_concurrency.py::test_concurrent_simulations_reuse_one_run_per_scenario_and_stay_valid",
            "tests/web/test_diary.py::test_stale_version_is_409_and_keeps_the_input",
        ],
    },
    {
        "title": "Isolation between users",
        "promise": "In multi-user mode user B cannot read, change or delete user A's diaries, "
        "days, entries, recipes, scenarios or results, by guessing ids or by listing: every "
        "route is walked, so a new route is covered without editing the test.",
        "tests": [
            "tests/web/test_isolation.py::test_user_b_cannot_reach_user_a_records",
            "tests/web/test_isolation.py::test_harness_catches_a_leaky_route",
            "tests/web/test_isolation.py::test_harness_lists_a_route_it_cannot_fill",
        ],
    },
    {
        "title": "Web security",
        "promise": "Security headers (a Content-Security-Policy without inline script, no "
        "framing) on every answer; CSRF tokens on state-changing forms; session cookies "
        "HttpOnly, SameSite, Secure over TLS; passwords hashed with argon2; logins "
        "rate-limited; no stack trace or SQL in any error.",
        "tests": [
            "tests/web/test_security.py::test_headers_on_pages_api_errors_and_refusals",
            "tests/web/test_security.py::test_csrf_cookie_and_session_cookie_flags",
            "tests/web/test_security.py::test_page_forms_refuse_a_missing_or_wrong_csrf_token",
            "tests/web/test_security.py::test_internal_errors_show_no_trace_or_sql",
            "tests/web/test_security.py::test_templates_have_no_inline_script_style_or_handlers",
            "tests/web/test_auth.py::test_register_logs_in_with_a_hashed_password_and_token",
            "tests/web/test_auth.py::test_outdated_hash_is_replaced_on_login",
            "tests/web/test_auth.py::test_login_rate_limit",
            "tests/web/test_auth.py::test_limiter_window_and_memory_bound",
            "tests/web/test_auth.py::test_secure_cookie_when_configured",
            "tests/web/test_auth.py::test_wrong_password_and_unknown_user_read_the_same",
        ],
    },
    {
        "title": "Bounded resources",
        "promise": "Request bodies and uploads have a size cap (413 saying the limit), "
        "imported diaries a row cap, a day an entry cap; the simulation queue is bounded "
        "(503 with Retry-After) and each run has a time limit; the CLI refuses what would "
        "exhaust memory with a message.",
        "tests": [
            "tests/web/test_app.py::test_oversized_body_is_413",
            "tests/web/test_security.py::test_streamed_body_over_the_cap_is_413",
            "tests/web/test_diary_io.py::test_import_page_and_size_cap",
            "tests/store/test_diaries.py::test_entry_bound",
            "tests/web/test_simulations.py::test_ten_years_with_the_queue_full_meanwhile",
            "tests/web/test_simulations.py::test_a_run_past_the_time_limit_fails_and_frees_the_worker",
            "tests/test_hostile_inputs.py::test_too_many_diary_rows",
            "tests/test_hostile_inputs.py::test_diet_files_that_are_devices_folders_huge_deep_or_bom",
        ],
    },
    {
        "title": "Fuzzing",
        "promise": "Every reader of user input (diet TOML and CSV, amounts and units, the "
        "regimen grammar, the Cronometer import, the planner's inputs, the scenario values), "
        "the CLI and the API answer with a valid result or a clear error (a K2LabError, exit "
        "2, a documented 4xx), never a traceback or a 5xx; every API answer conforms to the "
        "OpenAPI schema; export then import is lossless.",
        "tests": [
            "tests/test_parser_fuzz.py::test_toml_diet_reader",
            "tests/test_parser_fuzz.py::test_csv_diary_reader",
            "tests/test_parser_fuzz.py::test_amounts_of_a_food",
            "tests/test_parser_fuzz.py::test_quantities_and_micrograms",
            "tests/test_parser_fuzz.py::test_cronometer_import",
            "tests/test_parser_fuzz.py::test_planner_inputs",
            "tests/test_parser_fuzz.py::test_scenario_values",
            "tests/test_parser_fuzz.py::test_csv_export_then_import_is_lossless",
            "tests/test_regimen.py::test_any_text_is_a_regimen_or_a_k2lab_error",
            "tests/test_hostile_inputs.py::test_fuzz_cli_exits_0_or_2_with_a_message_never_a_traceback",
            "tests/web/test_api_fuzz.py::test_every_api_operation",
            "tests/web/test_api_fuzz.py::test_export_of_a_diary_named_outside_latin1_is_not_a_500",
            "tests/web/test_api_fuzz.py::test_405_allow_names_every_method_of_the_path",
            "benchmarks/api_fuzz_served.py",
        ],
        "figures": ["api_fuzz_in_process", "api_fuzz_served"],
    },
    {
        "title": "Load",
        "promise": "50 concurrent users browsing foods, editing diaries, reading reports and "
        "submitting simulations against one `k2lab serve` on 127.0.0.1: 0 errors, p95 under "
        "300 ms for reads, memory flat.",
        "tests": ["benchmarks/bench_load.py"],
        "figures": ["load"],
    },
]


def _tests(promises: list[dict[str, Any]]) -> list[str]:
    return [t for p in promises for t in p["tests"] if "::" in t]


def _per_test(nodes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """pytest.json's nodes summed per test function (its parameters together)."""
    out: dict[str, dict[str, Any]] = {}
    for node, entry in nodes.items():
        test = out.setdefault(node.split("[")[0], {"outcomes": [], "seconds": 0.0, "cases": 0})
        test["outcomes"].append(entry.get("outcome", "not run"))
        test["seconds"] = round(test["seconds"] + entry.get("seconds", 0.0), 2)
        test["cases"] += entry.get("cases", 0)
    for test in out.values():
        outcomes = test.pop("outcomes")
        test["runs"] = len(outcomes)
        test["outcome"] = next(
            (o for o in ("failed", "skipped") if o in outcomes), outcomes[0] if outcomes else ""
        )
    return out


def _benchmark(script: str, args: list[str], out: Path) -> dict[str, Any]:
    """Run a benchmark with ``--json``; its figures and whether it passed."""
    done = subprocess.run([sys.executable, str(ROOT / script), *args, "--json", str(out)])
    figures: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    figures.pop("failures_csv", None)
    return {**figures, "outcome": "passed" if done.returncode == 0 else "failed"}


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    dirty = " (with uncommitted changes)" if git("status", "--porcelain").strip() else ""
    return git("rev-parse", "--short", "HEAD").strip() + dirty


def run(form: str) -> dict[str, Any]:
    """Run every check in ``form`` (``short`` or ``soak``); the figures."""
    f = FORMS[form]
    meta = {
        "form": form, "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(), "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": platform.python_version(), "load_average": round(os.getloadavg()[0], 1),
        "settings": f,
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="k2lab-reliability-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "K2LAB_RELIABILITY_DIR": str(folder)}
        env |= {"K2LAB_SOAK_KILLS": str(f["kills"]), "K2LAB_FUZZ_SCALE": str(f["fuzz_scale"])}
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        subprocess.run([*pytest, *dict.fromkeys(_tests(PROMISES))], cwd=ROOT, env=env)
        figures: dict[str, Any] = {"run": meta}
        nodes = folder / "pytest.json"
        figures["tests"] = _per_test(json.loads(nodes.read_text()) if nodes.exists() else {})
        for path in sorted(folder.glob("*.json")):
            if path.name != "pytest.json":
                figures[path.stem] = json.loads(path.read_text())
        # The soak also fails on a read's p95 over the goal, as `make bench-load` does.
        load = ["--seconds", str(f["load_s"]), *(["--require-goal"] if form == "soak" else [])]
        figures["load"] = _benchmark("benchmarks/bench_load.py", load, folder / "load.json")
        figures["api_fuzz_served"] = _benchmark(
            "benchmarks/api_fuzz_served.py",
            ["--max-examples", str(f["api_examples"]), "--max-time", str(f["api_s"])],
            folder / "fuzz.json",
        )
    meta["finished"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return figures


def outcome(figures: dict[str, Any], test: str) -> str:
    """``passed``, ``failed``, ``skipped`` or ``not run``: a test's or a benchmark's."""
    if "::" in test:
        return str(figures["tests"].get(test, {}).get("outcome", "not run"))
    return str(figures.get(BENCHMARKS[test], {}).get("outcome", "not run"))


def failed(figures: dict[str, Any]) -> list[str]:
    """Every check of :data:`PROMISES` that did not pass."""
    return [t for p in PROMISES for t in p["tests"] if outcome(figures, t) != "passed"]


# ---- the page ----


def _link(check: str) -> str:
    path, _, name = check.partition("::")
    label = f"{Path(path).name}::{name}" if name else path
    return f"[`{label}`]({BLOB}{path})"


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _durability(store: str, f: dict[str, Any]) -> str:
    late = f["found"] - f["acked"]
    return (
        f"{store}: **{_n(f['kills'])} kills survived**; {_n(f['sent'])} writes sent, "
        f"{_n(f['acked'])} acknowledged, {_n(f['found'])} found after the last restart: every "
        f"acknowledged one, none twice, none half-written"
        + (f" ({_n(late)} more were committed when a kill cut off their answer)" if late else "")
        + f"; {_n(f['days_checked'])} day checks"
        + (f", {_n(f['integrity_checks'])} integrity checks ok." if f["integrity_checks"] else ".")
    )


def _served(f: dict[str, Any]) -> list[str]:
    order = ("examples", "coverage", "fuzzing", "stateful")
    phases = ", ".join(f"{k} {f['phases'][k]}" for k in order if k in f["phases"])
    failures = ", ".join(f"{k}: {v}" for k, v in f["failures"].items()) or "none"
    lines = [
        f"Served (schemathesis {f['schemathesis']} CLI, every check but "
        f"{', '.join(f'`{c}`' for c in f['excluded_checks'])}, seed {f['seed']}): "
        f"**{_n(f['operations'])} of {_n(f['operations_total'])} operations, {_n(f['cases'])} "
        f"test cases** in {f['seconds']} s (at most {f['max_examples']} examples per operation "
        f"and phase, {f['max_time_s']} s; stopped by {f['stop_reason']}); phases: {phases}; "
        f"failures: {failures}; tracebacks in the server's log: {f['server_tracebacks']}.",
    ]
    warned = [
        f"{name} on {len(ops)} operations" + (f" ({WARNINGS[name]})" if name in WARNINGS else "")
        for name, ops in f.get("warnings", {}).items()
    ]
    if warned:
        lines += ["", f"Schemathesis warned: {', '.join(warned)}."]
    return lines


#: What schemathesis's warnings mean here.
WARNINGS = {
    "missing_test_data": "requests for ids it made up, mostly answered 404: no such record",
    "validation_mismatch": "schema-valid data mostly refused with 422, e.g. a food k2lab does "
    "not know: why `positive_data_acceptance` is left out",
}


def _load(f: dict[str, Any]) -> list[str]:
    rss = ", ".join(f"{k} {f['rss_mb'][k]:.0f}" for k in ("start", "middle", "peak", "end"))
    slow = [r["route"] for r in f["routes"]
            if not r["route"].startswith("POST") and r["p95_ms"] > GOAL_P95_MS]  # fmt: skip
    lines = [
        f"**{f['users']} users for {f['seconds']} s: {_n(f['requests'])} requests** "
        f"({f['requests_per_s']:.1f}/s), {_n(f['failures'])} failed (error rate "
        f"{f['error_rate']:.2%}). Server memory (MB, its process and its simulation "
        f"workers): {rss}. Reads with a p95 over {GOAL_P95_MS:.0f} ms: "
        f"{', '.join(f'`{r}`' for r in slow) or 'none'}.",
        "",
        "| Route | Requests | Failed | p50 (ms) | p95 (ms) | p99 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in f["routes"]:
        lines.append(
            f"| `{r['route']}` | {_n(r['requests'])} | {_n(r['failures'])} | "
            f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} |"
        )
    return lines


def _figures(name: str, figures: dict[str, Any]) -> list[str]:
    f = figures.get(name)
    if f is None:
        return [f"No figures of `{name}` in the last run."]
    if name.startswith("durability_"):
        return [_durability({"sqlite": "SQLite"}.get(name[11:], "PostgreSQL"), f)]
    if name == "food_db_build":
        return [f"**{_n(f['kills'])} kills mid-build**; after each the database ({_n(f['foods'])} "
                "foods) was valid and only the killed build's own temporary file was left beside it; "
                "the next build removed those and nothing else."]  # fmt: skip
    if name == "api_fuzz_in_process":
        return [f"In process: {_n(f['operations'])} operations, up to {f['examples']} examples "
                "per operation, valid and invalid (the test cases are in the table)."]  # fmt: skip
    if name == "api_fuzz_served":
        return _served(f)
    return _load(f)


def _summary(promise: dict[str, Any], figures: dict[str, Any]) -> str:
    """The one-line figure of a promise in the summary table."""
    tests = figures["tests"]
    cases = sum(tests.get(t, {}).get("cases", 0) for t in promise["tests"])
    names = promise.get("figures", [])
    if "durability_sqlite" in names:
        kills = sum(figures.get(n, {}).get("kills", 0) for n in names)
        acked = sum(figures.get(n, {}).get("acked", 0) for n in names)
        return f"{_n(kills)} kills, {_n(acked)} acknowledged writes checked"
    if "food_db_build" in names:
        return f"{_n(figures.get('food_db_build', {}).get('kills', 0))} kills mid-build"
    if "api_fuzz_served" in names:
        served = figures.get("api_fuzz_served", {}).get("cases", 0)
        return f"{_n(cases)} Hypothesis cases, {_n(served)} served API cases"
    if "load" in names:
        load = figures.get("load", {})
        return f"{_n(load.get('requests', 0))} requests, {_n(load.get('failures', 0))} failed"
    return f"{_n(cases)} Hypothesis cases" if cases else ""


def render(figures: dict[str, Any]) -> str:
    """docs/reliability.md for ``figures`` (what :func:`run` returns)."""
    meta = figures["run"]
    command = {"short": "make reliability", "soak": "make soak"}[meta["form"]]
    s = meta["settings"]
    lines = [
        "# Reliability",
        "",
        "<!-- Generated by tools/reliability.py (make reliability, make soak) from "
        "docs/reliability/figures.json: do not edit. -->",
        "",
        "What k2lab promises about your data and the server, the tests that check each "
        "promise, and the figures of the last run. Nothing here is typed by hand: the page "
        "is rendered from the figures the checks wrote.",
        "",
        '!!! info "The last run"',
        f"    The **{meta['form']} form** (`{command}`: {s['kills']} kills per store, "
        f"{s['fuzz_scale']}× the fuzz examples, {s['load_s']} s of load, the served API fuzz "
        f"with at most {s['api_examples']} examples per operation and {s['api_s']} s), "
        f"{meta['started']} to {meta['finished']}, commit `{meta['commit']}`, on "
        f"{meta['os']} with {meta['cores']} cores and Python {meta['python']}. The machine "
        f"was shared (load average {meta['load_average']} at the start), so latencies are "
        "upper bounds.",
        "",
        "## Summary",
        "",
        "| Promise | Checks passed | Figures |",
        "| --- | --- | --- |",
    ]
    for p in PROMISES:
        passed = sum(outcome(figures, t) == "passed" for t in p["tests"])
        anchor = p["title"].lower().replace(" ", "-")
        lines.append(f"| [{p['title']}](#{anchor}) | {passed} of {len(p['tests'])} | "
                     f"{_summary(p, figures)} |")  # fmt: skip
    for p in PROMISES:
        lines += ["", f"## {p['title']}", "", p["promise"], ""]
        lines += ["| Check | Result | Runs | Test cases | Seconds |"]
        lines += ["| --- | --- | ---: | ---: | ---: |"]
        for t in p["tests"]:
            row = figures["tests"].get(t) or {
                "seconds": figures.get(BENCHMARKS.get(t, ""), {}).get("seconds", "")
            }
            cases = _n(row["cases"]) if row.get("cases") else ""
            runs, seconds = row.get("runs", ""), row.get("seconds", "")
            lines.append(f"| {_link(t)} | {outcome(figures, t)} | {runs} | {cases} | {seconds} |")
        for name in p.get("figures", []):
            lines += ["", *_figures(name, figures)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--soak", action="store_true", help="the long form (~35 minutes)")
    parser.add_argument("--render", action="store_true", help="only render the committed figures")
    args = parser.parse_args()
    if args.render:
        figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    else:
        figures = run("soak" if args.soak else "short")
        FIGURES.parent.mkdir(parents=True, exist_ok=True)
        FIGURES.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    PAGE.write_text(render(figures), encoding="utf-8")
    bad = failed(figures)
    sys.stdout.write(
        f"wrote {PAGE.relative_to(ROOT)}; {f'failed: {bad}' if bad else 'all passed'}\n"
    )
    sys.exit(1 if bad else 0)
