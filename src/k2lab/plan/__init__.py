"""Diet planner: a MILP over whole portions of foods (HiGHS via highspy; CBC via PuLP)."""

from k2lab.plan.milp import BACKENDS, Milp, MilpResult, SolveStatus, solve_milp
from k2lab.plan.model import (
    Candidate,
    Objective,
    PlanConstraints,
    PlanError,
    candidate_foods,
    constraints_for,
    food_groups,
    groups_of,
)
from k2lab.plan.solve import (
    Diagnosis,
    DietPlan,
    PlannedPortion,
    PlanStatus,
    Shortfall,
    build_model,
    max_k2_from_food,
    plan_diet,
)

__all__ = [
    "BACKENDS",
    "Candidate",
    "Diagnosis",
    "DietPlan",
    "Milp",
    "MilpResult",
    "Objective",
    "PlanConstraints",
    "PlanError",
    "PlanStatus",
    "PlannedPortion",
    "Shortfall",
    "SolveStatus",
    "build_model",
    "candidate_foods",
    "constraints_for",
    "food_groups",
    "groups_of",
    "max_k2_from_food",
    "plan_diet",
    "solve_milp",
]
