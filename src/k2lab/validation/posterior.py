"""Bayesian calibration of the physiology's fitted parameters (emcee), with trial effects.

The free parameters of :data:`~k2lab.validation.calibrate.PHYSIOLOGY_PARAMETERS` get
**log-uniform priors over their calibration bounds** (``k2lab_prior``: the bounds are the
only prior statement the tables make for them; the ``low``..``high`` of
``calibrated_params.csv`` are refit ranges, already informed by the data, so they are not
reused as priors). The likelihood runs over the physiology's calibration arms:

- the residual of an arm is model minus observed in percentage points for percent changes
  and ``100 * ln(model / observed)`` for absolute values (``value`` arms);
- its **measurement error** is ``SD / sqrt(n)``: ``n`` per arm from ``trial_arm_sizes.csv``
  (arm counts from the reference trial notes; :data:`DEFAULT_N` where an arm is missing).
  No physiology arm reports an SD/SE/CI of its change, so the between-person SD is assumed:
  :data:`ASSUMED_SD_PP` for percent changes, :data:`ASSUMED_LOG_SD` (log scale) for values;
- **trial-level random effects**: arms of the same trial and endpoint share an offset
  ``b ~ N(0, tau^2)`` (pp); ``tau`` (between-trial heterogeneity) has a half-normal prior
  with scale :data:`TAU_PRIOR_SCALE_PP`. The offsets are integrated out analytically (the
  arms of a group are multivariate normal with covariance ``diag(se^2) + tau^2``).

Unfitted parameters stay at their central values during the fit (a modular calibration:
their prior uncertainty is added when intervals are drawn). :func:`run_posterior` samples;
:func:`posterior_csv` writes the shipped ``posterior_draws.csv`` (``k2lab validate
--write-posterior``); :func:`load_posterior` reads it back.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from k2lab.errors import DataError
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.validation.calibrate import PHYSIOLOGY_PARAMETERS
from k2lab.validation.predict import predict_exposure
from k2lab.validation.trials import TrialArm, load_trials

__all__ = [
    "ASSUMED_LOG_SD",
    "ASSUMED_SD_PP",
    "DEFAULT_N",
    "POSTERIOR_FILE",
    "TAU",
    "TAU_PRIOR_SCALE_PP",
    "Posterior",
    "PosteriorSettings",
    "arm_se",
    "load_posterior",
    "log_posterior",
    "parse_posterior",
    "posterior_csv",
    "run_posterior",
]

Key = tuple[str, str]
FloatArray = NDArray[np.float64]

#: Assumed between-person SD of a percent change (pp): none of the physiology arms reports one.
ASSUMED_SD_PP = 35.0
#: Assumed between-person SD of an absolute value on the log scale (AUC, CV about 50 %).
ASSUMED_LOG_SD = 0.5
#: Arm size assumed where ``trial_arm_sizes.csv`` has no row.
DEFAULT_N = 20
#: Scale of the half-normal prior of the between-trial SD (pp).
TAU_PRIOR_SCALE_PP = 15.0
#: Name of the heterogeneity column in the draws.
TAU = ("between_trial_sd_pp", "all")
POSTERIOR_FILE = "posterior_draws.csv"
_SIZES_FILE = "trial_arm_sizes.csv"


@dataclass(frozen=True)
class PosteriorSettings:
    """Sampler settings (the shipped draws use the defaults)."""

    walkers: int = 24
    steps: int = 6000
    burn: int = 2000
    thin: int = 40
    seed: int = 1414


@dataclass(frozen=True)
class Posterior:
    """Thinned draws after burn-in: ``draws[walker, step, column]``, columns =
    :data:`PHYSIOLOGY_PARAMETERS` keys then :data:`TAU`; diagnostics of the run."""

    keys: tuple[Key, ...]
    draws: FloatArray
    acceptance: float
    autocorr_steps: tuple[float, ...]
    settings: PosteriorSettings

    @property
    def flat(self) -> FloatArray:
        """All draws, walkers stacked: shape ``(n, columns)``."""
        return self.draws.reshape(-1, self.draws.shape[-1])

    def rhat(self) -> FloatArray:
        """Gelman-Rubin R-hat per column, each walker a chain (on the log scale)."""
        x = np.log(self.draws)
        n = x.shape[1]
        within = x.var(axis=1, ddof=1).mean(axis=0)
        between = n * x.mean(axis=1).var(axis=0, ddof=1)
        var = (n - 1) / n * within + between / n
        out: FloatArray = np.sqrt(var / within)
        return out

    def ess(self) -> FloatArray:
        """Effective sample size per column: total post-burn steps / autocorrelation time."""
        s = self.settings
        total = s.walkers * (s.steps - s.burn)
        return np.array([total / t for t in self.autocorr_steps])


@cache
def _arm_sizes() -> dict[str, int]:
    text = resources.files("k2lab.data").joinpath(_SIZES_FILE).read_text(encoding="utf-8")
    out = {}
    for row in csv.DictReader(io.StringIO(text)):
        try:
            out[row["arm_id"]] = int(row["n"])
        except ValueError:
            raise DataError(
                f"{_SIZES_FILE}: n of {row['arm_id']} must be a whole number."
            ) from None
    return out


def arm_se(arm: TrialArm) -> float:
    """Measurement error of an arm's residual (pp, or 100 x log units for values)."""
    n = _arm_sizes().get(arm.arm_id, DEFAULT_N)
    sd = 100.0 * ASSUMED_LOG_SD if arm.metric == "value" else ASSUMED_SD_PP
    return sd / math.sqrt(n)


