"""The vitamin D hook: serum 25(OH)D as a species of the calcium model, in SBML.

:func:`extend_sbml` takes the Peterson & Riggs SBML text and returns SBML L3V1 core text
with

* species ``D25``: serum 25(OH)D, nmol/L (compartment ``Vasculature``, volume 1), its
  initial value set by the initial assignment ``D25 = k2lab_d25_start``;
* reaction ``D25_turnover``: ``k2lab_d25_k * (k2lab_d25_target - D25)``, first-order
  approach to the steady state of the person's vitamin D input (``k2lab_d25_k`` = ln 2 /
  half-life, 1/h);
* assignment rule ``k2lab_calcitriol_substrate = (D25/(D25+km)) / (ref/(ref+km))`` with
  ``km = k2lab_calcitriol_km`` and ``ref = k2lab_d25_ref``;
* the kinetic law of ``Calcitriol_production`` (``A`` as published) multiplied by
  ``k2lab_calcitriol_substrate``.

With ``k2lab_d25_target = k2lab_d25_start = k2lab_d25_ref`` the substrate factor is 1 at
all times and the extended model is the published one. Values come from
``k2lab/data/calcium_params.csv`` (:func:`~k2lab.calcium.params.calcium_parameters`).

Example
-------
>>> from k2lab.calcium.model import shipped_sbml_text
>>> "k2lab_calcitriol_substrate" in extend_sbml(shipped_sbml_text())
True
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from k2lab.calcium.params import calcium_parameters
from k2lab.engine.sbml_edit import (
    MATHML,
    SBML,
    add_assignment_rule,
    add_initial_assignment,
    add_parameter,
    add_species,
    apply,
    ci,
    element,
    list_of,
    math_element,
    parse_model,
    to_text,
)
from k2lab.errors import ModelFileError
from k2lab.physiology.params import ParameterSet

__all__ = ["EXTENSION_PARAMETERS", "EXTENSION_SOURCES", "extend_sbml", "extension_defaults"]

_S = f"{{{SBML}}}"
_M = f"{{{MATHML}}}"
_HOURS_PER_DAY = 24.0

#: The parameters the extension adds; a scenario sets them per person.
EXTENSION_PARAMETERS: tuple[str, ...] = (
    "k2lab_d25_target",
    "k2lab_d25_start",
    "k2lab_d25_k",
    "k2lab_d25_ref",
    "k2lab_calcitriol_km",
)
#: Source keys (``sources_calcium.csv``) behind the extension's structure and defaults.
EXTENSION_SOURCES: tuple[str, ...] = (
    "jones2008_ajcn",
    "ekwaru2014_plosone",
    "iom2011_nap",
    "k2lab_prior",
)


def extension_defaults(params: ParameterSet | None = None) -> dict[str, float]:
    """Neutral values of the extension parameters: 25(OH)D held at the reference value.

    Example
    -------
    >>> extension_defaults()["k2lab_d25_target"]
    50.0
    """
    p = params if params is not None else calcium_parameters()
    ref = p.value("k2lab_d25_ref")
    return {
        "k2lab_d25_target": ref,
        "k2lab_d25_start": ref,
        "k2lab_d25_k": math.log(2.0) / (p.value("d25_t_half_d") * _HOURS_PER_DAY),
        "k2lab_d25_ref": ref,
        "k2lab_calcitriol_km": p.value("k2lab_calcitriol_km"),
    }


def extend_sbml(sbml_text: str, params: ParameterSet | None = None) -> str:
    """Add the vitamin D hook (25(OH)D species and substrate-dependent calcitriol).

    Parameters
    ----------
    sbml_text
        The Peterson & Riggs 2010 SBML (``k2lab/data/peterson_riggs_2010.xml``).
    params
        Parameter table for the default values written into the file; ``None`` uses
        :func:`~k2lab.calcium.params.calcium_parameters`. The defaults are neutral
        (target = start = reference 25(OH)D).

    Returns
    -------
    str
        SBML L3V1 core text that libroadrunner and :func:`k2lab.engine.sbml.read_sbml`
        load.

    Raises
    ------
    ModelFileError
        If the text is not SBML, lacks ``Calcitriol_production`` or already has the hook.
    """
    root, model = parse_model(sbml_text, "the SBML text to extend")
    if any(s.get("id") == "D25" for s in model.iter(f"{_S}species")):
        raise ModelFileError("The model already has species 'D25'; extend the original SBML.")
    production = next(
        (r for r in model.iter(f"{_S}reaction") if r.get("id") == "Calcitriol_production"),
        None,
    )
    law = None if production is None else production.find(f"{_S}kineticLaw")
    old_math = None if law is None else law.find(f"{_M}math")
    if production is None or law is None or old_math is None or len(old_math) != 1:
        raise ModelFileError(
            "The model has no reaction 'Calcitriol_production' with a kinetic law; "
            "is it Peterson & Riggs 2010?"
        )
    values = extension_defaults(params)

    add_species(model, "D25", "Vasculature", "serum 25-hydroxyvitamin D (nmol/L)")
    for pid in EXTENSION_PARAMETERS:
        add_parameter(model, pid, values[pid])
    add_parameter(model, "k2lab_calcitriol_substrate", None, constant=False)
    add_initial_assignment(model, "D25", ci("k2lab_d25_start"))

    def saturation(x: ET.Element) -> ET.Element:
        return apply("divide", x, apply("plus", x, ci("k2lab_calcitriol_km")))

    add_assignment_rule(
        model,
        "k2lab_calcitriol_substrate",
        apply("divide", saturation(ci("D25")), saturation(ci("k2lab_d25_ref"))),
    )
    turnover = apply("times", ci("k2lab_d25_k"), apply("minus", ci("k2lab_d25_target"), ci("D25")))
    list_of(model, "listOfReactions").append(
        element(
            "reaction",
            {"id": "D25_turnover", "reversible": "true", "fast": "false"},
            element(
                "listOfProducts",
                None,
                element(
                    "speciesReference", {"species": "D25", "stoichiometry": "1", "constant": "true"}
                ),
            ),
            element("kineticLaw", None, math_element(turnover)),
        )
    )
    body = old_math[0]
    old_math.remove(body)
    old_math.append(apply("times", body, ci("k2lab_calcitriol_substrate")))
    modifiers = production.find(f"{_S}listOfModifiers")
    if modifiers is None:
        modifiers = element("listOfModifiers")
        production.insert(len(production) - 1, modifiers)
    modifiers.append(element("modifierSpeciesReference", {"species": "D25"}))
    return to_text(root, sbml_text)
