"""The meaning of FEEL values in expressions (DMN 1.5 §10.3.2): kinds, equality, ordering,
arithmetic, ranges, functions as values.

Owns the reference semantics of the expression language, one value at a time, on the
values ``engine.feel.interpret`` computes with: None (null), bool, ``Decimal`` numbers
(``engine.feel.decimals``), str, the temporal values of ``engine.feel.temporal``, lists
(Python lists), contexts (dicts), :class:`Range` and :class:`Function`.  Every operation on
values it does not apply to gives null, never an exception.  Decision-table cells keep their
own reference (``engine.feel.values``), which agrees with this one on what cells can hold.
"""

from __future__ import annotations

import datetime as dt
import operator
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.feel import decimals, temporal, years
from engine.feel.temporal import YearsMonths
from engine.feel.values import and_ as and_  # FEEL's three-valued logic: one definition, the cells'
from engine.feel.values import not_ as not_
from engine.feel.values import or_ as or_
from engine.feel.years import FAR, FarDate, FarDateTime

NULL, BOOLEAN, NUMBER, STRING = "Null", "boolean", "number", "string"
DATE, DATETIME, TIME = "date", "date and time", "time"
DT_DURATION, YM_DURATION = "days and time duration", "years and months duration"
LIST, CONTEXT, RANGE, FUNCTION = "list", "context", "range", "function"
ORDERED = frozenset({NUMBER, STRING, DATE, DATETIME, TIME, DT_DURATION, YM_DURATION})


@dataclass(frozen=True)
class Range:
    """``[1..10)``, ``< 5`` (no low end), ``> x``: ends None where the range is open-ended."""

    low: Any
    high: Any
    low_closed: bool
    high_closed: bool
    equality: bool = False  # (=10): a range of one value, written as a test (not equal to [10..10])


class Function:
    """A function value: ``call(args, names)`` with positional arguments, or named ones when
    ``names`` is given.  ``parameters``: the parameter names (None: any number)."""

    parameters: Sequence[str] | None = None

    def call(self, args: Sequence[Any], names: Sequence[str] = ()) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


MAX_CALLS = 60  # calls within calls: each takes a dozen Python frames, and Python allows 1000


class FeelError(Exception):
    """An evaluation stopped: a limit reached (the message says which)."""


class _Depth(threading.local):
    calls = 0


_DEPTH = _Depth()


def call(function: Function, args: Sequence[Any], names: Sequence[str] = ()) -> Any:
    """Apply a FEEL function value, counting how deep calls are nested (at most MAX_CALLS)."""
    if _DEPTH.calls >= MAX_CALLS:
        raise FeelError(f"functions call one another more than {MAX_CALLS} deep")
    _DEPTH.calls += 1
    try:
        return function.call(args, names)
    finally:
        _DEPTH.calls -= 1


class Native(Function):
    """A Python callable as a FEEL function (what ``sort`` gets as ``precedes`` from a built-in)."""

    def __init__(self, implementation: Callable[..., Any], parameters: Sequence[str] | None = None) -> None:
        self.implementation, self.parameters = implementation, parameters

    def call(self, args: Sequence[Any], names: Sequence[str] = ()) -> Any:
        return self.implementation(*args)


def kind(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, Decimal):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, dt.datetime):
        return DATETIME
    if isinstance(value, dt.date):
        return DATE
    if isinstance(value, dt.time):
        return TIME
    if isinstance(value, dt.timedelta):
        return DT_DURATION
    if isinstance(value, YearsMonths):
        return YM_DURATION
    if isinstance(value, list):
        return LIST
    if isinstance(value, dict):
        return CONTEXT
    if isinstance(value, Range):
        return RANGE
    if isinstance(value, Function):
        return FUNCTION
    if isinstance(value, FarDateTime):
        return DATETIME
    if isinstance(value, FarDate):
        return DATE
    return "other"


