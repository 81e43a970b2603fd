"""A power curve's result JSON (``PowerCurve.to_dict`` with the design) as the page shows
it: the power by n per arm with its Monte-Carlo 95 % interval, the estimated effect with the
spread of the virtual trials, the table, and the smallest n of the grid that reaches the
target power.

Pure: no request, no store.

Example
-------
>>> rows = [{"n_per_arm": 10, "power": 0.5, "power_ci": [0.3, 0.7]},
...         {"n_per_arm": 20, "power": 0.85, "power_ci": [0.7, 0.93]},
...         {"n_per_arm": 30, "power": 0.98, "power_ci": [0.87, 1.0]}]
>>> reaching(rows, 0.8)
{'n_per_arm': 20, 'n_per_arm_ci_above': 30}
"""

from __future__ import annotations

from typing import Any

from k2lab.web.charts import Chart, Trace
from k2lab.web.trial_design import endpoint_label

__all__ = ["TARGET_POWER", "endpoint_of", "power_charts", "power_rows", "reaching"]

#: The power a trial is usually designed for (the dashed line, "the n that reaches 80 %").
TARGET_POWER = 0.8


def reaching(rows: list[dict[str, Any]], target: float) -> dict[str, int | None]:
    """The smallest n per arm of the grid whose estimated power is at least ``target``, and
    the smallest whose whole 95 % Monte-Carlo interval is (``None``: not within the grid)."""
    first = next((r["n_per_arm"] for r in rows if r["power"] >= target), None)
    sure = next((r["n_per_arm"] for r in rows if r["power_ci"][0] >= target), None)
    return {"n_per_arm": first, "n_per_arm_ci_above": sure}


def endpoint_of(result: dict[str, Any]) -> dict[str, Any]:
    """The endpoint of the curve as the design states it (name, change, visit week), with
    its label and the unit of its change."""
    spec = next(e for e in result["trial"]["endpoints"] if e["name"] == result["endpoint"])
    label, unit = endpoint_label(spec["name"])
    per = "%" if spec["change"] == "percent" else unit
    return {**spec, "label": label, "per": per}


def power_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows: n per arm, power and its interval in %, the effect and the 95 %
    prediction interval of the effect across the virtual trials."""
    rows = []
    for r in result["rows"]:
        low, high = r["power_ci"]
        e_low, e_high = r["effect_95_prediction_interval"]
        rows.append({"n": r["n_per_arm"], "power": 100 * r["power"], "low": 100 * low,
                     "high": 100 * high, "effect": r["effect_mean"], "effect_low": e_low,
                     "effect_high": e_high})  # fmt: skip
    return rows


def power_charts(result: dict[str, Any]) -> list[Chart]:
    """The power curve (with its 80 % line) and the estimated effect, both by n per arm."""
    ep = endpoint_of(result)
    rows = power_rows(result)
    ns = [float(r["n"]) for r in rows]
    target = 100 * result.get("target_power", TARGET_POWER)
    power = Chart(
        "power",
        f"Power: {ep['label']} at week {ep['visit_week']:g}, {result['arm']} vs control",
        "n per arm",
        "Power (%)",
        (Trace("Power", ns, [r["power"] for r in rows], low=[r["low"] for r in rows],
               high=[r["high"] for r in rows], band="95 % Monte-Carlo interval", markers=True),),
        note=(f"{result['replicates']} virtual trials per n, each with its own draw of the "
              f"parameter uncertainty; power is the share with p < {result['alpha']:g}. Band: "
              "95 % Wilson interval of that share."),
        reference=(target, f"{target:g} % power"),
        y_range=(0.0, 100.0),
    )  # fmt: skip
    effect = Chart(
        "effect",
        f"Estimated difference, {ep['label']} ({result['arm']} minus control)",
        "n per arm",
        f"Difference in change ({ep['per']})" if ep["per"] else "Difference in change",
        (Trace("Mean estimate", ns, [r["effect"] for r in rows],
               low=[r["effect_low"] for r in rows], high=[r["effect_high"] for r in rows],
               band="95 % of virtual trials", markers=True),),
        note=("Band: where 95 % of the virtual trials' estimates fall. It holds the sampling "
              "error, which shrinks as n grows, and the parameter uncertainty, which does not."),
        reference=(0.0, "no difference"),
    )  # fmt: skip
    return [power, effect]
