import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from k2lab.cli import app
from k2lab.foods import FoodDatabase
from k2lab.intake import parse_toml_diet
from k2lab.physiology.diet import diet_doses

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_diet_doses_repeat_the_typical_day(db: FoodDatabase) -> None:
    diet = parse_toml_diet('[[day]]\nfoods = ["1 tbsp natto"]\nsupplements = ["MK-7 90 ug"]\n', db)
    doses = diet_doses(diet, duration_h=72)
    mk7 = [d for d in doses if d.vitamer == "MK-7"]
    assert [d.time_h for d in mk7 if d.matrix == "fermented_soy"] == [12.0, 36.0, 60.0]
    assert [d.time_h for d in mk7 if d.matrix == "supplement"] == [8.0, 32.0, 56.0]
    natto = db.get("natto").per_100g("MK-7")
    food = [d.amount_ug for d in mk7 if d.matrix == "fermented_soy"]
    assert food == pytest.approx([10.9 * natto / 100] * 3)
    assert all(d.amount_ug == 90.0 for d in mk7 if d.matrix == "supplement")


def test_simulate_with_diet_cli(food_db_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--diet",
            str(EXAMPLES / "vegan_natto.toml"),
            "--weeks",
            "4",
            "--samples",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    mk7 = data["series"]["plasma_MK7_nmol_per_L"]
    assert mk7["final"] > 2 * mk7["baseline"]
    assert any("on top of the population baseline" in n for n in data["notes"])


def test_simulate_with_bad_diet_exits_2(tmp_path: Path, food_db_path: Path) -> None:
    bad = tmp_path / "d.toml"
    bad.write_text('[[day]]\nfoods = ["1 tbsp nato"]\n')
    result = CliRunner().invoke(app, ["simulate", "--diet", str(bad)])
    assert result.exit_code == 2 and "Natto" in result.stderr
