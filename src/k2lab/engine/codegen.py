"""Compile an :class:`~k2lab.engine.sbml.SbmlModel` into vectorised numpy functions.

The SBML is turned, once, into Python source that is compiled with :func:`compile`:

* ``rhs(t, y, p)``: time derivatives of the species concentrations. ``y`` has the species
  on its first axis and any batch shape after it (people, or perturbations × people for a
  finite-difference Jacobian); ``p`` maps parameter names to floats or arrays that broadcast
  against the batch shape.
* ``observe(t, y, p)``: every assignment-rule variable, for outputs.
* ``jacobian(t, y, p)``: the analytic Jacobian entries at the structural pattern, from
  symbolic differentiation of the rate laws through the assignment rules (chain rule),
  emitted as straight-line code with common sub-expressions computed once.

Assignment rules that depend only on parameters ("static" rules) are taken out of the
right-hand side and evaluated by :meth:`CompiledModel.parameters` whenever an input changes;
the remaining rules are emitted in dependency order. Only what the rates need is emitted.

The module is longer than most (about 550 lines) because the right-hand side, the Jacobian
and the static function share one pass of naming and hoisting; split, each part would have
to redo it or pass its private tables around.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from k2lab.engine.derivative import ONE, ZERO, add, mul, partial
from k2lab.engine.mathml import NAMESPACE, Expr, number, replace_time, symbols, to_python, uses_time
from k2lab.engine.sbml import SbmlModel, Species
from k2lab.errors import ModelFileError

FloatArray = NDArray[np.float64]
ParamValue = float | FloatArray
RhsFunction = Callable[[float, FloatArray, Mapping[str, ParamValue]], FloatArray]
ObserveFunction = Callable[[float, FloatArray, Mapping[str, ParamValue]], dict[str, Any]]


def _topological(defs: Mapping[str, Expr], what: str) -> list[str]:
    """Order definitions so each comes after the definitions it uses."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ModelFileError(f"The {what} form a cycle: {' -> '.join((*chain, name))}.")
        state[name] = 1
        for dep in sorted(symbols(defs[name])):
            if dep in defs:
                visit(dep, (*chain, name))
        state[name] = 2
        order.append(name)

    for name in defs:
        visit(name, ())
    return order


def _signed_sum(parts: list[tuple[float, str]]) -> str:
    """Python for ``sum(c * x)``, writing coefficients of ±1 as signs."""
    text = ""
    for c, x in parts:
        term = x if abs(c) == 1.0 else f"{abs(c)!r} * {x}"
        text += (" - " if c < 0 else " + ") + term if text else ("-" if c < 0 else "") + term
    return text or "0.0"


def _free_dead(lines: list[str]) -> list[str]:
    """Add ``del`` statements to a generated function after each local's last use.

    Every array temporary of the generated code would otherwise stay alive until the
    function returns; with hundreds of them the heap grows and shrinks at every call, and
    the memory allocator hands pages back to the system and faults them in again.
    """
    header, body = lines[0], lines[1:]
    assigned: set[str] = set()
    last_use: dict[str, int] = {}
    for k, line in enumerate(body):
        stmt = ast.parse(line.strip()).body[0]
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Store):
                    assigned.add(node.id)
                last_use[node.id] = k
    dead_after: dict[int, list[str]] = {}
    for name, k in last_use.items():
        if name in assigned and name != "out":
            dead_after.setdefault(k, []).append(name)
    out = [header]
    for k, line in enumerate(body):
        out.append(line)
        if k in dead_after and not line.strip().startswith("return"):
            out.append(f"    del {', '.join(sorted(dead_after[k]))}")
    return out


def _var(name: str) -> str:
    # A prefix keeps SBML ids from shadowing Python names such as `np` or `t`.
    return "v_" + name


#: Derivatives of rules with up to this many tree nodes are substituted, not named.
_INLINE_UP_TO = 10


def _size(e: Expr) -> int:
    if e[0] != "op":
        return 1
    args: tuple[Expr, ...] = e[2]  # type: ignore[assignment]
    return 1 + sum(_size(a) for a in args)


