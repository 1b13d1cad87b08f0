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
down``) with a literal scale 0 to 9; ``abs``, ``modulo``, ``min``/``max`` of numbers; the text functions of one
text column with literal arguments (``string length``, ``upper case``, ``lower case``,
``substring``, ``contains``, ``starts with``, ``ends with``: evaluated by the reference per
distinct text); ``.year .month .day .weekday`` of a date; ``(date - date).days``;
``years and months duration(date, date).years / .months``.  Anything else raises
:class:`NotVectorized`, and the caller evaluates the expression per distinct combination of
the values it reads, as before.

**Numbers are exact rationals** (``engine.feel.vector_numbers``), never binary floats: a
column's float ``x`` stands for the decimal ``Decimal(repr(x))`` and is read as exactly that;
``+ - *`` and whole powers are exact (rounded to 34 digits where FEEL rounds); a quotient is
kept exact and rounded as FEEL rounds it where that could matter.  The only float operation
is the final ``num / den``, correctly rounded, as ``float(Decimal)`` is.  Why the answers agree:
docs/feel.md (*Where the vectorized path uses binary floats*).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from engine.feel import vector_numbers as vn
from engine.feel.nodes import Arithmetic, Call, Compare, If, Literal, Logical, Name, Negative, Not, Path
from engine.feel.vector_calls import EPOCH, call, literal, path
from engine.feel.vector_numbers import BOOLEAN, DATE, DAYS, MONTHS, NULL, NUMBER, STRING, NotVectorized, V, need

