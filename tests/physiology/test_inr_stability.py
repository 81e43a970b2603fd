"""INR stability: time in range, titration on the average diet, diary swings against a
steady intake, the published checks and the ``k2lab inr`` command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from k2lab.cli import app
from k2lab.errors import RegimenError
from k2lab.foods import FoodDatabase
from k2lab.intake import load_diet
from k2lab.intake.diet import Day, Diet, FoodEntry
from k2lab.intake.portions import Grams
from k2lab.person import Person
from k2lab.physiology.inr_checks import published_checks
from k2lab.physiology.inr_stability import (
    inr_sensitivity,
    inr_stability,
    time_in_range,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_time_in_range_closed_forms() -> None:
    t = np.array([0.0, 1.0, 2.0])
    # 1.5 -> 2.5 crosses 2 halfway; 2.5 -> 3.5 crosses 3 halfway: half of each segment.
    assert time_in_range(t, np.array([1.5, 2.5, 3.5]), 2.0, 3.0) == pytest.approx(0.5)
    assert time_in_range(t, np.array([2.5, 2.5, 2.5]), 2.0, 3.0) == 1.0
    assert time_in_range(t, np.array([1.0, 1.0, 1.0]), 2.0, 3.0) == 0.0
    # Unequal steps weigh by time.
    assert time_in_range(np.array([0.0, 3.0, 4.0]), np.array([2.5, 2.5, 1.0]), 2.0, 3.0) == (
        pytest.approx((3.0 + 1.0 / 3.0) / 4.0)
    )


def _diary(db: FoodDatabase, natto_days: set[int]) -> Diet:
    natto, kale = db.resolve("natto"), db.resolve("kale")

    def grams(g: float) -> Grams:
        return Grams(g, g, "g", None, f"{g:g} g")

    days = tuple(
        Day(
            label,
            (FoodEntry(kale, "50 g", grams(50.0)),)
            + ((FoodEntry(natto, "40 g", grams(40.0)),) if i in natto_days else ()),
            (),
        )
        for i, label in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    )
    return Diet(Person(age=60, sex="male"), days, "test diary")


def test_the_same_food_every_day_holds_the_target(db: FoodDatabase) -> None:
    r = inr_stability(_diary(db, set()), weeks=2, n_samples=3)
    # Titrated on the average: with no day-to-day change the INR stays at the target
    # (only the meal-time ripple remains), and the diary equals its steady version.
    assert r.steady.mean == pytest.approx(2.5, abs=2e-3)
    assert r.diary.sd < 0.05 and r.diary.in_range_percent == 100.0
    np.testing.assert_allclose(r.diary_inr, r.steady_inr, atol=1e-9)


def test_a_natto_day_swings_the_inr_and_steady_intake_does_not(db: FoodDatabase) -> None:
    r = inr_stability(_diary(db, {0}), weeks=4, n_samples=5)
    assert r.steady.mean == pytest.approx(2.5, abs=2e-3)
    assert r.diary.sd > 5 * r.steady.sd
    assert r.diary.lowest < r.steady.lowest and r.diary.highest > r.steady.highest
    # Natto on Monday: the INR is lowest within the three days after it, highest before it.
    assert r.lowest_day_label in ("mon", "tue", "wed")
    assert r.highest_day_label in ("sat", "sun", "mon")
    lo, hi = r.in_range_percent_interval
    assert 0.0 <= lo <= hi <= 100.0
    assert math.isclose(
        r.diary.in_range_percent + r.diary.below_percent + r.diary.above_percent, 100.0
    )


def test_published_checks_move_the_inr_down_and_are_reported() -> None:
    checks = published_checks()
    assert [c.source_key for c in checks] == ["khan2004_bjh", "foroughi2016_jpc"]
    for c in checks:
        assert c.observed_inr_change < 0 and c.model_inr_change < 0
    # More days of the same extra vitamin K lower the INR more.
    assert inr_sensitivity(added_days=7) < inr_sensitivity(added_days=2) < 0


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"medication": "apixaban"}, "vitamin K antagonist"),
        ({"inr_target": 3.5}, "inside the range"),
        ({"therapeutic_range": (3.0, 2.0)}, "LOW < HIGH"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": math.nan}, "weeks"),
        ({"n_samples": 0}, "n_samples"),
    ],
)
def test_bad_input_names_what_to_change(db: FoodDatabase, kwargs: dict, words: str) -> None:
    with pytest.raises(RegimenError, match=words):
        inr_stability(_diary(db, set()), **kwargs)


def test_the_inr_command(db: FoodDatabase, tmp_path: Path) -> None:
    runner = CliRunner()
    plot = tmp_path / "inr.png"
    args = ["inr", str(EXAMPLES / "diary_week.csv"), "--draws", "3", "--weeks", "2"]
    result = runner.invoke(app, [*args, "--json", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["medication"] == "warfarin" and data["cycle_days"] == 7
    assert data["diary"]["sd"] > data["steady"]["sd"]
    assert {c["source_key"] for c in data["published_checks"]} == {
        "khan2004_bjh",
        "foroughi2016_jpc",
    }
    assert plot.stat().st_size > 5_000
    text = runner.invoke(app, args, env={"COLUMNS": "100"}).output
    assert "same average every day" in text and "time in 2–3" in text
    bad = runner.invoke(app, ["inr", str(EXAMPLES / "omnivore.toml"), "--medication", "apixaban"])
    assert bad.exit_code == 2 and "vitamin K antagonist" in bad.output
    bad = runner.invoke(app, ["inr", str(EXAMPLES / "omnivore.toml"), "--range", "two"])
    assert bad.exit_code == 2 and "LOW-HIGH" in bad.output


def test_a_typical_day_diet_reads_as_a_steady_week(db: FoodDatabase) -> None:
    r = inr_stability(load_diet(EXAMPLES / "omnivore.toml", db), weeks=1, n_samples=1)
    assert r.cycle_days == 7 and r.lowest_day_label.startswith("day ")
    assert r.diary.sd < 0.05
