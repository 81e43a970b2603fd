"""A reader for the SBML Level 3 (Versions 1 and 2) core features that ODE models use.

It reads compartments, species, parameters, function definitions (expanded where they are
called), initial assignments, assignment rules, rate rules, reactions (local parameters
become model parameters with reaction-scoped names; a conversion factor scales a species'
reaction terms) and events into plain frozen dataclasses, with the maths as trees from
:mod:`k2lab.engine.mathml`; :mod:`.sbml_species` decides what each species' state is.
Anything outside that subset (algebraic rules, delays other than zero, fast reactions,
SBML packages such as ``comp``, stoichiometries that change) raises
:class:`~k2lab.errors.ModelFileError` naming the feature rather than being silently
ignored. A compartment size or a stoichiometry set by an initial assignment of constants
is evaluated here, once.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from k2lab.engine.mathml import Expr, Function, parse_lambda, parse_math, symbols
from k2lab.engine.sbml_rates import expand_rates, uses_rate_of
from k2lab.engine.sbml_reactions import Reaction, read_reactions
from k2lab.engine.sbml_species import Species, constant_value, read_states
from k2lab.errors import ModelFileError

__all__ = [
    "Event",
    "EventAssignment",
    "Reaction",
    "SbmlModel",
    "Species",
    "read_sbml",
    "read_sbml_text",
]

SBML_NS = "{http://www.sbml.org/sbml/level3/version1/core}"
#: Level 3 Version 2 core: the elements this reader reads are the same as in Version 1.
SBML_V2_NS = "{http://www.sbml.org/sbml/level3/version2/core}"
MATH = "{http://www.w3.org/1998/Math/MathML}math"


@dataclass(frozen=True)
class EventAssignment:
    """One ``variable = math`` assignment executed when an event fires."""

    variable: str
    math: Expr


@dataclass(frozen=True)
class Event:
    """An SBML event: trigger, assignments and how they are carried out.

    ``delay`` and ``priority`` are ``None`` where the event has none. ``initial_value``
    is the trigger's value just before the start; a ``persistent`` event runs its delayed
    assignments even if the trigger turns false meanwhile; ``use_trigger_values``: the
    assignments are evaluated when the trigger fires, else when they are carried out.
    """

    id: str
    trigger: Expr
    assignments: tuple[EventAssignment, ...]
    delay: Expr | None = None
    priority: Expr | None = None
    initial_value: bool = True
    persistent: bool = True
    use_trigger_values: bool = True


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


def read_sbml(path: Path | str) -> SbmlModel:
    """Read an SBML Level 3 (Version 1 or 2) core file.

    Parameters
    ----------
    path
        File to read.

    Raises
    ------
    ModelFileError
        If the file is not SBML Level 3 or uses features outside the supported subset.
    """
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise ModelFileError(f"Cannot read the SBML file '{path}': {exc}.") from exc
    return _read_root(root, str(path))


def read_sbml_text(text: str, where: str = "the SBML text") -> SbmlModel:
    """Read SBML Level 3 core from a string (see :func:`read_sbml`)."""
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise ModelFileError(f"Cannot read {where}: {exc}.") from exc
    return _read_root(root, where)


def _as_version1(root: ET.Element) -> None:
    """Rename Level 3 Version 2 core elements to their Version 1 names, in place."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(SBML_V2_NS):
            el.tag = SBML_NS + el.tag[len(SBML_V2_NS) :]


def _functions(model: ET.Element) -> dict[str, Function]:
    """The model's function definitions, each body with earlier calls expanded."""
    pending = {}
    lst = model.find(f"{SBML_NS}listOfFunctionDefinitions")
    for fd in [] if lst is None else lst.findall(f"{SBML_NS}functionDefinition"):
        m = fd.find(MATH)
        if m is None:
            raise ModelFileError(f"Function definition '{fd.get('id')}' has no <math>.")
        pending[fd.get("id", "")] = m
    done: dict[str, Function] = {}
    while pending:
        progress = False
        for fid, m in list(pending.items()):
            try:
                done[fid] = parse_lambda(m, done)
            except ModelFileError:
                continue
            del pending[fid]
            progress = True
        if not progress:
            fid, m = next(iter(pending.items()))
            parse_lambda(m, done)  # raises the reason
    return done