VALUE_KINDS = (NUMBER, BOOLEAN, STRING, DATE)  # what a result may be (durations are not values of inputs)


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
        """(float64 values, whole, bad): ``vector_numbers.floats_of``."""
        return vn.floats_of(self.value)[:3]

    def objects(self) -> tuple[np.ndarray, np.ndarray]:
        """(values as dtrun holds an output's: int when whole up to 2**53 - 1, float, bool, str,
        date, None; bad)."""
        v, n = self.value, len(self.value.null)
        out = np.empty(n, dtype=object)
        bad = v.bad
        if self.kind == NUMBER:
            floats, whole, bad, read = vn.floats_of(v)
            out[:] = floats.tolist()
            ints = np.flatnonzero(whole & (np.abs(floats) < vn.SAFE))
            out[ints] = [int(i) for i in (read.a[ints] // read.b[ints]).tolist()]
        elif self.kind == BOOLEAN:
            out[:] = v.a.tolist()
        elif self.kind == STRING:
            out = np.append(np.asarray(v.b, dtype=object), None)[v.a]
        else:
            out[:] = (EPOCH + v.a.astype("timedelta64[D]")).astype(object).tolist()
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
    try:
        known = supported(node, tuple(kinds))
    except TypeError:  # a node holding something unhashable: not cached
        known = supported.__wrapped__(node, tuple(kinds))
    if not known:
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
        return literal(node.value, n)
    if kind is Name:
        if node.name in columns:
            return _column(columns[node.name], n)
        head, _, rest = node.name.partition(".")
        if head not in columns or "." in rest:  # d.year written as one token: a path
            raise NotVectorized(node.name)
        return path(_column(columns[head], n), rest)
    if kind is Negative:
        v = _eval(node.operand, columns, n)
        need(v, NUMBER)
        return V(NUMBER, -v.a, v.b, v.null, v.bad, v.approx)
    if kind is Arithmetic:
        return _arithmetic(node, columns, n)
    if kind is Compare:
        quick = _column_against_number(node, columns)
        return quick if quick is not None else _compare(node.op, _eval(node.left, columns, n),
                                                         _eval(node.right, columns, n))
    if kind is Logical:
        return _logical(node.op, _eval(node.left, columns, n), _eval(node.right, columns, n))
    if kind is Not:
        v = _eval(node.operand, columns, n)
        need(v, BOOLEAN)
        return V(BOOLEAN, ~v.a & ~v.null, None, v.null, v.bad)
    if kind is If:
        return _if(_eval(node.condition, columns, n), _eval(node.then, columns, n), _eval(node.otherwise, columns, n))
    if kind is Call:
        if node.name in ("min", "max") and len(node.args) >= 2 and not node.names:
            return _extreme("<" if node.name == "min" else ">", [_eval(arg, columns, n) for arg in node.args])
        return call(node, n, lambda arg: _eval(arg, columns, n))
    if kind is Path:
        return path(_eval(node.target, columns, n), node.name)
    raise NotVectorized(kind.__name__)


def _column(series: pd.Series, n: int) -> V:
    kind = column_kind(series)
    if kind == NUMBER:
        return vn.decimals(series.to_numpy(dtype=np.float64))
    if kind == BOOLEAN:
        null = np.asarray(series.isna(), dtype=bool)
        return V(BOOLEAN, series.to_numpy(dtype=bool, na_value=False) & ~null, None, null, np.zeros(n, dtype=bool))
    if kind == DATE:
        data = series.to_numpy()
        null = np.isnat(data)
        days = data.astype("datetime64[D]")
        bad = ~null & (days != data)  # a time of day: not a date
        return V(DATE, np.where(null, 0, (days - EPOCH).astype(np.int64)), None, null, bad)
    if kind == STRING:
        codes = np.asarray(series.array.codes, dtype=np.int64)
        return V(STRING, codes, list(series.cat.categories), codes < 0, np.zeros(n, dtype=bool))
    raise NotVectorized("a column of this kind")


def _arithmetic(node: Arithmetic, columns: Mapping[str, pd.Series], n: int) -> V:
    left = _eval(node.left, columns, n)
    if node.op == "**":
        return _power(left, node.right, columns, n)
    right = _eval(node.right, columns, n)
    if node.op == "-" and left.kind == right.kind == DATE:
        return V(DAYS, left.a - right.a, None, left.null | right.null, left.bad | right.bad)
    need(left, NUMBER)
    need(right, NUMBER)
    return vn.arithmetic(node.op, left, right)


def _power(base: V, exponent: Any, columns: Mapping[str, pd.Series], n: int) -> V:
    """``x ** k`` for a whole literal k, 1 to 16 (or its negative: one division)."""
    need(base, NUMBER)
    k = exponent.value if isinstance(exponent, Literal) else None
    if isinstance(exponent, Negative) and isinstance(exponent.operand, Literal):
        k = -exponent.operand.value if isinstance(exponent.operand.value, Decimal) else None
    k = k if isinstance(k, Decimal) and k == k.to_integral_value() and 1 <= abs(k) <= 16 else None
    if k is None:
        raise NotVectorized("a power other than a whole literal exponent")
    return vn.power(base, int(k))


# ---------------------------------------------------------------------- comparison and logic
_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _column_against_number(node: Compare, columns: Mapping[str, pd.Series]) -> V | None:
    """``bmi >= 30``: a number column against a number literal without reading every float
    as its decimal.  The reference compares ``c`` with ``D = Decimal(repr(x))``, whose float is
    ``x``; rounding to a float is monotone, so ``x > float(c)`` gives ``D > c`` and ``x <
    float(c)`` gives ``D < c``; only the rows where ``x == float(c)`` are read as decimals."""
    left, right, op = node.left, node.right, node.op
    if isinstance(left, Literal):
        left, right, op = right, left, _FLIP[op]
    if not (isinstance(left, Name) and left.name in columns and isinstance(right, Literal)
            and isinstance(right.value, Decimal) and column_kind(columns[left.name]) == NUMBER):
        return None
    x = columns[left.name].to_numpy(dtype=np.float64)
    c = right.value
    limit = float(c)
    sign = np.sign(x - limit)  # NaN for null: its rows are set below
    close = np.flatnonzero(x == limit)
    bad = np.zeros(len(x), dtype=bool)
    if close.size:  # the decimal of x decides
        v = vn.decimals(x[close])
        num, den = vn.rational(c)
        mine = vn.times(v.a, np.full(close.size, den, dtype=np.int64))
        theirs = vn.times(v.b, np.full(close.size, num, dtype=np.int64))
        sign[close] = np.asarray(mine > theirs, dtype=np.int8) - np.asarray(mine < theirs, dtype=np.int8)
        bad[close] = v.bad
    null = np.isnan(x)
    if op in ("=", "!="):
        truth = np.where(null, False, sign == 0)
        return V(BOOLEAN, truth if op == "=" else ~truth, None, np.zeros(len(x), dtype=bool), bad)
    truth = {"<": sign < 0, "<=": sign <= 0, ">": sign > 0, ">=": sign >= 0}[op] & ~null
    return V(BOOLEAN, truth, None, null, bad)


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
        x, y = vn.times(left.a, right.b), vn.times(right.a, left.b)
        if left.approx or right.approx:
            with np.errstate(all="ignore"):
                spread = np.abs(vn.floats(x)) + np.abs(vn.floats(y))
            if (spread >= vn.GUARD).any():  # too near to tell: FEEL's decimals themselves
                left, right = vn.settle(left), vn.settle(right)
                x, y = vn.times(left.a, right.b), vn.times(right.a, left.b)
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


def _extreme(op: str, values: list[V]) -> V:
    """``min(a, b, ...)`` / ``max``: null as soon as a comparison is (a null argument), else
    the first of the least (greatest), as ``library_lists`` keeps it."""
    for v in values:
        need(v, NUMBER)
    best, null = values[0], values[0].null
    for v in values[1:]:
        better = _compare(op, v, best)
        null = null | better.null
        best = _if(better, v, best)
    return V(NUMBER, best.a, best.b, null, best.bad, best.approx)


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
    need(left, BOOLEAN)
    need(right, BOOLEAN)
    lf, rf = ~left.a & ~left.null, ~right.a & ~right.null
    if op == "and":
        true, false = left.a & right.a, lf | rf
    else:
        true, false = left.a | right.a, lf & rf
    return V(BOOLEAN, true, None, ~true & ~false, left.bad | right.bad)


def _if(condition: V, then: V, otherwise: V) -> V:
    need(condition, BOOLEAN)
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