def residual(arm: TrialArm, predicted: float) -> float:
    """Model minus observed on the likelihood's scale (see the module docstring)."""
    if arm.metric == "value":
        return 100.0 * math.log(max(predicted, 1e-12) / arm.observed)
    return predicted - arm.observed


def _groups(arms: Sequence[TrialArm]) -> list[list[int]]:
    by: dict[tuple[str, str], list[int]] = {}
    for i, a in enumerate(arms):
        by.setdefault((a.trial, a.endpoint), []).append(i)
    return list(by.values())


def _group_loglik(r: FloatArray, se: FloatArray, tau: float) -> float:
    # N(0, D + tau^2 11') by Sherman-Morrison: exact, no matrix inverse.
    d = se**2
    s = float(np.sum(1.0 / d))
    c = 1.0 + tau**2 * s
    quad = float(np.sum(r**2 / d)) - tau**2 * float(np.sum(r / d)) ** 2 / c
    logdet = float(np.sum(np.log(d))) + math.log(c)
    return -0.5 * (quad + logdet + len(r) * math.log(2.0 * math.pi))


def log_posterior(x: FloatArray, arms: Sequence[TrialArm], base: ParameterSet) -> float:
    """Log posterior (up to a constant) at ``x`` = log parameter values then log tau."""
    keys = list(PHYSIOLOGY_PARAMETERS)
    lo = np.log([PHYSIOLOGY_PARAMETERS[k][0] for k in keys])
    hi = np.log([PHYSIOLOGY_PARAMETERS[k][1] for k in keys])
    theta, log_tau = x[:-1], float(x[-1])
    if np.any(theta < lo) or np.any(theta > hi) or not -10.0 < log_tau < 6.0:
        return -math.inf
    tau = math.exp(log_tau)
    # log-uniform priors are flat in theta; half-normal on tau, + log tau for the Jacobian.
    lp = -0.5 * (tau / TAU_PRIOR_SCALE_PP) ** 2 + log_tau
    p = base.replace(dict(zip(keys, np.exp(theta).tolist(), strict=True)))
    r = np.array([residual(a, predict_exposure(a, p)) for a in arms])
    se = np.array([arm_se(a) for a in arms])
    for g in _groups(arms):
        lp += _group_loglik(r[g], se[g], tau)
    return lp if math.isfinite(lp) else -math.inf


