"""The ``rateOf`` csymbol (SBML Level 3 Version 2): replaced by the rate it stands for.

``rateOf(x)`` is the time derivative of what the name ``x`` means. Once the reactions and
rules are known it is an ordinary expression: for a state changed by reactions, the net of
its reactions' rates (divided by the compartment's size where the state is a
concentration) scaled by any conversion factor; for one with a rate rule, that rule; for
anything neither changes between events, zero. The rate of a rule's variable, or of a
concentration in a compartment whose size changes, is refused by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from k2lab.engine.mathml import Expr
from k2lab.engine.sbml_reactions import Reaction
from k2lab.engine.sbml_species import Species
from k2lab.errors import ModelFileError


def uses_rate_of(e: Expr) -> bool:
    """Whether ``e`` holds a ``rateOf``."""
    if e[0] != "op":
        return False
    args: tuple[Expr, ...] = e[2]  # type: ignore[assignment]
    return e[1] == "rateOf" or any(uses_rate_of(a) for a in args)


def rates_of(
    species: tuple[Species, ...],
    compartments: Mapping[str, float],
    reactions: tuple[Reaction, ...],
    rate: Mapping[str, Expr],
    held: Mapping[str, str],
) -> dict[str, Expr]:
    """What ``rateOf(x)`` is for each name that reactions or rate rules change."""
    out: dict[str, Expr] = dict(rate)
    for s in species:
        terms: list[Expr] = [
            ("op", "times", (("num", c), rx.rate))
            for rx in reactions
            for sid, c in rx.stoichiometry
            if sid == s.id and c != 0.0
        ]
        if not terms or s.id in rate:
            continue
        total: Expr = ("op", "plus", tuple(terms))
        if not s.amount:
            total = ("op", "divide", (total, ("num", compartments[s.compartment])))
        out[s.id] = total
    for sid in held:
        out.pop(sid, None)
    return out


def replace_rate_of(e: Expr, rates: Mapping[str, Expr], refused: set[str]) -> Expr:
    """``e`` with each ``rateOf(x)`` replaced by ``rates[x]`` (zero where x is constant)."""
    if e[0] != "op":
        return e
    args: tuple[Expr, ...] = e[2]  # type: ignore[assignment]
    if e[1] == "rateOf":
        name = str(args[0][1]) if args[0][0] == "sym" else ""
        if name in refused or not name:
            raise ModelFileError(
                f"rateOf('{name}'): the rate of a rule's variable or of a concentration in a "
                "compartment whose size changes is not supported."
            )
        return rates.get(name, ("num", 0.0))
    return ("op", e[1], tuple(replace_rate_of(a, rates, refused) for a in args))


def expand_rates(
    species: tuple[Species, ...],
    compartments: Mapping[str, float],
    reactions: tuple[Reaction, ...],
    initial: dict[str, Expr],
    assignment: dict[str, Expr],
    rate: dict[str, Expr],
    held: Mapping[str, str],
) -> tuple[tuple[Reaction, ...], Callable[[Expr], Expr]]:
    """Replace every ``rateOf`` in the maths, in place; returns the reactions rewritten and
    the replacement (for the events' maths)."""
    rates = rates_of(species, compartments, reactions, rate, held)
    refused = set(assignment)
    for _ in range(len(rates) + 1):
        if not any(uses_rate_of(e) for e in rates.values()):
            break
        rates = {k: replace_rate_of(e, rates, refused) for k, e in rates.items()}
    else:
        raise ModelFileError("The rates of change (rateOf) refer to each other in a cycle.")
    for table in (initial, assignment, rate):
        for k, e in table.items():
            table[k] = replace_rate_of(e, rates, refused)
    reactions = tuple(
        Reaction(rx.id, rx.stoichiometry, replace_rate_of(rx.rate, rates, refused))
        for rx in reactions
    )
    return reactions, lambda e: replace_rate_of(e, rates, refused)
