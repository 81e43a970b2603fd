"""A small reader for the SBML Level 3 core features that k2lab's models use.

It reads compartments, species, parameters, initial assignments, assignment rules, rate
rules, reactions (no local parameters) and events into plain frozen dataclasses, with the
maths as trees from :mod:`k2lab.engine.mathml`. Anything outside that subset (algebraic
rules, delays other than zero, fast reactions, function definitions, SBML packages such as
``comp``, conversion factors, compartments whose size changes, stoichiometries that are
variables) raises :class:`~k2lab.errors.ModelFileError` naming the feature rather than
being silently ignored. A compartment size or a stoichiometry set by an initial assignment
of constants is evaluated here, once.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from k2lab.engine.mathml import Expr, evaluate, parse_math, symbols
from k2lab.errors import ModelFileError

SBML_NS = "{http://www.sbml.org/sbml/level3/version1/core}"
MATH = "{http://www.w3.org/1998/Math/MathML}math"


@dataclass(frozen=True)
class Species:
    """A species: initial concentration in its compartment (amount / volume)."""

    id: str
    compartment: str
    initial_concentration: float


@dataclass(frozen=True)
class Reaction:
    """A reaction: net stoichiometry per species and the kinetic law (amount per hour)."""

    id: str
    stoichiometry: tuple[tuple[str, float], ...]
    rate: Expr


@dataclass(frozen=True)
class EventAssignment:
    """One ``variable = math`` assignment executed when an event fires."""

    variable: str
    math: Expr


@dataclass(frozen=True)
class Event:
    """An SBML event: trigger and assignments (the delay must be zero)."""

    id: str
    trigger: Expr
    assignments: tuple[EventAssignment, ...]


@dataclass(frozen=True)
class SbmlModel:
    """The parts of an SBML model that define its ODE system."""

    id: str
    name: str
    compartments: dict[str, float]
    species: tuple[Species, ...]
    parameters: dict[str, float]
    constant_parameters: frozenset[str]
    initial_assignments: dict[str, Expr]
    assignment_rules: dict[str, Expr]
    rate_rules: dict[str, Expr]
    reactions: tuple[Reaction, ...]
    events: tuple[Event, ...]


def _math(el: ET.Element, where: str) -> Expr:
    m = el.find(MATH)
    if m is None:
        raise ModelFileError(f"{where} has no <math> element.")
    return parse_math(m)


def _float(text: str | None, default: float = float("nan")) -> float:
    return float(text) if text is not None else default


def _refuse_packages(root: ET.Element, path: str) -> None:
    """Refuse a file that needs an SBML Level 3 package (``comp``, ``fbc`` ...) to be read."""
    for key, value in root.attrib.items():
        if key.startswith("{") and key.endswith("}required") and value == "true":
            uri = key[1:].partition("}")[0]
            name = uri.rstrip("/").split("/")[-2] if "/version" in uri else uri
            raise ModelFileError(
                f"'{path}' needs the SBML package '{name}', which is not supported."
            )


def _constant_value(
    target: str, expr: Expr, values: dict[str, float], assigned: set[str], what: str
) -> float:
    """Evaluate an initial assignment of constants (a compartment size, a stoichiometry)."""
    used = symbols(expr)
    if used & assigned or not used <= values.keys():
        raise ModelFileError(
            f"{what} '{target}' is set by an initial assignment that uses "
            "values not known before the simulation; that is not supported."
        )
    return evaluate(expr, {k: values[k] for k in used})


def read_sbml(path: Path | str) -> SbmlModel:
    """Read an SBML Level 3 Version 1 core file.

    Parameters
    ----------
    path
        File to read.

    Raises
    ------
    ModelFileError
        If the file is not SBML L3V1 or uses features outside the supported subset.
    """
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise ModelFileError(f"Cannot read the SBML file '{path}': {exc}.") from exc
    return _read_root(root, str(path))


def read_sbml_text(text: str, where: str = "the SBML text") -> SbmlModel:
    """Read SBML Level 3 Version 1 core from a string (see :func:`read_sbml`)."""
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise ModelFileError(f"Cannot read {where}: {exc}.") from exc
    return _read_root(root, where)


def _stoichiometry(
    ref: ET.Element,
    reaction: str,
    initial: dict[str, Expr],
    constants: dict[str, float],
    used_in_maths: set[str],
) -> float:
    """A species reference's stoichiometry: its attribute, or a constant initial assignment."""
    ref_id = ref.get("id")
    where = f"Reaction '{reaction}', species '{ref.get('species', '')}'"
    if ref_id is not None and ref_id in used_in_maths:
        raise ModelFileError(
            f"{where}: a stoichiometry used in maths or set by a rule or event "
            f"('{ref_id}') is not supported."
        )
    if ref_id is not None and ref_id in initial:
        return _constant_value(
            ref_id, initial.pop(ref_id), constants, set(initial), "Stoichiometry"
        )
    if ref.get("stoichiometry") is None:
        raise ModelFileError(f"{where}: the stoichiometry is missing.")
    return float(ref.get("stoichiometry", "nan"))


