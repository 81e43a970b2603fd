"""Hostile and careless inputs to the CLI: each class ends with exit 2 and a message that
says what to do (never a traceback), or exit 0 with valid output; nothing outside k2lab's
own files is written. One regression test per class found, then a fuzz test over them all."""

from __future__ import annotations

import os
import sqlite3
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from k2lab.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _db(food_db_path: Path) -> None:
    """Every test uses the session database (via K2LAB_FOOD_DB)."""


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"k2lab {' '.join(args)} raised {result.exception!r}")
    return result.exit_code, result.stdout + result.stderr


def _refused(*args: str, says: str) -> None:
    code, text = _run(*args)
    assert code == 2, text
    assert says in text, text
    assert "Traceback" not in text


def test_corrupt_empty_and_foreign_food_databases(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 10)
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    foreign = tmp_path / "foreign.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    for path in (garbage, empty, foreign):
        before = path.read_bytes()
        _refused("--db", str(path), "foods", "stats", says="not a readable k2lab food database")
        assert path.read_bytes() == before


def test_unwritable_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("K2LAB_FOOD_DB")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    _refused("foods", "stats", says="Cannot write the food database")


def test_diet_files_that_are_devices_folders_huge_deep_or_bom(tmp_path: Path) -> None:
    _refused("intake", "/dev/zero", says="unknown diet file type")
    folder = tmp_path / "d.toml"
    folder.mkdir()
    _refused("intake", str(folder), says="is a folder")
    huge = tmp_path / "huge.csv"
    with huge.open("w") as f:
        f.write("day,food,amount\n")
        f.write("d1,natto,1 tbsp\n" * 400_000)
    _refused("intake", str(huge), says="diet files are read up to 5,000,000 bytes")
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    _refused("intake", str(deep), says="nested too deeply")
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffday,food,amount\n2024-01-01,natto,1 tbsp\n".encode())
    code, text = _run("intake", str(bom))
    assert code == 0, text


def test_too_many_diary_rows(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("day,food,amount\n" + "d,natto,1 g\n" * 100_001)
    _refused("intake", str(rows), says="more than 100,000 rows")


def test_plot_paths(tmp_path: Path) -> None:
    _refused("simulate", "--hours", "24", "--plot", str(tmp_path / "out.txt"), says=".png")
    _refused("simulate", "--hours", "24", "--plot", str(tmp_path), says="is a folder")
    _refused(
        "simulate", "--hours", "24", "--plot", str(tmp_path / "no" / "p.png"), says="does not exist"
    )
    code, text = _run("simulate", "--hours", "24", "--plot", str(tmp_path / "p.png"))
    assert code == 0 and "plot written to" in text and (tmp_path / "p.png").is_file()


def test_search_filters_ignore_case_and_refuse_unknown_categories() -> None:
    assert _run("foods", "search", "--diet", "VEGAN", "--limit", "1")[0] == 0
    assert _run("foods", "search", "--vitamer", "mk-7", "--limit", "1")[0] == 0
    assert _run("foods", "search", "--vitamer", "k2", "--limit", "1")[0] == 0
    _refused("foods", "search", "--category", "anything", says="Unknown category")
    _refused("foods", "search", "--vitamer", "mk-77", says="Unknown vitamer")


def test_fdc_import_of_garbage_or_empty_folders(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "food.csv").write_bytes(bytes(range(256)) * 20)
    (bad / "food_nutrient.csv").write_text("a,b\n1,2\n")
    _refused("db", "import-fdc", str(bad), "--output", str(tmp_path / "o.sqlite"), says="UTF-8 CSV")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "food.csv").write_text("fdc_id,data_type,description,food_category_id\n")
    (empty / "food_nutrient.csv").write_text("id,fdc_id,nutrient_id,amount\n")
    _refused(
        "db", "import-fdc", str(empty), "--output", str(tmp_path / "o.sqlite"), says="no foods"
    )
    assert not (tmp_path / "o.sqlite").exists()


def test_version() -> None:
    code, text = _run("--version")
    assert code == 0 and text.startswith("k2lab ")


# --- the fuzz test -----------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["natto", "gouda", "nato", "MK-7", "180", "ug", "-5", "0", "1e9", "nan", "inf", "daily",
     "K1", "D3", "2000", "IU", "mg", "warfarin", "VEGAN", "mk-7", "", " ", "1 tbsp", "é", "🧀",
     "--json", "mon,wed,fri", "then", "for", "2", "weeks", "once", "-1", "1e-400", "5 kg"]
)  # fmt: skip
_TEXT = st.one_of(_WORDS, st.text(string.printable, max_size=12))
_OPTIONS = {
    "simulate": ["--hours", "--weeks", "--age", "--sex", "--egfr", "--sun", "--supplement",
                 "--medication", "--population", "--seed", "--samples", "--compare"],
    "foods search": ["--diet", "--vitamer", "--category", "--rank", "--limit"],
    "foods show": [],
    "cover": ["--target"],
    "advice": ["--medication", "--supplement", "--age", "--sex", "--population"],
}  # fmt: skip


@st.composite
def _command(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(_OPTIONS)))
    args = name.split()
    if name in {"foods show", "cover", "foods search"} and draw(st.booleans()):
        args.append(draw(_TEXT))
    for _ in range(draw(st.integers(0, 4))):
        options = _OPTIONS[name]
        if options:
            args += [draw(st.sampled_from(options)), draw(_TEXT)]
    if name == "simulate":
        args += ["--hours", draw(st.sampled_from(["24", "72", "0.5", "-3", "abc"]))]
        args += ["--samples", "3"]
    if draw(st.booleans()):
        args.append("--json")
    return args


#: ``K2LAB_FUZZ_SCALE=N`` runs N times the examples (``make soak``: 10).
FUZZ_SCALE = int(os.environ.get("K2LAB_FUZZ_SCALE", "1"))


@settings(
    max_examples=60 * FUZZ_SCALE,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=_command())
def test_fuzz_cli_exits_0_or_2_with_a_message_never_a_traceback(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    code, text = _run(*args)
    assert code in {0, 2}, (args, text)
    assert "Traceback" not in text
    if code == 2:
        assert "error" in text.lower() or "usage" in text.lower(), (args, text)
    assert set(tmp_path.iterdir()) == before, "a command wrote a file nobody asked for"
