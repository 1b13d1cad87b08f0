"""FEEL expressions over whole columns, exactly: the vectorized form of computed inputs and
FEEL output cells for a subset of the language, each row's answer equal to the reference
interpreter's (``engine.feel.interpret``) or marked for it.

Owns :func:`evaluate` (an expression's AST × typed input columns → :class:`Result`: the kind
of value, per row its value, null and whether the row must be computed by the interpreter)
and :func:`supported` (whether an AST is in the subset, for columns of given kinds).  The
subset: names of number, date, boolean and text columns; number, text, boolean and date
literals; ``+ - * /``, ``**`` with a whole literal exponent, unary minus; comparisons;
``and``/``or``/``not`` (three-valued); ``if then else``; the rounding functions (``decimal``,
``floor``, ``ceiling``, ``round up``, ``round down``, ``round half up``, ``round half
down``) with a literal scale 0 to 9; ``abs``; the text functions of one
text column with literal arguments (``string length``, ``upper case``, ``lower case``,
``substring``, ``contains``, ``starts with``, ``ends with``: evaluated by the reference per
distinct text); ``.year .month .day .weekday`` of a date; ``(date - date).days``;
``years and months duration(date, date).years / .months``.  Anything else raises
:class:`NotVectorized`, and the caller evaluates the expression per distinct combination of
the values it reads, as before.

**Numbers are exact rationals** ``num / den`` in int64 (``den > 0``), never binary floats: a
column's float ``x`` stands for the decimal ``Decimal(repr(x))``; it is read as ``m / 10**k``
with the least ``k`` in 0..9 for which ``|m| < 10**15`` and ``m / 10**k`` is ``x`` again (a
decimal of at most 15 significant digits is the only one of them that rounds to its float, so
it is ``repr(x)``).  ``+ - *`` and whole powers are exact in int64, and FEEL's 34 digits do not
round a result of 19; a product or sum that could leave int64 marks its row (the interpreter
computes it).  A division is FEEL's quotient rounded to 34 digits: the value is kept as the
exact quotient ``R`` with ``approx`` set, and only what cannot tell ``R`` from its rounding is
allowed after it (a comparison, a rounding function, the final value); arithmetic on it is not
vectorized.  Why these agree is in docs/feel.md (*Where the vectorized path uses binary
floats*): the only float operation is the final ``num / den`` with both below 2**53, which is
the correctly rounded float of FEEL's decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from engine.feel import builtins, semantics
from engine.feel.nodes import Arithmetic, Call, Compare, If, Literal, Logical, Name, Negative, Not, Path

NUMBER, BOOLEAN, STRING, DATE, DAYS, MONTHS, NULL = "number", "boolean", "string", "date", "days", "months", "null"
VALUE_KINDS = (NUMBER, BOOLEAN, STRING, DATE)  # what a result may be (durations are not values of inputs)
LIMIT = 4e18  # a float estimate below this: the int64 result cannot have overflowed (2**63 ≈ 9.2e18)
DIGITS = 9.9e33  # an exact numerator (of a power of ten) this large may have more than FEEL's 34 digits
SAFE = 2**53  # integers below this are exact as floats
GUARD = 1e32  # |n1|·d2 + |n2|·d1 below this: a 34-digit rounding cannot change an order (docs/feel.md)
MAX_PLACES = 9
_ROUNDING = {"decimal": "half even", "round half up": "half up",
             "round half down": "half down", "round up": "up", "round down": "down", "floor": "floor",
             "ceiling": "ceiling"}
_TEXT = {"string length", "upper case", "lower case", "substring", "contains", "starts with", "ends with"}
_EPOCH = np.datetime64("1970-01-01", "D")


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


@dataclass(frozen=True)
class Result:
    """An expression over n rows: its kind and per row its value; ``bad`` rows are the
    interpreter's (their value here means nothing)."""

    kind: str
    value: V = field(repr=False)

    @property
    def bad(self) -> np.ndarray:
        """The rows the interpreter must compute (a number's final guard included)."""
        return self.numbers()[2] if self.kind == NUMBER else self.value.bad

    @property
    def null(self) -> np.ndarray:
        return self.value.null

    def numbers(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(float64 values, whole, bad): each float FEEL's decimal correctly rounded (the
        division of two exact integers: numpy's when both are below 2**53, else Python's,
        which rounds correctly too).  Rows of an approximate value whose quotient could lie
        too near the middle of two floats for the 34-digit rounding not to matter are bad."""
        v = self.value
        num, den = v.a, v.b
        whole = np.asarray(num % den == 0, dtype=bool) & ~v.null
        bad = v.bad
        if v.approx:  # a midpoint needs a power of two below and 2**53 above; else 1/(den·2**54) away
            two = np.asarray((den & (den - 1)) == 0, dtype=bool)
            bad = bad | (~v.null & ~whole & ((_floats(den) >= 1e17) | (two & (np.abs(_floats(num)) >= SAFE))))
        if num.dtype == object or den.dtype == object or (np.abs(num) >= SAFE).any() or (den >= SAFE).any():
            with np.errstate(all="ignore"):
                floats = np.asarray(num.astype(object) / den.astype(object), dtype=np.float64)
        else:
            floats = num.astype(np.float64) / den.astype(np.float64)
        floats[v.null] = np.nan
        return floats, whole, bad

    def wholes(self) -> np.ndarray:
        """The integer each row's value is (meaningful where ``numbers()`` says whole)."""
        return self.value.a // self.value.b

    def objects(self) -> tuple[np.ndarray, np.ndarray]:
        """(values as dtrun holds an output's: int when whole up to 2**53 - 1, float, bool, str,
        date, None; bad)."""
        v, n = self.value, len(self.value.null)
        out = np.empty(n, dtype=object)
        bad = v.bad
        if self.kind == NUMBER:
            floats, whole, bad = self.numbers()
            out[:] = floats.tolist()
            ints = np.flatnonzero(whole & (np.abs(floats) < SAFE))
            out[ints] = [int(i) for i in self.wholes()[ints].tolist()]
        elif self.kind == BOOLEAN:
            out[:] = v.a.tolist()
        elif self.kind == STRING:
            out = np.append(np.asarray(v.b, dtype=object), None)[v.a]
        else:
            out[:] = (_EPOCH + v.a.astype("timedelta64[D]")).astype(object).tolist()
        out[v.null] = None
        return out, bad


