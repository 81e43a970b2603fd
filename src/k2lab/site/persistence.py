"""MK-7 against MK-4 after one equal dose, from the exposure model (plot and table).

The dose is 420 µg once with a meal, the dose Sato et al. (2012) gave of each form.

Example
-------
>>> rows = persistence_table()
>>> [r[0] for r in rows]
['MK-7', 'MK-4']
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np

from k2lab.physiology import ExposureOptions, simulate_exposure
from k2lab.regimen import Dose

DOSE_UG = 420.0
HOURS = 96.0
TIMES_H = (4.0, 8.0, 24.0, 48.0, 72.0, 96.0)
_ENDPOINTS = {"MK-7": "plasma_MK7_nmol_per_L", "MK-4": "plasma_MK4_nmol_per_L"}
_OPTIONS = ExposureOptions(step_h=1.0, n_samples=20, seed=20121)


@cache
def _curves() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """time (h), central, low, high rise above baseline (nmol/L) for each form."""
    out = {}
    for vitamer, name in _ENDPOINTS.items():
        r = simulate_exposure([Dose(0.0, vitamer, DOSE_UG)], hours=HOURS, options=_OPTIONS)
        e = r.endpoints[name]
        out[vitamer] = (
            e.time_h,
            e.trajectory - e.baseline,
            e.trajectory_low - e.baseline,
            e.trajectory_high - e.baseline,
        )
    return out


def persistence_table() -> list[tuple[str, tuple[float, ...], tuple[float, ...]]]:
    """(form, hours, rise above baseline as % of its own peak) at :data:`TIMES_H`."""
    rows: list[tuple[str, tuple[float, ...], tuple[float, ...]]] = []
    for vitamer, (t, mid, _lo, _hi) in _curves().items():
        peak = float(mid.max())
        share = tuple(100.0 * float(np.interp(h, t, mid)) / peak for h in TIMES_H)
        rows.append((vitamer, TIMES_H, share))
    return rows


def persistence_svg() -> str:
    """The plot as SVG text (deterministic: fixed hash salt, no date)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context({"svg.hashsalt": "k2lab", "svg.fonttype": "none"}):
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
        for vitamer, (t, mid, lo, hi) in _curves().items():
            (line,) = ax.plot(t, mid, label=f"{vitamer} {DOSE_UG:.0f} µg once")
            ax.fill_between(t, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_xlabel("hours after the dose")
        ax.set_ylabel("plasma rise above baseline (nmol/L)")
        ax.set_xlim(0, HOURS)
        ax.legend(frameon=False)
        ax.set_title("k2lab exposure model: central prediction and 90 % interval", fontsize=9)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "k2lab"})
        plt.close(fig)
    return buf.getvalue()
