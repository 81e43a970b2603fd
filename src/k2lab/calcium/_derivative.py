"""Symbolic partial derivatives of MathML expression trees (see :mod:`._mathml`).

:func:`partial` differentiates a tree with respect to one symbol, treating every other symbol
as a constant; the code generator applies the chain rule through the assignment rules. The
small constructors below fold constants and drop zero terms, so derivatives of the sparse
rate laws stay short. Comparisons, ``floor`` and ``ceiling`` have derivative zero, and a
``piecewise`` differentiates branch by branch (the conditions are kept).
"""

from __future__ import annotations

from k2lab.calcium._mathml import Expr, symbols
from k2lab.errors import ModelFileError

ZERO: Expr = ("num", 0.0)
ONE: Expr = ("num", 1.0)

_CONSTANT_OPS = frozenset(
    {"floor", "ceiling", "gt", "lt", "geq", "leq", "eq", "neq", "and", "or", "not"}
)


def _is_num(e: Expr, value: float | None = None) -> bool:
    return e[0] == "num" and (value is None or float(e[1]) == value)  # type: ignore[arg-type]


def _num(e: Expr) -> float:
    return float(e[1])  # type: ignore[arg-type]


def add(*terms: Expr) -> Expr:
    """Sum of ``terms`` without zeros, numbers folded."""
    const = sum(_num(t) for t in terms if _is_num(t))
    rest = tuple(t for t in terms if not _is_num(t))
    if const != 0.0 or not rest:
        rest = (*rest, ("num", const))
    return rest[0] if len(rest) == 1 else ("op", "plus", rest)


def neg(a: Expr) -> Expr:
    """``-a``."""
    if _is_num(a):
        return ("num", -_num(a))
    if a[0] == "op" and a[1] == "minus" and len(a[2]) == 1:  # type: ignore[arg-type]
        return a[2][0]  # type: ignore[index, no-any-return]
    return ("op", "minus", (a,))


def sub(a: Expr, b: Expr) -> Expr:
    """``a - b``."""
    if _is_num(b, 0.0):
        return a
    if _is_num(a, 0.0):
        return neg(b)
    if _is_num(a) and _is_num(b):
        return ("num", _num(a) - _num(b))
    return ("op", "minus", (a, b))


def mul(a: Expr, b: Expr) -> Expr:
    """``a * b``."""
    if _is_num(a, 0.0) or _is_num(b, 0.0):
        return ZERO
    if _is_num(a, 1.0):
        return b
    if _is_num(b, 1.0):
        return a
    if _is_num(a) and _is_num(b):
        return ("num", _num(a) * _num(b))
    if _is_num(a, -1.0):
        return neg(b)
    if _is_num(b, -1.0):
        return neg(a)
    return ("op", "times", (a, b))


def div(a: Expr, b: Expr) -> Expr:
    """``a / b``."""
    if _is_num(a, 0.0):
        return ZERO
    if _is_num(b, 1.0):
        return a
    if _is_num(a) and _is_num(b) and _num(b) != 0.0:
        return ("num", _num(a) / _num(b))
    return ("op", "divide", (a, b))


def _power_rule(e: Expr, base: Expr, expo: Expr, x: str) -> Expr:
    db = partial(base, x)
    de = partial(expo, x)
    if _is_num(de, 0.0):
        if _is_num(db, 0.0):
            return ZERO
        if _is_num(expo):
            c = _num(expo)
            if c == 0.0:
                return ZERO
            if c == 1.0:
                return db
            factor = mul(("num", 2.0), base) if c == 2.0 else mul(expo, _pow(base, c - 1.0))
            return mul(factor, db)
        return mul(mul(expo, ("op", "power", (base, sub(expo, ONE)))), db)
    # d(a^b) = a^b (b' ln a + b a'/a)
    inner = add(mul(de, ("op", "ln", (base,))), div(mul(expo, db), base))
    return mul(e, inner)


def _pow(base: Expr, c: float) -> Expr:
    return base if c == 1.0 else ("op", "power", (base, ("num", c)))


def partial(e: Expr, x: str) -> Expr:
    """Partial derivative of ``e`` with respect to the symbol ``x``.

    Example
    -------
    >>> partial(("op", "times", (("sym", "k"), ("sym", "x"))), "x")
    ('sym', 'k')
    """
    kind = e[0]
    if kind == "sym":
        return ONE if e[1] == x else ZERO
    if kind != "op" or x not in symbols(e):
        return ZERO
    op = str(e[1])
    args: tuple[Expr, ...] = e[2]  # type: ignore[assignment]
    if op in _CONSTANT_OPS:
        return ZERO
    if op == "plus":
        return add(*(partial(a, x) for a in args))
    if op == "minus":
        if len(args) == 1:
            return neg(partial(args[0], x))
        return sub(partial(args[0], x), partial(args[1], x))
    if op == "times":
        terms = []
        for i, a in enumerate(args):
            da = partial(a, x)
            if _is_num(da, 0.0):
                continue
            others = args[:i] + args[i + 1 :]
            rest = others[0] if len(others) == 1 else ("op", "times", others)
            terms.append(mul(da, rest) if others else da)
        return add(*terms) if terms else ZERO
    if op == "divide":
        a, b = args
        da, db = partial(a, x), partial(b, x)
        if _is_num(db, 0.0):
            return div(da, b)
        # (a/b)' = (a' - (a/b) b') / b
        return div(sub(da, mul(e, db)), b)
    if op == "power":
        return _power_rule(e, args[0], args[1], x)
    if op == "root":
        return partial(("op", "power", (args[1], div(ONE, args[0]))), x)
    if op == "exp":
        return mul(e, partial(args[0], x))
    if op == "ln":
        return div(partial(args[0], x), args[0])
    if op == "log":
        return partial(("op", "divide", (("op", "ln", (args[1],)), ("op", "ln", (args[0],)))), x)
    if op == "abs":
        da = partial(args[0], x)
        return ("op", "piecewise", (da, ("op", "geq", (args[0], ZERO)), neg(da)))
    if op == "piecewise":
        values = list(args)
        for i in range(0, len(values) - 1, 2):
            values[i] = partial(values[i], x)
        values[-1] = partial(values[-1], x)
        if all(_is_num(values[i], 0.0) for i in (*range(0, len(values) - 1, 2), -1)):
            return ZERO
        return ("op", "piecewise", tuple(values))
    raise ModelFileError(f"Cannot differentiate the MathML operator '{op}'.")
