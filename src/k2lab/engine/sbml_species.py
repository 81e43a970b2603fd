"""Compartments and species of an SBML model as the states the engine integrates.

SBML says what a species' name means in maths (its concentration, or its amount where
``hasOnlySubstanceUnits`` is set or the compartment has no size) and that reactions change
amounts. The engine's state is the concentration wherever that is exact (a compartment whose
size is known when the file is read), and the amount otherwise:

* a species in a compartment whose size is fixed at read time: the state is its
  concentration, or its amount where its name means the amount;
* a species whose name means its concentration in a compartment whose size changes (a rule,
  a rate rule, an initial assignment of values known only at the start): the state is a new
  amount ``_amount_<id>`` that the reactions change, and the species becomes the assignment
  rule ``amount / size``;
* a parameter or compartment with a rate rule: a state of its own.

Boundary species keep their value against reactions; constant species keep it always.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k2lab.engine.mathml import Expr, evaluate, symbols
from k2lab.errors import ModelFileError


@dataclass(frozen=True)
class Species:
    """A state or a species.

    ``initial_value`` is the state's start: the concentration in ``compartment``, or the
    amount where ``amount`` is set (then the name means the amount in maths); NaN when an
    initial assignment sets it. A parameter or compartment with a rate rule is a state with
    ``compartment`` empty and ``amount`` set.
    """

    id: str
    compartment: str
    initial_value: float
    amount: bool = False


@dataclass
class States:
    """What :func:`read_states` makes of the compartments, species and their rules."""

    compartments: dict[str, float]
    species: list[Species]
    parameters: dict[str, float]
    #: Species the reactions change, each with the state that holds it.
    reacting: dict[str, str] = field(default_factory=dict)
    #: Factor by which a species' reaction terms are multiplied (conversionFactor).
    factor: dict[str, float] = field(default_factory=dict)


def constant_value(
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


def _unique(base: str, taken: set[str]) -> str:
    name, k = base, 1
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def read_states(
    compartment_attrs: list[dict[str, str]],
    species_attrs: list[dict[str, str]],
    parameters: dict[str, float],
    constants: dict[str, float],
    initial: dict[str, Expr],
    assignment: dict[str, Expr],
    rate: dict[str, Expr],
    event_targets: set[str],
    model_factor: str | None,
) -> States:
    """Classify compartments and species (module docstring); ``initial``, ``assignment``
    and ``parameters`` gain the entries the new states need."""
    changing = set(assignment) | set(rate) | event_targets
    compartments: dict[str, float] = {}
    zero_d: set[str] = set()
    for c in compartment_attrs:
        cid = c.get("id", "")
        if c.get("spatialDimensions") == "0":
            zero_d.add(cid)
        elif cid in changing or (cid in initial and symbols(initial[cid]) - constants.keys()):
            # A size that changes, or is known only at the start: a parameter (or a state).
            parameters[cid] = float(c.get("size", "nan"))
            if cid not in changing and cid not in initial and c.get("size") is None:
                raise ModelFileError(f"Compartment '{cid}' has no size.")
        elif cid in initial:
            compartments[cid] = constant_value(
                cid, initial[cid], constants, set(initial), "Compartment"
            )
        elif c.get("size") is None:
            raise ModelFileError(f"Compartment '{cid}' has no size.")
        else:
            compartments[cid] = float(c.get("size", "nan"))
    out = States(compartments, [], parameters)
    taken = {c.get("id", "") for c in compartment_attrs} | set(parameters)
    taken |= {s.get("id", "") for s in species_attrs}
    for s in species_attrs:
        sid, comp = s.get("id", ""), s.get("compartment", "")
        _species(s, sid, comp, zero_d, out, constants, initial, assignment, rate, taken)
        factor = s.get("conversionFactor") or model_factor
        if factor is not None and sid in out.reacting:
            if factor not in constants:
                raise ModelFileError(
                    f"Species '{sid}': the conversion factor '{factor}' is not a constant "
                    "with a value known before the simulation; that is not supported."
                )
            out.factor[sid] = constants[factor]
    for var in rate:
        if var in parameters:
            out.species.append(Species(var, "", parameters.pop(var), amount=True))
    return out


def _species(
    s: dict[str, str],
    sid: str,
    comp: str,
    zero_d: set[str],
    out: States,
    constants: dict[str, float],
    initial: dict[str, Expr],
    assignment: dict[str, Expr],
    rate: dict[str, Expr],
    taken: set[str],
) -> None:
    amount = s.get("hasOnlySubstanceUnits") == "true" or comp in zero_d
    conc_attr, amount_attr = s.get("initialConcentration"), s.get("initialAmount")
    fixed = out.compartments.get(comp)
    if comp in zero_d and conc_attr is not None:
        raise ModelFileError(
            f"Species '{sid}': a concentration in a zero-dimensional compartment is undefined."
        )
    if s.get("constant") != "true" and s.get("boundaryCondition") != "true":
        out.reacting[sid] = sid
    if comp not in out.compartments and comp not in zero_d and comp not in out.parameters:
        raise ModelFileError(f"Species '{sid}': no compartment '{comp}'.")
    if fixed is not None or comp in zero_d:
        # The size is known: concentration and amount convert by a number.
        size = 1.0 if fixed is None else fixed
        if amount:
            value = float(amount_attr) if amount_attr is not None else _f(conc_attr) * size
        else:
            value = float(conc_attr) if conc_attr is not None else _f(amount_attr) / size
        out.species.append(Species(sid, comp, value, amount))
        return
    size_sym: Expr = ("sym", comp)
    if amount or sid in assignment or sid in rate:
        # A rate rule on a species gives the rate of what its name means; reactions cannot
        # change it too (it would be a boundary species).
        if sid in rate:
            out.reacting.pop(sid, None)
        # The state is what the name means; only a start given the other way converts.
        value = _f(amount_attr if amount else conc_attr)
        other = conc_attr if amount else amount_attr
        if other is not None and sid not in initial:
            op = "times" if amount else "divide"
            initial[sid] = ("op", op, (("num", float(other)), size_sym))
        out.species.append(Species(sid, comp, value, amount))
        return
    held = _unique(f"_amount_{sid}", taken)
    had_initial = sid in initial
    start: Expr = initial.pop(sid, ("num", _f(conc_attr)))
    if amount_attr is not None and not had_initial:
        initial[held] = ("num", float(amount_attr))
    else:
        initial[held] = ("op", "times", (start, size_sym))
    assignment[sid] = ("op", "divide", (("sym", held), size_sym))
    out.species.append(Species(sid, comp, float("nan"), False))
    out.species.append(Species(held, comp, float("nan"), True))
    if sid in out.reacting:
        out.reacting[sid] = held


def _f(text: str | None) -> float:
    return float(text) if text is not None else float("nan")
