"""Virtual populations and in-silico trials.

A :class:`TrialSpec` (TOML, :func:`load_spec`) names a population (covariate
distributions, inclusion criteria), arms with vitamin K, calcium and vitamin D regimens,
visits, endpoints and dropout; :func:`run_trial` simulates one virtual trial and :func:`power_curve` many.
Parameter uncertainty varies between replicates, between-subject variability between
people (:mod:`k2lab.population.variability`). See docs/trials.md.

Example
-------
>>> from k2lab.population import load_spec, run_trial  # doctest: +SKIP
>>> run_trial(load_spec("examples/trials/dp_ucmgp_12_weeks.toml")).effects[0]  # doctest: +SKIP
"""

from k2lab.population.backends import DaskBackend, LocalBackend
from k2lab.population.people import PopulationSpec, draw_person
from k2lab.population.power import PowerCurve, power_curve
from k2lab.population.spec import TrialSpec, load_spec, spec_from_dict
from k2lab.population.trial import TrialResult, run_trial

__all__ = [
    "DaskBackend",
    "LocalBackend",
    "PopulationSpec",
    "PowerCurve",
    "TrialResult",
    "TrialSpec",
    "draw_person",
    "load_spec",
    "power_curve",
    "run_trial",
    "spec_from_dict",
]