def _read_root(root: ET.Element, path: str) -> SbmlModel:
    if root.tag != f"{SBML_NS}sbml":
        raise ModelFileError(f"'{path}' is not an SBML Level 3 Version 1 file.")
    _refuse_packages(root, path)
    model = root.find(f"{SBML_NS}model")
    if model is None:
        raise ModelFileError(f"'{path}' holds no <model>.")

    def items(list_tag: str, item_tag: str) -> list[ET.Element]:
        lst = model.find(f"{SBML_NS}{list_tag}")
        return [] if lst is None else lst.findall(f"{SBML_NS}{item_tag}")

    if model.get("conversionFactor") is not None:
        raise ModelFileError("Conversion factors (the model's conversionFactor) are not supported.")
    if items("listOfFunctionDefinitions", "functionDefinition"):
        raise ModelFileError("SBML function definitions are not supported.")
    if items("listOfConstraints", "constraint"):
        pass  # Constraints do not change the dynamics.

    initial = {
        a.get("symbol", ""): _math(a, f"Initial assignment of '{a.get('symbol')}'")
        for a in items("listOfInitialAssignments", "initialAssignment")
    }
    rules = model.find(f"{SBML_NS}listOfRules")
    rule_list = [] if rules is None else [r for r in rules if isinstance(r.tag, str)]
    ruled = {r.get("variable", "") for r in rule_list}
    event_targets = {a.get("variable", "") for a in model.iter(f"{SBML_NS}eventAssignment")}
    constants = {
        p.get("id", ""): float(p.get("value", "nan"))
        for p in items("listOfParameters", "parameter")
        if p.get("constant") != "false" and p.get("id", "") not in initial
    }
    compartments: dict[str, float] = {}
    zero_d: set[str] = set()
    for c in items("listOfCompartments", "compartment"):
        cid = c.get("id", "")
        # constant="false" alone changes nothing; a rule or an event would change the size.
        if cid in ruled or cid in event_targets:
            raise ModelFileError(
                f"Compartment '{cid}': compartments whose size changes are not supported."
            )
        if c.get("spatialDimensions") == "0":
            zero_d.add(cid)
            continue
        if cid in initial:
            compartments[cid] = _constant_value(
                cid, initial[cid], constants, set(initial), "Compartment"
            )
        elif c.get("size") is None:
            raise ModelFileError(f"Compartment '{cid}' has no size.")
        else:
            compartments[cid] = float(c.get("size", "nan"))
    species: list[Species] = []
    for s in items("listOfSpecies", "species"):
        sid = s.get("id", "")
        if s.get("boundaryCondition") == "true" or s.get("constant") == "true":
            raise ModelFileError(
                f"Species '{sid}': boundary or constant species are not supported."
            )
        if s.get("hasOnlySubstanceUnits") == "true":
            raise ModelFileError(f"Species '{sid}': hasOnlySubstanceUnits is not supported.")
        if s.get("conversionFactor") is not None:
            raise ModelFileError(f"Species '{sid}': conversion factors are not supported.")
        comp = s.get("compartment", "")
        if comp in zero_d:
            raise ModelFileError(
                f"Species '{sid}': species in a zero-dimensional compartment are not supported."
            )
        if s.get("initialConcentration") is not None:
            conc = float(s.get("initialConcentration", "nan"))
        elif s.get("initialAmount") is not None:
            conc = float(s.get("initialAmount", "nan")) / compartments[comp]
        else:
            conc = float("nan")  # set by an initial assignment
        species.append(Species(sid, comp, conc))

    parameters: dict[str, float] = {}
    constant: set[str] = set()
    for p in items("listOfParameters", "parameter"):
        pid = p.get("id", "")
        parameters[pid] = _float(p.get("value"))
        if p.get("constant") != "false":
            constant.add(pid)

    assignment: dict[str, Expr] = {}
    rate: dict[str, Expr] = {}
    for r in rule_list:
        tag = r.tag.removeprefix(SBML_NS)
        var = r.get("variable", "")
        if tag == "assignmentRule":
            assignment[var] = _math(r, f"Assignment rule for '{var}'")
        elif tag == "rateRule":
            rate[var] = _math(r, f"Rate rule for '{var}'")
        elif tag == "algebraicRule":
            raise ModelFileError("Algebraic rules are not supported.")

    used_in_maths: set[str] = set(ruled) | event_targets
    for m in model.iter(MATH):
        used_in_maths |= symbols(parse_math(m))
    if zero_d & used_in_maths:
        raise ModelFileError(
            f"Compartment '{min(zero_d & used_in_maths)}': the size of a zero-dimensional "
            "compartment used in maths is not supported."
        )
    reactions: list[Reaction] = []
    for rx in items("listOfReactions", "reaction"):
        rid = rx.get("id", "")
        if rid in used_in_maths:
            raise ModelFileError(
                f"Reaction '{rid}': a reaction's id used in maths (its rate) is not supported."
            )
        if rx.get("fast") == "true":
            raise ModelFileError(f"Reaction '{rid}': fast reactions are not supported.")
        law = rx.find(f"{SBML_NS}kineticLaw")
        if law is None:
            raise ModelFileError(f"Reaction '{rid}' has no kinetic law.")
        if law.find(f"{SBML_NS}listOfLocalParameters") is not None:
            raise ModelFileError(f"Reaction '{rid}': local parameters are not supported.")
        net: dict[str, float] = {}
        for list_tag, sign in (("listOfReactants", -1.0), ("listOfProducts", 1.0)):
            lst = rx.find(f"{SBML_NS}{list_tag}")
            for ref in [] if lst is None else lst.findall(f"{SBML_NS}speciesReference"):
                sp = ref.get("species", "")
                net[sp] = net.get(sp, 0.0) + sign * _stoichiometry(
                    ref, rid, initial, constants, used_in_maths
                )
        reactions.append(Reaction(rid, tuple(net.items()), _math(law, f"Reaction '{rid}'")))

    events: list[Event] = []
    for ev in items("listOfEvents", "event"):
        eid = ev.get("id", "")
        delay = ev.find(f"{SBML_NS}delay")
        if delay is not None and _math(delay, f"Delay of event '{eid}'") != ("num", 0.0):
            raise ModelFileError(f"Event '{eid}': only zero delays are supported.")
        trig = ev.find(f"{SBML_NS}trigger")
        if trig is None:
            raise ModelFileError(f"Event '{eid}' has no trigger.")
        lst = ev.find(f"{SBML_NS}listOfEventAssignments")
        assigns = tuple(
            EventAssignment(a.get("variable", ""), _math(a, f"Event '{eid}'"))
            for a in ([] if lst is None else lst.findall(f"{SBML_NS}eventAssignment"))
        )
        events.append(Event(eid, _math(trig, f"Trigger of event '{eid}'"), assigns))

    return SbmlModel(
        id=model.get("id", ""),
        name=model.get("name", ""),
        compartments=compartments,
        species=tuple(species),
        parameters=parameters,
        constant_parameters=frozenset(constant),
        initial_assignments=initial,
        assignment_rules=assignment,
        rate_rules=rate,
        reactions=tuple(reactions),
        events=tuple(events),
    )
