"""How MathML operators outside the core set become trees of the core ones.

:mod:`.mathml` calls :func:`rewrite` for every ``<apply>``: reciprocal and inverse
reciprocal trigonometric functions become divisions and the basic functions, ``implies``
becomes ``or``/``not``, an n-ary relation becomes the ``and`` of its neighbouring pairs.
:func:`expand_call` expands a call of an SBML function definition by substitution.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TypeAlias

from k2lab.errors import ModelFileError

Expr: TypeAlias = tuple[object, ...]

#: A function definition: its argument names and body.
Function: TypeAlias = tuple[tuple[str, ...], Expr]

#: Reciprocal trigonometric functions, rewritten in terms of the basic ones.
_RECIPROCAL = {"sec": "cos", "csc": "sin", "cot": "tan", "sech": "cosh", "csch": "sinh"}
#: Inverse reciprocal functions: f(x) = g(1 / x).
_INVERSE_RECIPROCAL = {
    "arcsec": "arccos",
    "arccsc": "arcsin",
    "arcsech": "arccosh",
    "arccsch": "arcsinh",
    "arccoth": "arctanh",
}
_RELATIONS = ("gt", "lt", "geq", "leq", "eq")


def substitute(expr: Expr, values: Mapping[str, Expr]) -> Expr:
    """``expr`` with each symbol named in ``values`` replaced by its tree."""
    kind = expr[0]
    if kind == "sym":
        return values.get(str(expr[1]), expr)
    if kind == "op":
        args: tuple[Expr, ...] = expr[2]  # type: ignore[assignment]
        return ("op", expr[1], tuple(substitute(a, values) for a in args))
    return expr


def expand_call(name: str, args: tuple[Expr, ...], functions: Mapping[str, Function]) -> Expr:
    if name not in functions:
        raise ModelFileError(f"The MathML calls '{name}', which is not a function definition.")
    params, body = functions[name]
    if len(params) != len(args):
        raise ModelFileError(
            f"The function '{name}' takes {len(params)} arguments, called with {len(args)}."
        )
    return substitute(body, dict(zip(params, args, strict=True)))


def rewrite(op: str, parsed: tuple[Expr, ...]) -> Expr:
    """The tree for ``op`` applied to ``parsed``, in terms of the operators code knows."""
    if op in _RECIPROCAL:
        return ("op", "divide", (("num", 1.0), ("op", _RECIPROCAL[op], parsed)))
    if op == "coth":
        return ("op", "divide", (("num", 1.0), ("op", "tanh", parsed)))
    if op in _INVERSE_RECIPROCAL:
        inv = ("op", "divide", (("num", 1.0), parsed[0]))
        return ("op", _INVERSE_RECIPROCAL[op], (inv,))
    if op == "arccot":
        # arccot(x) = arctan(1 / x), the convention of libSBML and the SBML Test Suite.
        return ("op", "arctan", (("op", "divide", (("num", 1.0), parsed[0])),))
    if op == "implies":
        return ("op", "or", (("op", "not", (parsed[0],)), parsed[1]))
    if op in _RELATIONS and len(parsed) != 2:
        if len(parsed) < 2:
            return ("num", 1.0)
        pairs = tuple(("op", op, (a, b)) for a, b in itertools.pairwise(parsed))
        return ("op", "and", pairs)
    if op in ("max", "min") and len(parsed) == 1:
        return parsed[0]
    return ("op", op, parsed)
