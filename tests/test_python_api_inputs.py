"""Hostile arguments to the Python API (issue 11 part 1: 15 of 45 calls ended in a
TypeError, AttributeError, KeyError or sqlite3 error). Every public entry point, called with
None, a wrong type, NaN, inf, a negative or huge number, or a folder / garbage / foreign
SQLite file, gives a valid result or a K2LabError whose message names the argument."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import k2lab
from k2lab import (
    Diet,
    FoodDatabase,
    Horizon,
    Person,
    PlanConstraints,
    Profile,
    Scenario,
    SimulationOptions,
)
from k2lab.errors import K2LabError
from k2lab.intake import Day, FoodEntry, cover
from k2lab.plan import constraints_for
from k2lab.population import load_spec, power_curve, run_trial, spec_from_dict
from k2lab.units import parse_quantity, to_micrograms

NAN, INF = math.nan, math.inf


@dataclass(frozen=True)
class Ctx:
    """What the calls need: a database, a food, a diet, its intake and odd files."""

    db: FoodDatabase
    folder: Path
    garbage: Path
    foreign: Path

    @property
    def natto(self) -> k2lab.Food:
        return self.db.resolve("natto")

    @property
    def diet(self) -> Diet:
        return k2lab.parse_toml_diet('[[day]]\nfoods = ["1 tbsp natto"]\n', self.db)

    @property
    def intake(self) -> k2lab.IntakeResult:
        return k2lab.compute_intake(self.diet)


@pytest.fixture(scope="module")
def ctx(db: FoodDatabase, tmp_path_factory: pytest.TempPathFactory) -> Ctx:
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "folder.sqlite").mkdir()
    (tmp / "garbage.sqlite").write_bytes(b"\x00garbage, not SQLite" * 50)
    con = sqlite3.connect(tmp / "foreign.sqlite")
    con.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
    con.commit()
    con.close()
    return Ctx(db, tmp / "folder.sqlite", tmp / "garbage.sqlite", tmp / "foreign.sqlite")


Call = Callable[[Ctx], Any]
#: (case id, the call, the word its error must contain; None: a valid result is expected)
CASES: list[tuple[str, Call, str | None]] = [
    # the food database
    ("open-int", lambda c: FoodDatabase.open(123), "path"),  # type: ignore[arg-type]
    ("open-folder", lambda c: FoodDatabase.open(c.folder), "food database"),
    ("open-garbage", lambda c: FoodDatabase.open(c.garbage), "food database"),
    ("open-foreign-sqlite", lambda c: FoodDatabase.open(c.foreign), "food database"),
    ("open-str-path", lambda c: FoodDatabase.open(str(c.db.path)), None),  # type: ignore[arg-type]
    ("init-none", lambda c: FoodDatabase(None), "path"),  # type: ignore[arg-type]
    ("init-str-garbage", lambda c: FoodDatabase(str(c.garbage)), "food database"),  # type: ignore[arg-type]
    ("build-none", lambda c: k2lab.build_database(None), "path"),  # type: ignore[arg-type]
    ("build-over-folder", lambda c: k2lab.build_database(c.folder), "regular file"),
    ("build-over-foreign", lambda c: k2lab.build_database(c.foreign), "food database"),
    ("resolve-none", lambda c: c.db.resolve(None), "name"),  # type: ignore[arg-type]
    ("resolve-int", lambda c: c.db.resolve(42), "name"),  # type: ignore[arg-type]
    ("get-list", lambda c: c.db.get([]), "key"),  # type: ignore[arg-type]
    ("search-none", lambda c: c.db.search(None), "text"),  # type: ignore[arg-type]
    ("search-limit-str", lambda c: c.db.search("natto", limit="5"), "limit"),  # type: ignore[arg-type]
    ("search-limit-nan", lambda c: c.db.search("natto", limit=NAN), "limit"),  # type: ignore[arg-type]
    ("search-limit-negative", lambda c: c.db.search("natto", limit=-3), "limit"),
    ("search-limit-huge", lambda c: c.db.search("natto", limit=10**12), None),
    ("search-diet-int", lambda c: c.db.search("natto", diet=1), "diet"),  # type: ignore[arg-type]
    ("search-vitamer-int", lambda c: c.db.search("", vitamer=7), "vitamer"),  # type: ignore[arg-type]
    ("search-category-list", lambda c: c.db.search("", category=["cheese"]), "category"),  # type: ignore[arg-type]
    ("search-rank-unknown", lambda c: c.db.search("", rank_by="tastiest"), "rank_by"),  # type: ignore[arg-type]
    # amounts, targets, diets and intake
    ("to-grams-none", lambda c: k2lab.to_grams(c.natto, None), "amount"),  # type: ignore[arg-type]
    ("to-grams-number", lambda c: k2lab.to_grams(c.natto, 30), "amount"),  # type: ignore[arg-type]
    ("to-grams-no-food", lambda c: k2lab.to_grams("natto", "1 tbsp"), "food"),  # type: ignore[arg-type]
    ("to-grams-nan", lambda c: k2lab.to_grams(c.natto, "nan g"), "amount"),
    ("to-grams-huge", lambda c: k2lab.to_grams(c.natto, "1e308 kg"), "2,000 g"),
    ("parse-quantity-none", lambda c: parse_quantity(None), "amount"),  # type: ignore[arg-type]
    ("to-micrograms-str", lambda c: to_micrograms("5 ug"), "quantity"),
    ("target-none", lambda c: k2lab.parse_target(None), "target"),  # type: ignore[arg-type]
    ("target-number", lambda c: k2lab.parse_target(90), "target"),  # type: ignore[arg-type]
    ("target-negative", lambda c: k2lab.parse_target("-5 ug K2"), "target"),
    ("cover-target-text", lambda c: cover(c.natto, "90 ug K2"), "target"),  # type: ignore[arg-type]
    ("cover-food-none", lambda c: cover(None, k2lab.parse_target("90 ug K2")), "food"),  # type: ignore[arg-type]
    ("toml-diet-none", lambda c: k2lab.parse_toml_diet(None, c.db), "text"),  # type: ignore[arg-type]
    ("toml-diet-db-path", lambda c: k2lab.parse_toml_diet("[[day]]", "foods.sqlite"), "db"),  # type: ignore[arg-type]
    ("load-diet-none", lambda c: k2lab.load_diet(None, c.db), "path"),  # type: ignore[arg-type]
    ("load-diet-folder", lambda c: k2lab.load_diet(c.folder, c.db), "diet file"),
    ("load-diet-no-db", lambda c: k2lab.load_diet("examples/x.toml", None), "db"),  # type: ignore[arg-type]
    ("diet-days-list-of-str", lambda c: Diet(Person(), ("monday",)), "days"),  # type: ignore[arg-type]
    ("day-foods-none", lambda c: Day("monday", None), "foods"),  # type: ignore[arg-type]
    ("entry-food-str", lambda c: FoodEntry("natto", "1 tbsp", None), "food"),  # type: ignore[arg-type]
    ("intake-none", lambda c: k2lab.compute_intake(None), "diet"),  # type: ignore[arg-type]
    ("intake-dict", lambda c: k2lab.compute_intake({"days": []}), "diet"),  # type: ignore[arg-type]
    ("reference-intakes-str", lambda c: k2lab.reference_intakes("female"), "person"),  # type: ignore[arg-type]
    # regimens, people, horizons, scenarios
    ("regimen-none", lambda c: k2lab.parse_regimen(None), "regimen"),  # type: ignore[arg-type]
    ("regimen-number", lambda c: k2lab.parse_regimen(180), "regimen"),  # type: ignore[arg-type]
    ("regimen-tiny", lambda c: k2lab.parse_regimen("MK-7 1e-400 ug daily"), "amount"),
    ("person-age-str", lambda c: Person(age="60"), "age"),  # type: ignore[arg-type]
    ("person-age-nan", lambda c: Person(age=NAN), "age"),
    ("person-age-negative", lambda c: Person(age=-5), "age"),
    ("person-egfr-inf", lambda c: Person(egfr_ml_per_min=INF), "egfr"),
    ("person-sex-none", lambda c: Person(sex=None), "sex"),  # type: ignore[arg-type]
    ("preset-none", lambda c: Person.preset(None), "population"),  # type: ignore[arg-type]
    ("preset-unknown-field", lambda c: Person.preset("healthy", shoe_size=42), "shoe_size"),
    ("horizon-str", lambda c: Horizon("12"), "horizon"),  # type: ignore[arg-type]
    ("horizon-huge", lambda c: Horizon.years(1e300), "horizon"),
    ("horizon-parse-none", lambda c: Horizon.parse(None), "horizon"),  # type: ignore[arg-type]
    ("scenario-person-none", lambda c: Scenario(person=None), "person"),  # type: ignore[arg-type]
    ("scenario-supplements-none", lambda c: Scenario(supplements=None), "supplements"),  # type: ignore[arg-type]
    ("scenario-supplements-int", lambda c: Scenario(supplements=5), "supplements"),  # type: ignore[arg-type]
    ("scenario-medications-none", lambda c: Scenario(medications=None), "medications"),  # type: ignore[arg-type]
    ("scenario-medications-int", lambda c: Scenario(medications=[5]), "medications"),  # type: ignore[arg-type]
    ("scenario-adding-none", lambda c: Scenario().adding(None), "supplements"),  # type: ignore[arg-type]
    ("options-interval-none", lambda c: SimulationOptions(interval_percent=None), "interval"),  # type: ignore[arg-type]
    ("options-samples-huge", lambda c: SimulationOptions(n_samples=10**9), "n_samples"),
    ("options-strict-str", lambda c: SimulationOptions(strict="no"), "strict"),  # type: ignore[arg-type]
    ("simulate-none", lambda c: k2lab.simulate(None), "scenario"),  # type: ignore[arg-type]
    ("simulate-options-dict", lambda c: k2lab.simulate(Scenario(), options={}), "options"),  # type: ignore[arg-type]
    ("compare-base-none", lambda c: k2lab.compare(None, ["MK-7 180 ug daily"]), "base"),  # type: ignore[arg-type]
    ("compare-other-int", lambda c: k2lab.compare(Scenario(), 5), "other"),  # type: ignore[arg-type]
    ("simulate-many-none", lambda c: k2lab.simulate_many(None), "scenarios"),  # type: ignore[arg-type]
    ("simulate-many-processes-nan", lambda c: k2lab.simulate_many([], processes=NAN), "processes"),  # type: ignore[arg-type]
    # report, advice, plans, trials
    ("report-result-none", lambda c: k2lab.build_report(None, k2lab.parse_target("90 ug K2"), suggestion_foods=()), "result"),  # type: ignore[arg-type]
    ("report-target-text", lambda c: k2lab.build_report(c.intake, "90 ug K2", suggestion_foods=()), "target"),  # type: ignore[arg-type]
    ("report-suggestions-none", lambda c: k2lab.build_report(c.intake, k2lab.parse_target("90 ug K2"), suggestion_foods=None), "suggestion_foods"),  # type: ignore[arg-type]
    ("report-profile-str", lambda c: k2lab.build_report(c.intake, k2lab.parse_target("90 ug K2"), suggestion_foods=(), profile="vka"), "profile"),  # type: ignore[arg-type]
    ("profile-medications-none", lambda c: Profile(medications=None), "medications"),  # type: ignore[arg-type]
    ("profile-target-nan", lambda c: Profile(k2_target_ug=NAN), "target"),
    ("advise-intake-none", lambda c: k2lab.advise(Profile(), None), "intake"),  # type: ignore[arg-type]
    ("plan-days-str", lambda c: PlanConstraints(days="7"), "days"),  # type: ignore[arg-type]
    ("plan-target-inf", lambda c: PlanConstraints(k2_target_ug=INF), "k2_target_ug"),
    ("plan-target-negative", lambda c: PlanConstraints(k2_target_ug=-90), "k2_target_ug"),
    ("plan-exclusions-none", lambda c: PlanConstraints(exclude_groups=None), "exclude_groups"),  # type: ignore[arg-type]
    ("plan-current-list", lambda c: PlanConstraints(current_g_per_day=[100]), "current_g_per_day"),  # type: ignore[arg-type]
    ("plan-k1-steady-int", lambda c: PlanConstraints(k1_steady_ug=5), "k1_steady_ug"),  # type: ignore[arg-type]
    ("plan-db-none", lambda c: k2lab.plan_diet(None, PlanConstraints(days=1)), "db"),  # type: ignore[arg-type]
    ("plan-constraints-none", lambda c: k2lab.plan_diet(c.db, None), "constraints"),  # type: ignore[arg-type]
    ("plan-objective-none", lambda c: k2lab.plan_diet(c.db, PlanConstraints(days=1), None), "objective"),  # type: ignore[arg-type]
    ("plan-time-nan", lambda c: k2lab.plan_diet(c.db, PlanConstraints(days=1), time_limit_s=NAN), "time_limit_s"),
    ("constraints-for-none", lambda c: constraints_for(None), "person"),  # type: ignore[arg-type]
    ("trial-spec-none", lambda c: load_spec(None), "path"),  # type: ignore[arg-type]
    ("trial-spec-folder", lambda c: load_spec(c.folder), "trial spec"),
    ("trial-spec-garbage", lambda c: load_spec(c.garbage), "toml"),
    ("trial-spec-list", lambda c: spec_from_dict([]), "spec"),  # type: ignore[arg-type]
    ("run-trial-none", lambda c: run_trial(None), "spec"),  # type: ignore[arg-type]
    ("power-curve-none", lambda c: power_curve(None, "dp_ucMGP_pmol_per_L", [20]), "spec"),  # type: ignore[arg-type]
]  # fmt: skip


@pytest.mark.parametrize(("call", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_argument_gives_a_result_or_a_k2lab_error_naming_it(
    ctx: Ctx, call: Call, names: str | None
) -> None:
    try:
        result = call(ctx)
    except K2LabError as exc:
        assert names is not None, f"a valid call was refused: {exc}"
        assert names.lower() in str(exc).lower(), str(exc)
        return
    assert names is None, f"accepted, but should be refused naming {names!r}: {result!r:.200}"
    assert result is not None


def test_there_are_at_least_45_cases_and_each_id_is_unique() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) >= 45 and len(set(ids)) == len(ids)


def test_simulate_with_none_person_is_an_input_error() -> None:
    with pytest.raises(k2lab.ScenarioError) as err:
        k2lab.simulate(Scenario(person=None))  # type: ignore[arg-type]
    assert err.value.field == "person"


def test_resolve_with_none_is_an_error_naming_the_name_not_an_attribute_error(ctx: Ctx) -> None:
    with pytest.raises(K2LabError) as err:
        ctx.db.resolve(None)  # type: ignore[arg-type]
    assert err.value.field == "name" and "not None" in str(err.value)


def test_a_foreign_sqlite_file_is_a_data_error_not_a_sqlite3_error(ctx: Ctx) -> None:
    before = ctx.foreign.read_bytes()
    with pytest.raises(k2lab.DataError, match="not a readable k2lab food database"):
        FoodDatabase(ctx.foreign)
    assert ctx.foreign.read_bytes() == before


def test_a_str_path_opens_like_a_path(ctx: Ctx) -> None:
    assert len(FoodDatabase.open(str(ctx.db.path))) == len(ctx.db)  # type: ignore[arg-type]


def test_valid_collections_keep_their_meaning() -> None:
    """The checks convert without changing valid input: a list of regimens or one regimen
    text, a list of medications, a set of exclusions."""
    loose: dict[str, Any] = {"supplements": "MK-7 180 ug daily", "medications": ["warfarin"]}
    one = Scenario(**loose)
    many = Scenario(supplements=("MK-7 180 ug daily",), medications=("warfarin",))
    assert one == many and one.medications == ("warfarin",)
    assert Scenario().adding("D3 25 ug daily").regimens[0].substance == "vitamin_d"
    groups: dict[str, Any] = {"exclude_groups": {"dairy"}, "exclude_foods": ["natto"]}
    plan = PlanConstraints(**groups)
    assert plan.exclude_groups == frozenset({"dairy"})
    assert plan.exclude_foods == frozenset({"natto"})
