"""From a diet to doses: the bridge from intake to exposure.

Each day of the diet (a typical day repeats; a diary cycles) gives one dose per food and
vitamer at midday, with the food's category as the absorption matrix, and each vitamin K
supplement of the day one dose in the morning. Typical food values are used.

The population baselines of :mod:`k2lab.physiology` already stand for a habitual Western
diet, so these doses are simulated *on top of* it. For comparison the habitual intake
of Dutch women aged 49-70 (Prospect-EPIC, Gast 2009) was K1 211.7 µg/day and K2
29.1 µg/day; :func:`diet_notes` reports the diet against those figures.
"""

from __future__ import annotations

from k2lab.foods.nutrients import K2_VITAMERS
from k2lab.intake.diet import Diet
from k2lab.regimen import Dose
from k2lab.vocab import MATRICES
from k2lab.vocab import SIMULATED_VITAMERS as VITAMERS

__all__ = ["HABITUAL_UG_PER_DAY", "diet_doses", "diet_notes"]

#: Habitual intake in Prospect-EPIC (source_key gast2009), µg/day.
HABITUAL_UG_PER_DAY = {"K1": 211.7, "K2": 29.1}
MEAL_HOUR = 12.0
SUPPLEMENT_HOUR = 8.0


def diet_doses(diet: Diet, duration_h: float) -> list[Dose]:
    """Doses of the simulated vitamers from ``diet`` over ``duration_h`` hours.

    A typical day's supplements are dosed on their schedule ("MK-7 360 ug mon,wed,fri");
    a diary's are dosed on the days that list them.
    """
    doses = []
    n_days = int(-(-duration_h // 24))
    for d in range(n_days):
        day = diet.days[d % len(diet.days)]
        for entry in day.foods:
            matrix = entry.food.category if entry.food.category in MATRICES else "other"
            for vitamer in VITAMERS:
                amount = entry.grams.grams / 100.0 * entry.food.per_100g(vitamer)
                if amount > 0 and d * 24 + MEAL_HOUR < duration_h:
                    doses.append(Dose(d * 24 + MEAL_HOUR, vitamer, amount, matrix))
        if diet.typical_day:
            continue  # a typical day's supplements follow their own schedule, below
        for s in day.supplements:
            if s.nutrient in VITAMERS and d * 24 + SUPPLEMENT_HOUR < duration_h:
                doses.append(Dose(d * 24 + SUPPLEMENT_HOUR, s.nutrient, s.amount, "supplement"))
    if diet.typical_day:
        for s in diet.days[0].supplements:
            if s.nutrient in VITAMERS and s.regimen is not None and SUPPLEMENT_HOUR < duration_h:
                doses += s.regimen.doses(duration_h, hour_of_day=SUPPLEMENT_HOUR)
    return sorted(doses, key=lambda dose: dose.time_h)


def diet_notes(diet: Diet) -> list[str]:
    """What the diet adds, against the habitual intake, and forms not simulated."""
    per_day: dict[str, float] = {}
    for day in diet.days:
        for e in day.foods:
            for v in ("K1", *K2_VITAMERS):
                per_day[v] = per_day.get(v, 0.0) + e.grams.grams / 100 * e.food.per_100g(v)
        for s in day.supplements:
            per_day[s.nutrient] = per_day.get(s.nutrient, 0.0) + s.amount
    n = len(diet.days)
    k1 = per_day.get("K1", 0.0) / n
    k2 = sum(per_day.get(v, 0.0) for v in K2_VITAMERS) / n
    notes = [
        f"The diet's foods and supplements (K1 {k1:.0f} ug/day, K2 {k2:.0f} ug/day) are "
        "simulated on top of the population baseline, which already reflects a habitual diet "
        f"(Prospect-EPIC: K1 {HABITUAL_UG_PER_DAY['K1']:g}, K2 {HABITUAL_UG_PER_DAY['K2']:g} "
        "ug/day; gast2009). To see the effect of a change, list only what you add."
    ]
    skipped = sorted(v for v in K2_VITAMERS if v not in VITAMERS and per_day.get(v, 0.0) > 0)
    if skipped:
        amount = sum(per_day[v] for v in skipped) / n
        notes.append(
            f"{', '.join(skipped)} ({amount:.1f} ug/day) have no kinetic parameters and "
            "are not simulated."
        )
    return notes