def column_kind(series: pd.Series) -> str | None:
    """The kind of a typed input column (``engine.evaluation.columns``), None if unsupported."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return STRING if pd.api.types.infer_dtype(dtype.categories, skipna=True) in ("string", "empty") else None
    if pd.api.types.is_bool_dtype(dtype):
        return BOOLEAN
    if dtype == np.float64:
        return NUMBER
    if dtype.kind == "M" and getattr(dtype, "tz", None) is None:
        return DATE
    return None


@lru_cache(maxsize=512)
def supported(node: Any, kinds: tuple[tuple[str, str], ...]) -> bool:
    """Whether ``node`` is in the subset over columns of ``kinds`` ((name, kind), ...), with
    a result that is a value (decided once by evaluating it over empty columns)."""
    empty = {name: _empty(kind) for name, kind in kinds}
    try:
        return _eval(node, empty, 0).kind in VALUE_KINDS
    except NotVectorized:
        return False


def _empty(kind: str) -> pd.Series:
    if kind == STRING:
        return pd.Series(pd.Categorical([], categories=["a"]))
    return pd.Series([], dtype={NUMBER: "float64", BOOLEAN: "boolean", DATE: "datetime64[s]"}[kind])


def evaluate(node: Any, columns: Mapping[str, pd.Series], n: int) -> Result | None:
    """The expression over ``n`` rows of ``columns`` (typed input columns by name); None
    where it is outside the subset."""
    kinds = []
    for name in sorted(columns):
        kind = column_kind(columns[name])
        if kind is None:
            return None
        kinds.append((name, kind))
    if not supported(node, tuple(kinds)):
        return None
    try:
        value = _eval(node, columns, n)
    except NotVectorized:  # a text function whose answers here are of another kind
        return None
    return Result(value.kind, value) if value.kind in VALUE_KINDS else None


# ---------------------------------------------------------------------- nodes
def _eval(node: Any, columns: Mapping[str, pd.Series], n: int) -> V:
    kind = type(node)
    if kind is Literal:
        return _literal(node.value, n)
    if kind is Name:
        if node.name in columns:
            return _column(columns[node.name], n)
        head, _, rest = node.name.partition(".")
        if head not in columns or "." in rest:  # d.year written as one token: a path
            raise NotVectorized(node.name)
        return _path(_column(columns[head], n), rest)
    if kind is Negative:
        v = _eval(node.operand, columns, n)
        _need(v, NUMBER)
        return V(NUMBER, -v.a, v.b, v.null, v.bad, v.approx)
    if kind is Arithmetic:
        return _arithmetic(node, columns, n)
    if kind is Compare:
        return _compare(node.op, _eval(node.left, columns, n), _eval(node.right, columns, n))
    if kind is Logical:
        return _logical(node.op, _eval(node.left, columns, n), _eval(node.right, columns, n))
    if kind is Not:
        v = _eval(node.operand, columns, n)
        _need(v, BOOLEAN)
        return V(BOOLEAN, ~v.a & ~v.null, None, v.null, v.bad)
    if kind is If:
        return _if(_eval(node.condition, columns, n), _eval(node.then, columns, n), _eval(node.otherwise, columns, n))
    if kind is Call:
        return _call(node, columns, n)
    if kind is Path:
        return _path(_eval(node.target, columns, n), node.name)
    raise NotVectorized(kind.__name__)


def _need(v: V, kind: str, exact: bool = False) -> None:
    if v.kind != kind or (exact and v.approx):
        raise NotVectorized(f"{v.kind} where {kind} is needed")


def _literal(value: Any, n: int) -> V:
    none = np.zeros(n, dtype=bool)
    value = semantics.feel_value(value)
    if value is None:
        return V(NULL, np.zeros(n, dtype=np.int64), None, np.ones(n, dtype=bool), none)
    if isinstance(value, bool):
        return V(BOOLEAN, np.full(n, value), None, none, none)
    if isinstance(value, Decimal):
        num, den = _rational(value)
        return V(NUMBER, np.full(n, num, dtype=np.int64), np.full(n, den, dtype=np.int64), none, none)
    if isinstance(value, str):
        return V(STRING, np.zeros(n, dtype=np.int64), [value], none, none)
    if type(value) is dt.date:
        return V(DATE, np.full(n, (np.datetime64(value, "D") - _EPOCH).astype(np.int64)), None, none, none)
    raise NotVectorized("a literal of this kind")


def _rational(value: Decimal) -> tuple[int, int]:
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


def _column(series: pd.Series, n: int) -> V:
    kind = column_kind(series)
    if kind == NUMBER:
        return _decimals(series.to_numpy(dtype=np.float64))
    if kind == BOOLEAN:
        null = np.asarray(series.isna(), dtype=bool)
        return V(BOOLEAN, series.to_numpy(dtype=bool, na_value=False) & ~null, None, null, np.zeros(n, dtype=bool))
    if kind == DATE:
        data = series.to_numpy()
        null = np.isnat(data)
        days = data.astype("datetime64[D]")
        bad = ~null & (days != data)  # a time of day: not a date
        return V(DATE, np.where(null, 0, (days - _EPOCH).astype(np.int64)), None, null, bad)
    if kind == STRING:
        codes = np.asarray(series.array.codes, dtype=np.int64)
        return V(STRING, codes, list(series.cat.categories), codes < 0, np.zeros(n, dtype=bool))
    raise NotVectorized("a column of this kind")


def _decimals(x: np.ndarray) -> V:
    """A float column as the decimals FEEL reads (``Decimal(repr(x))``): ``m / 10**k``, the
    least k that gives x back with |m| < 10**15, else (16 or 17 digits) its repr's; rows
    with neither within int64 are bad, and so are whole floats of 2**53 and more (an output
    cell reads them by their repr, a computed input by their exact value: the interpreter
    keeps each caller's reading)."""
    null = np.isnan(x)
    num = np.zeros(len(x), dtype=np.int64)
    den = np.ones(len(x), dtype=np.int64)
    done = null.copy()
    with np.errstate(all="ignore"):
        for places in range(MAX_PLACES + 1):
            scale = 10.0**places
            scaled = np.round(x * scale)
            hit = ~done & (np.abs(scaled) < 1e15) & (scaled / scale == x)
            num[hit], den[hit] = scaled[hit].astype(np.int64), 10**places
            done |= hit
            if done.all():
                break
    big = ~done & (np.abs(x) >= SAFE) & (x == np.floor(x))
    done |= big  # a whole float from 2**53: read as its repr here, as its exact integer by computed inputs
    rest = np.flatnonzero(~done)
    if rest.size:  # 16 or 17 digits (a computed input's float): its shortest text, once per value
        distinct, inverse = np.unique(x[rest], return_inverse=True)
        pairs = [_shortest(value) for value in distinct.tolist()]
        num[rest] = np.array([p[0] for p in pairs], dtype=np.int64)[inverse]
        den[rest] = np.array([p[1] for p in pairs], dtype=np.int64)[inverse]
        done[rest] = np.array([p[1] > 0 for p in pairs], dtype=bool)[inverse]
        den[~done] = 1
    return V(NUMBER, num, den, null, ~done | big)


def _shortest(value: float) -> tuple[int, int]:
    """``Decimal(repr(value))`` as (m, 10**k), both within int64; (0, 0) where not."""
    text = repr(value)
    whole, point, fraction = text.partition(".")
    if not point or not (whole.lstrip("-").isdigit() and fraction.isdigit()):  # 1e+16, 1e-05
        try:
            return _rational(Decimal(text))
        except NotVectorized:
            return 0, 0
    fraction = fraction.rstrip("0")
    num, den = int(whole + fraction), 10 ** len(fraction)
    return (num, den) if abs(num) < LIMIT and den < LIMIT else (0, 0)


# ---------------------------------------------------------------------- numbers
def _times(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x * y exactly: in int64 where no product can overflow, else as Python ints."""
    if x.dtype == object or y.dtype == object:
        return x.astype(object) * y.astype(object)
    with np.errstate(all="ignore"):
        if (np.abs(x.astype(np.float64) * y.astype(np.float64)) < LIMIT).all():
            return x * y
    return x.astype(object) * y.astype(object)


def _plus(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype == object or y.dtype == object:
        return x.astype(object) + y.astype(object)
    with np.errstate(all="ignore"):
        if (np.abs(x.astype(np.float64)) + np.abs(y.astype(np.float64)) < LIMIT).all():
            return x + y
    return x.astype(object) + y.astype(object)


def _floats(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float64)


def _number(num: np.ndarray, den: np.ndarray, null: np.ndarray, bad: np.ndarray, approx: bool = False) -> V:
    """A number column, its null and bad rows made 0 / 1.  An exact value keeps its
    denominator (a power of ten: its digits are the numerator's), and one of more than 34
    digits, which FEEL would round, is bad; an approximate one is put in lowest terms."""
    if not approx:
        bad = bad | (np.abs(_floats(num)) >= DIGITS)
    off = null | bad
    num, den = np.where(off, 0, num), np.where(off, 1, den)
    if num.dtype == object and (np.abs(_floats(num)) < LIMIT).all() and (_floats(den) < LIMIT).all():
        num, den = num.astype(np.int64), den.astype(np.int64)
    if approx:
        common = np.gcd(num, den)
        common[common == 0] = 1
        num, den = num // common, den // common
    return V(NUMBER, num, den, null, bad, approx)


def _arithmetic(node: Arithmetic, columns: Mapping[str, pd.Series], n: int) -> V:
    left = _eval(node.left, columns, n)
    if node.op == "**":
        return _power(left, node.right, columns, n)
    right = _eval(node.right, columns, n)
    if node.op == "-" and left.kind == right.kind == DATE:
        return V(DAYS, left.a - right.a, None, left.null | right.null, left.bad | right.bad)
    _need(left, NUMBER, exact=True)
    _need(right, NUMBER, exact=True)
    null, bad = left.null | right.null, left.bad | right.bad
    if node.op == "*":
        return _number(_times(left.a, right.a), _times(left.b, right.b), null, bad)
    if node.op == "/":
        null = null | (right.a == 0)  # FEEL: a division by zero is null
        num, den = _times(left.a, right.b), _times(left.b, right.a)
        sign = np.where(_floats(den) < 0, -1, 1)
        return _number(num * sign, den * sign, null, bad, approx=True)
    den = np.maximum(left.b, right.b)  # powers of ten: the larger is a multiple of the other
    x, y = _times(left.a, den // left.b), _times(right.a, den // right.b)
    return _number(_plus(x, y if node.op == "+" else -y), den, null, bad)


def _power(base: V, exponent: Any, columns: Mapping[str, pd.Series], n: int) -> V:
    """``x ** k`` for a whole literal k, 1 to 16 (or its negative: one division)."""
    _need(base, NUMBER, exact=True)
    k = exponent.value if isinstance(exponent, Literal) else None
    if isinstance(exponent, Negative) and isinstance(exponent.operand, Literal):
        k = -exponent.operand.value if isinstance(exponent.operand.value, Decimal) else None
    k = k if isinstance(k, Decimal) and k == k.to_integral_value() and 1 <= abs(k) <= 16 else None
    if k is None:
        raise NotVectorized("a power other than a whole literal exponent")
    power = base
    for _ in range(int(abs(k)) - 1):
        power = _number(_times(power.a, base.a), _times(power.b, base.b), base.null, power.bad)
    if k > 0:
        return power
    null = base.null | (power.a == 0)
    sign = np.where(_floats(power.a) < 0, -1, 1)
    return _number(power.b * sign, power.a * sign, null, power.bad, approx=True)


def _rounded(v: V, places: int, mode: str) -> V:
    """FEEL's rounding of ``v`` to ``places`` decimals, in integers: exact for an exact value,
    and for an approximate one (its rounding to 34 digits is on the same side of every
    boundary, or on it exactly when the quotient is: docs/feel.md)."""
    scaled = _times(v.a, np.full(len(v.a), 10**places, dtype=np.int64))
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
    return _number(result, np.full(len(v.a), 10**places, dtype=np.int64), v.null, v.bad)


# ---------------------------------------------------------------------- comparison and logic
def _compare(op: str, left: V, right: V) -> V:
    if NULL in (left.kind, right.kind):  # x = null: whether x is null; x < null: null
        other = right if left.kind == NULL else left
        null = other.null if op in ("=", "!=") else np.ones(len(other.null), dtype=bool)
        truth = (null if op == "=" else ~null) if op in ("=", "!=") else np.zeros(len(null), dtype=bool)
        return V(BOOLEAN, truth, None, np.zeros(len(null), dtype=bool) if op in ("=", "!=") else null, other.bad)
    if left.kind != right.kind or left.kind in (DAYS, MONTHS) or (left.kind == BOOLEAN and op not in ("=", "!=")):
        raise NotVectorized("a comparison of these kinds")
    bad = left.bad | right.bad
    if left.kind == NUMBER:
        x, y = _times(left.a, right.b), _times(right.a, left.b)
        if left.approx or right.approx:
            with np.errstate(all="ignore"):
                spread = np.abs(_floats(x)) + np.abs(_floats(y))
            bad = bad | (spread >= GUARD)
    elif left.kind == STRING:
        x, y = _texts(left), _texts(right)
    else:
        x, y = left.a, right.a
    either = left.null | right.null
    if op in ("=", "!="):
        equal = np.where(either, left.null & right.null, _equal(x, y))
        return V(BOOLEAN, equal if op == "=" else ~equal, None, np.zeros(len(equal), dtype=bool), bad)
    order = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}[op]
    truth = _ordered(order, x, y, either) if x.dtype == object else np.asarray(order(x, y), dtype=bool)
    return V(BOOLEAN, truth & ~either, None, either, bad)


def _texts(v: V) -> np.ndarray:
    return np.append(np.asarray(v.b, dtype=object), None)[v.a]


def _equal(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(x == y, dtype=bool)


def _ordered(order: Callable[..., Any], x: np.ndarray, y: np.ndarray, null: np.ndarray) -> np.ndarray:
    out = np.zeros(len(x), dtype=bool)
    keep = np.flatnonzero(~null)
    if keep.size:
        out[keep] = np.asarray(order(x[keep], y[keep]), dtype=bool)
    return out


def _logical(op: str, left: V, right: V) -> V:
    _need(left, BOOLEAN)
    _need(right, BOOLEAN)
    lf, rf = ~left.a & ~left.null, ~right.a & ~right.null
    if op == "and":
        true, false = left.a & right.a, lf | rf
    else:
        true, false = left.a | right.a, lf & rf
    return V(BOOLEAN, true, None, ~true & ~false, left.bad | right.bad)


def _if(condition: V, then: V, otherwise: V) -> V:
    _need(condition, BOOLEAN)
    if then.kind == NULL and otherwise.kind != NULL:  # if c then null else x: x's kind, null where c holds
        then = V(otherwise.kind, _blank(otherwise), _filler(otherwise), then.null, then.bad)
    elif otherwise.kind == NULL and then.kind != NULL:
        otherwise = V(then.kind, _blank(then), _filler(then), otherwise.null, otherwise.bad)
    if then.kind != otherwise.kind or then.kind in (DAYS, MONTHS):
        raise NotVectorized("branches of different kinds")
    pick = condition.a  # true: then; false or null: else (FEEL)
    bad = condition.bad | np.where(pick, then.bad, otherwise.bad)
    null = np.where(pick, then.null, otherwise.null)
    if then.kind == STRING:
        texts = list(then.b) + list(otherwise.b)
        codes = np.where(pick, then.a, np.where(otherwise.a < 0, -1, otherwise.a + len(then.b)))
        return V(STRING, codes, texts, null, bad)
    b = np.where(pick, then.b, otherwise.b) if then.kind == NUMBER else None
    return V(then.kind, np.where(pick, then.a, otherwise.a), b, null, bad, then.approx or otherwise.approx)


def _blank(v: V) -> np.ndarray:
    """The ``a`` of a null of ``v``'s kind: code -1 for a text, else 0 (or false)."""
    return np.full_like(v.a, -1) if v.kind == STRING else np.zeros_like(v.a)


def _filler(v: V) -> Any:
    """The ``b`` of a null of ``v``'s kind: denominators 1, no texts."""
    return np.ones_like(v.b) if v.kind == NUMBER else ([] if v.kind == STRING else None)


# ---------------------------------------------------------------------- functions and properties
def _call(node: Call, columns: Mapping[str, pd.Series], n: int) -> V:
    if node.names:
        raise NotVectorized("named arguments")
    name, args = node.name, node.args
    if name in _ROUNDING and 1 <= len(args) <= 2:
        if len(args) == 1 and name not in ("floor", "ceiling"):
            raise NotVectorized(f"{name} of one argument")
        places = _literal_int(args[1]) if len(args) == 2 else 0
        v = _eval(args[0], columns, n)
        _need(v, NUMBER)
        return _rounded(v, places, _ROUNDING[name])
    if name == "abs" and len(args) == 1:
        v = _eval(args[0], columns, n)
        _need(v, NUMBER)
        return V(NUMBER, np.abs(v.a), v.b, v.null, v.bad, v.approx)
    if name == "date" and len(args) == 1 and isinstance(args[0], Literal) and isinstance(args[0].value, str):
        return _literal(builtins.BUILTINS["date"].feel(args[0].value), n)  # type: ignore[misc]
    if name == "years and months duration" and len(args) == 2:
        start, end = _eval(args[0], columns, n), _eval(args[1], columns, n)
        _need(start, DATE)
        _need(end, DATE)
        return V(MONTHS, _months_between(start.a, end.a), None, start.null | end.null, start.bad | end.bad)
    if name in _TEXT and args:
        text = _eval(args[0], columns, n)
        _need(text, STRING)
        rest = [_constant(arg) for arg in args[1:]]
        return _per_text(builtins.BUILTINS[name].feel, text, rest, n)  # type: ignore[arg-type]
    raise NotVectorized(f"the function {name}")


def _literal_int(node: Any) -> int:
    value = node.value if isinstance(node, Literal) else None
    if not (isinstance(value, Decimal) and value == value.to_integral_value() and 0 <= value <= MAX_PLACES):
        raise NotVectorized("a scale that is not a literal 0 to 9")
    return int(value)


def _constant(node: Any) -> Any:
    if isinstance(node, Literal) and node.value is not None:
        return semantics.feel_value(node.value)
    if isinstance(node, Negative) and isinstance(node.operand, Literal) and isinstance(node.operand.value, Decimal):
        return -node.operand.value
    raise NotVectorized("an argument that is not a literal")


def _per_text(function: Callable[..., Any], text: V, rest: list[Any], n: int) -> V:
    """A text function, evaluated by the reference once per distinct text (and for null)."""
    answers = [function(value, *rest) for value in [*text.b, None]]
    codes = np.where(text.a < 0, len(text.b), text.a)
    kinds = {semantics.kind(a) for a in answers} - {semantics.NULL}
    if len(kinds) != 1:  # none (every answer null: of which kind?) or several
        raise NotVectorized("a function of several kinds of value")
    (kind,) = kinds
    null = np.array([a is None for a in answers])[codes]
    if kind == semantics.BOOLEAN:
        return V(BOOLEAN, np.array([a is True for a in answers])[codes], None, null, text.bad)
    if kind == semantics.STRING:
        distinct = sorted({a for a in answers if a is not None})
        position = {a: i for i, a in enumerate(distinct)}
        table = np.array([-1 if a is None else position[a] for a in answers], dtype=np.int64)
        return V(STRING, table[codes], distinct, null, text.bad)
    if kind == semantics.NUMBER:
        pairs = [(0, 1) if a is None else _rational(a) for a in answers]
        num = np.array([p[0] for p in pairs], dtype=np.int64)[codes]
        den = np.array([p[1] for p in pairs], dtype=np.int64)[codes]
        return V(NUMBER, num, den, null, text.bad)
    raise NotVectorized(f"a text function giving a {kind}")


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dates = _EPOCH + days.astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _months_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``engine.feel.temporal.months_between`` over columns of days."""
    (sy, sm, sd), (ey, em, ed) = _parts(start), _parts(end)
    months = (ey - sy) * 12 + em - sm
    return months - ((months > 0) & (ed < sd)) + ((months < 0) & (ed > sd))


def _path(v: V, name: str) -> V:
    whole = np.ones(len(v.a), dtype=np.int64)
    if v.kind == DATE and name in ("year", "month", "day", "weekday"):
        days = np.where(v.null, 0, v.a)
        if name == "weekday":  # 1970-01-01 was a Thursday (4)
            return _number((days + 3) % 7 + 1, whole, v.null, v.bad)
        year, month, day = _parts(days)
        return _number({"year": year, "month": month, "day": day}[name], whole, v.null, v.bad)
    if v.kind == DAYS and name == "days":
        return _number(v.a, whole, v.null, v.bad)
    if v.kind == MONTHS and name in ("years", "months"):
        size = np.abs(v.a)
        part = size // 12 if name == "years" else size % 12
        return _number(np.sign(v.a) * part, whole, v.null, v.bad)
    raise NotVectorized(f"the property {name} of a {v.kind}")
