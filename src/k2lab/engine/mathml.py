"""Content MathML (the subset SBML uses) to a small expression tree and to Python code.

The tree is made of frozen tuples so it can be hashed, compared and pickled:

* ``("num", value)`` a number,
* ``("sym", name)`` a parameter, species, compartment or rule variable,
* ``("time",)`` the SBML time symbol,
* ``("op", name, args)`` an operator applied to a tuple of sub-trees.

Code generation turns a tree into a numpy expression over arrays with one entry per person;
piecewise becomes ``np.where`` so every person takes their own branch.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import TypeAlias

import numpy as np

from k2lab.engine.mathml_rewrite import Function, expand_call, rewrite, substitute
from k2lab.errors import ModelFileError

__all__ = ["Function", "substitute"]

MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
TIME_URL = "http://www.sbml.org/sbml/symbols/time"
AVOGADRO_URL = "http://www.sbml.org/sbml/symbols/avogadro"
#: rateOf(x), the rate of change of x; :mod:`.sbml_rates` replaces it by that rate.
RATE_OF_URL = "http://www.sbml.org/sbml/symbols/rateOf"
#: The value SBML Level 3 gives the avogadro csymbol.
AVOGADRO = 6.02214179e23


Expr: TypeAlias = tuple[object, ...]

#: Operators the translator knows, with the number of arguments each accepts (None: any).
_OPERATORS: dict[str, tuple[int, int | None]] = {
    "plus": (0, None),
    "times": (0, None),
    "minus": (1, 2),
    "divide": (2, 2),
    "power": (2, 2),
    "exp": (1, 1),
    "ln": (1, 1),
    "log": (1, 2),
    "root": (1, 2),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "gt": (1, None),
    "lt": (1, None),
    "geq": (1, None),
    "leq": (1, None),
    "eq": (1, None),
    "neq": (2, 2),
    "and": (0, None),
    "or": (0, None),
    "not": (1, 1),
    "xor": (0, None),
    "implies": (2, 2),
    "factorial": (1, 1),
    "max": (1, None),
    "min": (1, None),
    "rem": (2, 2),
    "quotient": (2, 2),
    **dict.fromkeys(("sin", "cos", "tan", "sinh", "cosh", "tanh"), (1, 1)),
    **dict.fromkeys(("arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh"), (1, 1)),
    **dict.fromkeys(("sec", "csc", "cot", "sech", "csch", "coth"), (1, 1)),
    **dict.fromkeys(("arcsec", "arccsc", "arccot", "arcsech", "arccsch", "arccoth"), (1, 1)),
}


def _local(tag: str) -> str:
    return tag[len(MATHML_NS) :] if tag.startswith(MATHML_NS) else tag


def parse_math(math: ET.Element, functions: Mapping[str, Function] | None = None) -> Expr:
    """Parse a ``<math>`` element into an expression tree.

    Calls of the SBML function definitions in ``functions`` are expanded in place (their
    arguments substituted into the body), so the tree never holds a call.

    Raises
    ------
    ModelFileError
        If the MathML uses an element the translator does not support.
    """
    children = [c for c in math if isinstance(c.tag, str)]
    if len(children) != 1:
        raise ModelFileError("A <math> element must hold exactly one expression.")
    return _parse(children[0], functions or {})


def parse_lambda(math: ET.Element, functions: Mapping[str, Function]) -> Function:
    """Parse a function definition's ``<math><lambda>``: argument names and body."""
    children = [c for c in math if isinstance(c.tag, str)]
    if len(children) != 1 or _local(children[0].tag) != "lambda":
        raise ModelFileError("A function definition must hold one MathML <lambda>.")
    parts = [c for c in children[0] if isinstance(c.tag, str)]
    names: list[str] = []
    for b in parts[:-1]:
        inner = [c for c in b if isinstance(c.tag, str)]
        if _local(b.tag) != "bvar" or len(inner) != 1 or _local(inner[0].tag) != "ci":
            raise ModelFileError("Malformed MathML <lambda> (an argument is not a <bvar>).")
        names.append((inner[0].text or "").strip())
    if not parts or _local(parts[-1].tag) == "bvar":
        raise ModelFileError("A MathML <lambda> has no body.")
    return tuple(names), _parse(parts[-1], functions)


def replace_time(expr: Expr, clock: Expr) -> Expr:
    """``expr`` with the time symbol replaced by ``clock``."""
    if expr[0] == "time":
        return clock
    if expr[0] == "op":
        args: tuple[Expr, ...] = expr[2]  # type: ignore[assignment]
        return ("op", expr[1], tuple(replace_time(a, clock) for a in args))
    return expr


