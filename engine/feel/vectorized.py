"""AST → whole-column evaluation over pandas: the vectorized form of the condition language.

Owns ``unary_tests_mask`` (input cell × Series → fresh bool mask) and ``expression_series``
(output cell × DataFrame → Series on its index: float64 with NaN for null when the values
are numbers in float form, int64 when moreover all are non-null ints, else object with None
for null), with exactly the meaning of the scalar form (``engine.feel.values``).

A column becomes a :class:`Vec`: each element's FEEL kind plus the values in one *form*:
``float`` (float64, NaN = null, which elements are ints; ints below 2**53 only), ``bool``,
``datetime`` (naive datetime64; midnight is a date), ``string`` (pandas string array),
``object`` (canonical values, None = null) or ``scalar`` (one value for all rows).
Categoricals are evaluated on their categories, then indexed by the codes.  Typed forms
use numpy/pandas; the rest (mixed object columns, huge ints) calls ``engine.feel.values`` per
element, so it agrees by construction.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable
from functools import cached_property, partial
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from engine.feel import values
from engine.feel.syntax import (
    Arithmetic,
    Compare,
    Comparison,
    Expr,
    Literal,
    Logical,
    Name,
    Negative,
    Not,
    UnaryTests,
)

NULL, BOOLEAN, OTHER, NUMBER, STRING, DATE, DATETIME = range(7)  # ordered kinds: >= NUMBER
_CODE = {values.NULL: NULL, values.BOOLEAN: BOOLEAN, values.OTHER: OTHER, values.NUMBER: NUMBER,
         values.STRING: STRING, values.DATE: DATE, values.DATETIME: DATETIME}
_SIMPLE = {str: STRING, bool: BOOLEAN, int: NUMBER, float: NUMBER, type(None): NULL, dt.date: DATE}
_EXACT = 2.0**53  # ints of smaller magnitude are exact in float64
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide, "**": np.power}
_SELF_MASKING = {"float", "string", "datetime", "scalar"}  # their typed ops are False at nulls


class Tri(NamedTuple):
    """(is_true, is_null): bool arrays or Python bools; null None: not tracked (not needed)."""

    true: Any
    null: Any

    @staticmethod
    def of(value: Any) -> Tri:
        return Tri(value is True, not isinstance(value, bool))

    def not_(self) -> Tri:
        return Tri(_both(_neg(self.true), _neg(self.null)), self.null)

    def or_(self, other: Tri, need: bool = True) -> Tri:
        true = _either(self.true, other.true)
        return Tri(true, _both(_either(self.null, other.null), _neg(true)) if need else None)

    def and_(self, other: Tri, need: bool = True) -> Tri:
        true = _both(self.true, other.true)
        false = need and _either(_neg(_either(self.true, self.null)), _neg(_either(other.true, other.null)))
        return Tri(true, _neg(_either(true, false)) if need else None)


class Vec:
    """A column (or one value for every row) with its FEEL kinds; see the module docstring."""

    def __init__(self, form: str, data: Any, kset: set[int], kinds: Any = None,
                 null: Any = None, integral: Any = False) -> None:
        self.form, self.data, self.kset = form, data, frozenset(kset)  # kset ⊇ kinds present
        self._kinds, self._null, self.integral = kinds, null, integral
        self.is_scalar, self.n = form == "scalar", None if form == "scalar" else len(data)

    @cached_property
    def null(self) -> Any:
        if self._null is not None:
            return self._null
        if self.form == "float":
            return np.isnan(self.data)
        if self.form == "string":
            return np.asarray(self.data.isna(), dtype=bool)
        return self.kinds == NULL if self._kinds is not None else self.kset == {NULL}

    @cached_property
    def kinds(self) -> Any:  # int8 code per element, or one int when all share it
        if self._kinds is not None:
            return self._kinds
        (code,) = (self.kset - {NULL}) or {NULL}
        if isinstance(self.null, bool):
            return NULL if self.null else code
        return np.where(self.null, np.int8(NULL), np.int8(code))

    def take(self, index: np.ndarray) -> Vec:
        pick = lambda x: x[index] if isinstance(x, np.ndarray) else x  # noqa: E731
        return Vec(self.form, self.data if self.is_scalar else self.data[index], self.kset,
                   pick(self._kinds), pick(self._null), pick(self.integral))

    def objects(self, index: np.ndarray | None = None) -> np.ndarray:
        """Canonical Python values (None = null) as the scalar form sees them; 0-d if scalar."""
        if self.is_scalar:
            return np.array(self.data, dtype=object)  # literals and values' results: no sequences
        if index is not None:
            return self.take(index).objects()
        if self.form in ("object", "string"):
            return self.data if self.form == "object" else self.data.to_numpy(object, na_value=None)
        if self.form == "datetime":
            out, dates = np.asarray(pd.DatetimeIndex(self.data).astype(object)), self.kinds == DATE
            out[dates] = self.data[dates].astype("datetime64[D]").astype(object)
        else:
            out = self.data.astype(object)
        if self.form == "float" and np.any(self.integral):
            ints = np.flatnonzero(self.integral & ~self.null)
            out[ints] = self.data[ints].astype(np.int64).astype(object)
        out[self.null] = None
        return out


def _scalar(value: Any) -> Vec:
    return Vec("scalar", value, {_CODE[values.kind_of(value)]}, integral=type(value) is int)


def _from_series(series: pd.Series) -> Vec:
    dtype, numpy_dtype = series.dtype, isinstance(series.dtype, np.dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        categories = np.append(series.cat.categories.to_numpy(dtype=object), None)  # code -1: null
        return _from_objects(categories).take(series.array.codes)
    if isinstance(dtype, pd.StringDtype):
        return Vec("string", series.array, {NULL, STRING})
    if dtype.kind == "b":
        null = False if numpy_dtype else np.asarray(series.isna(), dtype=bool)
        return Vec("bool", series.to_numpy(dtype=bool, na_value=False), {NULL, BOOLEAN}, null=null)
    if dtype.kind in "iuf":
        raw = series.to_numpy() if numpy_dtype else series.to_numpy(np.float64, na_value=np.nan)
        ints = raw if numpy_dtype or dtype.kind == "f" else raw[~np.isnan(raw)]
        if dtype.kind == "f" or not ints.size or (ints.min() > -_EXACT and ints.max() < _EXACT):
            return Vec("float", raw.astype(np.float64, copy=False), {NULL, NUMBER}, integral=dtype.kind != "f")
    if numpy_dtype and dtype.kind == "M":
        data = series.to_numpy()
        null, midnight = np.isnat(data), data == data.astype("datetime64[D]")
        kinds = np.where(null, np.int8(NULL), np.where(midnight, np.int8(DATE), np.int8(DATETIME)))
        present = {NULL: null, DATE: midnight, DATETIME: ~(null | midnight)}
        return Vec("datetime", data, {k for k, m in present.items() if m.any()}, kinds, null)
    return _from_objects(series.to_numpy(dtype=object))


def _classify(value: Any) -> tuple[int, Any]:
    """(kind code, canonical value) of one element, as values.kind_of/canonical say."""
    code = _SIMPLE.get(type(value))
    if code is None:
        value = None if value is pd.NA else values.canonical(value)
        return _CODE[values.kind_of(value)], value
    return (NULL, None) if code == NUMBER and value != value else (code, value)


def _from_objects(array: np.ndarray) -> Vec:
    """Per-element classification of an object array: the slow path, for mixed columns."""
    pairs = [_classify(v) for v in array]
    kinds = np.fromiter((k for k, _ in pairs), dtype=np.int8, count=len(pairs))
    canon = np.fromiter((v for _, v in pairs), dtype=object, count=len(pairs))
    kset = set(np.unique(kinds).tolist())
    if kset in ({NUMBER}, {NULL, NUMBER}) and all(
            type(v) is float or (type(v) is int and abs(v) < _EXACT) for v in canon[kinds == NUMBER]):
        integral = np.fromiter((type(v) is int for v in canon), dtype=bool, count=len(canon))
        return Vec("float", np.where(kinds == NULL, np.nan, canon).astype(np.float64),
                   {NULL, NUMBER}, integral=integral)
    if kset in ({BOOLEAN}, {NULL, BOOLEAN}):
        return Vec("bool", np.equal(canon, True).astype(bool), kset, null=kinds == NULL)
    return Vec("object", canon, kset, kinds=kinds)


def _neg(x: Any) -> Any:
    return bool(not x) if isinstance(x, (bool, np.bool_)) else ~x


def _both(x: Any, y: Any) -> Any:
    if x is False or y is False:
        return False
    return y if x is True else x if y is True else x & y


def _either(x: Any, y: Any) -> Any:
    if x is True or y is True:
        return True
    return y if x is False else x if y is False else x | y


def _numeric(v: Vec) -> bool:
    x = v.data
    return v.form == "float" or (v.is_scalar and (type(x) is float or (type(x) is int and abs(x) < _EXACT)))


def _values_op(op: str, a: Vec, b: Vec, where: Any) -> Any:
    """``op`` on the values, False outside ``where`` (same non-null kind on both sides);
    ``where`` None: every position holds one kind or a null."""
    if a.is_scalar:
        a, b, op = b, a, _FLIP[op]
    if where is None and not (a.form in _SELF_MASKING and b.form in _SELF_MASKING):
        where = _neg(_either(a.null, b.null))
    result, f = None, _OPS[op]
    if (_numeric(a) and _numeric(b)) or a.form == b.form in ("string", "bool", "datetime") or (
            b.is_scalar and (a.form, type(b.data)) in (("string", str), ("bool", bool))):
        result = f(a.data, b.data)  # pandas string arrays may answer with NA: not a match
        result = result if isinstance(result, np.ndarray) else result.to_numpy(bool, na_value=False)
    elif a.form == "datetime" and b.is_scalar and b.kset == {DATE}:
        result = f(a.data.astype("datetime64[D]"), np.datetime64(b.data, "D"))
    if result is not None:
        return result if where is None else _both(result, where)
    where = _neg(_either(a.null, b.null)) if where is None else where
    index = np.flatnonzero(np.broadcast_to(where, (a.n,)))
    result = np.zeros(a.n, dtype=bool)
    if index.size:
        result[index] = _OPS[op](a.objects(index), b.objects(index)).astype(bool)
    return result


def _compare(op: str, a: Vec, b: Vec, need: bool = True) -> Tri:
    """FEEL ``op`` (= != < <= > >=) of two Vecs, as ``values.test_operator``."""
    if a.is_scalar and b.is_scalar:
        return Tri.of(values.test_operator(op, a.data, b.data))
    if op == "!=":
        return _compare("=", a, b).not_()
    common, shared = (a.kset | b.kset) - {NULL}, (a.kset & b.kset) - {NULL}
    if op == "=":
        both_null = _both(a.null, b.null) if NULL in a.kset and NULL in b.kset else False
        if len(common) <= 1:
            return Tri(_either(_values_op(op, a, b, None) if shared else False, both_null), False)
        same, valued = a.kinds == b.kinds, _both(a.kinds != NULL, b.kinds != NULL)
        true = _values_op(op, a, b, _both(same, valued)) if shared else False
        return Tri(_either(true, both_null), _both(valued, _neg(same)))
    if len(common) <= 1:
        if shared.isdisjoint(range(NUMBER, DATETIME + 1)):
            return Tri(False, True)
        return Tri(_values_op(op, a, b, None), _either(a.null, b.null) if need else None)
    ordered = _both(a.kinds == b.kinds, a.kinds >= NUMBER)
    return Tri(_values_op(op, a, b, ordered) if shared else False, _neg(ordered))


def _equal_any(v: Vec, literals: list[Any]) -> Tri:
    """Several ``= literal`` tests at once: one isin per kind instead of a pass per value."""
    groups: dict[int, list[Any]] = {}
    for value in literals:
        groups.setdefault(_CODE[values.kind_of(value)], []).append(value)
    true = v.null if NULL in groups else False
    for code, group in groups.items():
        if code == NULL or code not in v.kset:
            continue
        if v.form == "string":
            true = _either(true, np.asarray(v.data.isin(group), dtype=bool))
        else:
            for value in group:
                true = _either(true, _compare("=", v, _scalar(value)).true)
    kinds = set(groups) - {NULL}
    others = (v.kset - {NULL}) - (kinds if len(kinds) == 1 else set())
    return Tri(true, _both(_neg(true), np.isin(v.kinds, list(others))) if kinds and others else False)


def unary_tests_mask(node: UnaryTests, series: pd.Series, frame: pd.DataFrame | None) -> np.ndarray:
    """True exactly where ``scalar.compile_unary_tests(node)(value, row) is True``.  Name
    endpoints read ``frame`` by position (row i of the series is row i of the frame); a
    name the frame lacks, or no frame, is null."""
    n = len(series)
    if node.any_value:
        return np.ones(n, dtype=bool)
    names = any(isinstance(getattr(t, k, None), Name) for t in node.tests for k in ("endpoint", "low", "high"))
    if isinstance(series.dtype, pd.CategoricalDtype) and not names:  # per category, then null
        categories = pd.Series(np.append(series.cat.categories.to_numpy(dtype=object), None), dtype=object)
        table, codes = unary_tests_mask(node, categories, None), series.array.codes
        flip = bool(table.sum() * 2 > len(table))  # compare codes with the fewer of hits, misses
        picked = [-1 if c == len(table) - 1 else c for c in np.flatnonzero(table != flip).tolist()]
        if len(picked) > 8:
            return table[codes]  # code -1 picks the null's answer
        mask = np.zeros(n, dtype=bool)
        for code in picked:
            mask |= codes == code
        return ~mask if flip else mask
    return np.array(np.broadcast_to(_unary(node, _from_series(series), frame).true, (n,)), dtype=bool)


def _unary(node: UnaryTests, v: Vec, frame: pd.DataFrame | None) -> Tri:
    need = node.negated
    listed = [t for t in node.tests if isinstance(t, Comparison) and t.op == "=" and isinstance(t.endpoint, Literal)]
    grouped = {id(t) for t in listed} if len(listed) > 1 else set()
    result = _equal_any(v, [t.endpoint.value for t in listed]) if grouped else None
    for test in (t for t in node.tests if id(t) not in grouped):
        if isinstance(test, Comparison):
            tri = _compare(test.op, v, _eval(test.endpoint, frame, v.n), need)
        else:
            low, high = _eval(test.low, frame, v.n), _eval(test.high, frame, v.n)
            tri = _compare(">=" if test.low_closed else ">", v, low, need).and_(
                _compare("<=" if test.high_closed else "<", v, high, need), need)
        result = tri if result is None else result.or_(tri, need)
    return result.not_() if node.negated else result


def expression_series(node: Expr, frame: pd.DataFrame) -> pd.Series:
    """The expression on every row of ``frame``, equal to the scalar ``evaluate`` per row."""
    n, v = len(frame), _eval(node, frame, len(frame))
    if v.is_scalar and _numeric(v):
        v = Vec("float", np.full(n, float(v.data)), {NUMBER}, integral=v.integral)
    if v.form == "float":
        whole = n and np.all(v.integral) and not v.null.any()
        return pd.Series(v.data.astype(np.int64) if whole else v.data, index=frame.index)
    data = np.full(n, v.data, dtype=object) if v.is_scalar else v.objects()
    return pd.Series(data, index=frame.index, dtype=object)


def _eval(node: Expr, frame: pd.DataFrame | None, n: int | None) -> Vec:
    if isinstance(node, Literal):
        return _scalar(node.value)
    if isinstance(node, Name):
        if frame is None or n is None or node.name not in frame.columns:
            return _scalar(None)
        column = frame[node.name]  # with duplicate labels, the first column
        column = column.iloc[:, 0] if isinstance(column, pd.DataFrame) else column
        if len(column) != n:
            raise ValueError(f"column {node.name!r} has {len(column)} rows, expected {n}")
        return _from_series(column)
    if isinstance(node, Negative):
        return _negate(_eval(node.operand, frame, n))
    if isinstance(node, Not):
        return _from_tri(_to_tri(_eval(node.operand, frame, n)).not_(), n)
    left, right = _eval(node.left, frame, n), _eval(node.right, frame, n)
    if isinstance(node, Arithmetic):
        return _arithmetic(node.op, left, right)
    if isinstance(node, Compare):
        return _from_tri(_compare(node.op, left, right), n)
    if isinstance(node, Logical):
        return _from_tri((Tri.and_ if node.op == "and" else Tri.or_)(_to_tri(left), _to_tri(right)), n)
    raise TypeError(f"not an expression node: {node!r}")


def _to_tri(v: Vec) -> Tri:
    """A value as a logic operand: True and False count; anything else is null."""
    if v.is_scalar:
        return Tri.of(v.data)
    if v.form == "bool":
        return Tri(_both(v.data, _neg(v.null)), v.null)
    if BOOLEAN not in v.kset:
        return Tri(False, True)
    boolean = v.kinds == BOOLEAN
    return Tri(boolean & np.equal(v.objects(), True).astype(bool), ~boolean)


def _from_tri(t: Tri, n: int) -> Vec:
    if isinstance(t.true, bool) and isinstance(t.null, bool):
        return _scalar(None if t.null else t.true)
    return Vec("bool", np.broadcast_to(t.true, (n,)), {NULL, BOOLEAN}, null=np.broadcast_to(t.null, (n,)))


def _power(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x ** y`` as Python (libm's pow) computes it, once per distinct pair of operands:
    numpy's own pow (vectorized with SIMD) can differ from libm in the last bit (2.5 ** 2.5),
    and the scalar evaluator, the reference, uses Python's.  NaN where Python fails."""
    pairs, inverse = np.unique(np.stack(np.broadcast_arrays(x, y), axis=1), axis=0, return_inverse=True)
    exact = np.array([_python_power(a, b) for a, b in pairs.tolist()], dtype=np.float64)
    return exact[inverse.reshape(-1)]