def _event(ev: ET.Element, math: Callable[[ET.Element, str], Expr]) -> Event:
    eid = ev.get("id", "")
    trig = ev.find(f"{SBML_NS}trigger")
    if trig is None or trig.find(MATH) is None:
        raise ModelFileError(f"Event '{eid}' has no trigger.")
    parts = {}
    for tag in ("delay", "priority"):
        el = ev.find(f"{SBML_NS}{tag}")
        if el is not None and el.find(MATH) is not None:
            parts[tag] = math(el, f"The {tag} of event '{eid}'")
    lst = ev.find(f"{SBML_NS}listOfEventAssignments")
    assigns = tuple(
        EventAssignment(a.get("variable", ""), math(a, f"Event '{eid}'"))
        for a in ([] if lst is None else lst.findall(f"{SBML_NS}eventAssignment"))
        if a.find(MATH) is not None
    )
    return Event(
        eid,
        math(trig, f"Trigger of event '{eid}'"),
        assigns,
        delay=parts.get("delay"),
        priority=parts.get("priority"),
        initial_value=trig.get("initialValue", "true") != "false",
        persistent=trig.get("persistent", "true") != "false",
        use_trigger_values=ev.get("useValuesFromTriggerTime", "true") != "false",
    )


def _rewrite_event(ev: Event, fix: Callable[[Expr], Expr]) -> Event:
    """``ev`` with ``fix`` applied to each of its expressions."""
    return replace(
        ev,
        trigger=fix(ev.trigger),
        delay=None if ev.delay is None else fix(ev.delay),
        priority=None if ev.priority is None else fix(ev.priority),
        assignments=tuple(EventAssignment(a.variable, fix(a.math)) for a in ev.assignments),
    )


