"""Regimen parsing and dose validation."""

from __future__ import annotations

import pytest

from k2lab.errors import K2LabError, RegimenError
from k2lab.physiology.regimen import Dose, parse_regimen


def test_daily() -> None:
    doses = parse_regimen("MK-7 180 ug daily", duration_h=72)
    assert [d.time_h for d in doses] == [0.0, 24.0, 48.0]
    assert all(
        d.vitamer == "MK-7" and d.amount_ug == 180 and d.matrix == "supplement" for d in doses
    )


def test_weekdays_and_thrice_weekly_agree() -> None:
    a = parse_regimen("MK-7 360 ug mon,wed,fri", duration_h=2 * 168)
    b = parse_regimen("MK-7 360 µg thrice weekly", duration_h=2 * 168)
    assert [d.time_h for d in a] == [d.time_h for d in b] == [0, 48, 96, 168, 216, 264]


def test_units_and_aliases() -> None:
    assert parse_regimen("MK-4 45 mg daily", 24)[0].amount_ug == pytest.approx(45_000)
    single = parse_regimen("K1 1 mg once", 24 * 30)
    assert len(single) == 1 and single[0].amount_ug == pytest.approx(1000)
    assert parse_regimen("mk7 100 mcg every 2 days", 24 * 6)[-1].time_h == 96
    assert len(parse_regimen("K1 100 ug twice daily", 48)) == 4


@pytest.mark.parametrize(
    "text",
    [
        "MK-7 180 ug",  # no schedule -> once (valid), checked separately below
    ],
)
def test_missing_schedule_means_once(text: str) -> None:
    assert len(parse_regimen(text, 100)) == 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("MK-7 -5 ug daily", "negative"),
        ("MK-7 2 g daily", "more than 1 g"),
        ("K1 600 mg twice daily", "more than 1 g"),
        ("MK-7 180 zorks daily", "Unknown unit"),
        ("MK-7 180 m daily", "must be a mass"),
        ("vitamin C 100 mg daily", "Unknown vitamer"),
        ("MK-7 180 ug fortnightly-ish", "schedule"),
        ("180 daily", "Unknown vitamer"),
        ("MK-7 lots daily", "Cannot read"),
        ("MK-7 nan ug daily", "finite"),
    ],
)
def test_bad_regimens_name_an_accepted_example(text: str, fragment: str) -> None:
    with pytest.raises(RegimenError) as info:
        parse_regimen(text, 24 * 7)
    assert fragment in str(info.value)
    assert "MK-7 180 ug daily" in str(info.value)
    assert isinstance(info.value, K2LabError) and isinstance(info.value, ValueError)


def test_dose_validation() -> None:
    with pytest.raises(RegimenError):
        Dose(-1.0, "K1", 10.0)
    with pytest.raises(RegimenError):
        Dose(0.0, "K1", -10.0)
    with pytest.raises(RegimenError, match="matrix"):
        Dose(0.0, "K1", 10.0, "chocolate")
    assert Dose(0.0, "mk7", 10.0, "fermented_soy").vitamer == "MK-7"


def test_bad_duration() -> None:
    with pytest.raises(RegimenError):
        parse_regimen("MK-7 180 ug daily", 0)
