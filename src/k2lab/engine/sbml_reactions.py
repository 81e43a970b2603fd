"""Reactions of an SBML model: kinetic laws and the net stoichiometry of each state.

A local parameter becomes a model parameter named ``<reaction>_<parameter>`` (made unique)
and the kinetic law refers to that name. A stoichiometry is its attribute or an initial
assignment of constants; a species reference whose id is used in maths becomes a constant
parameter with that value. A reaction whose id is used in maths becomes an assignment rule
of that name (its rate). Boundary and constant species take no part in the net
stoichiometry, a species in a compartment whose size changes contributes to the amount
that holds it (see :mod:`.sbml_species`), and a conversion factor scales the terms.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from k2lab.engine.mathml import Expr, substitute
from k2lab.engine.sbml_species import States, constant_value
from k2lab.errors import ModelFileError

SBML_NS = "{http://www.sbml.org/sbml/level3/version1/core}"


@dataclass(frozen=True)
class Reaction:
    """A reaction: net stoichiometry per state and the kinetic law (amount per time)."""

    id: str
    stoichiometry: tuple[tuple[str, float], ...]
    rate: Expr


def _unique(base: str, taken: set[str]) -> str:
    name, k = base, 1
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def read_reactions(
    elements: list[ET.Element],
    states: States,
    math: Callable[[ET.Element, str], Expr],
    initial: dict[str, Expr],
    constants: dict[str, float],
    used_in_maths: set[str],
    changing: set[str],
    assignment: dict[str, Expr],
    constant: set[str],
    taken: set[str],
) -> list[Reaction]:
    """The reactions (see the module docstring); ``states.parameters``, ``constant`` and
    ``assignment`` gain the local parameters, species references and reaction rates."""
    out: list[Reaction] = []
    for rx in elements:
        rid = rx.get("id", "")
        if rx.get("fast") == "true":
            raise ModelFileError(f"Reaction '{rid}': fast reactions are not supported.")
        law = rx.find(f"{SBML_NS}kineticLaw")
        if law is None:
            raise ModelFileError(f"Reaction '{rid}' has no kinetic law.")
        local: dict[str, Expr] = {}
        lst = law.find(f"{SBML_NS}listOfLocalParameters")
        for lp in [] if lst is None else lst.findall(f"{SBML_NS}localParameter"):
            name = _unique(f"{rid}_{lp.get('id', '')}", taken)
            states.parameters[name] = float(lp.get("value", "nan"))
            constant.add(name)
            local[lp.get("id", "")] = ("sym", name)
        rate = substitute(math(law, f"Reaction '{rid}'"), local)
        if rid in used_in_maths:
            if rid in assignment or rid in initial:
                raise ModelFileError(f"Reaction '{rid}': its id is also set by a rule.")
            assignment[rid] = rate
        net: dict[str, float] = {}
        for list_tag, sign in (("listOfReactants", -1.0), ("listOfProducts", 1.0)):
            refs = rx.find(f"{SBML_NS}{list_tag}")
            for ref in [] if refs is None else refs.findall(f"{SBML_NS}speciesReference"):
                sp = ref.get("species", "")
                value = _stoichiometry(ref, rid, initial, constants, changing)
                ref_id = ref.get("id")
                if ref_id is not None and ref_id in used_in_maths:
                    states.parameters[ref_id] = value
                    constant.add(ref_id)
                state = states.reacting.get(sp)
                if state is not None:
                    coeff = sign * value * states.factor.get(sp, 1.0)
                    net[state] = net.get(state, 0.0) + coeff
        out.append(Reaction(rid, tuple(net.items()), rate))
    return out


def _stoichiometry(
    ref: ET.Element,
    reaction: str,
    initial: dict[str, Expr],
    constants: dict[str, float],
    changing: set[str],
) -> float:
    """A species reference's stoichiometry: its attribute, or a constant initial assignment."""
    ref_id = ref.get("id")
    where = f"Reaction '{reaction}', species '{ref.get('species', '')}'"
    if ref_id is not None and ref_id in changing:
        raise ModelFileError(
            f"{where}: a stoichiometry set by a rule or event ('{ref_id}') is not supported."
        )
    if ref_id is not None and ref_id in initial:
        return constant_value(ref_id, initial.pop(ref_id), constants, set(initial), "Stoichiometry")
    if ref.get("stoichiometry") is None:
        raise ModelFileError(f"{where}: the stoichiometry is missing.")
    return float(ref.get("stoichiometry", "nan"))
