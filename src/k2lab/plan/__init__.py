"""Diet planner: a MILP over whole portions of foods (HiGHS via highspy; CBC via PuLP).

Vitamin K only (:func:`constraints_for`) or whole days (:func:`whole_day_constraints`:
energy, macronutrients, reference intakes, food groups, variety); explanations
(binding constraints, an irreducible infeasible set) and the diff against a diary.
"""

from k2lab.plan.candidates import Candidate, candidate_foods
from k2lab.plan.diff import Change, diary_changes
from k2lab.plan.explain import (
    Binding,
    Diagnosis,
    Shortfall,
    binding,
    irreducible_infeasible_set,
    max_k2_from_food,
)
from k2lab.plan.formulation import Layout, build_model
from k2lab.plan.milp import BACKENDS, Milp, MilpResult, SolveStatus, solve_milp
from k2lab.plan.model import (
    VKA,
    EnergyShare,
    GroupServing,
    NutrientBound,
    Objective,
    PlanConstraints,
    PlanError,
    constraints_for,
    food_groups,
    groups_of,
    split_exclusions,
)
from k2lab.plan.nutrition import energy_need_kcal, whole_day_constraints
from k2lab.plan.solve import DietPlan, PlannedPortion, PlanStatus, plan_diet

__all__ = [
    "BACKENDS",
    "VKA",
    "Binding",
    "Candidate",
    "Change",
    "Diagnosis",
    "DietPlan",
    "EnergyShare",
    "GroupServing",
    "Layout",
    "Milp",
    "MilpResult",
    "NutrientBound",
    "Objective",
    "PlanConstraints",
    "PlanError",
    "PlanStatus",
    "PlannedPortion",
    "Shortfall",
    "SolveStatus",
    "binding",
    "build_model",
    "candidate_foods",
    "constraints_for",
    "diary_changes",
    "energy_need_kcal",
    "food_groups",
    "groups_of",
    "irreducible_infeasible_set",
    "max_k2_from_food",
    "plan_diet",
    "solve_milp",
    "split_exclusions",
    "whole_day_constraints",
]
