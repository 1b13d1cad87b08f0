"""FEEL numbers on the reference path of FEEL expressions: ``decimal.Decimal`` with 34
significant digits (IEEE 754 DECIMAL128: precision 34, ROUND_HALF_EVEN, exponents in
[-6143..6144]), as DMN 1.5 §10.3.2.3.1 says.

Owns the context (:data:`FEEL`), the conversion of a Python number to a FEEL number
(:func:`feel_number`: an int exactly, a float by its shortest decimal text, so 0.1 is 0.1) and
the normal form of a result (:func:`exact`).  An operation that overflows, divides by zero or
is undefined gives null (None), never an exception.  The decision-table cells (S-FEEL over
columns) use binary floats instead: see docs/feel.md.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

FEEL = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=6144, Emin=-6143,
                       traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])


def feel_number(value: Any) -> Decimal | None:
    """A Python int, float or Decimal as a FEEL number; None for NaN, infinities and non-numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return exact(Decimal(value))
    if isinstance(value, float):
        return exact(Decimal(repr(value))) if value == value and abs(value) != float("inf") else None
    if type(value).__module__ == "numpy":
        return feel_number(value.item())
    return None


def exact(value: Decimal) -> Decimal:
    """``value`` rounded to 34 significant digits (None-safe callers: a finite Decimal in)."""
    return FEEL.plus(value)


def run(operation: Any, *args: Any) -> Decimal | None:
    """``operation(*args)`` in the FEEL context: None where it overflows, divides by zero or
    is undefined (``0/0``, the square root of -1)."""
    try:
        with decimal.localcontext(FEEL):
            result = operation(*args)
    except (decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, ValueError, OverflowError):
        return None
    if isinstance(result, Decimal) and not result.is_finite():
        return None
    return result


def integral(value: Decimal) -> int | None:
    """The int a whole FEEL number is; None for a fraction."""
    return int(value) if value == value.to_integral_value() else None


def text(value: Decimal) -> str:
    """FEEL's ``string(n)``: plain notation, no exponent, no trailing zeros (``1.0`` → ``1``)."""
    normal = value.normalize(FEEL)
    if normal == 0:
        return "0"
    return format(normal, "f")
