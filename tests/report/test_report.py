"""build_report: typed values; one function proposes gap foods for the report and the
advice; the JSON renderer keeps the shape the CLI prints; the terminal renderer shows it."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest
from rich.console import Console

from k2lab.advice import Profile, daily_limit_g, foods_to_close, suggestion_foods
from k2lab.data.citations import split_keys
from k2lab.foods import FoodDatabase
from k2lab.intake import compute_intake, load_diet, parse_toml_diet
from k2lab.intake.cover import Target
from k2lab.report import (
    Report,
    advice_json,
    build_advice_report,
    build_intake_report,
    build_report,
    intake_json,
    print_advice,
    print_report,
    report_json,
)
from k2lab.report.render_json import _gap_food

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MILK = '[person]\nage = 50\ndiet = "{diet}"\n[[day]]\nfoods = ["1 cup milk"]'


def _report(db: FoodDatabase, text: str, target: str = "90 ug K2", **profile: object) -> Report:
    diet = parse_toml_diet(text, db)
    amount, _, form = target.partition(" ug ")
    t = Target(float(amount), form)
    p = Profile(diet.person, k2_target_ug=t.amount_ug, k2_target_form=t.form, **profile)  # type: ignore[arg-type]
    return build_report(compute_intake(diet), t, suggestion_foods=suggestion_foods(db), profile=p)


def _k2_message(r: Report) -> str:
    return next(i.advice.message for i in r.advice.items if i.advice.rule_id == "k2_below_target")


@pytest.mark.parametrize("diet", ["omnivore", "vegetarian", "vegan"])
def test_report_and_advice_propose_the_same_first_food(db: FoodDatabase, diet: str) -> None:
    r = _report(db, MILK.format(diet=diet))
    t = r.target
    assert not t.met and t.gap_ug_per_day == pytest.approx(90 - t.intake.typical)
    first = t.to_close[0]
    assert f"{first.grams:.0f} g {first.name.lower()} a day" in _k2_message(r)
    grams = [g.grams for g in t.to_close]
    assert grams == sorted(grams)  # fewest grams first
    for g in t.to_close:
        food = db.get(g.food_key)
        assert g.grams == pytest.approx(100 * t.gap_ug_per_day / food.k2_per_100g())
        assert g.grams_low <= g.grams <= g.grams_high
        assert g.grams <= daily_limit_g(food)


def test_soy_allergy_removes_natto_from_both(db: FoodDatabase) -> None:
    r = _report(db, MILK.format(diet="vegetarian"), soy_allergy=True)
    assert r.target.to_close and "natto" not in [g.food_key for g in r.target.to_close]
    assert "natto" not in _k2_message(r)
    assert r.target.to_close[0].name.lower() in _k2_message(r)


def test_a_menaquinone_target_counts_only_that_form(db: FoodDatabase) -> None:
    r = _report(db, MILK.format(diet="omnivore"), "180 ug MK-7")
    natto = db.get("natto")
    first = r.target.to_close[0]
    assert r.target.form == "MK-7" and first.food_key == "natto"
    # MK-7 per 100 g, not all menaquinones (natto also has MK-8).
    assert first.grams == pytest.approx(100 * r.target.gap_ug_per_day / natto.per_100g("MK-7"))
    assert f"{first.grams:.0f} g natto" in _k2_message(r)
    assert all(db.get(g.food_key).per_100g("MK-7") > 0 for g in r.target.to_close)


def test_no_food_beyond_the_daily_limit(db: FoodDatabase) -> None:
    foods = suggestion_foods(db)
    vegan_small = foods_to_close(Target(5.0, "K2"), foods, diet="vegan")
    assert [g.food_key for g in vegan_small] == ["natto", "sauerkraut"]
    # 90 µg K2 would take 2.6 kg of sauerkraut: only natto is proposed.
    assert [g.food_key for g in foods_to_close(Target(90.0, "K2"), foods, diet="vegan")] == [
        "natto"
    ]
    assert foods_to_close(Target(5000.0, "K2"), foods, diet="vegan") == ()
    r = _report(db, MILK.format(diet="vegan"), "1500 ug K2")
    assert r.target.to_close == () and "add MK-7" in _k2_message(r)


def test_met_target_has_no_gap_foods(db: FoodDatabase) -> None:
    r = _report(db, '[[day]]\nfoods = ["1 tbsp natto"]', "45 ug K2")
    assert r.target.met and r.target.gap_ug_per_day == 0 and r.target.to_close == ()


def test_sources_cover_every_key_the_report_shows(db: FoodDatabase) -> None:
    diet = load_diet(EXAMPLES / "supplements_d3_calcium.toml", db)
    r = build_report(
        compute_intake(diet), Target(90.0, "K2"), suggestion_foods=suggestion_foods(db)
    )
    shown = split_keys(
        [*r.intake.source_keys, *(c.reference.source_key for c in r.intake.comparisons)]
    )
    assert set(shown) <= set(r.sources)
    used = {k for i in r.advice.items for k in i.advice.source_keys}
    used |= {k for i in r.advice.items for c in i.claims for k in c.source_keys}
    assert used == set(r.advice.sources)
    assert r.advice.first_change is not None
    assert r.advice.first_change.rule_id == "d3_calcium_low_k2"


def test_json_shapes_are_the_cli_shapes(db: FoodDatabase) -> None:
    diet = load_diet(EXAMPLES / "supplements_d3_calcium.toml", db)
    result = compute_intake(diet)
    r = build_report(result, Target(180.0, "K2"), suggestion_foods=suggestion_foods(db))
    intake_keys = {
        "diet_file", "person", "days", "typical_day", "mean", "per_day", "contributions",
        "portions", "supplements", "foods_without_k2_data", "comparisons",
        "k2_reference_note", "warnings", "source_keys",
    }  # fmt: skip
    assert set(intake_json(build_intake_report(result))) == intake_keys
    body = report_json(r)
    assert set(body) == intake_keys | {
        "target", "top_contributors", "sources", "disclaimer", "advice", "suggested_change",
        "advice_sources",
    }  # fmt: skip
    assert set(body["target"]) == {
        "form", "target_ug_per_day", "intake_ug_per_day", "intake_low_ug_per_day",
        "intake_high_ug_per_day", "gap_ug_per_day", "met", "chosen_by", "to_close_gap",
        "diet_pattern_for_suggestions",
    }  # fmt: skip
    assert set(body["target"]["to_close_gap"][0]) == {
        "food_key", "name", "grams", "grams_low", "grams_high", "portion", "portions"
    }  # fmt: skip
    assert set(body["advice"][0]) == {
        "rule_id", "severity", "message", "numbers", "evidence_grade", "source_keys", "claims"
    }  # fmt: skip
    assert body["top_contributors"] == body["contributions"][:5]
    assert set(body["sources"]["kamao_2007"]) == {"citation", "doi", "url"}
    a = advice_json(r.advice)
    assert set(a) == {"advice", "suggested_change", "sources", "disclaimer"}
    assert a["advice"] == body["advice"] and a["sources"] == body["advice_sources"]
    json.dumps(body, allow_nan=False)


def test_unbounded_grams_are_null_in_json(db: FoodDatabase) -> None:
    r = _report(db, MILK.format(diet="omnivore"))
    g = r.target.to_close[0]
    unbounded = type(g)(g.food_key, g.name, g.grams, g.grams_low, math.inf, None, None)
    assert _gap_food(unbounded)["grams_high"] is None


def _text(render: object, value: object) -> str:
    buf = io.StringIO()
    render(value, Console(file=buf, width=100))  # type: ignore[operator]
    return buf.getvalue()


def test_terminal_renderer_shows_every_section(db: FoodDatabase) -> None:
    diet = load_diet(EXAMPLES / "supplements_d3_calcium.toml", db)
    r = build_report(
        compute_intake(diet), Target(90.0, "K2"), suggestion_foods=suggestion_foods(db)
    )
    text = _text(print_report, r)
    for part in (
        "Intake per day by form",
        "Top contributors",
        "short by",
        f"to close it: {r.target.to_close[0].grams:.0f} g {r.target.to_close[0].name}",
        "Against reference intakes",
        "No authority sets an intake for vitamin K2",
        "CAUTION",
        "d3_calcium_low_k2",
        "Suggested change:",
        "Sources used",
        "kamao_2007",
        "does not diagnose",
    ):
        assert part in text, part


def test_advice_renderer_without_advice() -> None:
    text = _text(print_advice, build_advice_report([]))
    assert "No advice" in text and "No change suggested." in text and "does not diagnose" in text
