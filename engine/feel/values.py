"""FEEL value semantics for one value at a time: kinds, equality, ordering, three-valued logic.

This is the reference meaning of the condition language.  The scalar evaluator uses it
directly; the vectorized evaluator and the set form must agree with it (tests check).

A value's *kind* is one of ``null``, ``boolean``, ``number``, ``string``, ``date``,
``datetime``, ``time``, the two durations (``datetime.timedelta``; ``temporal.YearsMonths``) or
``other``.  The temporal kinds follow ``engine.feel.semantics`` (DMN 1.5 §10.3.2.3): a date
and time or a time with a zone and one without are never equal and do not order (null), two
are equal when they are equal to the second, times with a zone order by their UTC clock.
Python's ``bool`` is a kind of its own (never a number), NaN, ``pandas.NA`` and ``NaT`` are
null.  Following DMN 1.5 and its TCK: ``null = null`` is
true, ``x = null`` is false for any other x, comparing values of different kinds gives
null (so neither ``=`` nor ``!=`` holds), and ordering anything with null gives null.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import operator
from collections.abc import Callable
from typing import Any

from engine.feel.temporal import YearsMonths, time_seconds

NULL, BOOLEAN, NUMBER, STRING, DATE, DATETIME, OTHER = (
    "null", "boolean", "number", "string", "date", "datetime", "other",
)
TIME, DT_DURATION, YM_DURATION = "time", "days and time duration", "years and months duration"
ORDERED_KINDS = frozenset({NUMBER, STRING, DATE, DATETIME, TIME, DT_DURATION, YM_DURATION})
ZONED_KINDS = frozenset({DATETIME, TIME})  # with or without a zone: FEEL's rules below

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def kind_of(value: Any) -> str:
    """The FEEL kind of a Python, numpy or pandas value."""
    if value is None:
        return NULL
    if isinstance(value, str):
        return STRING
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return BOOLEAN
    if isinstance(value, numbers.Real):
        return NULL if _is_nan(value) else NUMBER
    if type(value).__name__ == "datetime64":
        return NULL if _is_nan(value) else DATETIME
    if isinstance(value, dt.datetime):
        return NULL if _is_nan(value) else DATETIME
    if isinstance(value, dt.date):
        return DATE
    if isinstance(value, dt.time):
        return TIME
    if isinstance(value, dt.timedelta):
        return DT_DURATION
    if isinstance(value, YearsMonths):
        return YM_DURATION
    if type(value).__name__ == "timedelta64":
        return NULL if _is_nan(value) else DT_DURATION
    if _is_nan(value):
        return NULL
    return OTHER


def _is_nan(value: Any) -> bool:
    if type(value).__name__ in {"NAType", "NaTType"}:
        return True
    try:
        return bool(value != value)  # NaN
    except (TypeError, ValueError):
        return False


def canonical(value: Any) -> Any:
    """A value in its plain Python form: numpy scalars unwrapped, nulls as None,
    midnight timestamps of numpy and pandas (a column of dates) as dates.  A Python
    ``datetime`` stays a date and time (an input of type ``date and time`` holds midnight
    too); an Excel date cell, which openpyxl reads as one, is made a date where it is read."""
    kind = kind_of(value)
    if kind == NULL:
        return None
    plain = type(value) is dt.datetime
    if type(value).__name__ in ("datetime64", "timedelta64"):
        value = value.astype(f"{value.dtype.kind}8[us]").item()  # nanoseconds would come back as an int
    elif type(value).__name__ == "Timedelta":
        value = value.to_pytimedelta()
    elif hasattr(value, "item") and not isinstance(value, (str, dt.date)):
        value = value.item()
    if kind == DATETIME and not plain and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date() if not hasattr(value, "to_pydatetime") else value.to_pydatetime().date()
    return value


def equal(left: Any, right: Any) -> bool | None:
    """FEEL ``=``: true, false, or None (null) for values of different kinds."""
    left, right = canonical(left), canonical(right)
    lk, rk = kind_of(left), kind_of(right)
    if lk == NULL or rk == NULL:
        return lk == rk
    if lk != rk:
        return None
    if lk in ZONED_KINDS:
        if (left.tzinfo is None) != (right.tzinfo is None):
            return False
        left, right = left.replace(microsecond=0), right.replace(microsecond=0)  # a time's value is in seconds
        if lk == TIME and left.tzinfo is not None:
            return _time_key(left) == _time_key(right)
    return bool(left == right)


def _time_key(value: dt.time) -> dt.timedelta:
    """A time with a zone as the time since midnight UTC (as ``engine.feel.semantics``)."""
    since, offset = time_seconds(value)
    return since - (offset or dt.timedelta(0))


def compare(op: str, left: Any, right: Any) -> bool | None:
    """FEEL ``< <= > >=``: null when either side is null or the kinds differ or do not order."""
    left, right = canonical(left), canonical(right)
    lk, rk = kind_of(left), kind_of(right)
    if lk != rk or lk not in ORDERED_KINDS:
        return None
    if lk in ZONED_KINDS and (left.tzinfo is None) != (right.tzinfo is None):
        return None
    if lk == TIME and left.tzinfo is not None:
        left, right = _time_key(left), _time_key(right)
    try:
        return bool(_ORDER[op](left, right))
    except TypeError:  # e.g. a time-zone-aware against a naive date and time
        return None


def test_operator(op: str, left: Any, right: Any) -> bool | None:
    """Any comparison operator of the language, ``=`` and ``!=`` included."""
    if op == "=":
        return equal(left, right)
    if op == "!=":
        return not_(equal(left, right))
    return compare(op, left, right)


def not_(value: Any) -> bool | None:
    return (not value) if isinstance(value, bool) else None


def and_(left: Any, right: Any) -> bool | None:
    if left is False or right is False:
        return False
    if left is True and right is True:
        return True
    return None


def or_(left: Any, right: Any) -> bool | None:
    if left is True or right is True:
        return True
    if left is False and right is False:
        return False
    return None


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """FEEL ``+ - * / **`` on numbers (and ``+`` on strings); null for anything else,
    for division by zero and for overflow."""
    left, right = canonical(left), canonical(right)
    lk, rk = kind_of(left), kind_of(right)
    if op == "+" and lk == rk == STRING:
        return left + right
    if lk != NUMBER or rk != NUMBER:
        return None
    try:
        result = _ARITHMETIC[op](left, right)
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        return None
    if isinstance(result, complex) or (isinstance(result, float) and not math.isfinite(result)):
        return None
    return result


def _power(left: Any, right: Any) -> Any:
    if left != 0 and abs(right * math.log10(abs(left))) > 1000:
        raise OverflowError  # keep 10 ** 10 ** 10 from eating the machine
    return left ** right


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": _power,
}


def negate(value: Any) -> Any:
    value = canonical(value)
    return -value if kind_of(value) == NUMBER else None