def _parse_cn(el: ET.Element) -> Expr:
    kind = el.get("type", "real")
    parts = [p.strip() for p in "".join(el.itertext()).split() if p.strip()]
    if kind in ("real", "integer") and len(parts) == 1:
        return ("num", float(parts[0]))
    if kind in ("e-notation", "rational"):
        # <cn type="e-notation"> a <sep/> b </cn>: the text before and after <sep/>.
        first = (el.text or "").strip()
        sep = next(iter(el), None)
        second = (sep.tail or "").strip() if sep is not None else ""
        if first and second:
            a, b = float(first), float(second)
            return ("num", a * 10.0**b if kind == "e-notation" else a / b)
    raise ModelFileError(f"Cannot read the MathML number {ET.tostring(el, encoding='unicode')!r}.")


def _parse(el: ET.Element, fns: Mapping[str, Function]) -> Expr:
    tag = _local(el.tag)
    if tag == "cn":
        return _parse_cn(el)
    if tag == "ci":
        return ("sym", (el.text or "").strip())
    if tag == "csymbol":
        if el.get("definitionURL") == TIME_URL:
            return ("time",)
        if el.get("definitionURL") == AVOGADRO_URL:
            return ("num", AVOGADRO)
        raise ModelFileError(f"Unsupported MathML csymbol {el.get('definitionURL')!r}.")
    if tag in ("true", "false"):
        return ("num", 1.0 if tag == "true" else 0.0)
    if tag == "exponentiale":
        return ("num", math.e)
    if tag == "pi":
        return ("num", math.pi)
    if tag == "infinity":
        return ("num", math.inf)
    if tag == "notanumber":
        return ("num", math.nan)
    if tag == "piecewise":
        args: list[Expr] = []
        otherwise: Expr | None = None
        for child in el:
            ctag = _local(child.tag)
            parts = [c for c in child if isinstance(c.tag, str)]
            if ctag == "piece" and len(parts) == 2:
                args += [_parse(parts[0], fns), _parse(parts[1], fns)]
            elif ctag == "otherwise" and len(parts) == 1:
                otherwise = _parse(parts[0], fns)
            else:
                raise ModelFileError("Malformed MathML <piecewise>.")
        return (
            "op",
            "piecewise",
            (*args, otherwise if otherwise is not None else ("num", math.nan)),
        )
    if tag == "apply":
        items = [c for c in el if isinstance(c.tag, str)]
        if not items:
            raise ModelFileError("Empty MathML <apply>.")
        op = _local(items[0].tag)
        rest = [c for c in items[1:] if _local(c.tag) not in ("degree", "logbase")]
        qualifiers = {_local(c.tag): c for c in items[1:] if _local(c.tag) in ("degree", "logbase")}
        if op == "ci":
            name = (items[0].text or "").strip()
            return expand_call(name, tuple(_parse(c, fns) for c in rest), fns)
        if op == "csymbol":
            url = items[0].get("definitionURL", "")
            if url == RATE_OF_URL and len(rest) == 1 and _local(rest[0].tag) == "ci":
                return ("op", "rateOf", (_parse(rest[0], fns),))
            raise ModelFileError(
                f"The MathML csymbol '{url.rsplit('/', 1)[-1]}' (a function of the model's "
                "history or rates) is not supported."
            )
        if op not in _OPERATORS:
            raise ModelFileError(f"Unsupported MathML operator <{op}/>.")
        lo, hi = _OPERATORS[op]
        if len(rest) < lo or (hi is not None and len(rest) > hi):
            raise ModelFileError(f"MathML <{op}/> with {len(rest)} arguments.")
        parsed = tuple(_parse(c, fns) for c in rest)
        if op in ("root", "log") and qualifiers:
            q = next(iter(qualifiers.values()))
            inner = [c for c in q if isinstance(c.tag, str)]
            parsed = (_parse(inner[0], fns), *parsed)
        elif op == "root":
            parsed = (("num", 2.0), *parsed)
        elif op == "log":
            parsed = (("num", 10.0), *parsed)
        return rewrite(op, parsed)
    raise ModelFileError(f"Unsupported MathML element <{tag}>.")


def symbols(expr: Expr) -> set[str]:
    """Names an expression refers to (``"time"`` is not a name)."""
    kind = expr[0]
    if kind == "sym":
        return {str(expr[1])}
    if kind == "op":
        out: set[str] = set()
        for arg in expr[2]:  # type: ignore[attr-defined]
            out |= symbols(arg)
        return out
    return set()


def uses_time(expr: Expr) -> bool:
    """Whether the expression refers to the time symbol."""
    if expr[0] == "time":
        return True
    if expr[0] == "op":
        return any(uses_time(a) for a in expr[2])  # type: ignore[attr-defined]
    return False


_NUMPY = {
    **{f: f for f in ("sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos")},
    **{f: f for f in ("arctan", "arcsinh", "arccosh", "arctanh")},
}


