"""Checks of the public API's arguments: the one place that turns a wrong type, ``None``,
NaN or an out-of-range number into a :class:`~k2lab.errors.K2LabError` that names the
argument (``field``) and says what it must be. Each check returns the value, converted
where there is one obvious conversion (a ``str`` path to :class:`~pathlib.Path`).

Entry points call these first, so a caller's mistake never ends in a ``TypeError`` or
``AttributeError`` deep inside k2lab.

Example
-------
>>> text("natto", "name")
'natto'
>>> text(None, "name", example="'natto'")
Traceback (most recent call last):
...
k2lab.errors.K2LabError: name must be text such as 'natto', not None.
>>> number(float("nan"), "limit", low=1)
Traceback (most recent call last):
...
k2lab.errors.K2LabError: limit must be a number, not nan.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from k2lab.errors import K2LabError

__all__ = ["choice", "instance", "items", "mapping", "number", "path", "text", "texts", "whole"]

T = TypeVar("T")
Error = type[K2LabError]


def _shown(value: object) -> str:
    """``value`` as a message shows it: short values as written, others by their type."""
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    return f"a {type(value).__name__}"


def _fail(error: Error, name: str, must: str, value: object) -> K2LabError:
    return error(f"{name} must be {must}, not {_shown(value)}.", field=name)


def text(value: object, name: str, *, error: Error = K2LabError, example: str = "") -> str:
    """``value`` if it is a ``str``; else an ``error`` naming ``name``."""
    if not isinstance(value, str):
        raise _fail(error, name, f"text such as {example}" if example else "text", value)
    return value


def choice(value: object, choices: Iterable[str], name: str, *, error: Error = K2LabError) -> str:
    """``value`` if it is one of ``choices`` (the message lists them)."""
    options = tuple(choices)
    if not isinstance(value, str) or value not in options:
        raise _fail(error, name, f"one of {', '.join(options)}", value)
    return value


def texts(
    value: object, name: str, *, error: Error = K2LabError, example: str = ""
) -> tuple[str, ...]:
    """A ``str`` as a one-item tuple, or an iterable of ``str`` as a tuple."""
    if isinstance(value, str):
        return (value,)
    must = f"a list of texts such as {example}" if example else "a list of texts"
    if not isinstance(value, Iterable) or isinstance(value, bytes | Mapping):
        raise _fail(error, name, must, value)
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise error(f"{name} must be {must}; one item is {_shown(item)}.", field=name)
    return items


def number(
    value: object,
    name: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    error: Error = K2LabError,
    hint: str = "",
) -> float:
    """``value`` as a ``float``, if it is a finite real number in ``[low, high]``; ``hint``
    ends the message (what the number is, an example)."""
    more = f" {hint}" if hint else ""
    finite = isinstance(value, numbers.Real) and math.isfinite(value)
    if isinstance(value, bool) or not finite:
        raise error(f"{name} must be a number, not {_shown(value)}.{more}", field=name)
    x = float(value)  # type: ignore[arg-type]  # a finite numbers.Real
    if not low <= x <= high:
        raise error(f"{name} = {x:g} is outside {low:g}-{high:g}.{more}", field=name)
    return x


def whole(
    value: object,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    error: Error = K2LabError,
) -> int:
    """``value`` as an ``int``, if it is a whole number in ``[low, high]`` (no bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _fail(error, name, "a whole number", value)
    n = int(value)
    if (low is not None and n < low) or (high is not None and n > high):
        span = f"from {low} to {high}" if low is not None and high is not None else ""
        span = span or (f"≥ {low}" if low is not None else f"≤ {high}")
        raise error(f"{name} must be a whole number {span}, not {n}.", field=name)
    return n


def instance(
    value: object, cls: type[T], name: str, *, error: Error = K2LabError, what: str = ""
) -> T:
    """``value`` if it is a ``cls`` (``what`` says what that is, e.g. "a k2lab.Person")."""
    if not isinstance(value, cls):
        raise _fail(error, name, what or f"a {cls.__name__}", value)
    return value


def items(
    value: object, cls: type[T], name: str, *, error: Error = K2LabError, what: str = ""
) -> tuple[T, ...]:
    """``value`` as a tuple, if it is a list or tuple of ``cls`` (``what`` names one)."""
    must = f"a list of {what or cls.__name__}"
    if not isinstance(value, tuple | list):
        raise _fail(error, name, must, value)
    for item in value:
        if not isinstance(item, cls):
            raise error(f"{name} must be {must}; one item is {_shown(item)}.", field=name)
    return tuple(value)


def path(value: object, name: str, *, error: Error = K2LabError) -> Path:
    """``value`` as a :class:`~pathlib.Path`, if it is a ``str`` or path-like."""
    if isinstance(value, str | os.PathLike):
        fs = os.fspath(value)
        if isinstance(fs, str):
            return Path(fs)
    raise _fail(error, name, "a file path (str or pathlib.Path)", value)


def mapping(
    value: object, name: str, *, error: Error = K2LabError, what: str = ""
) -> Mapping[str, Any]:
    """``value`` if it is a mapping (a ``dict`` and the like)."""
    if not isinstance(value, Mapping):
        raise _fail(error, name, what or "a mapping (a dict)", value)
    return value
