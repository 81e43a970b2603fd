import pickle

import pytest

from k2lab.errors import AmountError, K2LabError, UnitError
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
    ("text", "error", "match"),
    [
        ("K2 100 ug", UnitError, "MK-7 or MK-4"),
        ("MK-7 180 IU", UnitError, "IU are for vitamin D"),
        ("MK-7 -5 ug", AmountError, "Cannot read|above zero"),
        ("MK-7 0 ug", AmountError, "above zero"),
        ("MK-7 2 g", AmountError, "above the"),
        ("D3 200000 IU", AmountError, "above the"),
        ("calcium 8 g", AmountError, "above the"),
        ("calcium carbonate 1250 mg", UnitError, "elemental calcium"),
        ("zinc 10 mg", UnitError, "Unknown supplement"),
        ("MK-7 180 bananas", UnitError, "Unknown unit"),
        ("MK-7 180 parsecs", UnitError, "must be a mass"),
        ("MK-7 180 kg/m", UnitError, "mass"),
        ("MK-7", AmountError, "Cannot read"),
    ],
)
def test_bad_supplements(text: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        parse_supplement(text)


def test_errors_pickle_with_their_class() -> None:
    try:
        parse_supplement("zinc 10 mg")
    except K2LabError as exc:
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc) and str(again) == str(exc)
