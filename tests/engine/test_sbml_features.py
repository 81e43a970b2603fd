"""SBML features the engine runs, each checked against an analytic solution.

The models are variations of one decay ``x -> (nothing)`` at rate ``k x`` (k = 0.5) in a
compartment of size 2, so that each feature
changes the answer in a way that can be written down.
"""

from __future__ import annotations

import numpy as np
import pytest

from k2lab.engine import compile_model, integrate, read_sbml_text
from k2lab.engine.events import integrate_events
from k2lab.engine.mathml import evaluate, parse_math
from k2lab.engine.sbml import SbmlModel

# The same decay model as tests/engine/test_refusals.py builds (test modules do not import
# each other under --import-mode=importlib).
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


def rule(tag: str, variable: str, math: str) -> str:
    """A listOfRules with one rule (``assignmentRule`` or ``rateRule``)."""
    return f"<listOfRules><{tag} variable='{variable}'>{MATH.format(math)}</{tag}></listOfRules>"


TIME = '<csymbol definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol>'

K = 0.5


def value_at(text: str, name: str, end: float = 1.0) -> float:
    """``name`` (a state or a rule variable) at ``end``, without events."""
    m = read_sbml_text(text)
    c = compile_model(m)
    params, y0 = c.initial_values({})
    p = c.parameters(params)
    run = integrate(c, y0[:, None], np.array([0.0, end]), lambda t: p, observe=[name], rtol=1e-10)
    return float(run.observed[name][0, -1])


def test_function_definitions_are_expanded_where_called() -> None:
    fd = (
        "<listOfFunctionDefinitions><functionDefinition id='rate'>"
        + MATH.format(
            "<lambda><bvar><ci>a</ci></bvar><bvar><ci>b</ci></bvar>"
            "<apply><times/><ci>a</ci><ci>b</ci></apply></lambda>"
        )
        + "</functionDefinition></listOfFunctionDefinitions>"
    )
    text = sbml(extra=fd, rate="<apply><ci>rate</ci><ci>k</ci><ci>x</ci></apply>")
    assert value_at(text, "x") == pytest.approx(np.exp(-K / 2), rel=1e-8)


def test_local_parameters_shadow_the_global_one() -> None:
    text = sbml().replace(
        "</math></kineticLaw>",
        "</math><listOfLocalParameters><localParameter id='k' value='2'/>"
        "</listOfLocalParameters></kineticLaw>",
    )
    m = read_sbml_text(text)
    assert m.parameters["k"] == K and m.parameters["out_k"] == 2.0
    assert value_at(text, "x") == pytest.approx(np.exp(-2.0 / 2), rel=1e-8)


@pytest.mark.parametrize("attrs", ['boundaryCondition="true"', 'constant="true"'])
def test_boundary_and_constant_species_keep_their_value(attrs: str) -> None:
    assert value_at(sbml(species_attrs=attrs), "x") == pytest.approx(1.0)


def test_has_only_substance_units_makes_the_name_an_amount() -> None:
    # The rate k * (amount) changes the amount: amount' = -k amount, from 1 * 2.
    text = sbml(species_attrs='hasOnlySubstanceUnits="true"')
    assert value_at(text, "x") == pytest.approx(2.0 * np.exp(-K), rel=1e-8)


@pytest.mark.parametrize("where", ["model", "species"])
def test_a_conversion_factor_scales_the_reaction_terms(where: str) -> None:
    params = '<listOfParameters><parameter id="cf" value="3"/></listOfParameters>'
    attr = 'conversionFactor="cf"'
    text = (sbml(model_attrs=attr) if where == "model" else sbml(species_attrs=attr)).replace(
        '<parameter id="k" value="0.5"/>',
        '<parameter id="k" value="0.5"/><parameter id="cf" value="3"/>',
    )
    assert params  # the factor sits with k
    assert value_at(text, "x") == pytest.approx(np.exp(-3 * K / 2), rel=1e-8)


def test_a_compartment_with_a_rate_rule_keeps_the_amount_the_reactions_change() -> None:
    # c = 2 + k t; amount' = -k amount / c, amount(0) = 2: amount = 4 / c, x = 4 / c^2.
    text = sbml(compartment='size="2" constant="false"', extra=rule("rateRule", "c", "<ci>k</ci>"))
    assert value_at(text, "c") == pytest.approx(2.5, rel=1e-8)
    assert value_at(text, "x") == pytest.approx(4.0 / 2.5**2, rel=1e-7)


def test_the_time_symbol_in_a_rate_is_a_clock_state() -> None:
    # x' = -k t x / 2: x = exp(-k t^2 / 4).
    text = sbml(rate=f"<apply><times/><ci>k</ci><ci>x</ci>{TIME}</apply>")
    assert value_at(text, "x") == pytest.approx(np.exp(-K / 4), rel=1e-7)


def test_a_parameter_with_a_rate_rule_is_a_state() -> None:
    text = sbml(
        rate="<apply><times/><ci>q</ci><ci>x</ci></apply>",
        extra=rule("rateRule", "q", "<cn>1</cn>"),
    ).replace(
        '<parameter id="k" value="0.5"/>',
        '<parameter id="k" value="0.5"/><parameter id="q" value="0" constant="false"/>',
    )
    # q = t: x = exp(-t^2 / 4).
    assert value_at(text, "q") == pytest.approx(1.0)
    assert value_at(text, "x") == pytest.approx(np.exp(-0.25), rel=1e-7)


