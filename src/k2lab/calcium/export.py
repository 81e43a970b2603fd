"""The composed calcium model as one SBML file: core, vitamin D hook and slow-layer ODEs.

:func:`composed_sbml` starts from the shipped Peterson & Riggs 2010 SBML, adds k2lab's
vitamin D hook (:func:`~k2lab.calcium.extension.extend_sbml`: species ``D25`` and
substrate-dependent calcitriol production) and then the slow layers that are ODEs driven
by the core's own species, as species with rate rules (time in hours, like the core):

* ``k2lab_bmd_lumbar_spine`` and ``k2lab_bmd_femoral_neck``: relative BMD from remodelling
  (:func:`~k2lab.calcium.bone.remodelling_bmd`), 1 at the start,
  ``dB/dt = kout·(Osteoblast/OB0)^γOB − kout·(OC/OC0)^γOC·B`` with the site's ``kout``
  (``k2lab_bmd_kout_<site>``, 1/h) and ``γOC``; ``OB0`` and ``OC0`` (``k2lab_bmd_ob0``,
  ``k2lab_bmd_oc0``) are the core's values at the start (initial assignments).
* ``k2lab_calcification_au``: the vessel-wall calcification index
  (:func:`~k2lab.calcium.vessel.calcification_index`), Agatston-equivalent units from
  ``k2lab_calcification_start_au``,
  ``dI/dt = k·(CaConc·C2/CaP0)^γ·max(0, 1 − ε·D)`` with ``k`` per hour
  (``k2lab_cac_progression_au_per_h`` = AU/year ÷ 8760) and ``CaP0`` (``k2lab_cac_caxp0``)
  the product at the start.

What the file leaves out, because it is not driven by the core's species:

* the bone **trend** of :func:`~k2lab.calcium.bone.bone_trend` (age and menopause loss
  and the osteocalcin effect): a per-person rate times ``exp`` of a time integral, which
  k2lab multiplies onto the remodelling BMD afterwards; its driver, ucOC, comes from the
  vitamin K layer (:mod:`k2lab.physiology`), which is not an SBML model;
* the fall of dp-ucMGP, ``D``, that the vessel layer uses: it also comes from the vitamin K
  layer, so the file holds it as a constant parameter ``k2lab_dp_ucmgp_rel_fall`` (0 by
  default: no change in vitamin K status) that a user sets to the fall they expect.

:class:`~k2lab.calcium.model.CalciumModel` reports these species as the endpoints
``bmd_remodelling_<site>_rel`` and ``calcification_index_au``. Every value comes from
``k2lab/data/calcium_params.csv`` (central values). The baselines
``OB0``, ``OC0`` and ``CaP0`` are the core's values at the start of a run of this file; a
run that starts from another state (k2lab's burn-in) should set them to that state's
values, as :mod:`k2lab.calcium.system` does by dividing by day 0.

Example
-------
>>> text = composed_sbml()
>>> all(s in text for s in ("D25", "k2lab_bmd_lumbar_spine", "k2lab_calcification_au"))
True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from k2lab.calcium.bone import SITES
from k2lab.calcium.extension import EXTENSION_SOURCES, extend_sbml
from k2lab.calcium.model import shipped_sbml_text
from k2lab.calcium.params import calcium_parameters
from k2lab.calcium.vessel import DAYS_PER_YEAR
from k2lab.engine.sbml_edit import (
    add_initial_assignment,
    add_parameter,
    add_rate_rule,
    add_species,
    apply,
    ci,
    cn,
    parse_model,
    piecewise,
    to_text,
)
from k2lab.errors import ModelFileError
from k2lab.physiology.params import ParameterSet

__all__ = ["SLOW_LAYER_PARAMETERS", "composed_sbml", "export_sources"]

HOURS_PER_DAY = 24.0
#: The rows of ``calcium_params.csv`` that the slow layers write into the file.
SLOW_LAYER_PARAMETERS: tuple[tuple[str, str], ...] = (
    ("bmd_gamma_ob", "all"),
    *((name, site) for site in SITES for name in ("bmd_kout_per_h", "bmd_gamma_oc")),
    ("cac_progression_au_per_year", "all"),
    ("cac_caxp_gamma", "all"),
    ("cac_mgp_inhibition", "all"),
)


def export_sources(params: ParameterSet | None = None) -> tuple[str, ...]:
    """Source keys (``sources_calcium.csv``) of the composed file: the core, the vitamin D
    hook and the slow layers' parameter rows, in that order, each once.

    Example
    -------
    >>> export_sources()[0]
    'peterson_riggs_2010'
    """
    p = params if params is not None else calcium_parameters()
    keys = ["peterson_riggs_2010", *EXTENSION_SOURCES]
    for name, scope in SLOW_LAYER_PARAMETERS:
        keys += p.record(name, scope).source_key.split(";")
    return tuple(dict.fromkeys(keys))


def composed_sbml(params: ParameterSet | None = None, *, sbml_text: str | None = None) -> str:
    """SBML L3V1 core text of the core, the vitamin D hook and the slow-layer ODEs.

    Parameters
    ----------
    params
        Parameter table for the values written into the file; ``None`` uses
        :func:`~k2lab.calcium.params.calcium_parameters` (central values).
    sbml_text
        The Peterson & Riggs 2010 SBML to start from; ``None`` uses the shipped copy.

    Returns
    -------
    str
        SBML that libroadrunner and :class:`~k2lab.calcium.model.CalciumModel` load.

    Raises
    ------
    ModelFileError
        If the text is not the Peterson & Riggs model or already has the added parts.
    """
    p = params if params is not None else calcium_parameters()
    source = shipped_sbml_text() if sbml_text is None else sbml_text
    extended = extend_sbml(source, p)
    root, model = parse_model(extended, "the extended SBML")
    have = {e.get(key) for e in model.iter() for key in ("id", "variable")} - {None}
    for needed in ("Osteoblast", "OC", "CaConc", "C2"):
        if needed not in have:
            raise ModelFileError(f"The model has no '{needed}'; is it Peterson & Riggs 2010?")
    if "k2lab_calcification_au" in have:
        raise ModelFileError("The model already has the slow layers; start from the original.")

    def ratio(sid: str, ref: str, exponent: str) -> ET.Element:
        return apply("power", apply("divide", ci(sid), ci(ref)), ci(exponent))

    # Bone remodelling, one species per site.
    add_parameter(model, "k2lab_bmd_gamma_ob", p.value("bmd_gamma_ob"))
    for pid, start in (("k2lab_bmd_ob0", "Osteoblast"), ("k2lab_bmd_oc0", "OC")):
        add_parameter(model, pid, None)
        add_initial_assignment(model, pid, ci(start))
    for site in SITES:
        bmd, kout, gamma_oc = (
            f"k2lab_bmd_{site}",
            f"k2lab_bmd_kout_{site}",
            f"k2lab_bmd_gamma_oc_{site}",
        )
        add_species(model, bmd, "Bone", f"relative BMD from remodelling, {site.replace('_', ' ')}")
        add_parameter(model, kout, p.value("bmd_kout_per_h", site))
        add_parameter(model, gamma_oc, p.value("bmd_gamma_oc", site))
        add_initial_assignment(model, bmd, cn(1.0))

        formation = apply(
            "times", ci(kout), ratio("Osteoblast", "k2lab_bmd_ob0", "k2lab_bmd_gamma_ob")
        )
        resorption = apply("times", ci(kout), ratio("OC", "k2lab_bmd_oc0", gamma_oc), ci(bmd))
        add_rate_rule(model, bmd, apply("minus", formation, resorption))

    # Vessel-wall calcification index.
    per_h = p.value("cac_progression_au_per_year") / (DAYS_PER_YEAR * HOURS_PER_DAY)
    for pid, value in (
        ("k2lab_cac_progression_au_per_h", per_h),
        ("k2lab_cac_caxp_gamma", p.value("cac_caxp_gamma")),
        ("k2lab_cac_mgp_inhibition", p.value("cac_mgp_inhibition")),
        ("k2lab_dp_ucmgp_rel_fall", 0.0),
        ("k2lab_calcification_start_au", 0.0),
        ("k2lab_cac_caxp0", None),
    ):
        add_parameter(model, pid, value)
    add_initial_assignment(model, "k2lab_cac_caxp0", apply("times", ci("CaConc"), ci("C2")))
    add_species(model, "k2lab_calcification_au", "Vasculature", "calcification index (AU)")
    add_initial_assignment(model, "k2lab_calcification_au", ci("k2lab_calcification_start_au"))

    def inhibition() -> ET.Element:
        eps_d = apply("times", ci("k2lab_cac_mgp_inhibition"), ci("k2lab_dp_ucmgp_rel_fall"))
        return apply("minus", cn(1.0), eps_d)

    add_rate_rule(
        model,
        "k2lab_calcification_au",
        apply(
            "times",
            ci("k2lab_cac_progression_au_per_h"),
            apply(
                "power",
                apply("divide", apply("times", ci("CaConc"), ci("C2")), ci("k2lab_cac_caxp0")),
                ci("k2lab_cac_caxp_gamma"),
            ),
            piecewise(inhibition(), apply("gt", inhibition(), cn(0.0)), cn(0.0)),
        ),
    )
    return to_text(root, extended)
