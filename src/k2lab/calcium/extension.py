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

import io
import math
import re
import xml.etree.ElementTree as ET

from k2lab.calcium.params import calcium_parameters
from k2lab.errors import ModelFileError
from k2lab.physiology.params import ParameterSet

__all__ = ["EXTENSION_PARAMETERS", "EXTENSION_SOURCES", "extend_sbml", "extension_defaults"]

_SBML = "http://www.sbml.org/sbml/level3/version1/core"
_MATHML = "http://www.w3.org/1998/Math/MathML"
_S = f"{{{_SBML}}}"
_M = f"{{{_MATHML}}}"
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


def _el(tag: str, attrib: dict[str, str] | None = None, *children: ET.Element) -> ET.Element:
    e = ET.Element(tag, attrib or {})
    e.extend(children)
    return e


def _ci(name: str) -> ET.Element:
    e = ET.Element(f"{_M}ci")
    e.text = f" {name} "
    return e


def _apply(op: str, *args: ET.Element) -> ET.Element:
    return _el(f"{_M}apply", None, ET.Element(f"{_M}{op}"), *args)


def _math(body: ET.Element) -> ET.Element:
    return _el(f"{_M}math", None, body)


def _list(model: ET.Element, tag: str, before: tuple[str, ...]) -> ET.Element:
    """The model's ``listOf…`` element, created in SBML's element order if missing."""
    found = model.find(f"{_S}{tag}")
    if found is not None:
        return found
    new = ET.Element(f"{_S}{tag}")
    children = list(model)
    index = len(children)
    for k, child in enumerate(children):
        if child.tag.removeprefix(_S) in before:
            index = k
            break
    model.insert(index, new)
    return new


def _register_namespaces(text: str) -> None:
    """Keep the source's namespace prefixes on output (SBML core as the default)."""
    for _event, (prefix, uri) in ET.iterparse(io.StringIO(text), events=("start-ns",)):
        if prefix and uri != _SBML and not re.fullmatch(r"ns\d+", prefix):
            ET.register_namespace(prefix, uri)
    ET.register_namespace("mml", _MATHML)
    ET.register_namespace("", _SBML)


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
        SBML L3V1 core text that libroadrunner and :func:`k2lab.calcium._sbml.read_sbml`
        load.

    Raises
    ------
    ModelFileError
        If the text is not SBML, lacks ``Calcitriol_production`` or already has the hook.
    """
    try:
        root = ET.fromstring(sbml_text.encode("utf-8"))
    except ET.ParseError as exc:
        raise ModelFileError(f"Cannot read the SBML text to extend: {exc}.") from exc
    model = root.find(f"{_S}model")
    if root.tag != f"{_S}sbml" or model is None:
        raise ModelFileError("The text to extend is not an SBML Level 3 Version 1 model.")
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

    species = _list(model, "listOfSpecies", ("listOfParameters",))
    species.append(
        _el(
            f"{_S}species",
            {
                "id": "D25",
                "name": "serum 25-hydroxyvitamin D (nmol/L)",
                "compartment": "Vasculature",
                "hasOnlySubstanceUnits": "false",
                "boundaryCondition": "false",
                "constant": "false",
            },
        )
    )
    parameters = _list(model, "listOfParameters", ("listOfInitialAssignments", "listOfRules"))
    for pid in EXTENSION_PARAMETERS:
        parameters.append(
            _el(f"{_S}parameter", {"id": pid, "value": repr(values[pid]), "constant": "true"})
        )
    parameters.append(
        _el(f"{_S}parameter", {"id": "k2lab_calcitriol_substrate", "constant": "false"})
    )
    initial = _list(
        model,
        "listOfInitialAssignments",
        ("listOfRules", "listOfConstraints", "listOfReactions", "listOfEvents"),
    )
    initial.append(_el(f"{_S}initialAssignment", {"symbol": "D25"}, _math(_ci("k2lab_d25_start"))))

    def saturation(x: ET.Element) -> ET.Element:
        return _apply("divide", x, _apply("plus", x, _ci("k2lab_calcitriol_km")))

    rules = _list(model, "listOfRules", ("listOfConstraints", "listOfReactions", "listOfEvents"))
    rules.append(
        _el(
            f"{_S}assignmentRule",
            {"variable": "k2lab_calcitriol_substrate"},
            _math(_apply("divide", saturation(_ci("D25")), saturation(_ci("k2lab_d25_ref")))),
        )
    )
    reactions = _list(model, "listOfReactions", ("listOfEvents",))
    reactions.append(
        _el(
            f"{_S}reaction",
            {"id": "D25_turnover", "reversible": "true", "fast": "false"},
            _el(
                f"{_S}listOfProducts",
                None,
                _el(
                    f"{_S}speciesReference",
                    {"species": "D25", "stoichiometry": "1", "constant": "true"},
                ),
            ),
            _el(
                f"{_S}kineticLaw",
                None,
                _math(
                    _apply(
                        "times",
                        _ci("k2lab_d25_k"),
                        _apply("minus", _ci("k2lab_d25_target"), _ci("D25")),
                    )
                ),
            ),
        )
    )
    body = old_math[0]
    old_math.remove(body)
    old_math.append(_apply("times", body, _ci("k2lab_calcitriol_substrate")))
    modifiers = production.find(f"{_S}listOfModifiers")
    if modifiers is None:
        modifiers = ET.Element(f"{_S}listOfModifiers")
        production.insert(len(production) - 1, modifiers)
    modifiers.append(_el(f"{_S}modifierSpeciesReference", {"species": "D25"}))

    _register_namespaces(sbml_text)
    out: str = ET.tostring(root, encoding="unicode")
    return "<?xml version='1.0' encoding='UTF-8'?>\n" + out
