"""Build the report values from computed results (pure): intake, K2 gap, advice, sources.

Example
-------
>>> from k2lab.intake import Day, Diet, compute_intake
>>> empty = compute_intake(Diet(Person(), (Day("typical day"),), typical_day=True))
>>> r = build_report(empty, Target(90.0, "K2"), suggestion_foods=())
>>> r.target.gap_ug_per_day, r.target.to_close, r.advice.first_change.rule_id
(90.0, (), 'k1_below_reference')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from k2lab import checks
from k2lab.advice import (
    Advice,
    Profile,
    advise,
    claim,
    first_change,
    foods_to_close,
)
from k2lab.data.citations import cite
from k2lab.errors import K2LabError
from k2lab.foods.database import Food
from k2lab.intake.compute import IntakeResult
from k2lab.intake.cover import Target
from k2lab.intake.reference import NO_K2_REFERENCE, compare
from k2lab.person import Person
from k2lab.report.values import (
    AdviceItem,
    AdviceReport,
    DayIntake,
    IntakeReport,
    PortionUsed,
    Report,
    TargetGap,
)

__all__ = [
    "TOP_CONTRIBUTORS",
    "build_advice_report",
    "build_intake_report",
    "build_report",
    "report_profile",
]

#: How many foods the report lists as top contributors.
TOP_CONTRIBUTORS = 5


def build_intake_report(result: IntakeResult) -> IntakeReport:
    """The intake part of a report: means with ranges, days, foods, reference intakes."""
    diet = result.diet
    return IntakeReport(
        diet_file=diet.source,
        person=diet.person,
        day_labels=result.day_labels,
        typical_day=diet.typical_day,
        mean=dict(result.mean),
        per_day=tuple(
            DayIntake(label, {n: float(arr[d, 0]) for n, arr in result.per_day.items()})
            for d, label in enumerate(result.day_labels)
        ),
        contributions=result.contributions,
        portions=tuple(
            PortionUsed(day.label, e.food.key, e.amount, e.grams.grams, e.grams.how)
            for day in diet.days
            for e in day.foods
        ),
        supplements=dict(result.supplements),
        foods_without_k2_data=result.foods_without_k2_data,
        comparisons=tuple(compare(result, diet.person)),
        k2_reference_note=NO_K2_REFERENCE,
        warnings=diet.warnings,
        source_keys=result.source_keys,
    )


def build_advice_report(items: Sequence[Advice]) -> AdviceReport:
    """Advice items with their claims resolved, the first change, and their citations."""
    resolved = tuple(AdviceItem(a, tuple(claim(c) for c in a.claims)) for a in items)
    keys = {k for i in resolved for k in i.advice.source_keys}
    keys |= {k for i in resolved for c in i.claims for k in c.source_keys}
    return AdviceReport(resolved, first_change(items), cite(sorted(keys)))


def report_profile(person: Person, target: Target, medications: Iterable[str] = ()) -> Profile:
    """The advice profile of a report: ``person``, healthy, with ``medications``; the K2
    target is the report's (90 µg K2 when the report's target is K1 or total K)."""
    k2 = target.form not in ("K1", "K")
    return Profile(
        person,
        medications=frozenset(medications),
        k2_target_ug=target.amount_ug if k2 else 90.0,
        k2_target_form=target.form if k2 else "K2",
    )


def build_report(
    result: IntakeResult,
    target: Target,
    *,
    suggestion_foods: Sequence[Food],
    profile: Profile | None = None,
) -> Report:
    """The full report of ``result`` against the user's ``target`` (pure).

    Parameters
    ----------
    result : the computed intake of a diet.
    target : the user's daily target of one form (no authority sets a K2 intake).
    suggestion_foods : foods that may be proposed to close a gap
        (:func:`k2lab.advice.suggestion_foods`); the gap list and the advice use the same.
    profile : medications and conditions for the advice; default :func:`report_profile`.
    """
    checks.instance(result, IntakeResult, "result", what="an IntakeResult (compute_intake)")
    checks.instance(target, Target, "target", what="a Target (parse_target('90 ug K2'))")
    suggestion_foods = checks.items(suggestion_foods, Food, "suggestion_foods", what="Food")
    if profile is not None:
        checks.instance(profile, Profile, "profile", what="an advice Profile")
    if target.form not in result.mean:
        raise K2LabError(f"No intake figure for '{target.form}'.")
    person = result.diet.person
    profile = profile or report_profile(person, target)
    intake = build_intake_report(result)
    mean = result.mean[target.form]
    gap = max(0.0, target.amount_ug - mean.typical)
    to_close = (
        foods_to_close(
            Target(gap, target.form),
            suggestion_foods,
            diet=person.diet,
            soy_allergy=profile.soy_allergy,
        )
        if gap > 0
        else ()
    )
    ref_keys = [c.reference.source_key for c in intake.comparisons]
    return Report(
        intake=intake,
        top_contributors=result.contributions[:TOP_CONTRIBUTORS],
        target=TargetGap(target.form, target.amount_ug, mean, gap, to_close, person.diet),
        sources=cite(sorted({*result.source_keys, *ref_keys})),
        advice=build_advice_report(advise(profile, result, suggestion_foods=suggestion_foods)),
    )