def feel_value(value: Any) -> Any:
    """A Python, numpy or pandas value as the FEEL value it stands for: numbers as Decimal,
    NaN and missing values as null, tuples as lists, mappings as contexts."""
    if value is None or isinstance(value, (bool, str, Decimal, Range, Function, YearsMonths, dt.timedelta)):
        return value
    if isinstance(value, (int, float)):
        return decimals.feel_number(value)
    if isinstance(value, (dt.date, dt.time)):
        return value
    if isinstance(value, Mapping):
        return {str(k): feel_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [feel_value(v) for v in value]
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return None
    if name == "bool_":
        return bool(value)
    if hasattr(value, "item"):
        return feel_value(value.item())
    return value


# ---------------------------------------------------------------------- logic
# ---------------------------------------------------------------------- equality and order
def equal(left: Any, right: Any) -> bool | None:
    """FEEL ``=``: null = null; null against anything else false; values of different kinds null."""
    lk, rk = kind(left), kind(right)
    if lk == NULL or rk == NULL:
        return lk == rk
    if lk != rk:
        return None
    if lk == LIST:
        if len(left) != len(right):
            return False
        return _all(equal(a, b) for a, b in zip(left, right))
    if lk == CONTEXT:
        if left.keys() != right.keys():
            return False
        return _all(equal(left[k], right[k]) for k in left)
    if lk == RANGE:
        return _all([equal(left.low, right.low), equal(left.high, right.high), left.equality == right.equality,
                     left.low_closed == right.low_closed, left.high_closed == right.high_closed])
    if lk in (DATE, DATETIME) and (type(left) in FAR or type(right) in FAR):
        return years.equal(left, right)
    if lk in (DATETIME, TIME) and (left.tzinfo is None) != (right.tzinfo is None):
        return False
    if lk in (DATETIME, TIME):  # equal to the second: the value of a time is in seconds (DMN 1.5 §10.3.2.3.4)
        left, right = left.replace(microsecond=0), right.replace(microsecond=0)
    if lk == TIME and left.tzinfo is not None:
        return _time_key(left) == _time_key(right)
    if lk == FUNCTION:
        return left is right
    return bool(left == right)


def _all(results: Any) -> bool | None:
    seen_null = False
    for result in results:
        if result is False:
            return False
        if result is not True:
            seen_null = True
    return None if seen_null else True


def _time_key(value: dt.time) -> Any:
    since, offset = temporal.time_seconds(value)
    return since - (offset or dt.timedelta(0))


_ORDER: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt,
                                                 ">=": operator.ge}


def compare(op: str, left: Any, right: Any) -> bool | None:
    """FEEL ``< <= > >=``: null unless both are of one ordered kind."""
    lk, rk = kind(left), kind(right)
    if lk != rk or lk not in ORDERED:
        return None
    if lk in (DATETIME, TIME) and (left.tzinfo is None) != (right.tzinfo is None):
        return None
    if lk == TIME and left.tzinfo is not None:
        left, right = _time_key(left), _time_key(right)
    elif lk in (DATE, DATETIME) and (type(left) in FAR or type(right) in FAR):
        found = years.keys(left, right)
        if found is None:
            return None
        left, right = found
    try:
        return bool(_ORDER[op](left, right))
    except TypeError:
        return None


def test(op: str, left: Any, right: Any) -> bool | None:
    if op == "=":
        return equal(left, right)
    if op == "!=":
        return not_(equal(left, right))
    return compare(op, left, right)


def in_range(value: Any, low: Any, high: Any, low_closed: bool, high_closed: bool) -> bool | None:
    lower = True if low is None else compare(">=" if low_closed else ">", value, low)
    upper = True if high is None else compare("<=" if high_closed else "<", value, high)
    return and_(lower, upper)


def contains(container: Any, value: Any) -> bool | None:
    """``value in container``: a list holds it (or one of its ranges does), a range includes
    it, else ``value = container``."""
    if isinstance(container, Range):
        return in_range(value, container.low, container.high, container.low_closed, container.high_closed)
    if isinstance(container, list):
        return any((contains(item, value) if isinstance(item, Range) else equal(item, value)) is True
                   for item in container)
    return equal(value, container)


# ---------------------------------------------------------------------- arithmetic
def negate(value: Any) -> Any:
    if isinstance(value, Decimal):
        return -value
    if isinstance(value, dt.timedelta):
        return -value
    if isinstance(value, YearsMonths):
        return YearsMonths(-value.months)
    return None


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """FEEL ``+ - * / **`` (DMN 1.5 table 57): numbers, strings (+), dates, times and durations."""
    lk, rk = kind(left), kind(right)
    if lk == NULL or rk == NULL:
        return None
    if lk == rk == NUMBER:
        return _number(op, left, right)
    if op == "+" and lk == rk == STRING:
        return left + right
    dates = lk in (DATE, DATETIME) or rk in (DATE, DATETIME)
    try:
        if dates and (type(left) in FAR or type(right) in FAR):
            return _wide(op, lk, rk, left, right)
        return _temporal(op, lk, rk, left, right)
    except OverflowError:  # beyond Python's years 1..9999: the same operation, exact in any year
        return _wide(op, lk, rk, left, right) if dates else None
    except (ValueError, ArithmeticError):
        return None


