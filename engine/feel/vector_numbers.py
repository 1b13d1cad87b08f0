"""Numbers over whole columns as FEEL computes them: exact rationals for
``engine.feel.vector_expr``.

Owns :class:`V` (a column of FEEL values of one kind, with its null and *bad* rows: those the
interpreter must compute) and the numbers in it: a float column read as the decimals the
reference reads (``Decimal(repr(x))``, :func:`decimals`), ``+ - *``, whole powers and
division (:func:`arithmetic`, :func:`power`), FEEL's rounding functions (:func:`rounded`), and
the float of each value (:func:`floats_of`).  A number is ``num / den`` with ``den > 0``: an
exact value keeps a power of ten as its denominator (its digits are then the numerator's; one
of more than 34 digits is rounded as FEEL rounds it); a quotient is FEEL's quotient before its
rounding to 34 digits, marked ``approx``, in lowest terms, and :func:`settle` rounds it (before
arithmetic on it, or where a guard cannot tell it from its rounding).  Numerators and
denominators are int64 where a float estimate shows no overflow is possible, else Python's
integers (object arrays): never a binary float.  Why each step gives the interpreter's answer
(or marks the row bad): docs/feel.md, *Where the vectorized path uses binary floats*.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from engine.feel.decimals import FEEL

NUMBER, BOOLEAN, STRING, DATE, DAYS, MONTHS, NULL = "number", "boolean", "string", "date", "days", "months", "null"
LIMIT = 4e18  # a float estimate below this: the int64 result cannot have overflowed (2**63 ≈ 9.2e18)
DIGITS = 9.9e33  # an exact numerator (over a power of ten) this large may have more than FEEL's 34 digits
SAFE = 2**53  # integers below this are exact as floats
GUARD = 1e32  # |n1|·d2 + |n2|·d1 below this: a 34-digit rounding cannot change an order (docs/feel.md)
MAX_PLACES = 9


class NotVectorized(Exception):
    """The expression (or the kind of a column it reads) is outside the vectorized subset."""


@dataclass
class V:
    """A column of FEEL values of one kind.  ``a``: numerators (number), truth (boolean), days
    since 1970 (date, days), months (months), codes into ``b`` (string, -1 null); ``b``:
    denominators (number) or the distinct texts (string); ``null``; ``bad``: rows the
    interpreter must compute; ``approx``: the value is ``a / b`` rounded to 34 digits."""

    kind: str
    a: np.ndarray
    b: Any
    null: np.ndarray
    bad: np.ndarray
    approx: bool = False


def need(v: V, kind: str) -> None:
    """``v`` must be of ``kind``."""
    if v.kind != kind:
        raise NotVectorized(f"{v.kind} where {kind} is needed")


def settle(v: V) -> V:
    """An approximate number column made exact: each quotient rounded to 34 digits as FEEL
    rounds it (Python's decimal in FEEL's context, on the same rational: the same rounding)."""
    if not v.approx:
        return v
    num = np.zeros(len(v.a), dtype=object)
    den = np.ones(len(v.a), dtype=object)
    rows = np.flatnonzero(~v.null & ~v.bad)
    with decimal.localcontext(FEEL):
        for row, n, m in zip(rows.tolist(), v.a[rows].tolist(), v.b[rows].tolist()):
            num[row], den[row] = _parts(Decimal(int(n)) / Decimal(int(m)))
    return number(num, den, v.null, v.bad)


def _parts(value: Decimal) -> tuple[int, int]:
    sign, digits, exponent = value.as_tuple()
    whole = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    assert isinstance(exponent, int)
    return (whole * 10**exponent, 1) if exponent >= 0 else (whole, 10**-exponent)


def rational(value: Decimal) -> tuple[int, int]:
    sign, digits, exponent = value.as_tuple()
    num = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    den = 1
    if isinstance(exponent, int) and exponent >= 0:
        num *= 10**exponent
    elif isinstance(exponent, int):
        den = 10**-exponent
    if abs(num) >= LIMIT or den >= LIMIT:
        raise NotVectorized("a number beyond int64")
    return num, den


def decimals(x: np.ndarray) -> V:
    """A float column as the decimals FEEL reads (``Decimal(repr(x))``): ``m / 10**k``, the
    least k that gives x back with |m| < 10**15, else (16 or 17 digits) its repr's; rows
    with neither within int64 are bad, and so are whole floats of 2**53 and more (an output
    cell reads them by their repr, a computed input by their exact value: the interpreter
    keeps each caller's reading)."""
    null = np.isnan(x)
    num = np.zeros(len(x), dtype=np.int64)
    den = np.ones(len(x), dtype=np.int64)
    done = null.copy()
    left = np.flatnonzero(~null)  # the rows not yet read, fewer at each scale
    with np.errstate(all="ignore"):
        for places in range(MAX_PLACES + 1):
            if not left.size:
                break
            scale, values = 10.0**places, x[left]
            scaled = np.round(values * scale)
            hit = (np.abs(scaled) < 1e15) & (scaled / scale == values)
            rows = left[hit]
            num[rows], den[rows], done[rows] = scaled[hit].astype(np.int64), 10**places, True
            left = left[~hit]
    big = ~done & (np.abs(x) >= SAFE) & (x == np.floor(x))
    done |= big  # a whole float from 2**53: read as its repr here, as its exact integer by computed inputs
    rest = np.flatnonzero(~done)
    if rest.size:  # 16 or 17 digits (a computed input's float): its shortest text, once per value
        distinct, inverse = np.unique(x[rest], return_inverse=True)
        pairs = [shortest(value) for value in distinct.tolist()]
        num[rest] = np.array([p[0] for p in pairs], dtype=np.int64)[inverse]
        den[rest] = np.array([p[1] for p in pairs], dtype=np.int64)[inverse]
        done[rest] = np.array([p[1] > 0 for p in pairs], dtype=bool)[inverse]
        den[~done] = 1
    return V(NUMBER, num, den, null, ~done | big)


def shortest(value: float) -> tuple[int, int]:
    """``Decimal(repr(value))`` as (m, 10**k), both within int64; (0, 0) where not."""
    text = repr(value)
    whole, point, fraction = text.partition(".")
    if not point or not (whole.lstrip("-").isdigit() and fraction.isdigit()):  # 1e+16, 1e-05
        try:
            return rational(Decimal(text))
        except NotVectorized:
            return 0, 0
    fraction = fraction.rstrip("0")
    num, den = int(whole + fraction), 10 ** len(fraction)
    return (num, den) if abs(num) < LIMIT and den < LIMIT else (0, 0)


# ---------------------------------------------------------------------- numbers
def times(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x * y exactly: in int64 where no product can overflow, else as Python ints."""
    if x.dtype == object or y.dtype == object:
        return x.astype(object) * y.astype(object)
    with np.errstate(all="ignore"):
        if (np.abs(x.astype(np.float64) * y.astype(np.float64)) < LIMIT).all():
            return x * y
    return x.astype(object) * y.astype(object)


def plus(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype == object or y.dtype == object:
        return x.astype(object) + y.astype(object)
    with np.errstate(all="ignore"):
        if (np.abs(x.astype(np.float64)) + np.abs(y.astype(np.float64)) < LIMIT).all():
            return x + y
    return x.astype(object) + y.astype(object)


def floats(x: np.ndarray) -> np.ndarray:
    """Float estimates (Python integers beyond a float's range: infinite)."""
    try:
        return x.astype(np.float64)
    except OverflowError:  # an integer beyond 1.8e308
        return np.array([_float(v) for v in x.tolist()], dtype=np.float64)


def _float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def number(num: np.ndarray, den: np.ndarray, null: np.ndarray, bad: np.ndarray, approx: bool = False) -> V:
    """A number column, its null and bad rows made 0 / 1.  An exact value keeps its
    denominator (a power of ten: its digits are the numerator's), and one of more than 34
    digits, which FEEL would round, is bad; an approximate one is put in lowest terms."""
    if not approx:
        near = np.flatnonzero(~(null | bad) & (np.abs(floats(num)) >= DIGITS))  # 35 digits or more: FEEL rounds
        if near.size:
            num, den = num.astype(object), den.astype(object)
            with decimal.localcontext(FEEL):
                for row in near.tolist():
                    exact = Decimal(int(num[row])).scaleb(-(len(str(int(den[row]))) - 1))  # den: a power of ten
                    num[row], den[row] = _parts(+exact)  # unary plus: rounded to the context's 34 digits
    off = null | bad
    num, den = np.where(off, 0, num), np.where(off, 1, den)
    if num.dtype == object and (np.abs(floats(num)) < LIMIT).all() and (floats(den) < LIMIT).all():
        num, den = num.astype(np.int64), den.astype(np.int64)
    if approx:
        common = np.gcd(num, den)
        common[common == 0] = 1
        num, den = num // common, den // common
    return V(NUMBER, num, den, null, bad, approx)


def arithmetic(op: str, left: V, right: V) -> V:
    """``left op right`` for ``+ - * /`` of two number columns (a quotient first rounded as FEEL
    rounds it)."""
    left, right = settle(left), settle(right)
    null, bad = left.null | right.null, left.bad | right.bad
    if op == "*":
        return number(times(left.a, right.a), times(left.b, right.b), null, bad)
    if op == "/":
        null = null | (right.a == 0)  # FEEL: a division by zero is null
        num, den = times(left.a, right.b), times(left.b, right.a)
        sign = np.where(floats(den) < 0, -1, 1)
        return number(num * sign, den * sign, null, bad, approx=True)
    den = np.maximum(left.b, right.b)  # powers of ten: the larger is a multiple of the other
    x, y = times(left.a, den // left.b), times(right.a, den // right.b)
    return number(plus(x, y if op == "+" else -y), den, null, bad)


def power(base: V, k: int) -> V:
    """``base ** k`` for a whole k other than 0: repeated products (a negative k: their inverse)."""
    base = settle(base)
    result = base
    for _ in range(abs(k) - 1):
        result = number(times(result.a, base.a), times(result.b, base.b), base.null, result.bad)
    if k > 0:
        return result
    null = base.null | (result.a == 0)
    sign = np.where(floats(result.a) < 0, -1, 1)
    return number(result.b * sign, result.a * sign, null, result.bad, approx=True)


def rounded(v: V, places: int, mode: str) -> V:
    """FEEL's rounding of ``v`` to ``places`` decimals, in integers: exact for an exact value,
    and for an approximate one (its rounding to 34 digits is on the same side of every
    boundary, or on it exactly when the quotient is: docs/feel.md)."""
    scaled = times(v.a, np.full(len(v.a), 10**places, dtype=np.int64))
    if v.approx and (np.abs(floats(scaled)) >= GUARD / 2).any():  # too near a boundary k / (2·10**p) to tell
        v = settle(v)
        scaled = times(v.a, np.full(len(v.a), 10**places, dtype=np.int64))
    bad = v.bad
    q, r = scaled // v.b, scaled % v.b
    up = np.asarray(r != 0, dtype=bool)
    twice = 2 * r
    tie, above = np.asarray(twice == v.b, dtype=bool), np.asarray(twice > v.b, dtype=bool)
    positive = np.asarray(scaled >= 0, dtype=bool)
    if mode == "floor":
        result = q
    elif mode == "ceiling":
        result = q + up
    elif mode == "down":
        result = q + (up & ~positive)
    elif mode == "up":
        result = q + (up & positive)
    else:
        at_tie = {"half up": positive, "half down": ~positive, "half even": np.asarray(q % 2 == 1, dtype=bool)}[mode]
        result = q + (above | (tie & at_tie))
    return number(result, np.full(len(v.a), 10**places, dtype=np.int64), v.null, bad)


def floats_of(v: V) -> tuple[np.ndarray, np.ndarray, np.ndarray, V]:
    """(float64 values, whole, bad, the column they were read from: ``v`` or ``settle(v)``):
    each float FEEL's decimal correctly rounded (the
    division of two exact integers: numpy's when both are below 2**53, else Python's,
    which rounds correctly too).  Rows of an approximate value whose quotient could lie
    too near the middle of two floats for the 34-digit rounding not to matter are bad."""
    whole = np.asarray(v.a % v.b == 0, dtype=bool) & ~v.null
    if v.approx:  # a midpoint needs a power of two below and 2**53 above; else 1/(den·2**54) away
        two = np.asarray((v.b & (v.b - 1)) == 0, dtype=bool)
        if (~v.null & ~whole & ((floats(v.b) >= 1e17) | (two & (np.abs(floats(v.a)) >= SAFE)))).any():
            v = settle(v)  # too near to tell: FEEL's decimal itself
            whole = np.asarray(v.a % v.b == 0, dtype=bool) & ~v.null
    num, den, bad = v.a, v.b, v.bad
    if num.dtype == object or den.dtype == object or (np.abs(num) >= SAFE).any() or (den >= SAFE).any():
        with np.errstate(all="ignore"):
            values = np.asarray(num.astype(object) / den.astype(object), dtype=np.float64)
    else:
        values = num.astype(np.float64) / den.astype(np.float64)
    values[v.null] = np.nan
    return values, whole, bad, v
