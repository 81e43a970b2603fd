"""Symbolic partial derivatives of MathML expression trees (see :mod:`.mathml`).

:func:`partial` differentiates a tree with respect to one symbol, treating every other symbol
as a constant; the code generator applies the chain rule through the assignment rules. The
small constructors below fold constants and drop zero terms, so derivatives of the sparse
rate laws stay short. Comparisons, ``floor`` and ``ceiling`` have derivative zero, and a
``piecewise`` differentiates branch by branch (the conditions are kept).
"""

from __future__ import annotations

from k2lab.engine.mathml import Expr, symbols
from k2lab.errors import ModelFileError

ZERO: Expr = ("num", 0.0)
ONE: Expr = ("num", 1.0)

_CONSTANT_OPS = frozenset(
    {"floor", "ceiling", "gt", "lt", "geq", "leq", "eq", "neq", "and", "or", "not", "xor"}
    | {"quotient"}
)


def _sqrt(e: Expr) -> Expr:
    return ("op", "power", (e, ("num", 0.5)))


def _square(e: Expr) -> Expr:
    return ("op", "power", (e, ("num", 2.0)))


def _outer(op: str, e: Expr, u: Expr) -> Expr | None:
    """d op(u) / du for the functions of one argument, ``e`` being ``op(u)``."""
    if op == "sin":
        return ("op", "cos", (u,))
    if op == "cos":
        return neg(("op", "sin", (u,)))
    if op == "tan":
        return add(ONE, _square(e))
    if op == "sinh":
        return ("op", "cosh", (u,))
    if op == "cosh":
        return ("op", "sinh", (u,))
    if op == "tanh":
        return sub(ONE, _square(e))
    if op in ("arcsin", "arccos"):
        d = div(ONE, _sqrt(sub(ONE, _square(u))))
        return d if op == "arcsin" else neg(d)
    if op == "arctan":
        return div(ONE, add(ONE, _square(u)))
    if op == "arcsinh":
        return div(ONE, _sqrt(add(_square(u), ONE)))
    if op == "arccosh":
        return div(ONE, _sqrt(sub(_square(u), ONE)))
    if op == "arctanh":
        return div(ONE, sub(ONE, _square(u)))
    return None


def _is_num(e: Expr, value: float | None = None) -> bool:
    return e[0] == "num" and (value is None or float(e[1]) == value)  # type: ignore[arg-type]


def _num(e: Expr) -> float:
    return float(e[1])  # type: ignore[arg-type]


def _split(e: Expr) -> tuple[float, tuple[Expr, ...]]:
    """``e`` as a numeric coefficient times a tuple of factors."""
    if _is_num(e):
        return _num(e), ()
    if e[0] == "op" and e[1] == "minus" and len(e[2]) == 1:  # type: ignore[arg-type]
        c, f = _split(e[2][0])  # type: ignore[index]
        return -c, f
    if e[0] == "op" and e[1] == "times":
        c, factors = 1.0, list[Expr]()
        for a in e[2]:  # type: ignore[attr-defined]
            ca, fa = _split(a)
            c *= ca
            factors += fa
        return c, tuple(factors)
    return 1.0, (e,)


def _product(c: float, factors: tuple[Expr, ...]) -> Expr:
    if c == 0.0 or not factors:
        return ("num", c)
    body = factors[0] if len(factors) == 1 else ("op", "times", factors)
    if c == 1.0:
        return body
    if c == -1.0:
        return ("op", "minus", (body,))
    return ("op", "times", (("num", c), *factors))


def mul(a: Expr, b: Expr) -> Expr:
    """``a * b`` as one flat product with one numeric coefficient."""
    ca, fa = _split(a)
    cb, fb = _split(b)
    return _product(ca * cb, fa + fb)


def neg(a: Expr) -> Expr:
    """``-a``."""
    c, f = _split(a)
    return _product(-c, f)


def add(*terms: Expr) -> Expr:
    """Sum of ``terms``: numbers folded, zeros dropped, negative terms subtracted."""
    flat: list[Expr] = []
    for t in terms:
        if t[0] == "op" and t[1] == "plus":
            flat += t[2]  # type: ignore[arg-type]
        else:
            flat.append(t)
    const = 0.0
    plus: list[Expr] = []
    minus: list[Expr] = []
    for t in flat:
        c, f = _split(t)
        if not f:
            const += c
        elif c < 0.0:
            minus.append(_product(-c, f))
        else:
            plus.append(t)
    if const > 0.0 or (const != 0.0 and not plus):
        plus.append(("num", const))
    elif const < 0.0:
        minus.append(("num", -const))
    if not plus and not minus:
        return ZERO

    def total(xs: list[Expr]) -> Expr:
        return xs[0] if len(xs) == 1 else ("op", "plus", tuple(xs))

    if not minus:
        return total(plus)
    if not plus:
        return neg(total(minus)) if len(minus) > 1 else neg(minus[0])
    return ("op", "minus", (total(plus), total(minus)))


def sub(a: Expr, b: Expr) -> Expr:
    """``a - b``."""
    return add(a, neg(b))


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
    if len(args) == 1 and (outer := _outer(op, e, args[0])) is not None:
        return mul(outer, partial(args[0], x))
    if op in ("max", "min"):
        # The derivative of the argument that is the extreme (the first of equal ones).
        rel = "geq" if op == "max" else "leq"
        pieces: list[Expr] = []
        for i, a in enumerate(args[:-1]):
            others = args[:i] + args[i + 1 :]
            wins = ("op", "and", tuple(("op", rel, (a, b)) for b in others))
            pieces += [partial(a, x), wins]
        return ("op", "piecewise", (*pieces, partial(args[-1], x)))
    if op == "rem":
        # rem(a, b) = a - b trunc(a / b); the truncation is locally constant.
        q = ("op", "quotient", args)
        return sub(partial(args[0], x), mul(q, partial(args[1], x)))
    if op == "piecewise":
        values = list(args)
        for i in range(0, len(values) - 1, 2):
            values[i] = partial(values[i], x)
        values[-1] = partial(values[-1], x)
        if all(_is_num(values[i], 0.0) for i in (*range(0, len(values) - 1, 2), -1)):
            return ZERO
        return ("op", "piecewise", tuple(values))
    raise ModelFileError(f"Cannot differentiate the MathML operator '{op}'.")
