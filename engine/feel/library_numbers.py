"""FEEL's number functions (DMN 1.5 §10.3.4.5): rounding at a scale (``decimal``, ``floor``,
``ceiling``, ``round up`` ...), ``abs``, ``modulo``, ``sqrt``, ``log``, ``exp``, ``odd``,
``even`` and the conversion ``number(from, grouping separator, decimal separator)``, on
``Decimal`` numbers with 34 digits.  The decision-table forms of the rounding functions
(float in, float out, vectorized) stay in ``engine.feel.builtins``."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.feel import decimals
from engine.feel.library import function, number, whole
from engine.feel.temporal import YearsMonths

MIN_SCALE, MAX_SCALE = -6111, 6176


def _rounding(mode: str) -> Callable[..., Any]:
    def apply(n: Any, scale: Any = Decimal(0)) -> Any:
        value = number(n)
        if value is None or not isinstance(scale, Decimal):
            return None
        places = int(scale)
        if not MIN_SCALE <= places <= MAX_SCALE:
            return None
        if value.as_tuple().exponent >= -places:  # type: ignore[operator]
            return value
        with decimal.localcontext(decimal.Context(prec=20000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)):
            rounded = value.quantize(Decimal(1).scaleb(-places), rounding=mode)
        return decimals.exact(rounded)
    return apply


def _abs(n: Any) -> Any:
    if isinstance(n, Decimal):
        return abs(n)
    if isinstance(n, dt.timedelta):
        return abs(n)
    if isinstance(n, YearsMonths):
        return YearsMonths(abs(n.months))
    return None


def _modulo(dividend: Any, divisor: Any) -> Any:
    a, b = number(dividend), number(divisor)
    if a is None or b is None or b == 0:
        return None
    return decimals.run(lambda: a - b * (a / b).to_integral_value(rounding=decimal.ROUND_FLOOR))


def _sqrt(n: Any) -> Any:
    value = number(n)
    return None if value is None or value < 0 else decimals.run(lambda: value.sqrt())


def _log(n: Any) -> Any:
    value = number(n)
    return None if value is None or value <= 0 else decimals.run(lambda: value.ln())


def _exp(n: Any) -> Any:
    value = number(n)
    return None if value is None else decimals.run(lambda: value.exp())


def _parity(remainder: int) -> Callable[[Any], Any]:
    def apply(n: Any) -> Any:
        value = whole(n)
        return None if value is None else value % 2 == remainder
    return apply


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _number(from_: Any, grouping: Any = None, decimal_separator: Any = None) -> Any:
    if not isinstance(from_, str):
        return None
    if grouping not in (None, " ", ",", ".") or decimal_separator not in (None, ",", "."):
        return None
    if grouping is not None and grouping == decimal_separator:
        return None
    text = from_.replace(grouping, "") if grouping else from_
    if decimal_separator:
        text = text.replace(decimal_separator, ".")
    if not _NUMBER.fullmatch(text):
        return None
    return decimals.run(lambda: decimals.exact(Decimal(text)))


FUNCTIONS = [
    function("decimal", "n, scale", _rounding(decimal.ROUND_HALF_EVEN)),
    function("floor", "n[, scale]", _rounding(decimal.ROUND_FLOOR)),
    function("ceiling", "n[, scale]", _rounding(decimal.ROUND_CEILING)),
    function("round up", "n, scale", _rounding(decimal.ROUND_UP)),
    function("round down", "n, scale", _rounding(decimal.ROUND_DOWN)),
    function("round half up", "n, scale", _rounding(decimal.ROUND_HALF_UP)),
    function("round half down", "n, scale", _rounding(decimal.ROUND_HALF_DOWN)),
    function("abs", "n", _abs),
    function("modulo", "dividend, divisor", _modulo),
    function("sqrt", "number", _sqrt),
    function("log", "number", _log),
    function("exp", "number", _exp),
    function("odd", "number", _parity(1)),
    function("even", "number", _parity(0)),
    function("number", "from[, grouping separator, decimal separator]", _number),
]
