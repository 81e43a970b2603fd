import pickle

import pytest

from k2lab.errors import K2LabError, RegimenError
from k2lab.intake import parse_supplement


@pytest.mark.parametrize(
    ("text", "nutrient", "amount"),
    [
        ("MK-7 180 ug", "MK-7", 180.0),
        ("mk7 180 mcg", "MK-7", 180.0),
        ("MK-4 45 mg", "MK-4", 45000.0),
        ("K1 1 mg", "K1", 1000.0),
        ("D3 50 ug", "vitamin_d", 50.0),
        ("D3 2000 IU", "vitamin_d", 50.0),
        ("vitamin D 1000 IU", "vitamin_d", 25.0),
        ("calcium 500 mg", "calcium", 500.0),
        ("calcium 1 g", "calcium", 1000.0),
        ("MK-7 90 µg", "MK-7", 90.0),
    ],
)
def test_supplements_in_canonical_units(text: str, nutrient: str, amount: float) -> None:
    s = parse_supplement(text)
    assert (s.nutrient, s.amount) == (nutrient, pytest.approx(amount))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("K2 100 ug", "MK-7 or MK-4|K1, MK-4 or MK-7"),
        ("MK-7 180 IU", "IU are for vitamin D"),
        ("MK-7 -5 ug", "above zero"),
        ("MK-7 0 ug", "above zero"),
        ("MK-7 2 g", "above the"),
        ("D3 200000 IU", "above the"),
        ("calcium 8 g", "above the"),
        ("calcium carbonate 1250 mg", "elemental calcium"),
        ("zinc 10 mg", "Unknown supplement"),
        ("MK-7 180 bananas", "Unknown unit"),
        ("MK-7 180 parsecs", "must be a mass"),
        ("MK-7 180 kg/m", "schedule '/m'"),
        ("MK-7", "Cannot read"),
        ("MK-7 10 ug daily for 2 weeks, then 20 ug daily", "stepped regimens"),
    ],
)
def test_bad_supplements(text: str, match: str) -> None:
    with pytest.raises(RegimenError, match=match):
        parse_supplement(text)


def test_a_schedule_gives_the_mean_per_day() -> None:
    assert parse_supplement("MK-7 360 ug mon,wed,fri").amount == pytest.approx(360 * 3 / 7)
    assert parse_supplement("calcium 500 mg twice daily").amount == 1000


def test_errors_pickle_with_their_class() -> None:
    try:
        parse_supplement("zinc 10 mg")
    except K2LabError as exc:
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc) and str(again) == str(exc)
