import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from k2lab.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _db(food_db_path: Path) -> None:
    """Every CLI test uses the session database (via K2LAB_FOOD_DB)."""


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_foods_show_natto_json() -> None:
    code, out, _ = run("foods", "show", "natto", "--json")
    assert code == 0
    data = json.loads(out)
    mk7 = data["nutrients"]["mk7_ug_per_100g"]
    assert {"typical", "low", "high", "values", "rule"} <= set(mk7)
    assert mk7["low"] < mk7["typical"] < mk7["high"]
    assert all(v["source_key"] in data["sources"] for v in mk7["values"])
    assert data["main_k2_form"] == "MK-7"


def test_foods_search_and_stats_json() -> None:
    code, out, _ = run("foods", "search", "gouda", "--json", "--limit", "3")
    assert code == 0 and json.loads(out)[0]["food_key"] == "gouda"
    code, out, _ = run(
        "foods", "search", "--diet", "vegan", "--vitamer", "K2", "--rank", "k2_per_100g", "--json"
    )
    assert code == 0 and all(f["diet"] == "vegan" for f in json.loads(out))
    code, out, _ = run("foods", "stats", "--json")
    stats = json.loads(out)["nutrients"]
    assert code == 0 and stats["K1"]["any source"] >= 5000 and stats["MK-4"]["any source"] >= 300


def test_intake_json_reports_mk7_range_and_k1_separately(tmp_path: Path) -> None:
    diet = tmp_path / "d.toml"
    diet.write_text('[[day]]\nfoods = [ { food = "natto", amount = "1 tbsp" } ]\n')
    code, out, _ = run("intake", str(diet), "--json")
    assert code == 0
    mean = json.loads(out)["mean"]
    mk7 = mean["mk7_ug_per_day"]
    assert 10.9 * 775 / 100 == pytest.approx(mk7["low"], abs=0.01)
    assert 10.9 * 1100 / 100 == pytest.approx(mk7["high"], abs=0.01)
    assert mean["k1_ug_per_day"]["typical"] == pytest.approx(10.9 * 23.1 / 100, abs=0.01)
    assert mean["k2_total_ug_per_day"]["typical"] > mean["k1_ug_per_day"]["typical"]


def test_cover_natto_for_180_mk7() -> None:
    code, out, _ = run("cover", "natto", "--target", "180 ug MK-7", "--json")
    assert code == 0
    data = json.loads(out)
    g = data["grams_per_day"]
    assert g["low"] == pytest.approx(100 * 180 / 1100, rel=1e-3)
    assert g["high"] == pytest.approx(100 * 180 / 775, rel=1e-3)
    tbsp = next(p for p in data["portions"] if p["portion"] == "1 tablespoon")
    assert 1.4 < tbsp["count_typical"] < 2.2


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_file()))
def test_report_runs_on_every_example(example: str) -> None:
    code, out, _ = run("report", str(EXAMPLES / example), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["disclaimer"] and data["sources"] and data["target"]["chosen_by"].startswith("user")
    assert set(data["source_keys"]) <= set(data["sources"])


def test_report_text_names_gap_and_sources() -> None:
    code, out, _ = run(
        "report", str(EXAMPLES / "supplements_d3_calcium.toml"), "--target", "180 ug K2"
    )
    assert code == 0
    assert "short by" in out and "to close it" in out and "Sources used" in out
    assert "does not diagnose" in out


def test_report_gap_suggestions_respect_the_diet() -> None:
    code, out, _ = run(
        "report", str(EXAMPLES / "vegan_natto.toml"), "--target", "500 ug K2", "--json"
    )
    assert code == 0
    keys = [s["food_key"] for s in json.loads(out)["target"]["to_close_gap"]]
    assert keys and all(k in ("natto", "sauerkraut") for k in keys)


def test_report_and_advise_name_the_same_gap_food() -> None:
    diet = str(EXAMPLES / "vegetarian.toml")
    code, out, _ = run("report", diet, "--json")
    first = json.loads(out)["target"]["to_close_gap"][0]
    code2, out2, _ = run("advise", "--diet", diet, "--json")
    advice = json.loads(out2)["advice"]
    message = next(a["message"] for a in advice if a["rule_id"] == "k2_below_target")
    assert code == code2 == 0
    assert f"{first['grams']:.0f} g {first['name'].lower()} a day" in message


def test_intake_text_shows_references_and_notes(tmp_path: Path) -> None:
    diary = tmp_path / "d.csv"
    diary.write_text("day,food,amount\nmon,natto,1 tbsp\n")
    code, out, _ = run("intake", str(diary))
    assert code == 0
    assert "Intake per day by form" in out and "Against reference intakes" in out
    assert "note:" in out and "No authority sets an intake for vitamin K2" in out


BAD = [
    (("foods", "show", "nato"), "Unknown food 'nato'"),
    (("foods", "search", "x", "--diet", "carnivore"), "Unknown diet"),
    (("foods", "search", "x", "--rank", "best"), "Unknown --rank"),
    (("cover", "natto", "--target", "180 IU MK-7"), "IU are for vitamin D"),
    (("cover", "natto", "--target", "lots of K2"), "Cannot read the target"),
    (("cover", "spinach", "--target", "90 ug K2"), "has no K2"),
    (("intake", "missing.toml"), "No diet file"),
    (("report", str(EXAMPLES / "omnivore.toml"), "--target", "-5 ug K2"), "Cannot read|above 0"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_exits_2_with_a_message(args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert "Traceback" not in out + err
    import re

    assert re.search(message, err), err


def test_db_commands(tmp_path: Path) -> None:
    fdc = Path(__file__).resolve().parent / "data" / "fdc_small"
    code, out, _ = run(
        "db", "import-fdc", str(fdc), "--output", str(tmp_path / "f.sqlite"), "--json"
    )
    assert code == 0 and json.loads(out)["usda_foods_imported"] == 3
    code, out, _ = run("--db", str(tmp_path / "f.sqlite"), "foods", "show", "fdc:171242", "--json")
    assert code == 0 and json.loads(out)["nutrients"]["mk4_ug_per_100g"]["typical"] == 5.4
    code, _, err = run("db", "import-fdc", str(tmp_path), "--output", str(tmp_path / "g.sqlite"))
    assert code == 2 and "food.csv" in err


def test_bad_diet_file_names_line(tmp_path: Path) -> None:
    diet = tmp_path / "bad.toml"
    diet.write_text('[[day]]\nfoods = [\n  { food = "natto", amount = "5 kg" },\n]\n')
    code, _, err = run("intake", str(diet))
    assert code == 2 and "line 3" in err and "2,000 g" in err


def test_installed_script_exit_code(tmp_path: Path, food_db_path: Path) -> None:
    exe = Path(sys.executable).parent / "k2lab"
    if not exe.exists():
        pytest.skip("k2lab script not installed in this environment")
    env = {**os.environ, "K2LAB_FOOD_DB": str(food_db_path)}
    bad = subprocess.run(
        [str(exe), "foods", "show", "nato"], capture_output=True, text=True, env=env, check=False
    )
    assert bad.returncode == 2 and "Natto" in bad.stderr and "Traceback" not in bad.stderr
    ok = subprocess.run(
        [str(exe), "report", str(EXAMPLES / "omnivore.toml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0 and "Intake per day by form" in ok.stdout
