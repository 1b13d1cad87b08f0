"""A column of FEEL values as numpy arrays: the data of the vectorized form.

Owns :class:`Vec` (each element's FEEL kind plus the values in one *form*: ``float``
(float64, NaN = null, which elements are ints; ints below 2**53 only), ``bool``,
``datetime`` (naive datetime64; midnight is a date), ``string`` (pandas string array),
``object`` (canonical values, None = null: also the times, durations and Python date and
times of a temporal input, whose column is a categorical of them) or ``scalar`` (one value
for all rows)), how a
pandas Series or an object array becomes one (typed dtypes by numpy, the rest per element
through ``engine.feel.values``, so it agrees by construction), the three-valued
:class:`Tri`, and a categorical column's categories made into a Vec once per column.
The operations on Vecs are ``engine.feel.vectorized``'s.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from engine.feel import temporal_keys, values
from engine.feel.temporal import YearsMonths

NULL, BOOLEAN, OTHER, NUMBER, STRING, DATE, DATETIME, TIME, DT_DURATION, YM_DURATION = range(10)  # ordered: >= NUMBER
CODE = {values.NULL: NULL, values.BOOLEAN: BOOLEAN, values.OTHER: OTHER, values.NUMBER: NUMBER,
        values.STRING: STRING, values.DATE: DATE, values.DATETIME: DATETIME, values.TIME: TIME,
        values.DT_DURATION: DT_DURATION, values.YM_DURATION: YM_DURATION}
_SIMPLE = {str: STRING, bool: BOOLEAN, int: NUMBER, float: NUMBER, type(None): NULL, dt.date: DATE,
           dt.time: TIME, dt.timedelta: DT_DURATION, YearsMonths: YM_DURATION}
EXACT = 2.0**53  # ints of smaller magnitude are exact in float64


class Tri(NamedTuple):
    """(is_true, is_null): bool arrays or Python bools; null None: not tracked (not needed)."""

    true: Any
    null: Any

    @staticmethod
    def of(value: Any) -> Tri:
        return Tri(value is True, not isinstance(value, bool))

    def not_(self) -> Tri:
        return Tri(both(neg(self.true), neg(self.null)), self.null)

    def or_(self, other: Tri, need: bool = True) -> Tri:
        true = either(self.true, other.true)
        return Tri(true, both(either(self.null, other.null), neg(true)) if need else None)

    def and_(self, other: Tri, need: bool = True) -> Tri:
        true = both(self.true, other.true)
        false = need and either(neg(either(self.true, self.null)), neg(either(other.true, other.null)))
        return Tri(true, neg(either(true, false)) if need else None)


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

    @cached_property
    def temporal_keys(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per element of an object Vec: its key (``engine.feel.temporal_keys``, by its own
        kind; 0 where none), whether that key is of a value with a zone (class 1), and whether
        the key stands for it in comparisons: not for a date and time of an IANA zone (Python
        orders two of one zone by their clocks), nor for a key beyond 64 bits."""
        keys = np.zeros(self.n or 0, dtype=np.int64)
        zoned = np.zeros(self.n or 0, dtype=bool)
        usable = np.zeros(self.n or 0, dtype=bool)
        kinds = np.broadcast_to(self.kinds, (self.n or 0,))
        for at in np.flatnonzero(np.isin(kinds, list(TEMPORAL_KINDS))).tolist():
            value, kind = self.data[at], TEMPORAL_KINDS[int(kinds[at])]
            key = temporal_keys.key(kind, value)
            if key is None or not -2**63 <= key < 2**63 or iana(value):
                continue
            keys[at], usable[at] = key, True
            zoned[at] = kind in temporal_keys.ZONED and value.tzinfo is not None
        return keys, zoned, usable

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


TEMPORAL_KINDS = {DATETIME: temporal_keys.DATETIME, TIME: temporal_keys.TIME, DT_DURATION: temporal_keys.DT_DURATION,
                  YM_DURATION: temporal_keys.YM_DURATION}


def iana(value: Any) -> bool:
    """A date and time of an IANA zone (``@Europe/Paris``)."""
    return isinstance(value, dt.datetime) and getattr(value.tzinfo, "key", None) is not None


def scalar(value: Any) -> Vec:
    return Vec("scalar", value, {CODE[values.kind_of(value)]}, integral=type(value) is int)


