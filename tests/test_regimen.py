"""The one regimen grammar: supplements, diet files, simulations."""

from __future__ import annotations

import os
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k2lab.errors import K2LabError, RegimenError
from k2lab.regimen import Dose, parse_regimen


def times(text: str, hours: float) -> list[float]:
    return [d.time_h for d in parse_regimen(text).doses(hours)]


def test_daily_and_no_schedule_word_mean_daily() -> None:
    doses = parse_regimen("MK-7 180 ug daily").doses(72)
    assert [d.time_h for d in doses] == [0.0, 24.0, 48.0]
    assert all(
        d.vitamer == "MK-7" and d.amount_ug == 180 and d.matrix == "supplement" for d in doses
    )
    assert times("MK-7 180 ug", 72) == [0.0, 24.0, 48.0]


def test_weekdays_and_thrice_weekly_agree() -> None:
    a = times("MK-7 360 ug mon,wed,fri", 2 * 168)
    b = times("MK-7 360 µg thrice weekly", 2 * 168)
    assert a == b == [0, 48, 96, 168, 216, 264]


def test_units_schedules_and_aliases() -> None:
    assert parse_regimen("MK-4 45 mg daily").steps[0].amount == pytest.approx(45_000)
    assert times("K1 1 mg once", 24 * 30) == [0.0]
    assert times("mk7 100 mcg every 2 days", 24 * 6)[-1] == 96
    assert len(times("K1 100 ug twice daily", 48)) == 4
    assert len(times("MK-4 15 mg with meals", 48)) == 6
    assert times("MK-7 1 mg weekly", 24 * 15) == [0.0, 168.0, 336.0]
    d3 = parse_regimen("D3 2000 IU daily")
    assert (d3.substance, d3.unit, d3.steps[0].amount) == ("vitamin_d", "ug", 50.0)
    assert parse_regimen("vitamin D3 25 ug").mean_per_day(10) == 25.0
    b12 = parse_regimen("cyanocobalamin 250 ug weekly")
    assert (b12.substance, b12.unit, b12.is_vitamin_k) == ("vitamin_b12", "ug", False)
    ca = parse_regimen("calcium 500 mg twice daily")
    assert (ca.substance, ca.unit, ca.intakes_per_day, ca.mean_per_day(7)) == (
        "calcium",
        "mg",
        2,
        1000,
    )


def test_stepped_regimens() -> None:
    r = parse_regimen("MK-7 10 ug daily for 2 weeks, then 20 ug daily")
    amounts = r.daily_amounts(28)
    assert amounts[:14] == [10.0] * 14 and amounts[14:] == [20.0] * 14
    three = parse_regimen(
        "MK-7 10 ug daily for 2 weeks then 20 ug daily for 2 weeks then MK-7 45 ug"
    )
    assert three.daily_amounts(42)[::14] == [10.0, 20.0, 45.0]
    assert not three.constant and parse_regimen("MK-7 45 ug daily").constant


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("MK-7 -5 ug daily", "-5 ug"),
        ("MK-7 0 ug daily", "0 ug"),
        ("MK-7 2 g daily", "above the 1,000,000 ug"),
        ("K1 600 mg twice daily", "1,200,000 ug"),
        ("MK-7 180 zorks daily", "zorks"),
        ("MK-7 180 m daily", "must be a mass"),
        ("MK-7 180 IU daily", "IU are for vitamin D only"),
        ("vitamin C 100 mg daily", "Unknown supplement 'vitamin C'"),
        ("K2 100 ug daily", "does not say which form"),
        ("calcium carbonate 1250 mg", "elemental calcium"),
        ("MK-7 180 ug fortnightly-ish", "schedule 'fortnightly-ish'"),
        ("180 daily", "'180 daily'"),
        ("MK-7 lots daily", "'MK-7 lots daily'"),
        ("MK-7 nan ug daily", "finite"),
        ("MK-7 10 ug daily, then 20 ug daily", "needs 'for N days/weeks'"),
        ("MK-7 10 ug daily for 0 weeks, then 20 ug", "positive"),
        ("MK-7 10 ug daily for 2 weeks, then D3 20 ug", "one substance"),
        ("D3 200000 IU daily", "above the 2,500 ug"),
        ("calcium 8 g", "above the 5,000 mg"),
        ("", "Empty regimen"),
    ],
)
def test_bad_regimens_name_the_token_and_show_an_example(text: str, token: str) -> None:
    with pytest.raises(RegimenError) as info:
        parse_regimen(text)
    assert token in str(info.value)
    assert "e.g." in str(info.value) or "Check the unit" in str(info.value)
    assert isinstance(info.value, K2LabError) and isinstance(info.value, ValueError)


def test_dose_validation() -> None:
    with pytest.raises(RegimenError):
        Dose(-1.0, "K1", 10.0)
    with pytest.raises(RegimenError):
        Dose(0.0, "K1", -10.0)
    with pytest.raises(RegimenError, match="matrix"):
        Dose(0.0, "K1", 10.0, "chocolate")
    assert Dose(0.0, "mk7", 10.0, "fermented_soy").vitamer == "MK-7"


def test_durations_are_checked_before_doses_are_listed() -> None:
    with pytest.raises(RegimenError, match="duration"):
        parse_regimen("MK-7 180 ug daily").doses(0)
    with pytest.raises(RegimenError, match="duration"):
        parse_regimen("MK-7 180 ug daily").doses(1e9 * 168)
    with pytest.raises(RegimenError, match="not a vitamin K regimen"):
        parse_regimen("D3 25 ug daily").doses(24)


def test_regimens_pickle() -> None:
    r = parse_regimen("MK-7 10 ug daily for 2 weeks, then 20 ug mon,wed,fri")
    assert pickle.loads(pickle.dumps(r)) == r


#: ``K2LAB_FUZZ_SCALE=N`` runs N times the examples (``make soak``: 10).
FUZZ_SCALE = int(os.environ.get("K2LAB_FUZZ_SCALE", "1"))


@settings(max_examples=200 * FUZZ_SCALE, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_regimen_or_a_k2lab_error(text: str) -> None:
    try:
        r = parse_regimen(text)
    except K2LabError:
        return
    assert r.steps and all(s.amount > 0 for s in r.steps)


@settings(max_examples=60 * FUZZ_SCALE, deadline=None)
@given(
    amount=st.floats(0.1, 5000.0),
    schedule=st.sampled_from(["daily", "twice daily", "weekly", "mon,wed,fri", "every 7 days", ""]),
    weeks=st.integers(1, 10),
)
def test_total_amount_matches_the_schedule(amount: float, schedule: str, weeks: int) -> None:
    r = parse_regimen(f"MK-7 {amount} ug {schedule}")
    total = sum(d.amount_ug for d in r.doses(weeks * 168.0))
    assert total == pytest.approx(amount * r.steps[0].schedule.per_week * weeks)