def _python_power(a: float, b: float) -> float:
    try:
        result = a ** b
    except (ZeroDivisionError, OverflowError):
        return math.nan
    return math.nan if isinstance(result, complex) else result


def _map(function: Callable[..., Any], *vecs: Vec) -> Vec:
    """The slow path: ``function`` on the canonical values, element by element."""
    with np.errstate(all="ignore"):  # Python's own float results set the FP flags
        result = np.frompyfunc(function, len(vecs), 1)(*(v.objects() for v in vecs))
    return _from_objects(np.asarray(result, dtype=object))


def _negate(v: Vec) -> Vec:
    if v.is_scalar:
        return _scalar(values.negate(v.data))
    if v.form == "float":
        return Vec("float", -v.data, v.kset, integral=v.integral)
    return _map(values.negate, v) if NUMBER in v.kset else _scalar(None)


def _arithmetic(op: str, a: Vec, b: Vec) -> Vec:
    if a.is_scalar and b.is_scalar:
        return _scalar(values.arithmetic(op, a.data, b.data))
    strings = op == "+" and STRING in a.kset and STRING in b.kset
    if not strings and not (NUMBER in a.kset and NUMBER in b.kset):
        return _scalar(None)
    if _numeric(a) and _numeric(b):
        return _float_arithmetic(op, a, b)
    if strings and {a.form, b.form} <= {"string", "scalar"}:
        return Vec("string", a.data + b.data, {NULL, STRING})
    return _map(partial(values.arithmetic, op), a, b)


