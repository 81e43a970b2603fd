"""Advice rules over a profile and its intake: ``advise(profile, intake) -> list[Advice]``.

Each rule reads its severity, threshold, evidence grade, claims, sources and message
template from ``data/advice_rules.csv``; the code only decides when it applies and
computes the numbers (units in the keys). Advice is sorted most severe first.

Example
-------
>>> items = advise(Profile(), intake)            # doctest: +SKIP
>>> [a.rule_id for a in items]                   # doctest: +SKIP
['d3_calcium_low_k2', 'calcium_supplement']
"""

from __future__ import annotations

from collections.abc import Sequence

from k2lab import checks
from k2lab.advice.facts import (
    closing_food,
    facts,
    k1_reference,
    make_advice,
    threshold,
    upper_limit,
)
from k2lab.advice.inr import DEFAULT_INR_TARGET, InrPredictor, ModelledInr
from k2lab.advice.items import Advice
from k2lab.advice.profile import DrugClass, Profile
from k2lab.foods.database import Food
from k2lab.foods.nutrients import K2_VITAMERS
from k2lab.intake.compute import IntakeResult
from k2lab.intake.cover import Target


def advise(
    profile: Profile,
    intake: IntakeResult,
    *,
    inr_model: InrPredictor | None = None,
    suggestion_foods: Sequence[Food] = (),
    inr_target: float = DEFAULT_INR_TARGET,
) -> list[Advice]:
    """Advice for ``profile`` eating ``intake`` (pure).

    Parameters
    ----------
    profile : person, population, medications, conditions and the K2 target.
    intake : computed intake (means per day; supplements included).
    inr_model : expected INR effect with a VKA; default k2lab's exposure model.
    suggestion_foods : foods that messages may suggest (filtered by diet and soy allergy).
    inr_target : the VKA user's target INR (default 2.5).
    """
    checks.instance(profile, Profile, "profile", what="an advice Profile")
    checks.instance(intake, IntakeResult, "intake", what="an IntakeResult (compute_intake)")
    suggestion_foods = checks.items(suggestion_foods, Food, "suggestion_foods", what="Food")
    inr = inr_model or ModelledInr()
    f = facts(profile, intake)
    out: list[Advice] = []
    vka = profile.drugs(DrugClass.VKA)
    doac = profile.drugs(DrugClass.DOAC)
    anti = profile.drugs(DrugClass.ANTIPLATELET)
    nk = bool(profile.drugs(DrugClass.NATTOKINASE))
    mk7_supp = f.supp.get("MK-7", 0.0)
    d_supp = f.supp.get("vitamin_d", 0.0)
    ca_supp = f.supp.get("calcium", 0.0)
    target = profile.k2_target_ug

    # The article's warning: D3 and/or calcium supplements with little K2.
    if (d_supp > 0 or ca_supp > 0) and f.target_form_intake < target:
        taken = " and ".join(
            s
            for s in (
                f"vitamin D {d_supp:.0f} µg" if d_supp else "",
                f"calcium {ca_supp:.0f} mg" if ca_supp else "",
            )
            if s
        )
        numbers = {
            "vitamin_d_supplement_ug_per_day": d_supp,
            "calcium_supplement_mg_per_day": ca_supp,
            "k2_intake_ug_per_day": f.target_form_intake,
            "k2_target_ug_per_day": target,
        }
        rule = "d3_calcium_low_k2_vka" if vka else "d3_calcium_low_k2"
        out.append(
            make_advice(
                rule,
                numbers,
                supplements=taken,
                k2=f.target_form_intake,
                target=target,
                dose=target - f.target_form_intake,
            )
        )

    # Vitamin K antagonists.
    if vka:
        med = " and ".join(vka)
        if f.natto_g > threshold("vka_natto"):
            effect = inr(
                medication=vka[0],
                mk7_ug_per_day=f.natto_mk7 + mk7_supp,
                k1_ug_per_day=f.k1,
                inr_target=inr_target,
            )
            numbers = {
                "natto_g_per_day": f.natto_g,
                "mk7_from_natto_ug_per_day": f.natto_mk7,
                "inr_before": effect.inr_before,
            }
            if effect.inr_after is not None:
                numbers["inr_expected"] = effect.inr_after
            if effect.group_inr_change_pct is not None:
                numbers["inr_change_pct"] = effect.group_inr_change_pct
            out.append(
                make_advice(
                    "vka_natto",
                    numbers,
                    natto_g=f.natto_g,
                    mk7=f.natto_mk7,
                    medication=med,
                    inr_effect=effect.describe()
                    + " After 100 g natto the effect lasted 24–72 h (Kudo, via Eisai).",
                    extra_sources=effect.source_keys,
                )
            )
        if mk7_supp >= threshold("vka_mk7_supplement"):
            effect = inr(
                medication=vka[0],
                mk7_ug_per_day=mk7_supp + f.natto_mk7,
                k1_ug_per_day=f.k1,
                inr_target=inr_target,
            )
            numbers = {
                "mk7_supplement_ug_per_day": mk7_supp,
                "threshold_ug_per_day": threshold("vka_mk7_supplement"),
            }
            if effect.inr_after is not None:
                numbers["inr_expected"] = effect.inr_after
            out.append(
                make_advice(
                    "vka_mk7_supplement",
                    numbers,
                    mk7=mk7_supp,
                    medication=med,
                    inr_effect=effect.describe(),
                    extra_sources=effect.source_keys,
                )
            )
        mk4 = f.supp.get("MK-4", 0.0)
        if mk4 >= threshold("vka_mk4_drug"):
            out.append(
                make_advice(
                    "vka_mk4_drug",
                    {"mk4_supplement_ug_per_day": mk4},
                    mk4_mg=mk4 / 1000,
                    medication=med,
                )
            )
        k1_supp = f.supp.get("K1", 0.0)
        if k1_supp >= threshold("vka_k1_supplement"):
            out.append(
                make_advice(
                    "vka_k1_supplement",
                    {"k1_supplement_ug_per_day": k1_supp, "threshold_ug_per_day": 150.0},
                    k1=k1_supp,
                    medication=med,
                )
            )
        swing = f.k1_day_high - f.k1_day_low
        if f.n_days > 1 and swing >= threshold("vka_k1_swing"):
            out.append(
                make_advice(
                    "vka_k1_swing",
                    {
                        "k1_swing_ug_per_day": swing,
                        "k1_lowest_day_ug": f.k1_day_low,
                        "k1_highest_day_ug": f.k1_day_high,
                        "threshold_ug_per_day": threshold("vka_k1_swing"),
                    },
                    swing=swing,
                    low=f.k1_day_low,
                    high=f.k1_day_high,
                    medication=med,
                )
            )
        else:
            out.append(make_advice("vka_keep_steady", {"k1_ug_per_day": f.k1}, medication=med))

    # DOACs: vitamin K does not matter; nattokinase (also in natto) still does.
    if doac and not vka:
        out.append(
            make_advice("doac_diet", {"k_ug_per_day": f.k1 + f.k2}, medication=" and ".join(doac))
        )
    if (
        (doac or vka or anti)
        and f.natto_g > threshold("natto_nattokinase_anticoagulant")
        and not vka
    ):
        out.append(
            make_advice(
                "natto_nattokinase_anticoagulant",
                {"natto_g_per_day": f.natto_g},
                natto_g=f.natto_g,
                medication=" and ".join(doac + anti),
            )
        )

    # Nattokinase supplements.
    if nk:
        if vka or doac:
            out.append(
                make_advice("nattokinase_anticoagulant", {}, medication=" and ".join(vka + doac))
            )
        if anti:
            out.append(make_advice("nattokinase_antiplatelet", {}, medication=" and ".join(anti)))
        if not (vka or doac or anti):
            out.append(make_advice("nattokinase_alone", {}))

    # Upper limits.
    ul = upper_limit(profile, "calcium")
    if ul is not None and f.calcium > ul[0]:
        out.append(
            make_advice(
                "calcium_above_ul",
                {
                    "calcium_mg_per_day": f.calcium,
                    "calcium_ul_mg_per_day": ul[0],
                    "calcium_supplement_mg_per_day": ca_supp,
                },
                calcium=f.calcium,
                ul=ul[0],
                authority=ul[1],
                excess=f.calcium - ul[0],
            )
        )
    if ca_supp >= threshold("calcium_supplement"):
        out.append(
            make_advice(
                "calcium_supplement", {"calcium_supplement_mg_per_day": ca_supp}, supplement=ca_supp
            )
        )
    ul = upper_limit(profile, "vitamin_d")
    if ul is not None and f.vitamin_d > ul[0]:
        out.append(
            make_advice(
                "vitamin_d_above_ul",
                {"vitamin_d_ug_per_day": f.vitamin_d, "vitamin_d_ul_ug_per_day": ul[0]},
                vitamin_d=f.vitamin_d,
                iu=f.vitamin_d * 40,
                ul=ul[0],
                authority=ul[1],
            )
        )

    # Allergy, life stage, kidneys.
    k2_supp = sum(f.supp.get(v, 0.0) for v in K2_VITAMERS)
    if profile.soy_allergy and (f.natto_g > 0 or mk7_supp > 0 or nk):
        what = ", ".join(
            s
            for s in (
                f"natto {f.natto_g:.0f} g/day" if f.natto_g > 0 else "",
                f"MK-7 {mk7_supp:.0f} µg/day" if mk7_supp > 0 else "",
                "nattokinase" if nk else "",
            )
            if s
        )
        out.append(make_advice("soy_allergy_natto", {"natto_g_per_day": f.natto_g}, what=what))
    person = profile.person
    if (person.pregnant or person.lactating) and (k2_supp > 0 or nk):
        what = ", ".join(
            s
            for s in (
                f"K2 supplement {k2_supp:.0f} µg/day" if k2_supp else "",
                "nattokinase" if nk else "",
            )
            if s
        )
        out.append(make_advice("pregnancy", {"k2_supplement_ug_per_day": k2_supp}, what=what))
    if person.age < 18 and (k2_supp > 0 or nk):
        ref = k1_reference(profile)
        ai = ref[0] if ref else 0.0
        what = ", ".join(
            s
            for s in (
                f"K2 supplement {k2_supp:.0f} µg/day" if k2_supp else "",
                "nattokinase" if nk else "",
            )
            if s
        )
        out.append(
            make_advice(
                "children",
                {
                    "age_years": person.age,
                    "k2_supplement_ug_per_day": k2_supp,
                    "k1_ai_ug_per_day": ai,
                },
                age=person.age,
                what=what,
                ai=ai,
            )
        )
    if profile.ckd:
        dialysis = " on haemodialysis" if profile.population == "hemodialysis" else ""
        out.append(make_advice("ckd", {"k_ug_per_day": f.k1 + f.k2}, dialysis=dialysis))

    # Below the K1 reference and the K2 target.
    ref = k1_reference(profile)
    if ref is not None and f.k1 < ref[0]:
        gap = ref[0] - f.k1
        best = closing_food(Target(gap, "K1"), suggestion_foods, profile)
        if best is not None:
            count = f" (about {best.portions:.1f} × {best.portion})" if best.portion else ""
            food_text = f"{best.grams:.0f} g {best.name.lower()}{count} a day"
        else:
            food_text = "a daily portion of spinach, kale or broccoli"
        vka_note = (
            " With a vitamin K antagonist, raise it only together with your clinic and then keep it"
            " steady."
            if vka
            else ""
        )
        out.append(
            make_advice(
                "k1_below_reference",
                {
                    "k1_ug_per_day": f.k1,
                    "k1_reference_ug_per_day": ref[0],
                    "k1_gap_ug_per_day": gap,
                },
                k1=f.k1,
                authority=ref[1],
                ref=ref[0],
                food_text=food_text,
                vka_note=vka_note,
            )
        )
    if f.target_form_intake < target:
        gap = target - f.target_form_intake
        if vka:
            suggestion = (
                "with a vitamin K antagonist do not add K2 foods or MK-7 on your own; ask your "
                "anticoagulation clinic (a DOAC is not affected by vitamin K)."
            )
        else:
            best = closing_food(Target(gap, profile.k2_target_form), suggestion_foods, profile)
            food_text = f"{best.grams:.0f} g {best.name.lower()} a day, or " if best else ""
            suggestion = f"add {food_text}MK-7 {gap:.0f} µg/day as a supplement."
        out.append(
            make_advice(
                "k2_below_target",
                {
                    "k2_ug_per_day": f.target_form_intake,
                    "k2_target_ug_per_day": target,
                    "k2_gap_ug_per_day": gap,
                },
                k2=f.target_form_intake,
                target=target,
                suggestion=suggestion,
            )
        )
    out.sort(key=lambda a: -a.severity)
    return out


__all__ = ["advise"]
