"""What the reader and compiler refuse by name, and the small features they evaluate instead.

Each refusal guards against a model the engine would otherwise simulate wrongly without a
word (found with the SBML Test Suite; see tests/engine/test_sbml_test_suite.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from k2lab.engine import compile_model, integrate, read_sbml_text
from k2lab.errors import ModelFileError

MATH = '<math xmlns="http://www.w3.org/1998/Math/MathML">{}</math>'


def sbml(
    *,
    root_attrs: str = "",
    model_attrs: str = "",
    compartment: str = 'size="2"',
    species_attrs: str = "",
    reference: str = 'stoichiometry="1"',
    rate: str = "<apply><times/><ci>k</ci><ci>x</ci></apply>",
    extra: str = "",
) -> str:
    """A decay x -> (nothing) at rate k x in compartment c, with pieces replaced."""
    return (
        '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1"'
        f" {root_attrs}><model id='m' {model_attrs}>"
        f'<listOfCompartments><compartment id="c" {compartment}/></listOfCompartments>'
        '<listOfSpecies><species id="x" compartment="c" initialConcentration="1" '
        f"{species_attrs}/></listOfSpecies>"
        '<listOfParameters><parameter id="k" value="0.5"/></listOfParameters>'
        f"{extra}"
        '<listOfReactions><reaction id="out"><listOfReactants>'
        f'<speciesReference species="x" {reference}/></listOfReactants>'
        f"<kineticLaw>{MATH.format(rate)}</kineticLaw></reaction></listOfReactions>"
        "</model></sbml>"
    )


def final_x(text: str, end: float = 1.0) -> float:
    c = compile_model(read_sbml_text(text))
    params, y0 = c.initial_values({})
    run = integrate(c, y0[:, None], np.array([0.0, end]), lambda t: c.parameters(params))
    return float(run.states[0, -1, 0])


def rule(tag: str, variable: str, math: str) -> str:
    """A listOfRules with one rule (``assignmentRule`` or ``rateRule``)."""
    return f"<listOfRules><{tag} variable='{variable}'>{MATH.format(math)}</{tag}></listOfRules>"


TIME = '<csymbol definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol>'
MATH_DELAY = (
    '<apply><csymbol definitionURL="http://www.sbml.org/sbml/symbols/delay">delay</csymbol>'
    "<ci>x</ci><cn>1</cn></apply>"
)


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        (sbml(compartment=""), "has no size"),
        (sbml(compartment='spatialDimensions="0"'), "zero-dimensional compartment"),
        (
            sbml(
                reference='id="sr" stoichiometry="1" constant="false"',
                extra=rule("assignmentRule", "sr", "<ci>k</ci>"),
            ),
            "stoichiometry set by a rule",
        ),
        (sbml(reference=""), "stoichiometry is missing"),
        (
            sbml(model_attrs='conversionFactor="k"', extra=rule("rateRule", "k", "<cn>1</cn>")),
            "conversion factor 'k' is not a constant",
        ),
        (
            sbml(
                root_attrs='xmlns:comp="http://www.sbml.org/sbml/level3/version1/comp/version1"'
                ' comp:required="true"'
            ),
            "package 'comp'",
        ),
        (
            sbml(rate=MATH_DELAY),
            "csymbol 'delay'",
        ),
    ],
)
def test_reader_refuses_by_name(text: str, feature: str) -> None:
    with pytest.raises(ModelFileError, match=feature):
        read_sbml_text(text)


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        (
            sbml(
                extra="<listOfEvents><event id='e'><trigger>"
                + MATH.format(f"<apply><gt/>{TIME}<cn>1</cn></apply>")
                + "</trigger></event></listOfEvents>"
            ),
            "events are not run by compile_model",
        ),
        # A reaction's id in its own rate is a cycle.
        (sbml(rate="<apply><times/><ci>out</ci><ci>x</ci></apply>"), "cycle"),
    ],
)
def test_compiler_refuses_what_integrate_would_not_do(text: str, feature: str) -> None:
    m = read_sbml_text(text)
    with pytest.raises(ModelFileError, match=feature):
        compile_model(m)


def test_constant_initial_assignments_of_size_and_stoichiometry_are_used() -> None:
    # The size 5 becomes 4 k = 2 and the stoichiometry 3 becomes 2 k = 1: x' = -k x / 2.
    ia = (
        "<listOfInitialAssignments>"
        f"<initialAssignment symbol='c'>{MATH.format('<apply><times/><cn>4</cn><ci>k</ci></apply>')}"
        "</initialAssignment>"
        f"<initialAssignment symbol='sr'>{MATH.format('<apply><times/><cn>2</cn><ci>k</ci></apply>')}"
        "</initialAssignment></listOfInitialAssignments>"
    )
    text = sbml(compartment='size="5"', reference='id="sr" stoichiometry="3"', extra=ia)
    m = read_sbml_text(text)
    assert m.compartments["c"] == 2.0 and m.reactions[0].stoichiometry == (("x", -1.0),)
    assert final_x(text) == pytest.approx(np.exp(-0.25), rel=1e-5)


def test_a_species_set_by_a_rule_is_not_a_state_and_nan_literals_compile() -> None:
    rules = rule("assignmentRule", "x", "<apply><times/><cn>3</cn><ci>k</ci></apply>")
    c = compile_model(read_sbml_text(sbml(extra=rules)))
    assert c.species == ()
    assert c.parameters(c.initial_values({})[0])["x"] == 1.5
    nan_rate = "<apply><times/><ci>k</ci><ci>x</ci><cn>NaN</cn></apply>"
    assert np.isnan(final_x(sbml(rate=nan_rate)))