def _float_arithmetic(op: str, a: Vec, b: Vec) -> Vec:
    """numpy on float64; non-finite results (division by zero, overflow) are null as in
    ``values``.  Where Python could differ (exact int results of 2**53 and more, the
    power guard of ``values``), the slow path instead."""
    x, y = a.data, b.data
    if op == "**" and b.is_scalar:  # numpy's x*x and sqrt shortcuts round unlike libm pow
        y = np.full(a.n, float(y))
    ints = _both(a.integral, b.integral)  # Python ints: exact, unbounded
    with np.errstate(all="ignore"):
        result = _power(x, y) if op == "**" else _ARITH[op](x, y)
        risky = False if ints is False else _both(ints, np.abs(result) >= _EXACT)
        if op == "**":
            risky = _either(risky, (result == 0) & (x != 0))
            result[np.broadcast_to(_either(a.null, b.null), result.shape)] = np.nan  # NaN**0 = 1
        result[~np.isfinite(result)] = np.nan
    integral = False if op == "/" else _both(ints, np.asarray(y) >= 0) if op == "**" else ints
    if np.any(risky):  # rare (huge ints, power guard): every element exactly, per element
        return _map(partial(values.arithmetic, op), a, b)
    return Vec("float", result, {NULL, NUMBER}, integral=integral)