def _wide(op: str, lk: str, rk: str, left: Any, right: Any) -> Any:
    """Arithmetic with a date or a date and time, in any year (``engine.feel.years``)."""
    if op == "+" and lk in (YM_DURATION, DT_DURATION):
        left, right, lk, rk = right, left, rk, lk
    if lk not in (DATE, DATETIME) or op not in "+-":
        return None
    try:
        if op == "-" and rk in (DATE, DATETIME):
            return years.difference(left, right)
    except OverflowError:
        raise temporal.Unsupported("durations longer than 999999999 days") from None
    if rk == YM_DURATION:
        return years.add_months(left, right.months if op == "+" else -right.months)
    if rk == DT_DURATION:
        return years.plus(left, right if op == "+" else -right)
    return None


def _number(op: str, left: Decimal, right: Decimal) -> Decimal | None:
    if op == "**":
        if abs(right) > 999_999_999 or (left == 0 and right < 0):
            return None
        whole = decimals.integral(right)
        if whole is not None:
            return decimals.run(lambda: left ** whole)
        return decimals.run(lambda: left ** right)
    if op == "/" and right == 0:
        return None
    return decimals.run(_OPERATIONS[op], left, right)


_OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul,
                                                     "/": operator.truediv}


def _temporal(op: str, lk: str, rk: str, left: Any, right: Any) -> Any:
    if op == "-" and lk in (DATE, DATETIME) and rk in (DATE, DATETIME):
        if lk == rk == DATE:
            return left - right
        left, right = _instant(left), _instant(right)  # a date is its midnight, UTC
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        return left - right
    if op == "-" and lk == rk == TIME:
        (a, a_offset), (b, b_offset) = temporal.time_seconds(left), temporal.time_seconds(right)
        if (a_offset is None) != (b_offset is None):
            return None
        return (a - (a_offset or dt.timedelta(0))) - (b - (b_offset or dt.timedelta(0)))
    if op in "+-" and lk == rk == YM_DURATION:
        return YearsMonths(left.months + right.months if op == "+" else left.months - right.months)
    if op in "+-" and lk == rk == DT_DURATION:
        return left + right if op == "+" else left - right
    if op == "+" and lk in (YM_DURATION, DT_DURATION) and rk in (DATE, DATETIME, TIME):
        return _temporal("+", rk, lk, right, left)
    if op in "+-" and lk in (DATE, DATETIME) and rk == YM_DURATION:
        return temporal.add_months(left, right.months if op == "+" else -right.months)
    if op in "+-" and lk in (DATE, DATETIME) and rk == DT_DURATION:
        start = left if lk == DATETIME else dt.datetime(left.year, left.month, left.day)
        moved = start + (right if op == "+" else -right)
        return moved if lk == DATETIME else moved.date()
    if op in "+-" and lk == TIME and rk == DT_DURATION:
        return temporal.time_plus(left, right if op == "+" else -right)
    if op == "*" and {lk, rk} in ({NUMBER, DT_DURATION}, {NUMBER, YM_DURATION}):
        number, duration = (left, right) if lk == NUMBER else (right, left)
        return _scale(duration, number)
    if op == "/" and lk in (DT_DURATION, YM_DURATION) and rk == NUMBER:
        return None if right == 0 else _scale(left, 1 / right)
    if op == "/" and lk == rk == DT_DURATION:
        return None if not right else decimals.run(lambda: _micros(left) / _micros(right))
    if op == "/" and lk == rk == YM_DURATION:
        return None if not right.months else decimals.run(lambda: Decimal(left.months) / Decimal(right.months))
    return None


def _instant(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def _micros(value: dt.timedelta) -> Decimal:
    return Decimal((value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds)


def _scale(duration: Any, factor: Decimal) -> Any:
    if isinstance(duration, YearsMonths):
        return YearsMonths(int(Decimal(duration.months) * factor))
    micros = decimals.run(lambda: _micros(duration) * factor)
    return None if micros is None else dt.timedelta(microseconds=int(micros))


# ---------------------------------------------------------------------- as text
def to_text(value: Any) -> str | None:
    """FEEL's ``string(value)``."""
    k = kind(value)
    if k == NULL:
        return None
    if k == STRING:
        return value
    if k == BOOLEAN:
        return "true" if value else "false"
    if k == NUMBER:
        return decimals.text(value)
    if k in (DATE, DATETIME, TIME, DT_DURATION, YM_DURATION):
        return temporal.to_text(value)
    if k == LIST:
        return "[" + ", ".join(_inner_text(v) for v in value) + "]"
    if k == CONTEXT:
        return "{" + ", ".join(f"{key}: {_inner_text(v)}" for key, v in value.items()) + "}"
    if k == RANGE:
        low = "" if value.low is None else _inner_text(value.low)
        high = "" if value.high is None else _inner_text(value.high)
        return f"{'[' if value.low_closed else '('}{low}..{high}{']' if value.high_closed else ')'}"
    return None


def _inner_text(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return to_text(value) or "null"
