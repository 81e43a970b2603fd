"""Advice rules: the 'must be true' cases, DOAC switch, upper limits, conditions."""

from __future__ import annotations

from pathlib import Path

import pytest

from k2lab.advice import (
    AdviceError,
    InrEffect,
    ModelledInr,
    Profile,
    PublishedDoseResponse,
    Severity,
    advise,
    parse_medication,
    suggestion_foods,
)
from k2lab.foods import FoodDatabase
from k2lab.intake import Day, Diet, Person, compute_intake, load_diet, parse_toml_diet

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OMNIVORE_NO_K2 = """
[person]
age = 62
sex = "female"
[[day]]
foods = [ { food = "milk", amount = "1 cup" }, { food = "spinach", amount = "1 cup" },
          { food = "salmon", amount = "3 oz" } ]
supplements = [ "D3 50 ug", "calcium 1000 mg" {extra} ]
"""


def _diet(db: FoodDatabase, extra: str = "") -> Diet:
    return parse_toml_diet(OMNIVORE_NO_K2.replace("{extra}", extra), db)


def _ids(items: list) -> set[str]:  # type: ignore[type-arg]
    return {a.rule_id for a in items}


def test_d3_calcium_without_k2_gives_the_warning_with_its_grade(db: FoodDatabase) -> None:
    diet = _diet(db)
    items = advise(
        Profile(diet.person), compute_intake(diet), suggestion_foods=suggestion_foods(db)
    )
    warn = next(a for a in items if a.rule_id == "d3_calcium_low_k2")
    assert warn.severity == Severity.CAUTION
    assert "mechanis" in warn.evidence_grade and "AVADEC" in warn.evidence_grade
    assert warn.numbers["vitamin_d_supplement_ug_per_day"] == 50
    assert warn.numbers["calcium_supplement_mg_per_day"] == 1000
    assert warn.numbers["k2_intake_ug_per_day"] < 90
    assert "d3_synergy" in warn.claims
    assert "Diederichsen_2022_AVADEC" in warn.source_keys


def test_adding_mk7_180_removes_the_warning(db: FoodDatabase) -> None:
    diet = _diet(db, ', "MK-7 180 ug"')
    items = advise(Profile(diet.person), compute_intake(diet))
    assert "d3_calcium_low_k2" not in _ids(items)
    assert "k2_below_target" not in _ids(items)


def test_example_file_gives_the_warning(db: FoodDatabase) -> None:
    diet = load_diet(EXAMPLES / "supplements_d3_calcium.toml", db)
    assert "d3_calcium_low_k2" in _ids(advise(Profile(diet.person), compute_intake(diet)))


NATTO = '[[day]]\nfoods = ["1 tbsp natto", { food = "spinach", amount = "1 cup" }]'


def test_warfarin_and_natto_is_danger_with_inr_effect(db: FoodDatabase) -> None:
    diet = parse_toml_diet(NATTO, db)
    items = advise(Profile(medications=frozenset({"warfarin"})), compute_intake(diet))
    natto = next(a for a in items if a.rule_id == "vka_natto")
    assert natto.severity == Severity.DANGER
    assert items[0].severity == Severity.DANGER  # most severe first
    assert natto.numbers["mk7_from_natto_ug_per_day"] > 45
    # The exposure model: more MK-7 than the 45 µg/day that lowered INR by 40% -> a larger fall.
    assert natto.numbers["inr_change_pct"] < -40
    assert natto.numbers["inr_expected"] < 1.5
    assert "stop eating natto" in natto.message and "exposure model" in natto.message
    assert {"Theuwissen_2013", "k2lab_calibration"} <= set(natto.source_keys)


def test_published_dose_response_when_asked(db: FoodDatabase) -> None:
    diet = parse_toml_diet(NATTO, db)
    items = advise(
        Profile(medications=frozenset({"warfarin"})),
        compute_intake(diet),
        inr_model=PublishedDoseResponse(),
    )
    natto = next(a for a in items if a.rule_id == "vka_natto")
    assert natto.numbers["inr_change_pct"] == -40
    assert natto.numbers["inr_expected"] == pytest.approx(1.5)


