import pytest

from k2lab.foods import FoodDatabase
from k2lab.intake import Person, compare, compute_intake, parse_toml_diet, reference_intakes


def _by(person: Person) -> dict[tuple[str, str, str], float]:
    return {(r.authority, r.nutrient, r.kind): r.value for r in reference_intakes(person)}


def test_adult_values_by_authority_and_sex() -> None:
    woman = _by(Person(age=62, sex="female"))
    man = _by(Person(age=45, sex="male"))
    assert woman[("EFSA", "vitamin_k1", "AI")] == 70
    assert woman[("IOM (US/Canada)", "vitamin_k_total", "AI")] == 90
    assert man[("IOM (US/Canada)", "vitamin_k_total", "AI")] == 120
    assert woman[("D-A-CH", "vitamin_k_total", "AI")] == 65
    assert woman[("Japan MHLW", "vitamin_k_mk4_equivalent", "AI")] == 150
    assert woman[("IOM (US/Canada)", "calcium", "RDA")] == 1200
    assert man[("IOM (US/Canada)", "calcium", "RDA")] == 1000
    assert woman[("IOM (US/Canada)", "calcium", "UL")] == 2000
    assert woman[("EFSA", "vitamin_d", "UL")] == 100


def test_children_pregnancy_and_per_kg() -> None:
    assert _by(Person(age=5))[("EFSA", "vitamin_k1", "AI")] == 20
    assert (
        _by(Person(age=17, sex="female", pregnant=True))[
            ("IOM (US/Canada)", "vitamin_k_total", "AI")
        ]
        == 75
    )
    assert ("UK NHS", "vitamin_k_total", "guideline") not in _by(Person(age=40))
    assert _by(Person(age=40, weight_kg=65))[("UK NHS", "vitamin_k_total", "guideline")] == 65


def test_comparison_statuses(db: FoodDatabase) -> None:
    text = '[person]\nage = 62\nsex = "female"\n[[day]]\nfoods = ["1 cup kale"]\nsupplements = ["calcium 2500 mg"]\n'
    result = compute_intake(parse_toml_diet(text, db))
    status = {
        (c.reference.authority, c.reference.nutrient, c.reference.kind): c.status
        for c in compare(result, result.diet.person)
    }
    assert status[("EFSA", "vitamin_k1", "AI")] == "meets"
    assert status[("IOM (US/Canada)", "calcium", "UL")] == "above"
    assert status[("IOM (US/Canada)", "vitamin_d", "RDA")] == "below"


def test_mk4_equivalent_counts_mk7_by_moles(db: FoodDatabase) -> None:
    result = compute_intake(parse_toml_diet('[[day]]\nsupplements = ["MK-7 649 ug"]\n', db))
    assert result.mean["K_mk4_equivalent"].typical == pytest.approx(444.7)
