import pytest

import k2lab
from k2lab.errors import AmountError, UnitError
from k2lab.units import (
    mk4_equivalent_ug,
    parse_quantity,
    to_micrograms,
    to_micrograms_vitamin_d,
    ug_to_nmol,
)


def test_vitamin_d_iu_and_micrograms() -> None:
    assert to_micrograms_vitamin_d(parse_quantity("2000 IU")) == pytest.approx(50.0)
    assert to_micrograms_vitamin_d(parse_quantity("50 µg")) == pytest.approx(50.0)
    assert to_micrograms(parse_quantity("1 mg")) == pytest.approx(1000.0)
    assert to_micrograms(parse_quantity("180 mcg")) == pytest.approx(180.0)


def test_molar_conversions_match_the_reference_notes() -> None:
    # shared/reference/pk/NOTES.md: 420 µg MK-7 = 647 nmol; 420 µg MK-4 = 945 nmol.
    assert ug_to_nmol("MK-7", 420) == pytest.approx(647, abs=1)
    assert ug_to_nmol("MK-4", 420) == pytest.approx(945, abs=1)
    assert mk4_equivalent_ug("MK-7", 649.0) == pytest.approx(444.7)


@pytest.mark.parametrize(
    ("text", "error"),
    [("nan ug", AmountError), ("180", UnitError), ("x ug", AmountError), ("5 foo", UnitError)],
)
def test_bad_quantities(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_quantity(text)


def test_public_api_is_sorted_and_importable() -> None:
    assert list(k2lab.__all__) == sorted(k2lab.__all__)
    for name in k2lab.__all__:
        assert getattr(k2lab, name) is not None