def test_modelled_inr_grows_with_dose() -> None:
    # Theuwissen 2013 escalated 10 -> 20 -> 45 ug/day over 6 weeks (INR -40%); 45 ug/day for
    # the whole 6 weeks reaches a higher MK-7 plateau, so the fall is larger but of that order.
    model = ModelledInr()
    changes = [
        model(medication="acenocoumarol", mk7_ug_per_day=d, k1_ug_per_day=0).group_inr_change_pct
        for d in (10, 20, 45)
    ]
    assert changes[0] > changes[1] > changes[2]  # type: ignore[operator]
    assert -60 < changes[2] < -40  # type: ignore[operator]
    assert ModelledInr()(
        medication="phenprocoumon", mk7_ug_per_day=45, k1_ug_per_day=0
    ).basis.startswith("published")


def test_switch_to_apixaban_changes_the_message(db: FoodDatabase) -> None:
    diet = parse_toml_diet(NATTO, db)
    items = advise(Profile(medications=frozenset({"apixaban"})), compute_intake(diet))
    ids = _ids(items)
    assert "vka_natto" not in ids and "doac_diet" in ids
    assert all(a.severity < Severity.WARNING for a in items)
    doac = next(a for a in items if a.rule_id == "doac_diet")
    assert "does not act through vitamin K" in doac.message and "Nattokinase" in doac.message
    assert "natto_nattokinase_anticoagulant" in ids


def test_mk7_supplement_thresholds_with_vka(db: FoodDatabase) -> None:
    for dose, expected in ((5, False), (10, True), (180, True)):
        diet = parse_toml_diet(f'[[day]]\nsupplements = ["MK-7 {dose} ug"]', db)
        items = advise(Profile(medications=frozenset({"acenocoumarol"})), compute_intake(diet))
        assert ("vka_mk7_supplement" in _ids(items)) is expected, dose


def test_k1_swing_between_days(db: FoodDatabase) -> None:
    text = (
        '[[day]]\nfoods = [{ food = "kale_raw", amount = "2 cups" }]\n'
        '[[day]]\nfoods = [{ food = "milk", amount = "1 cup" }]'
    )
    diet = parse_toml_diet(text, db)
    items = advise(Profile(medications=frozenset({"phenprocoumon"})), compute_intake(diet))
    swing = next(a for a in items if a.rule_id == "vka_k1_swing")
    assert swing.numbers["k1_swing_ug_per_day"] >= 150
    assert "steady" in swing.message


def test_nattokinase_with_antiplatelet_and_anticoagulant(db: FoodDatabase) -> None:
    r = compute_intake(Diet(Person(), (Day("typical day"),), typical_day=True))
    assert "nattokinase_antiplatelet" in _ids(
        advise(Profile(medications=frozenset({"nattokinase", "clopidogrel"})), r)
    )
    assert "nattokinase_anticoagulant" in _ids(
        advise(Profile(medications=frozenset({"nattokinase", "rivaroxaban"})), r)
    )
    assert "nattokinase_alone" in _ids(advise(Profile(medications=frozenset({"nattokinase"})), r))


def test_upper_limits(db: FoodDatabase) -> None:
    diet = parse_toml_diet(
        '[person]\nage = 60\n[[day]]\nsupplements = ["calcium 2500 mg", "D3 150 ug"]', db
    )
    items = advise(Profile(diet.person), compute_intake(diet))
    ca = next(a for a in items if a.rule_id == "calcium_above_ul")
    assert ca.numbers["calcium_ul_mg_per_day"] == 2000
    vd = next(a for a in items if a.rule_id == "vitamin_d_above_ul")
    assert vd.numbers["vitamin_d_ul_ug_per_day"] == 100
    assert vd.severity == Severity.WARNING