def _read_root(root: ET.Element, path: str) -> SbmlModel:
    if root.tag == f"{SBML_V2_NS}sbml":
        _as_version1(root)
    if root.tag != f"{SBML_NS}sbml":
        raise ModelFileError(f"'{path}' is not an SBML Level 3 file.")
    _refuse_packages(root, path)
    model = root.find(f"{SBML_NS}model")
    if model is None:
        raise ModelFileError(f"'{path}' holds no <model>.")
    fns = _functions(model)

    def items(list_tag: str, item_tag: str) -> list[ET.Element]:
        lst = model.find(f"{SBML_NS}{list_tag}")
        return [] if lst is None else lst.findall(f"{SBML_NS}{item_tag}")

    def math(el: ET.Element, where: str) -> Expr:
        m = el.find(MATH)
        if m is None:
            raise ModelFileError(f"{where} has no <math> element.")
        return parse_math(m, fns)

    # Level 3 Version 2 lets an assignment or rule lack its <math>: it then has no effect.
    initial = {
        a.get("symbol", ""): math(a, f"Initial assignment of '{a.get('symbol')}'")
        for a in items("listOfInitialAssignments", "initialAssignment")
        if a.find(MATH) is not None
    }
    rules = model.find(f"{SBML_NS}listOfRules")
    rule_list = [
        r
        for r in ([] if rules is None else rules)
        if isinstance(r.tag, str) and r.find(MATH) is not None
    ]
    ruled = {r.get("variable", "") for r in rule_list}
    event_targets = {a.get("variable", "") for a in model.iter(f"{SBML_NS}eventAssignment")}
    assignment: dict[str, Expr] = {}
    rate: dict[str, Expr] = {}
    for r in rule_list:
        tag = r.tag.removeprefix(SBML_NS)
        var = r.get("variable", "")
        if tag == "assignmentRule":
            assignment[var] = math(r, f"Assignment rule for '{var}'")
        elif tag == "rateRule":
            rate[var] = math(r, f"Rate rule for '{var}'")
        elif tag == "algebraicRule":
            raise ModelFileError("Algebraic rules are not supported.")

    parameters: dict[str, float] = {}
    constant: set[str] = set()
    for p in items("listOfParameters", "parameter"):
        pid = p.get("id", "")
        parameters[pid] = _float(p.get("value"))
        if p.get("constant") != "false":
            constant.add(pid)
    constants = {
        k: v
        for k, v in parameters.items()
        if k in constant and k not in initial and k not in ruled and k not in event_targets
    }
    for k in sorted(set(initial) & constant - ruled - event_targets):
        if not symbols(initial[k]) - constants.keys() and not uses_rate_of(initial[k]):
            constants[k] = constant_value(k, initial[k], constants, set(), "Parameter")
    constants.update(
        (c.get("id", ""), float(c.get("size", "nan")))
        for c in items("listOfCompartments", "compartment")
        if c.get("size") is not None
        and c.get("constant") != "false"
        and c.get("id", "") not in set(initial) | ruled | event_targets
    )
    states = read_states(
        [dict(c.attrib) for c in items("listOfCompartments", "compartment")],
        [dict(s.attrib) for s in items("listOfSpecies", "species")],
        parameters,
        constants,
        initial,
        assignment,
        rate,
        event_targets,
        model.get("conversionFactor"),
    )
    held = {k: v for k, v in states.reacting.items() if k != v}
    if set(held) & event_targets:
        raise ModelFileError(
            f"Species '{min(set(held) & event_targets)}': an event that sets a concentration "
            "in a compartment whose size changes is not supported."
        )

    used_in_maths: set[str] = set(ruled) | event_targets
    lambdas = {id(m) for m in model.iter(f"{SBML_NS}functionDefinition") for m in m.iter(MATH)}
    for m in model.iter(MATH):
        if id(m) not in lambdas:
            used_in_maths |= symbols(parse_math(m, fns))
    zero_d = {
        c.get("id", "")
        for c in items("listOfCompartments", "compartment")
        if c.get("spatialDimensions") == "0"
    }
    if zero_d & used_in_maths:
        raise ModelFileError(
            f"Compartment '{min(zero_d & used_in_maths)}': the size of a zero-dimensional "
            "compartment used in maths is not supported."
        )
    taken = {str(el.get("id")) for el in model.iter() if el.get("id") is not None}
    reactions = read_reactions(
        items("listOfReactions", "reaction"),
        states,
        math,
        initial,
        constants,
        used_in_maths,
        ruled | event_targets,
        assignment,
        constant,
        taken,
    )
    events = [_event(ev, math) for ev in items("listOfEvents", "event")]
    maths = [*initial.values(), *assignment.values(), *rate.values(), *(r.rate for r in reactions)]
    maths += [e for ev in events for e in (ev.trigger, ev.delay, ev.priority) if e is not None]
    maths += [a.math for ev in events for a in ev.assignments]
    if any(uses_rate_of(e) for e in maths):
        rewritten, fix = expand_rates(
            tuple(states.species),
            states.compartments,
            tuple(reactions),
            initial,
            assignment,
            rate,
            held,
        )
        reactions = list(rewritten)
        events = [_rewrite_event(ev, fix) for ev in events]

    return SbmlModel(
        id=model.get("id", ""),
        name=model.get("name", ""),
        compartments=states.compartments,
        species=tuple(states.species),
        parameters=states.parameters,
        constant_parameters=frozenset(constant & states.parameters.keys()),
        initial_assignments=initial,
        assignment_rules=assignment,
        rate_rules=rate,
        reactions=tuple(reactions),
        events=tuple(events),
    )