def test_level_3_version_2_files_are_read() -> None:
    text = (
        sbml()
        .replace("level3/version1/core", "level3/version2/core")
        .replace('version="1"', 'version="2"')
    )
    assert value_at(text, "x") == pytest.approx(np.exp(-K / 2), rel=1e-8)


@pytest.mark.parametrize(
    ("mathml", "expected"),
    [
        ("<apply><sin/><pi/></apply>", 0.0),
        ("<apply><arccot/><cn>1</cn></apply>", np.pi / 4),
        ("<apply><sech/><cn>0</cn></apply>", 1.0),
        ("<apply><factorial/><cn>5</cn></apply>", 120.0),
        ("<apply><xor/><true/><true/><false/></apply>", 0.0),
        ("<apply><lt/><cn>1</cn><cn>2</cn><cn>3</cn></apply>", 1.0),
        ("<apply><lt/><cn>1</cn><cn>3</cn><cn>2</cn></apply>", 0.0),
        ("<apply><max/><cn>1</cn><cn>3</cn><cn>2</cn></apply>", 3.0),
        ("<apply><rem/><cn>7</cn><cn>3</cn></apply>", 1.0),
        ("<apply><quotient/><cn>7</cn><cn>3</cn></apply>", 2.0),
        ("<apply><implies/><false/><false/></apply>", 1.0),
        ("<infinity/>", np.inf),
    ],
)
def test_more_mathml_operators(mathml: str, expected: float) -> None:
    import xml.etree.ElementTree as ET

    value = evaluate(parse_math(ET.fromstring(MATH.format(mathml))))
    assert value == pytest.approx(expected, abs=1e-12)


def _events(text: str, times: np.ndarray) -> np.ndarray:
    m: SbmlModel = read_sbml_text(text)
    run, _, _ = integrate_events(m, times, observe=["x"], rtol=1e-10)
    return np.asarray(run.observed["x"][0])


def _event(trigger: str, value: str, *, delay: str = "", attrs: str = "") -> str:
    d = f"<delay>{MATH.format(delay)}</delay>" if delay else ""
    return (
        f"<listOfEvents><event id='e' {attrs}><trigger initialValue='true' persistent='true'>"
        f"{MATH.format(trigger)}</trigger>{d}<listOfEventAssignments>"
        f"<eventAssignment variable='x'>{MATH.format(value)}</eventAssignment>"
        "</listOfEventAssignments></event></listOfEvents>"
    )


def test_an_event_fires_where_its_trigger_turns_true() -> None:
    # x = exp(-t/4) falls below 0.5 at 4 ln 2; it is then set back to 1.
    ev = _event("<apply><lt/><ci>x</ci><cn>0.5</cn></apply>", "<cn>1</cn>")
    out = _events(sbml(extra=ev), np.array([0.0, 2.0, 4.0]))
    fire = 4.0 * np.log(2.0)
    assert out[1] == pytest.approx(np.exp(-2.0 / 4), rel=1e-8)
    assert out[2] == pytest.approx(np.exp(-(4.0 - fire) / 4), rel=1e-7)


def test_a_delayed_event_uses_the_values_when_it_fired() -> None:
    # At t = 1 the event fires; after 0.5 x becomes 2 x(1).
    ev = _event(
        f"<apply><geq/>{TIME}<cn>1</cn></apply>",
        "<apply><times/><cn>2</cn><ci>x</ci></apply>",
        delay="<cn>0.5</cn>",
    )
    out = _events(sbml(extra=ev), np.array([0.0, 1.4, 2.0]))
    assert out[1] == pytest.approx(np.exp(-1.4 / 4), rel=1e-8)
    # 2 x(1) then half a time unit of decay (2 x(1.5) would give 1.213).
    assert out[2] == pytest.approx(2 * np.exp(-1.0 / 4) * np.exp(-0.5 / 4), rel=1e-7)


def test_a_trigger_true_only_inside_one_step_is_not_missed() -> None:
    # x is constant (boundary), so the solver's steps are long; the trigger holds only for
    # 0.01 in time; an event that the solver stepped over would leave x at 1.
    trigger = f"<apply><and/><apply><gt/>{TIME}<cn>0.5</cn></apply><apply><lt/>{TIME}<cn>0.51</cn></apply></apply>"
    ev = _event(trigger, "<cn>3</cn>")
    out = _events(sbml(species_attrs='boundaryCondition="true"', extra=ev), np.array([0.0, 2.0]))
    assert out[1] == 3.0


def test_rate_of_is_the_rate_the_reactions_give() -> None:
    # r = rateOf(x) = -k x / 2 (the decay's rate over the compartment's size).
    rate_of = (
        '<apply><csymbol definitionURL="http://www.sbml.org/sbml/symbols/rateOf">rateOf'
        "</csymbol><ci>x</ci></apply>"
    )
    text = sbml(extra=rule("assignmentRule", "r", rate_of)).replace(
        '<parameter id="k" value="0.5"/>',
        '<parameter id="k" value="0.5"/><parameter id="r" value="0" constant="false"/>',
    )
    x1 = np.exp(-K / 2)
    assert value_at(text, "r") == pytest.approx(-K * x1 / 2, rel=1e-7)
