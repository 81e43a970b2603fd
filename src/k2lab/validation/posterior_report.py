"""Posterior table, posterior predictive checks and cross-validation for ``docs/validation.md``.

- :func:`posterior_rows`: per parameter the posterior mean, 90 % credible interval, R-hat and
  ESS of the shipped draws (:func:`~k2lab.validation.posterior.load_posterior`);
- :func:`predictive_checks`: every physiology arm against its **posterior predictive** 90 %
  interval: model(theta) for posterior draws (unfitted parameters central, as in the fit),
  plus a new trial offset ``N(0, tau^2)`` and the arm's measurement error. For calibration
  arms this is a posterior predictive check; for validation arms (other trials) it is the
  prediction for a new trial;
- :func:`posterior_markdown`: the three sections, with the leave-one-trial-out errors of
  :mod:`k2lab.validation.crossval`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from k2lab.physiology.params import default_parameters
from k2lab.validation.crossval import leave_one_trial_out, loo_endpoint_errors
from k2lab.validation.posterior import Posterior, arm_se, load_posterior
from k2lab.validation.predict import predict_exposure
from k2lab.validation.trials import TrialArm, load_trials

__all__ = ["PredictiveCheck", "posterior_markdown", "posterior_rows", "predictive_checks"]

PREDICTIVE_DRAWS = 100
_PPC_SEED = 77


@dataclass(frozen=True)
class PredictiveCheck:
    """One arm against its posterior predictive distribution (in the arm's metric)."""

    arm: TrialArm
    median: float
    low: float
    high: float

    @property
    def inside(self) -> bool:
        """Observed inside the central 90 % predictive interval."""
        return self.low <= self.arm.observed <= self.high


def posterior_rows(post: Posterior) -> list[tuple[str, str, float, float, float, float, float]]:
    """``(name, scope, mean, q5, q95, rhat, ess)`` per column of the draws."""
    rhat, ess = post.rhat(), post.ess()
    rows = []
    for i, (name, scope) in enumerate(post.keys):
        col = post.flat[:, i]
        q5, q95 = np.percentile(col, [5, 95])
        rows.append(
            (name, scope, float(col.mean()), float(q5), float(q95), float(rhat[i]), float(ess[i]))
        )
    return rows


def predictive_checks(post: Posterior, n_draws: int = PREDICTIVE_DRAWS) -> list[PredictiveCheck]:
    """Every physiology arm against its posterior predictive 90 % interval."""
    flat = post.flat
    idx = np.linspace(0, len(flat) - 1, n_draws).round().astype(int)
    base, keys = default_parameters(), post.keys[:-1]
    sets = [base.replace(dict(zip(keys, flat[i, :-1].tolist(), strict=True))) for i in idx]
    tau = flat[idx, -1]
    rng = np.random.default_rng(_PPC_SEED)
    out = []
    for arm in (a for a in load_trials() if a.layer == "physiology"):
        pred = np.array([predict_exposure(arm, p) for p in sets])
        noise = rng.standard_normal(n_draws) * np.sqrt(tau**2 + arm_se(arm) ** 2)
        rep = pred * np.exp(noise / 100.0) if arm.metric == "value" else pred + noise
        q5, q50, q95 = np.percentile(rep, [5, 50, 95])
        out.append(PredictiveCheck(arm, float(q50), float(q5), float(q95)))
    return out


def _share(checks: list[PredictiveCheck], role: str) -> str:
    sel = [c for c in checks if c.arm.role == role]
    return f"{sum(c.inside for c in sel)} of {len(sel)}"


def posterior_markdown() -> str:
    """The posterior, predictive-check and cross-validation sections (Markdown)."""
    post = load_posterior()
    s = post.settings
    lines = [
        "## Posterior of the fitted physiology parameters",
        "",
        f"`k2lab validate --write-posterior` samples with emcee ({s.walkers} walkers, "
        f"{s.steps} steps, {s.burn} burn-in, thinned by {s.thin}, seed {s.seed}; "
        f"acceptance {post.acceptance:.2f}) and ships `posterior_draws.csv`. Priors: "
        "log-uniform over the calibration bounds; between-trial SD half-normal (scale "
        "15 pp). Likelihood: each calibration arm with measurement error SD/sqrt(n) (arm "
        "sizes in `trial_arm_sizes.csv`; no physiology arm reports an SD, so 35 pp for a "
        "percent change and 0.5 on the log scale for a value are assumed) and a shared "
        "offset per trial and endpoint (random effect, integrated out). ESS = post-burn "
        "steps x walkers / integrated autocorrelation time; R-hat across walkers.",
        "",
        "| parameter | scope | mean | 90% credible interval | R-hat | ESS |",
        "|---|---|---|---|---|---|",
    ]
    for name, scope, mean, q5, q95, rhat, ess in posterior_rows(post):
        lines.append(
            f"| {name} | {scope} | {mean:.4g} | {q5:.4g}-{q95:.4g} | {rhat:.3f} | {ess:.0f} |"
        )
    checks = predictive_checks(post)
    lines += [
        "",
        "## Posterior predictive checks",
        "",
        "90% posterior predictive interval of each arm: posterior parameter draws, a new "
        "trial offset (between-trial SD) and the arm's measurement error. Calibration arms "
        f"inside: {_share(checks, 'calibration')}; validation arms inside: "
        f"{_share(checks, 'validation')}.",
        "",
        "| role | arm | endpoint | observed | predictive median | 90% interval | inside |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in checks:
        lines.append(
            f"| {c.arm.role} | {c.arm.arm_id} | {c.arm.endpoint} | {c.arm.observed:g} | "
            f"{c.median:.1f} | {c.low:.1f} to {c.high:.1f} | {'yes' if c.inside else 'no'} |"
        )
    lines += [
        "",
        "## Leave-one-trial-out cross-validation (physiology)",
        "",
        "Each calibration trial left out in turn: least-squares refit on the others from the "
        "centre of the prior bounds, then its arms predicted (`k2lab.validation.crossval`).",
        "",
        "| endpoint | arms | RMS error | mean error | unit |",
        "|---|---|---|---|---|",
    ]
    for name, n, rms, mean_e, unit in loo_endpoint_errors(leave_one_trial_out()):
        sign = "+" if mean_e >= 0 else "-"
        lines.append(f"| {name} | {n} | {rms:.1f} | {sign}{abs(mean_e):.1f} | {unit} |")
    return "\n".join(lines) + "\n"
