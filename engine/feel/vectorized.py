"""AST → whole-column evaluation over pandas: the vectorized form of the condition language.

Owns ``unary_tests_mask`` (input cell × Series → fresh bool mask) and ``expression_series``
(output cell × DataFrame → Series on its index: float64 with NaN for null when the values
are numbers in float form, int64 when moreover all are non-null ints, else object with None
for null), with exactly the meaning of the scalar form (``engine.feel.values``).

A column becomes a :class:`~engine.feel.vec.Vec` (``engine.feel.vec``); typed forms use
numpy/pandas operations here, the rest calls ``engine.feel.values`` per element.
Categoricals are evaluated on their categories (made into a Vec once per column), then
indexed by the codes; a list of texts is looked up among the categories.  Columns of lists:
``engine.feel.lists``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from engine.feel import builtins, temporal_keys, values
from engine.feel.syntax import (
    Arithmetic,
    Call,
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
from engine.feel.vec import (
    BOOLEAN,
    CODE,
    DATE,
    DATETIME,
    DT_DURATION,
    EXACT,
    NULL,
    NUMBER,
    STRING,
    TEMPORAL_KINDS,
    TIME,
    YM_DURATION,
    Tri,
    Vec,
    both,
    categories,
    either,
    from_objects,
    from_series,
    iana,
    neg,
    scalar,
)

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide, "**": np.power}
_SELF_MASKING = {"float", "string", "datetime", "scalar"}  # their typed ops are False at nulls


def _numeric(v: Vec) -> bool:
    x = v.data
    return v.form == "float" or (v.is_scalar and (type(x) is float or (type(x) is int and abs(x) < EXACT)))


def _values_op(op: str, a: Vec, b: Vec, where: Any) -> Any:
    """``op`` on the values, False outside ``where`` (same non-null kind on both sides);
    ``where`` None: every position holds one kind or a null."""
    if a.is_scalar:
        a, b, op = b, a, _FLIP[op]
    if where is None and not (a.form in _SELF_MASKING and b.form in _SELF_MASKING):
        where = neg(either(a.null, b.null))
    result, f = None, _OPS[op]
    if (_numeric(a) and _numeric(b)) or a.form == b.form in ("string", "bool", "datetime") or (
            b.is_scalar and (a.form, type(b.data)) in (("string", str), ("bool", bool))):
        result = f(a.data, b.data)  # pandas string arrays may answer with NA: not a match
        result = result if isinstance(result, np.ndarray) else result.to_numpy(bool, na_value=False)
    elif a.form == "datetime" and b.is_scalar and b.kset == {DATE}:
        result = f(a.data.astype("datetime64[D]"), np.datetime64(b.data, "D"))
    if result is not None:
        return result if where is None else both(result, where)
    where = neg(either(a.null, b.null)) if where is None else where
    index = np.flatnonzero(np.broadcast_to(where, (a.n,)))
    result = np.zeros(a.n, dtype=bool)
    if index.size:
        result[index] = _OPS[op](a.objects(index), b.objects(index)).astype(bool)
    return result


def _compare(op: str, a: Vec, b: Vec, need: bool = True) -> Tri:
    """FEEL ``op`` (= != < <= > >=) of two Vecs, as ``values.test_operator``."""
    if a.is_scalar and b.is_scalar:
        return Tri.of(values.test_operator(op, a.data, b.data))
    if _by_reference(a) or _by_reference(b):
        keyed = _keyed(op, a, b)
        return keyed if keyed is not None else _reference(op, a, b)
    if op == "!=":
        return _compare("=", a, b).not_()
    common, shared = (a.kset | b.kset) - {NULL}, (a.kset & b.kset) - {NULL}
    if op == "=":
        both_null = both(a.null, b.null) if NULL in a.kset and NULL in b.kset else False
        if len(common) <= 1:
            return Tri(either(_values_op(op, a, b, None) if shared else False, both_null), False)
        same, valued = a.kinds == b.kinds, both(a.kinds != NULL, b.kinds != NULL)
        true = _values_op(op, a, b, both(same, valued)) if shared else False
        return Tri(either(true, both_null), both(valued, neg(same)))
    if len(common) <= 1:
        if shared.isdisjoint(range(NUMBER, YM_DURATION + 1)):
            return Tri(False, True)
        return Tri(_values_op(op, a, b, None), either(a.null, b.null) if need else None)
    ordered = both(a.kinds == b.kinds, a.kinds >= NUMBER)
    return Tri(_values_op(op, a, b, ordered) if shared else False, neg(ordered))


_TEMPORAL = frozenset({TIME, DT_DURATION, YM_DURATION})


def _by_reference(v: Vec) -> bool:
    """Whether ``v`` holds times, durations or Python date and times (with a zone or not):
    compared per element by ``values.test_operator``, FEEL's rules for zones and seconds.
    Such a column is a categorical of its distinct values (``engine.evaluation.columns``), so
    this runs once per distinct value, not per row."""
    return bool(v.kset & _TEMPORAL) or (DATETIME in v.kset and v.form != "datetime")


def _reference(op: str, a: Vec, b: Vec) -> Tri:
    """``op`` element by element through the reference, as a Tri."""
    answers = np.frompyfunc(lambda x, y: values.test_operator(op, x, y), 2, 1)(a.objects(), b.objects())
    answers = np.atleast_1d(np.asarray(answers, dtype=object))
    true = np.fromiter((x is True for x in answers), dtype=bool, count=answers.size)
    null = np.fromiter((x is None for x in answers), dtype=bool, count=answers.size)
    return Tri(true, null)


def _keyed(op: str, a: Vec, b: Vec) -> Tri | None:
    """``op`` of a column of temporal values and one temporal literal on their whole-number keys
    (``engine.feel.temporal_keys``): ``values.test_operator``'s answers, by numpy; the elements
    whose key does not stand for them (``Vec.temporal_keys``) by the reference.  None where it
    does not apply (two columns, a literal of an IANA zone or of no temporal type)."""
    if op == "!=":
        equal = _keyed("=", a, b)
        return None if equal is None else equal.not_()
    if a.is_scalar:
        a, b, op = b, a, _FLIP[op]
    code = CODE[values.kind_of(b.data)] if b.is_scalar else None
    if code not in TEMPORAL_KINDS or a.form != "object" or iana(b.data):
        return None
    kind = TEMPORAL_KINDS[code]
    at = temporal_keys.key(kind, b.data)
    if at is None or not -2**63 <= at < 2**63:
        return None
    keys, zoned, usable = a.temporal_keys
    literal_zoned = kind in temporal_keys.ZONED and b.data.tzinfo is not None
    same = (a.kinds == code) & (zoned == literal_zoned)
    if op == "=":
        low, high = temporal_keys.equal_range(kind, b.data)
        true, null = same & (keys >= low) & (keys < high), ~a.null & (a.kinds != code)
    else:
        true, null = same & _OPS[op](keys, at), ~same
    patch = np.flatnonzero(~usable & (a.kinds == code))
    if patch.size:
        exact = _reference(op, a.take(patch), b)
        true[patch], null[patch] = exact.true, exact.null
    return Tri(true, null)


def _equal_any(v: Vec, literals: list[Any]) -> Tri:
    """Several ``= literal`` tests at once: one isin per kind instead of a pass per value."""
    groups: dict[int, list[Any]] = {}
    for value in literals:
        groups.setdefault(CODE[values.kind_of(value)], []).append(value)
    true = v.null if NULL in groups else False
    for code, group in groups.items():
        if code == NULL or code not in v.kset:
            continue
        if v.form == "string":
            true = either(true, np.asarray(v.data.isin(group), dtype=bool))
        else:
            for value in group:
                true = either(true, _compare("=", v, scalar(value)).true)
    kinds = set(groups) - {NULL}
    others = (v.kset - {NULL}) - (kinds if len(kinds) == 1 else set())
    return Tri(true, both(neg(true), np.isin(v.kinds, list(others))) if kinds and others else False)


def unary_tests_mask(node: UnaryTests, series: pd.Series, frame: pd.DataFrame | None) -> np.ndarray:
    """True exactly where ``scalar.compile_unary_tests(node)(value, row) is True``.  Name
    endpoints read ``frame`` by position (row i of the series is row i of the frame); a
    name the frame lacks, or no frame, is null."""
    n = len(series)
    if node.any_value:
        return np.ones(n, dtype=bool)
    names = any(isinstance(getattr(t, k, None), Name) for t in node.tests for k in ("endpoint", "low", "high"))
    if isinstance(series.dtype, pd.CategoricalDtype) and not names:  # per category, then null
        table, codes = category_table(node, series.cat.categories), series.array.codes
        flip = bool(table.sum() * 2 > len(table))  # compare codes with the fewer of hits, misses
        picked = [-1 if c == len(table) - 1 else c for c in np.flatnonzero(table != flip).tolist()]
        if len(picked) > 8:
            return table[codes]  # code -1 picks the null's answer
        mask = np.zeros(n, dtype=bool)
        for code in picked:
            mask |= codes == code
        return ~mask if flip else mask
    return np.array(np.broadcast_to(_unary(node, from_series(series), frame).true, (n,)), dtype=bool)


def category_table(node: UnaryTests, index: pd.Index) -> np.ndarray:
    """Per category of a categorical column, then for null (code -1): does the cell match?
    (Its mask is ``table[codes]``.)  A list of texts is looked up in the categories rather
    than compared with each of them."""
    known = categories(index)
    texts = [t.endpoint.value for t in node.tests if isinstance(t, Comparison) and t.op == "="
             and isinstance(t.endpoint, Literal) and type(t.endpoint.value) is str]
    if node.negated or len(texts) != len(node.tests):
        return np.array(np.broadcast_to(_unary(node, known.vec, None).true, (len(index) + 1,)), dtype=bool)
    table = np.zeros(len(index) + 1, dtype=bool)
    table[[code for code in map(known.codes.get, texts) if code is not None]] = True
    return table


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
        return scalar(node.value)
    if isinstance(node, Name):
        if frame is None or n is None or node.name not in frame.columns:
            return scalar(None)
        column = frame[node.name]  # with duplicate labels, the first column
        column = column.iloc[:, 0] if isinstance(column, pd.DataFrame) else column
        if len(column) != n:
            raise ValueError(f"column {node.name!r} has {len(column)} rows, expected {n}")
        return from_series(column)
    if isinstance(node, Negative):
        return _negate(_eval(node.operand, frame, n))
    if isinstance(node, Not):
        return _from_tri(_to_tri(_eval(node.operand, frame, n)).not_(), n)
    if isinstance(node, Call):
        return _call(builtins.BUILTINS[node.name], [_eval(arg, frame, n) for arg in node.args])
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
        return Tri(both(v.data, neg(v.null)), v.null)
    if BOOLEAN not in v.kset:
        return Tri(False, True)
    boolean = v.kinds == BOOLEAN
    return Tri(boolean & np.equal(v.objects(), True).astype(bool), ~boolean)


def _from_tri(t: Tri, n: int) -> Vec:
    if isinstance(t.true, bool) and isinstance(t.null, bool):
        return scalar(None if t.null else t.true)
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
    return from_objects(np.asarray(result, dtype=object))


def _negate(v: Vec) -> Vec:
    if v.is_scalar:
        return scalar(values.negate(v.data))
    if v.form == "float":
        return Vec("float", -v.data, v.kset, integral=v.integral)
    return _map(values.negate, v) if NUMBER in v.kset else scalar(None)


def _arithmetic(op: str, a: Vec, b: Vec) -> Vec:
    if a.is_scalar and b.is_scalar:
        return scalar(values.arithmetic(op, a.data, b.data))
    strings = op == "+" and STRING in a.kset and STRING in b.kset
    if not strings and not (NUMBER in a.kset and NUMBER in b.kset):
        return scalar(None)
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
    ints = both(a.integral, b.integral)  # Python ints: exact, unbounded
    with np.errstate(all="ignore"):
        result = _power(x, y) if op == "**" else _ARITH[op](x, y)
        risky = False if ints is False else both(ints, np.abs(result) >= EXACT)
        if op == "**":
            risky = either(risky, (result == 0) & (x != 0))
            result[np.broadcast_to(either(a.null, b.null), result.shape)] = np.nan  # NaN**0 = 1
        result[~np.isfinite(result)] = np.nan
    integral = False if op == "/" else both(ints, np.asarray(y) >= 0) if op == "**" else ints
    if np.any(risky):  # rare (huge ints, power guard): every element exactly, per element
        return _map(partial(values.arithmetic, op), a, b)
    return Vec("float", result, {NULL, NUMBER}, integral=integral)


def _call(function: builtins.Builtin, args: list[Vec]) -> Vec:
    """A built-in function over columns: numpy on a column of numbers with a constant scale
    (the elements its float arithmetic is unsure of, once per distinct value, by the scalar
    form); any other mix of arguments element by element through the scalar form."""
    if all(arg.is_scalar for arg in args):
        return scalar(function.scalar(*(arg.data for arg in args)))
    x, rest = args[0], args[1:]
    if not (_numeric(x) and not x.is_scalar and all(arg.is_scalar for arg in rest)):
        return _map(function.scalar, *args) if NUMBER in x.kset else scalar(None)
    places = builtins.scale_of(rest[0].data) if rest else 0
    if places is None:
        return scalar(None)
    result, unsure = function.vectorized(x.data, places)
    index = np.flatnonzero(unsure)
    if index.size:
        exact: dict[Any, Any] = {}
        for at, value in zip(index.tolist(), x.objects(index).tolist()):
            if value not in exact:
                exact[value] = function.scalar(value, *(arg.data for arg in rest))
            result[at] = np.nan if exact[value] is None else float(exact[value])
    with np.errstate(invalid="ignore"):
        integral = (result == np.floor(result)) & (np.abs(result) < EXACT)
    return Vec("float", result, {NULL, NUMBER}, integral=integral)
