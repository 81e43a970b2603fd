"""Add to an SBML Level 3 Version 1 core text: species, parameters, rules, reactions.

:func:`parse_model` opens the text, the ``add_*`` functions append elements to the model in
SBML's element order (creating a ``listOf…`` where the model has none) and :func:`to_text`
writes it back, keeping the source's namespace prefixes. Maths is built with :func:`ci`,
:func:`cn`, :func:`apply` and :func:`piecewise` (content MathML, the subset
:mod:`k2lab.engine.mathml` reads).

Example
-------
>>> text = ('<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" '
...         'version="1"><model id="m"/></sbml>')
>>> root, model = parse_model(text)
>>> add_parameter(model, "k", 0.5)
>>> "listOfParameters" in to_text(root, text)
True
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from k2lab.errors import ModelFileError

__all__ = [
    "MATHML",
    "SBML",
    "add_assignment_rule",
    "add_initial_assignment",
    "add_parameter",
    "add_rate_rule",
    "add_species",
    "apply",
    "ci",
    "cn",
    "element",
    "list_of",
    "math_element",
    "parse_model",
    "piecewise",
    "to_text",
]

SBML = "http://www.sbml.org/sbml/level3/version1/core"
MATHML = "http://www.w3.org/1998/Math/MathML"
_S = f"{{{SBML}}}"
_M = f"{{{MATHML}}}"
#: The order of a model's lists in SBML L3V1 core.
_ORDER = (
    "listOfFunctionDefinitions",
    "listOfUnitDefinitions",
    "listOfCompartments",
    "listOfSpecies",
    "listOfParameters",
    "listOfInitialAssignments",
    "listOfRules",
    "listOfConstraints",
    "listOfReactions",
    "listOfEvents",
)


def parse_model(text: str, what: str = "the SBML text") -> tuple[ET.Element, ET.Element]:
    """The root and ``<model>`` elements of SBML L3V1 core text.

    Raises
    ------
    ModelFileError
        If the text is not XML or not an SBML Level 3 Version 1 model.
    """
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise ModelFileError(f"Cannot read {what}: {exc}.") from exc
    model = root.find(f"{_S}model")
    if root.tag != f"{_S}sbml" or model is None:
        raise ModelFileError(f"{what[0].upper()}{what[1:]} is not an SBML Level 3 Version 1 model.")
    return root, model


def element(tag: str, attrib: dict[str, str] | None = None, *children: ET.Element) -> ET.Element:
    """An SBML core element ``tag`` (without namespace) with attributes and children."""
    e = ET.Element(f"{_S}{tag}", attrib or {})
    e.extend(children)
    return e


def ci(name: str) -> ET.Element:
    """MathML ``<ci>``: a reference to an id."""
    e = ET.Element(f"{_M}ci")
    e.text = f" {name} "
    return e


def cn(value: float) -> ET.Element:
    """MathML ``<cn>``: a number."""
    e = ET.Element(f"{_M}cn")
    e.text = f" {value!r} "
    return e


def apply(op: str, *args: ET.Element) -> ET.Element:
    """MathML ``<apply><op/>args</apply>``."""
    e = ET.Element(f"{_M}apply")
    e.append(ET.Element(f"{_M}{op}"))
    e.extend(args)
    return e


def piecewise(value: ET.Element, condition: ET.Element, otherwise: ET.Element) -> ET.Element:
    """MathML ``value if condition else otherwise``."""
    piece = ET.Element(f"{_M}piece")
    piece.extend((value, condition))
    other = ET.Element(f"{_M}otherwise")
    other.append(otherwise)
    e = ET.Element(f"{_M}piecewise")
    e.extend((piece, other))
    return e


def math_element(body: ET.Element) -> ET.Element:
    """A ``<math>`` element around ``body``."""
    e = ET.Element(f"{_M}math")
    e.append(body)
    return e


def list_of(model: ET.Element, tag: str) -> ET.Element:
    """The model's ``listOf…`` element ``tag``, created in SBML's element order if missing."""
    found = model.find(f"{_S}{tag}")
    if found is not None:
        return found
    later = _ORDER[_ORDER.index(tag) + 1 :]
    new = ET.Element(f"{_S}{tag}")
    children = list(model)
    index = next(
        (k for k, child in enumerate(children) if child.tag.removeprefix(_S) in later),
        len(children),
    )
    model.insert(index, new)
    return new


def add_species(model: ET.Element, sid: str, compartment: str, name: str) -> None:
    """A species (amount per volume, not constant); set its start by an initial assignment."""
    list_of(model, "listOfSpecies").append(
        element(
            "species",
            {
                "id": sid,
                "name": name,
                "compartment": compartment,
                "hasOnlySubstanceUnits": "false",
                "boundaryCondition": "false",
                "constant": "false",
            },
        )
    )


def add_parameter(
    model: ET.Element, pid: str, value: float | None, *, constant: bool = True, name: str = ""
) -> None:
    """A parameter with ``value`` (``None``: set by an initial assignment or a rule)."""
    attrib = {"id": pid}
    if name:
        attrib["name"] = name
    if value is not None:
        attrib["value"] = repr(float(value))
    attrib["constant"] = "true" if constant else "false"
    list_of(model, "listOfParameters").append(element("parameter", attrib))


def add_initial_assignment(model: ET.Element, symbol: str, body: ET.Element) -> None:
    """``symbol = body`` at the start."""
    list_of(model, "listOfInitialAssignments").append(
        element("initialAssignment", {"symbol": symbol}, math_element(body))
    )


def add_assignment_rule(model: ET.Element, variable: str, body: ET.Element) -> None:
    """``variable = body`` at all times."""
    list_of(model, "listOfRules").append(
        element("assignmentRule", {"variable": variable}, math_element(body))
    )


def add_rate_rule(model: ET.Element, variable: str, body: ET.Element) -> None:
    """``d variable / dt = body``."""
    list_of(model, "listOfRules").append(
        element("rateRule", {"variable": variable}, math_element(body))
    )


def to_text(root: ET.Element, source_text: str) -> str:
    """The edited document as text, with the source's namespace prefixes (SBML as default)."""
    for _event, (prefix, uri) in ET.iterparse(io.StringIO(source_text), events=("start-ns",)):
        if prefix and uri != SBML and not re.fullmatch(r"ns\d+", prefix):
            ET.register_namespace(prefix, uri)
    ET.register_namespace("mml", MATHML)
    ET.register_namespace("", SBML)
    out: str = ET.tostring(root, encoding="unicode")
    return "<?xml version='1.0' encoding='UTF-8'?>\n" + out