def test_soy_pregnancy_children_kidneys(db: FoodDatabase) -> None:
    diet = parse_toml_diet(NATTO + '\nsupplements = ["MK-7 90 ug"]', db)
    r = compute_intake(diet)
    pregnant = Person(age=30, sex="female", pregnant=True)
    items = advise(Profile(pregnant, soy_allergy=True, population="hemodialysis"), r)
    assert {"soy_allergy_natto", "pregnancy", "ckd"} <= _ids(items)
    assert "children" in _ids(advise(Profile(Person(age=10, sex="male")), r))


def test_below_k1_reference_and_k2_target(db: FoodDatabase) -> None:
    diet = parse_toml_diet('[[day]]\nfoods = [{ food = "milk", amount = "1 cup" }]', db)
    items = advise(Profile(), compute_intake(diet), suggestion_foods=suggestion_foods(db))
    k1 = next(a for a in items if a.rule_id == "k1_below_reference")
    assert k1.numbers["k1_reference_ug_per_day"] == 70  # EFSA adult AI
    k2 = next(a for a in items if a.rule_id == "k2_below_target")
    assert "natto" in k2.message and "MK-7" in k2.message
    vegan_soy = Profile(Person(diet="vegan"), soy_allergy=True)
    msg = next(
        a.message
        for a in advise(vegan_soy, compute_intake(diet), suggestion_foods=suggestion_foods(db))
        if a.rule_id == "k2_below_target"
    )
    assert "natto" not in msg  # never suggests a food the person cannot eat


def test_every_message_says_what_to_do(db: FoodDatabase) -> None:
    diet = parse_toml_diet(NATTO + '\nsupplements = ["MK-7 90 ug", "calcium 2600 mg"]', db)
    profile = Profile(
        Person(age=70, sex="female"), medications=frozenset({"warfarin", "nattokinase", "aspirin"})
    )
    items = advise(profile, compute_intake(diet))
    verbs = ("stop", "keep", "ask", "lower", "add", "avoid", "talk", "take", "tell", "prefer")
    for a in items:
        assert any(v in a.message.lower() for v in verbs), a.rule_id
        assert a.source_keys and a.evidence_grade


def test_inr_model_plugs_in(db: FoodDatabase) -> None:
    calls: list[float] = []

    def model(
        *, medication: str, mk7_ug_per_day: float, k1_ug_per_day: float, inr_target: float = 2.5
    ) -> InrEffect:
        calls.append(mk7_ug_per_day)
        return InrEffect(mk7_ug_per_day, inr_target, 1.2, -52.0, None, "test model.", ())

    diet = parse_toml_diet(NATTO, db)
    items = advise(
        Profile(medications=frozenset({"warfarin"})), compute_intake(diet), inr_model=model
    )
    natto = next(a for a in items if a.rule_id == "vka_natto")
    assert calls and natto.numbers["inr_expected"] == 1.2


def test_published_dose_response_steps() -> None:
    f = PublishedDoseResponse()
    assert f(medication="warfarin", mk7_ug_per_day=5, k1_ug_per_day=0).inr_after is None
    assert (
        f(medication="warfarin", mk7_ug_per_day=15, k1_ug_per_day=0).share_with_relevant_fall_pct
        == 40
    )
    assert (
        f(medication="warfarin", mk7_ug_per_day=25, k1_ug_per_day=0).share_with_relevant_fall_pct
        == 60
    )
    assert f(medication="warfarin", mk7_ug_per_day=45, k1_ug_per_day=0).group_inr_change_pct == -40


def test_bad_profile_input() -> None:
    with pytest.raises(AdviceError, match="Did you mean warfarin"):
        parse_medication("warfarine")
    with pytest.raises(AdviceError, match="population"):
        Profile(population="athlete")
    with pytest.raises(AdviceError, match="female"):
        Profile(Person(age=50, sex="male"), population="postmenopausal")
    with pytest.raises(ValueError, match="menaquinone"):
        Profile(k2_target_form="K1")