def _jacobian_source(
    species: tuple[str, ...],
    rules: Mapping[str, Expr],
    rates: list[Expr],
    rate_rules: Mapping[str, Expr],
    stoich: Mapping[str, list[tuple[float, int]]],
    volume: Mapping[str, float],
    reach: Mapping[str, set[str]],
    sparsity: NDArray[np.bool_],
    names: Mapping[str, str],
    hoist: Callable[[Expr], Expr],
) -> str:
    """Source of ``jacobian(t, y, p)``: analytic entries at ``np.nonzero(sparsity)``.

    ``rules`` are the dynamic rules in dependency order. The derivative of each rule with
    respect to each species it reaches is substituted where it is small and becomes a named
    intermediate otherwise; every other symbol (species, rule value, parameter) is loaded or
    computed the first time it is used, and a repeated sub-expression is computed once.
    ``hoist`` moves parameter-only parts of the derivatives into the static function (new
    names are not yet in ``names``).
    """
    sp_index = {s: i for i, s in enumerate(species)}
    lazy: dict[str, Expr] = dict(rules)
    var = dict(names)
    derivs: dict[tuple[str, str], Expr] = {}

    def chain(e: Expr, j: str) -> Expr:
        # d e / d y_j through the species and the rules that e uses.
        terms = []
        for s in sorted(symbols(e)):
            if s == j:
                inner = ONE
            elif (s, j) in derivs:
                inner = derivs[(s, j)]
            else:
                continue
            terms.append(mul(partial(e, s), inner))
        return add(*terms) if terms else ZERO

    for n, e in rules.items():
        for j in sorted(reach.get(n, set())):
            d = hoist(chain(e, j))
            # Small derivatives stay inline, so that their coefficients and parameter
            # factors merge with the next step of the chain rule; others are named.
            if _size(d) > _INLINE_UP_TO:
                name = f"_d{len(derivs)}"
                lazy[name] = d
                var[name] = name
                d = ("sym", name)
            derivs[(n, j)] = d

    lines = ["def jacobian(t, y, p):"]
    memo: dict[Expr, str] = {}
    done: set[str] = set()

    def code(e: Expr) -> str:
        kind = e[0]
        if kind == "num":
            return number(float(e[1]))  # type: ignore[arg-type]
        if kind == "time":
            return "t"
        if kind == "sym":
            s = str(e[1])
            if s not in done:
                done.add(s)
                if s in sp_index:
                    lines.append(f"    {var[s]} = y[{sp_index[s]}]")
                elif s in lazy:
                    lines.append(f"    {var[s]} = {code(lazy[s])}")
                else:
                    var.setdefault(s, _var(s))
                    lines.append(f"    {var[s]} = p[{s!r}]")
            return var[s]
        if e not in memo:
            args = [code(a) for a in e[2]]  # type: ignore[attr-defined]
            text = to_python(("op", e[1], tuple(("sym", a) for a in args)), {a: a for a in args})
            memo[e] = f"_t{len(memo)}"
            lines.append(f"    {memo[e]} = {text}")
        return memo[e]

    rate_derivs: dict[tuple[int, str], Expr] = {}
    lines.append(f"    out = np.empty(({int(np.count_nonzero(sparsity))},) + np.shape(y)[1:])")
    for entry, (i, j) in enumerate(zip(*np.nonzero(sparsity), strict=True)):
        si, sj = species[i], species[j]
        terms = []
        for coeff, k in stoich[si]:
            if (k, sj) not in rate_derivs:
                rate_derivs[(k, sj)] = chain(rates[k], sj)
            scale = coeff if si in rate_rules else coeff / volume[si]
            terms.append(mul(("num", scale), rate_derivs[(k, sj)]))
        if si in rate_rules:
            terms.append(chain(rate_rules[si], sj))
        value = code(hoist(add(*terms)) if terms else ZERO)
        lines.append(f"    out[{entry}] = {value}")
    lines.append("    return out")
    return "\n".join(_free_dead(lines)) + "\n"


#: The state that stands for the time in models whose rules or rates use it.
CLOCK = "_k2lab_time"


def _with_clock(m: SbmlModel) -> SbmlModel:
    """``m`` with the time symbol in its rules and rates replaced by a state ``d/dt = 1``.

    The solver takes the right-hand side as autonomous; a clock state makes it so exactly
    (its Jacobian column carries the time derivatives). Models without the time symbol
    are returned as they are.
    """
    rules = [*m.assignment_rules.values(), *m.rate_rules.values(), *(r.rate for r in m.reactions)]
    if not any(uses_time(e) for e in rules):
        return m
    if CLOCK in {s.id for s in m.species} | m.parameters.keys():
        raise ModelFileError(f"The id '{CLOCK}' is reserved for the engine's clock.")
    clock: Expr = ("sym", CLOCK)
    return replace(
        m,
        species=(*m.species, Species(CLOCK, "", 0.0, amount=True)),
        assignment_rules={k: replace_time(e, clock) for k, e in m.assignment_rules.items()},
        rate_rules={
            **{k: replace_time(e, clock) for k, e in m.rate_rules.items()},
            CLOCK: ("num", 1.0),
        },
        reactions=tuple(replace(r, rate=replace_time(r.rate, clock)) for r in m.reactions),
    )