def factorial(x: object) -> object:
    """``x!`` as the gamma function of ``x + 1`` (element-wise)."""
    from scipy.special import gamma

    return gamma(np.asarray(x, dtype=float) + 1.0)


#: What generated code may call besides its arguments.
NAMESPACE: dict[str, object] = {"np": np, "_factorial": factorial}

_BINARY = {"gt": ">", "lt": "<", "geq": ">=", "leq": "<=", "eq": "==", "neq": "!="}


def number(value: float) -> str:
    """Python source for a float, NaN and infinities included (``repr`` gives ``nan``).

    Example
    -------
    >>> number(2.5), number(float("-inf"))
    ('2.5', "float('-inf')")
    """
    return repr(value) if np.isfinite(value) else f"float({str(value)!r})"


def _nested(func: str, args: list[str]) -> str:
    """``func(func(a, b), c) ...`` for a binary numpy function over any number of args."""
    out = args[0]
    for x in args[1:]:
        out = f"{func}({out}, {x})"
    return out


def to_python(expr: Expr, name: dict[str, str]) -> str:
    """Python source for ``expr`` over numpy arrays; ``name`` maps SBML ids to variables.

    Example
    -------
    >>> to_python(("op", "times", (("sym", "k"), ("num", 2.0))), {"k": "v_k"})
    '(v_k * 2.0)'
    """
    kind = expr[0]
    if kind == "num":
        return number(float(expr[1]))  # type: ignore[arg-type]
    if kind == "sym":
        return name[str(expr[1])]
    if kind == "time":
        return "t"
    op = str(expr[1])
    a = [to_python(x, name) for x in expr[2]]  # type: ignore[attr-defined]
    if op == "plus":
        return "(" + " + ".join(a) + ")" if a else "0.0"
    if op == "times":
        return "(" + " * ".join(a) + ")" if a else "1.0"
    if op == "minus":
        return f"(-{a[0]})" if len(a) == 1 else f"({a[0]} - {a[1]})"
    if op == "divide":
        return f"({a[0]} / {a[1]})"
    if op == "power":
        return f"({a[0]} ** {a[1]})"
    if op == "exp":
        return f"np.exp({a[0]})"
    if op == "ln":
        return f"np.log({a[0]})"
    if op == "log":
        return f"(np.log({a[1]}) / np.log({a[0]}))"
    if op == "root":
        return f"({a[1]} ** (1.0 / {a[0]}))"
    if op == "abs":
        return f"np.abs({a[0]})"
    if op == "floor":
        return f"np.floor({a[0]})"
    if op == "ceiling":
        return f"np.ceil({a[0]})"
    if op in _BINARY:
        return f"({a[0]} {_BINARY[op]} {a[1]})"
    if op in ("and", "or", "xor"):
        if not a:
            return "True" if op == "and" else "False"
        return _nested(f"np.logical_{op}", [f"np.asarray({a[0]}, dtype=bool)", *a[1:]])
    if op == "not":
        return f"np.logical_not({a[0]})"
    if op in _NUMPY:
        return f"np.{_NUMPY[op]}({a[0]})"
    if op in ("max", "min"):
        return _nested(f"np.{op}imum", a)
    if op == "rem":
        return f"np.fmod({a[0]}, {a[1]})"
    if op == "quotient":
        return f"np.trunc({a[0]} / {a[1]})"
    if op == "factorial":
        return f"_factorial({a[0]})"
    if op == "piecewise":
        # piecewise(v1, c1, v2, c2, ..., otherwise): nest np.where from the last piece inward.
        out = a[-1]
        for i in range(len(a) - 3, -1, -2):
            out = f"np.where({a[i + 1]}, {a[i]}, {out})"
        return out
    raise ModelFileError(f"No Python translation for MathML operator '{op}'.")


def evaluate(expr: Expr, values: Mapping[str, float] | None = None) -> float:
    """The number ``expr`` stands for, with ``values`` for its symbols (time 0).

    Raises
    ------
    ModelFileError
        If the expression uses a symbol that ``values`` lacks.

    Example
    -------
    >>> evaluate(("op", "times", (("sym", "dose"), ("num", 2.0))), {"dose": 20.0})
    40.0
    """
    given = dict(values or {})
    missing = symbols(expr) - given.keys()
    if missing:
        raise ModelFileError(
            f"Cannot evaluate the expression: no value for {', '.join(sorted(missing))}."
        )
    names = {k: f"v{i}" for i, k in enumerate(sorted(given))}
    env: dict[str, object] = {**NAMESPACE, "t": np.float64(0.0)}
    env.update({names[k]: np.float64(v) for k, v in given.items()})
    with np.errstate(all="ignore"):  # 1/0 is inf and 0/0 NaN, as in the simulation
        return float(eval(to_python(expr, names), env))