def _calibration_arms() -> list[TrialArm]:
    return [a for a in load_trials() if a.layer == "physiology" and a.role == "calibration"]


def run_posterior(settings: PosteriorSettings | None = None) -> Posterior:
    """Sample the posterior with emcee (walkers start near the shipped fit)."""
    import emcee

    s = settings or PosteriorSettings()
    arms, base = _calibration_arms(), default_parameters()
    keys = list(PHYSIOLOGY_PARAMETERS)
    centre = np.log([base[k] for k in keys] + [5.0])
    rng = np.random.default_rng(s.seed)
    start = centre + 0.05 * rng.standard_normal((s.walkers, len(centre)))
    sampler = emcee.EnsembleSampler(s.walkers, len(centre), log_posterior, args=(arms, base))
    sampler.random_state = np.random.RandomState(s.seed).get_state()
    sampler.run_mcmc(start, s.steps, progress=False)
    chain = sampler.get_chain(discard=s.burn)  # (steps, walkers, columns)
    autocorr = emcee.autocorr.integrated_time(chain, quiet=True)
    thinned = np.exp(chain[:: s.thin]).transpose(1, 0, 2)
    return Posterior(
        (*keys, TAU),
        np.asarray(thinned, dtype=float),
        float(np.mean(sampler.acceptance_fraction)),
        tuple(float(t) for t in autocorr),
        s,
    )


def posterior_csv(post: Posterior) -> str:
    """The ``posterior_draws.csv`` text: provenance comments, then one row per draw."""
    s = post.settings
    buf = io.StringIO()
    buf.write(
        f"# k2lab validate --write-posterior: emcee, walkers={s.walkers}, steps={s.steps}, "
        f"burn={s.burn}, thin={s.thin}, seed={s.seed}\n"
        f"# acceptance={post.acceptance:.3f}; autocorr_steps="
        + ";".join(f"{t:.1f}" for t in post.autocorr_steps)
        + "\n"
    )
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["walker", "draw", *(f"{n}|{sc}" for n, sc in post.keys)])
    for i in range(post.draws.shape[0]):
        for j in range(post.draws.shape[1]):
            w.writerow([i, j, *(f"{v:.5g}" for v in post.draws[i, j])])
    return buf.getvalue()


def parse_posterior(text: str) -> Posterior:
    """Read a ``posterior_draws.csv`` text back (a bad file is a DataError)."""
    lines = text.splitlines()
    meta: dict[str, str] = {}
    for line in lines:
        if not line.startswith("#"):
            break
        for part in line.lstrip("# ").replace(":", ",", 1).replace(";", ",").split(","):
            if "=" in part:
                k, v = part.strip().split("=", 1)
                meta.setdefault(k, v)
    body = [line for line in lines if not line.startswith("#")]
    rows = list(csv.reader(body))
    try:
        header, data = rows[0], np.array(rows[1:], dtype=float)
        keys = tuple((h.split("|")[0], h.split("|")[1]) for h in header[2:])
        walkers = int(data[:, 0].max()) + 1
        settings = PosteriorSettings(
            int(meta["walkers"]),
            int(meta["steps"]),
            int(meta["burn"]),
            int(meta["thin"]),
            int(meta["seed"]),
        )
        autocorr = tuple(
            float(t) for t in text.split("autocorr_steps=")[1].split("\n")[0].split(";")
        )
        draws = data[:, 2:].reshape(walkers, -1, len(keys))
        return Posterior(keys, draws, float(meta["acceptance"]), autocorr, settings)
    except (IndexError, KeyError, ValueError) as exc:
        raise DataError(
            f"{POSTERIOR_FILE} is malformed ({exc}); regenerate it with "
            "`k2lab validate --write-posterior src/k2lab/data/posterior_draws.csv`."
        ) from None


@cache
def load_posterior() -> Posterior:
    """The shipped posterior draws."""
    text = resources.files("k2lab.data").joinpath(POSTERIOR_FILE).read_text(encoding="utf-8")
    return parse_posterior(text)