@dataclass(frozen=True)
class CompiledModel:
    """Numpy functions and metadata generated from one SBML model."""

    sbml: SbmlModel
    species: tuple[str, ...]
    static_rules: tuple[str, ...]
    dynamic_rules: tuple[str, ...]
    rhs: RhsFunction
    observe: ObserveFunction
    static: Callable[[Mapping[str, ParamValue]], dict[str, ParamValue]]
    jacobian_sparsity: NDArray[np.bool_]
    source: str
    #: Jacobian entries at ``np.nonzero(jacobian_sparsity)`` (row-major), shape (entries, …).
    jacobian: RhsFunction

    @property
    def n_species(self) -> int:
        """Number of state variables (species)."""
        return len(self.species)

    def initial_values(
        self, overrides: Mapping[str, ParamValue]
    ) -> tuple[dict[str, ParamValue], FloatArray]:
        """Apply initial assignments: parameter values and initial concentrations.

        Parameters
        ----------
        overrides
            Parameter values that replace the SBML value and its initial assignment.

        Returns
        -------
        params, y0
            All parameter values (static rules not yet applied) and the initial state, one
            row per species (broadcast over people where an override is an array).
        """
        m = self.sbml
        values: dict[str, Any] = dict(m.compartments)
        values.update(m.parameters)
        values.update({s.id: s.initial_value for s in m.species})
        values.update(overrides)
        # Initial assignments and assignment rules hold together at the start time.
        defs = {k: v for k, v in m.initial_assignments.items() if k not in overrides}
        defs.update({k: v for k, v in m.assignment_rules.items() if k not in defs})
        namespace: dict[str, Any] = {**NAMESPACE, "t": 0.0}
        names = {k: _var(k) for k in values.keys() | defs.keys()}
        namespace.update(
            {_var(k): np.float64(v) if isinstance(v, float | int) else v for k, v in values.items()}
        )
        for name in _topological(defs, "initial assignments and rules"):
            with np.errstate(all="ignore"):  # 1/0 is inf and 0/0 NaN, as in the simulation
                namespace[_var(name)] = eval(to_python(defs[name], names), namespace)
            values[name] = namespace[_var(name)]
        params = {
            k: values[k] for k in (*m.compartments, *m.parameters) if k not in m.assignment_rules
        }
        params.update({k: v for k, v in overrides.items() if k not in params})
        y0 = np.array(
            np.broadcast_arrays(*[np.asarray(values[s], dtype=float) for s in self.species]),
            dtype=float,
        )
        return params, y0

    def parameters(self, params: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """Evaluate the static rules for ``params``; the result is what ``rhs`` takes."""
        out = dict(params)
        with np.errstate(all="ignore"):  # 1/0 is inf and 0/0 NaN, as in SBML
            out.update(self.static(params))
        return out


def compile_model(m: SbmlModel) -> CompiledModel:
    """Generate and compile the vectorised functions for ``m``.

    Raises
    ------
    ModelFileError
        If ``m`` has events (:func:`~k2lab.engine.integrate.integrate` does not run them;
        :func:`~k2lab.engine.events.integrate_events` does, and a caller that runs them
        itself, as :mod:`k2lab.calcium` does, compiles ``dataclasses.replace(m,
        events=())``), or has a rate rule on something that is not a state. A species set
        by an assignment rule is not a state; the time symbol in a rule or rate becomes a
        clock state (see :func:`_with_clock`).
    """
    if m.events:
        raise ModelFileError(
            f"Event '{m.events[0].id}': events are not run by compile_model and integrate; "
            "use k2lab.engine.integrate_events, or compile the model without them and run "
            "them yourself."
        )
    m = _with_clock(m)
    # A species set by an assignment rule is not a state: its name stands for the rule.
    species = tuple(s.id for s in m.species if s.id not in m.assignment_rules)
    sp_index = {s: i for i, s in enumerate(species)}
    # A state's reaction terms are divided by its compartment's size unless it is an amount.
    volume = {
        s.id: 1.0 if s.amount else m.compartments.get(s.compartment, float("nan"))
        for s in m.species
        if s.id in sp_index
    }
    for rx in m.reactions:
        for x, c in rx.stoichiometry:
            if c and x in volume and not np.isfinite(volume[x]):
                raise ModelFileError(f"Species '{x}': its compartment's size is not fixed.")
    rules = m.assignment_rules
    for var in m.rate_rules:
        if var not in sp_index:
            raise ModelFileError(f"Rate rule for '{var}': only species rate rules are supported.")
    order = _topological(rules, "assignment rules")

    # A rule is dynamic when it uses a species, the time or another dynamic rule.
    dynamic: set[str] = set()
    for name in order:
        expr = rules[name]
        if uses_time(expr) or any(d in sp_index or d in dynamic for d in symbols(expr)):
            dynamic.add(name)
    static_rules = tuple(n for n in order if n not in dynamic)
    dynamic_rules = tuple(n for n in order if n in dynamic)

    # Net rate expression per species (amount per hour), divided by the compartment volume.
    stoich: dict[str, list[tuple[float, int]]] = {s: [] for s in species}
    rate_exprs: list[Expr] = []
    for k, rx in enumerate(m.reactions):
        rate_exprs.append(rx.rate)
        for sp, coeff in rx.stoichiometry:
            if coeff != 0.0 and sp in stoich:
                stoich[sp].append((coeff, k))
    rate_exprs += list(m.rate_rules.values())

    # Only emit the dynamic rules the rates need (transitively).
    needed: set[str] = set()
    stack = [d for e in rate_exprs for d in symbols(e)]
    while stack:
        d = stack.pop()
        if d in dynamic and d not in needed:
            needed.add(d)
            stack.extend(symbols(rules[d]))

    names = {k: _var(k) for k in (*m.compartments, *m.parameters, *species, *rules)}
    param_names = sorted((set(m.compartments) | set(m.parameters) | set(static_rules)) - dynamic)
    static_set = set(param_names)

    # Hoist sub-expressions that use parameters only (e.g. EC50 ** gamma) into the static
    # function, so the right-hand side does not recompute them at every call.
    hoisted: dict[Expr, str] = {}

    def is_static(e: Expr) -> bool:
        return symbols(e) <= static_set and not uses_time(e)

    def hoist(e: Expr) -> Expr:
        if e[0] != "op":
            return e
        syms = symbols(e)
        if syms and is_static(e):
            if e not in hoisted:
                hoisted[e] = f"_h{len(hoisted)}"
                # Later hoisted expressions may use this one (the static function keeps order).
                static_set.add(hoisted[e])
            return ("sym", hoisted[e])
        args: tuple[Expr, ...] = e[2]  # type: ignore[assignment]
        if e[1] in ("times", "plus"):
            # In a product or sum, the parameter-only operands are combined once, statically.
            fixed = tuple(a for a in args if is_static(a))
            if len(fixed) > 1 and any(symbols(a) for a in fixed):
                rest = tuple(hoist(a) for a in args if not is_static(a))
                return ("op", e[1], (hoist(("op", e[1], fixed)), *rest))
        return ("op", e[1], tuple(hoist(a) for a in args))

    rhs_rules = [(n, hoist(rules[n])) for n in dynamic_rules if n in needed]
    rhs_rates = [(f"r{k}", hoist(rx.rate)) for k, rx in enumerate(m.reactions)]
    rhs_rate_rules = {sp: hoist(e) for sp, e in m.rate_rules.items()}
    names.update({h: _var(h) for h in hoisted.values()})

    # Common sub-expressions with a power, exp or log are computed once.
    counts: dict[Expr, int] = {}

    def count(e: Expr) -> None:
        if e[0] == "op":
            if e[1] in ("power", "exp", "ln"):
                counts[e] = counts.get(e, 0) + 1
            for a in e[2]:  # type: ignore[attr-defined]
                count(a)

    for _, e in [*rhs_rules, *rhs_rates, *rhs_rate_rules.items()]:
        count(e)
    shared = {e: f"_c{i}" for i, e in enumerate(x for x, c in counts.items() if c > 1)}
    names.update({c: _var(c) for c in shared.values()})
    defined: set[str] = set()

    def emit(target: str, e: Expr) -> list[str]:
        pre: list[str] = []

        def sub(x: Expr) -> Expr:
            if x[0] != "op":
                return x
            if x in shared:
                c = shared[x]
                if c not in defined:
                    inner = ("op", x[1], tuple(sub(a) for a in x[2]))  # type: ignore[attr-defined]
                    pre.append(f"    {_var(c)} = {to_python(inner, names)}")
                    defined.add(c)
                return ("sym", c)
            return ("op", x[1], tuple(sub(a) for a in x[2]))  # type: ignore[attr-defined]

        code = to_python(sub(e), names)
        return [*pre, f"    {target} = {code}"]

    # Which species each derivative depends on, through the dynamic rules.
    reach: dict[str, set[str]] = {}
    for n in dynamic_rules:
        deps: set[str] = set()
        for d in symbols(rules[n]):
            if d in sp_index:
                deps.add(d)
            elif d in reach:
                deps |= reach[d]
        reach[n] = deps
    sparsity = np.zeros((len(species), len(species)), dtype=bool)
    for rx in m.reactions:
        deps = set()
        for d in symbols(rx.rate):
            deps |= {d} if d in sp_index else reach.get(d, set())
        for sp, coeff in rx.stoichiometry:
            if coeff != 0.0 and sp in sp_index:
                for d in deps:
                    sparsity[sp_index[sp], sp_index[d]] = True
    for sp, expr in m.rate_rules.items():
        for d in symbols(expr):
            for q in {d} if d in sp_index else reach.get(d, set()):
                sparsity[sp_index[sp], sp_index[q]] = True

    lines = ["def rhs(t, y, p):"]
    lines += [f"    {_var(s)} = y[{i}]" for i, s in enumerate(species)]
    used: set[str] = set()
    for _, e in [*rhs_rules, *rhs_rates, *rhs_rate_rules.items()]:
        used |= symbols(e)
    lines += [f"    {_var(q)} = p[{q!r}]" for q in [*param_names, *hoisted.values()] if q in used]
    for n, e in rhs_rules:
        lines += emit(_var(n), e)
    for r, e in rhs_rates:
        lines += emit(r, e)
    rate_rule_code = {}
    for sp, e in rhs_rate_rules.items():
        lines += emit(f"rr_{species.index(sp)}", e)
        rate_rule_code[sp] = f"rr_{species.index(sp)}"
    lines.append("    out = np.empty_like(y)")
    for i, s in enumerate(species):
        total = _signed_sum(
            [(c if s in m.rate_rules else c / volume[s], f"r{k}") for c, k in stoich[s]]
            + ([(1.0, rate_rule_code[s])] if s in rate_rule_code else [])
        )
        lines.append(f"    out[{i}] = {total}")
    lines.append("    return out")
    lines = [*_free_dead(lines), ""]
    lines.append("def observe(t, y, p):")
    lines += [f"    {_var(s)} = y[{i}]" for i, s in enumerate(species)]
    lines += [f"    {_var(q)} = p[{q!r}]" for q in param_names]
    lines += [f"    {_var(n)} = {to_python(rules[n], names)}" for n in dynamic_rules]
    lines.append("    return {" + ", ".join(f"{n!r}: {_var(n)}" for n in dynamic_rules) + "}")
    lines.append("")
    jac_source = _jacobian_source(
        species,
        dict(rhs_rules),
        [e for _, e in rhs_rates],
        rhs_rate_rules,
        stoich,
        volume,
        reach,
        sparsity,
        names,
        hoist,
    )
    names.update({h: _var(h) for h in hoisted.values()})
    lines.append("def static(p):")
    static_used: set[str] = set()
    for n in static_rules:
        static_used |= symbols(rules[n])
    for e in hoisted:
        static_used |= symbols(e)
    inputs = static_used - set(static_rules) - set(hoisted.values())
    lines += [f"    {_var(q)} = p[{q!r}]" for q in sorted(inputs)]
    lines += [f"    {_var(n)} = {to_python(rules[n], names)}" for n in static_rules]
    lines += [f"    {_var(h)} = {to_python(e, names)}" for e, h in hoisted.items()]
    outputs = [*static_rules, *hoisted.values()]
    lines.append("    return {" + ", ".join(f"{n!r}: {_var(n)}" for n in outputs) + "}")
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = dict(NAMESPACE)
    exec(compile(source, f"<k2lab sbml {m.id}>", "exec"), namespace)

    exec(compile(jac_source, f"<k2lab sbml {m.id} jacobian>", "exec"), namespace)

    return CompiledModel(
        sbml=m,
        species=species,
        static_rules=static_rules,
        dynamic_rules=dynamic_rules,
        rhs=namespace["rhs"],
        observe=namespace["observe"],
        static=namespace["static"],
        jacobian_sparsity=sparsity,
        source=source + "\n" + jac_source,
        jacobian=namespace["jacobian"],
    )