def from_series(series: pd.Series) -> Vec:
    dtype, numpy_dtype = series.dtype, isinstance(series.dtype, np.dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return categories(series.cat.categories).vec.take(series.array.codes)  # code -1: null, last
    if isinstance(dtype, pd.StringDtype):
        return Vec("string", series.array, {NULL, STRING})
    if dtype.kind == "b":
        null = False if numpy_dtype else np.asarray(series.isna(), dtype=bool)
        return Vec("bool", series.to_numpy(dtype=bool, na_value=False), {NULL, BOOLEAN}, null=null)
    if dtype.kind in "iuf":
        raw = series.to_numpy() if numpy_dtype else series.to_numpy(np.float64, na_value=np.nan)
        ints = raw if numpy_dtype or dtype.kind == "f" else raw[~np.isnan(raw)]
        if dtype.kind == "f" or not ints.size or (ints.min() > -EXACT and ints.max() < EXACT):
            return Vec("float", raw.astype(np.float64, copy=False), {NULL, NUMBER}, integral=dtype.kind != "f")
    if numpy_dtype and dtype.kind == "M":
        data = series.to_numpy()
        null, midnight = np.isnat(data), data == data.astype("datetime64[D]")
        kinds = np.where(null, np.int8(NULL), np.where(midnight, np.int8(DATE), np.int8(DATETIME)))
        present = {NULL: null, DATE: midnight, DATETIME: ~(null | midnight)}
        return Vec("datetime", data, {k for k, m in present.items() if m.any()}, kinds, null)
    return from_objects(series.to_numpy(dtype=object))


def classify(value: Any) -> tuple[int, Any]:
    """(kind code, canonical value) of one element, as values.kind_of/canonical say."""
    code = _SIMPLE.get(type(value))
    if code is None:
        value = None if value is pd.NA else values.canonical(value)
        return CODE[values.kind_of(value)], value
    return (NULL, None) if code == NUMBER and value != value else (code, value)


def from_objects(array: np.ndarray) -> Vec:
    """Per-element classification of an object array: the slow path, for mixed columns."""
    pairs = [classify(v) for v in array]
    kinds = np.fromiter((k for k, _ in pairs), dtype=np.int8, count=len(pairs))
    canon = np.fromiter((v for _, v in pairs), dtype=object, count=len(pairs))
    kset = set(np.unique(kinds).tolist())
    if kset in ({NUMBER}, {NULL, NUMBER}) and all(
            type(v) is float or (type(v) is int and abs(v) < EXACT) for v in canon[kinds == NUMBER]):
        integral = np.fromiter((type(v) is int for v in canon), dtype=bool, count=len(canon))
        return Vec("float", np.where(kinds == NULL, np.nan, canon).astype(np.float64),
                   {NULL, NUMBER}, integral=integral)
    if kset in ({BOOLEAN}, {NULL, BOOLEAN}):
        return Vec("bool", np.equal(canon, True).astype(bool), kset, null=kinds == NULL)
    return Vec("object", canon, kset, kinds=kinds)


def neg(x: Any) -> Any:
    return bool(not x) if isinstance(x, (bool, np.bool_)) else ~x


def both(x: Any, y: Any) -> Any:
    if x is False or y is False:
        return False
    return y if x is True else x if y is True else x & y


def either(x: Any, y: Any) -> Any:
    if x is True or y is True:
        return True
    return y if x is False else x if y is False else x | y


class Categories:
    """A categorical column's categories, once per column rather than once per cell (a table of
    20,000 rules tests the same categories 20,000 times): as one Vec with null last (code -1),
    and as a map from each text to its code."""

    def __init__(self, index: pd.Index) -> None:
        self.index = index

    @cached_property
    def vec(self) -> Vec:
        return from_objects(np.append(self.index.to_numpy(dtype=object), None))

    @cached_property
    def codes(self) -> dict[str, int]:
        return {v: code for code, v in enumerate(self.index.to_numpy(dtype=object).tolist()) if type(v) is str}


_CATEGORIES: dict[int, Categories] = {}  # by id; each holds its Index, so the id stays its own


def categories(index: pd.Index) -> Categories:
    found = _CATEGORIES.get(id(index))
    if found is None or found.index is not index:
        if len(_CATEGORIES) >= 16:
            _CATEGORIES.clear()
        found = _CATEGORIES[id(index)] = Categories(index)
    return found
