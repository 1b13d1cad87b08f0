"""Patient columns → typed columns: each distinct value converted and checked once.

Owns the column-wise side of ``engine.evaluation.input_values``: a column of raw values becomes numbers
(float64), booleans (pandas' nullable boolean), texts (a categorical), dates (datetime64
in seconds: the years 1 to 9999), dates and times, times and durations (a categorical of the
distinct values) or lists (objects: a tuple per row, None for null), with,
per row, why its value cannot be used.  Every distinct value goes through the per-value
reference functions, so the two paths agree by construction; only the many plain numbers of
a number column are judged at once (tested against them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.evaluation.coded import category_codes
from engine.evaluation.input_values import (
    MAX_INTEGER,
    NUMBER_TEXT,
    Invalid,
    check_value,
    convert_value,
    not_allowed_message,
)
from engine.model.types import TEMPORAL_TYPES, InputDef, is_list

_FEW = 64  # distinct values below which judging each with the scalar functions is as fast
_PLAIN_NUMBER = re.compile(NUMBER_TEXT)
_EXACT = 2.0 ** 53  # every whole number below this is exact as a float
_DATE_UNIT = "datetime64[s]"  # nanoseconds end in 2262


@dataclass(frozen=True)
class Column:
    """One input column converted: typed values, and per row why it cannot be used."""

    values: pd.Series  # float64 (numbers), boolean, category (texts; temporal values), datetime64[s] (dates), object
    # (lists)
    messages: dict[int, str]  # row position → problem, only for rows with one
    unusable: np.ndarray  # bool per row


def convert_column(series: Any, definition: InputDef, na_values: Collection[str] = (), label: str | None = None
                   ) -> Column:
    """Convert and check a whole column (a pandas Series, or an Arrow array as read from a
    file), exactly as convert_value and check_value per cell.

    Distinct values are judged once: a text column is dictionary-encoded (pyarrow) and
    each distinct text goes through the scalar functions, so both paths agree by
    construction; other columns are judged element by element with a cache.  Messages name the
    input ``label`` (default: its name)."""
    label = label or definition.name
    listed = _arrow_lists(series) if not isinstance(series, pd.Series) and is_list(definition.type) else None
    if listed is not None:  # a Parquet list column, its distinct lists found by Arrow
        entries, codes = listed
        index = pd.RangeIndex(len(series))
    elif not isinstance(series, pd.Series):
        if not _is_arrow_text(series.type):
            return convert_column(_pandas(series), definition, na_values, label)
        entries, codes = _encoded(series)
        index = pd.RangeIndex(len(series))
    elif _is_numeric(series) and definition.type in ("number", "integer"):
        return _numeric(series, definition, label)
    else:
        entries, codes = _entries(series)
        index = series.index
    judged = _judged(entries, definition, na_values, label)
    judged.append(_judge(None, definition, na_values, label))  # code -1: a missing value
    if codes.min(initial=0) < 0:
        codes = np.where(codes < 0, len(entries), codes)
    bad = np.array([message is not None for _, message in judged], dtype=bool)
    unusable = bad[codes]
    rows = np.flatnonzero(unusable)
    messages = {int(r): judged[codes[r]][1] for r in rows.tolist()}
    values = typed([value for value, _ in judged], codes, definition.type, index)
    return Column(values, messages, unusable)


def _pandas(array: Any) -> pd.Series:
    """An Arrow array as pandas holds it, except that whole numbers with nulls stay whole
    numbers (pandas' nullable integers), not floats that round those beyond 2**53."""
    import pyarrow as pa

    if pa.types.is_integer(array.type) and array.null_count:
        return array.to_pandas(types_mapper=lambda kind: pd.api.types.pandas_dtype(str(kind).replace("int", "Int")
                                                                                      .replace("uInt", "UInt")))
    return array.to_pandas()


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _entries(series: pd.Series) -> tuple[list[Any], np.ndarray]:
    """Distinct values and, per row, the position of its value (-1 for a missing one)."""
    if hasattr(series.array, "__arrow_array__") and pd.api.types.is_string_dtype(series):
        return _encoded(series.array.__arrow_array__())
    seen: dict[tuple[type, Any], int] = {}
    entries: list[Any] = []
    codes = np.empty(len(series), dtype=np.int64)
    for row, value in enumerate(series.to_numpy(dtype=object)):
        try:
            key: tuple[type, Any] | None = (type(value), value) if type(value) is not tuple else _list_key(value)
            code = seen.get(key)  # type: ignore[arg-type]
        except TypeError:  # unhashable: a list or an array (a Parquet list) by its elements
            key = _list_key(value)
            code = None if key is None else seen.get(key)
        if code is None:
            code = len(entries)
            entries.append(value)
            if key is not None and not (isinstance(value, float) and math.isnan(value)):
                seen[key] = code
        codes[row] = code
    return entries, codes


def _list_key(value: Any) -> tuple[type, Any] | None:
    """A list's, a tuple's or a one-dimensional array's elements, each with its type, as a key
    ((True,) is not (1,)); None when not hashable so."""
    if not (isinstance(value, (list, tuple)) or getattr(value, "ndim", None) == 1):
        return None
    try:
        items = tuple(value.tolist() if hasattr(value, "tolist") else value)
        hash(items)
    except TypeError:
        return None
    return (list, tuple((type(v), v) for v in items))


def _arrow_lists(array: Any) -> tuple[list[Any], np.ndarray] | None:
    """Distinct lists of an Arrow list array and each row's position (-1: null), found by
    dictionary-encoding a key per row (its length and its elements as texts, joined); None
    when the array holds no lists, or the key could be ambiguous (a text holding the joints)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    if not (pa.types.is_list(array.type) or pa.types.is_large_list(array.type)):
        return None
    try:
        texts = array if pa.types.is_string(array.type.value_type) else array.cast(pa.list_(pa.string()))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    flat = pc.list_flatten(texts)
    if len(flat) and pc.any(pc.match_substring_regex(flat, "[\x1e\x1f]")).as_py():
        return None
    lengths = pc.cast(pc.list_value_length(texts), pa.string())
    keys = pc.binary_join_element_wise(lengths, pc.binary_join(texts, "\x1f"), "\x1e")
    encoded = keys.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    found, first = np.unique(codes, return_index=True)
    rows = first[found >= 0]
    return array.take(pa.array(rows)).to_pylist() if len(rows) else [], codes


def _is_arrow_text(arrow_type: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


def _encoded(array: Any) -> tuple[list[Any], np.ndarray]:
    """Distinct texts of an Arrow text array and each row's position (-1: null).  A patient
    column holds few distinct texts, and most show up in its first rows: those are looked up
    with ``index_in`` (about a quarter cheaper than hashing every text into a new
    dictionary), and only the rows holding other texts are dictionary-encoded."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    known = pc.unique(array.slice(0, _SAMPLE_ROWS)).drop_null()
    found = pc.index_in(array, value_set=known)
    codes = found.fill_null(-1).to_numpy(zero_copy_only=False) if found.null_count else found.to_numpy()
    entries = known.to_pylist()
    if found.null_count > array.null_count:  # texts the first rows did not have
        others = np.flatnonzero(found.is_null().to_numpy(zero_copy_only=False) &
                                array.is_valid().to_numpy(zero_copy_only=False))
        encoded = array.take(pa.array(others)).dictionary_encode()
        codes = codes.copy() if not codes.flags.writeable else codes
        codes[others] = encoded.indices.to_numpy() + len(entries)
        entries += encoded.dictionary.to_pylist()
    return entries, codes  # int32 codes: half the memory


_SAMPLE_ROWS = 4096  # first rows whose distinct texts are looked up in the rest


def _judged(entries: list[Any], definition: InputDef, na_values: Collection[str], label: str
            ) -> list[tuple[Any, str | None]]:
    """Each distinct value converted and checked (value, problem) as ``_judge`` does."""
    if definition.type in ("number", "integer") and len(entries) > _FEW:
        return _judged_numbers(entries, definition, na_values, label)
    if is_list(definition.type) and definition.allowed is not None and len(entries) > _FEW:
        return _judged_lists(entries, definition, na_values, label)
    return [_judge(value, definition, na_values, label) for value in entries]


def _judged_lists(entries: list[Any], definition: InputDef, na_values: Collection[str], label: str
                  ) -> list[tuple[Any, str | None]]:
    """Distinct values of a list column: many distinct lists share few elements, so each
    element is checked against the allowed values once; a list with a refused element (for
    its message) by ``_judge``."""
    allowed, verdicts = definition.allowed.element_tests, {}  # type: ignore[union-attr]
    judged: list[tuple[Any, str | None]] = []
    for value in entries:
        try:
            converted = convert_value(value, definition.type, na_values)
        except Invalid:
            judged.append(_judge(value, definition, na_values, label))
            continue
        if converted is None:
            judged.append(_judge(value, definition, na_values, label))
            continue
        fine = True
        for element in converted:
            key = (type(element), element)
            if key not in verdicts:
                verdicts[key] = allowed.matches(element)
            fine = fine and verdicts[key]
        judged.append((converted, None) if fine else _judge(value, definition, na_values, label))
    return judged


def _judged_numbers(entries: list[Any], definition: InputDef, na_values: Collection[str], label: str
                    ) -> list[tuple[Any, str | None]]:
    """Distinct values of a number column, the common ones at once: a text that is just a
    number (no spaces, not a missing-value word) whose value is finite, exact as a float
    and, for an integer input, whole, is judged by the vectorized allowed-values mask;
    any other value (and every refused one, for its message) by ``_judge``."""
    plain = np.array([isinstance(v, str) and v not in na_values and _PLAIN_NUMBER.fullmatch(v) is not None
                      for v in entries], dtype=bool)
    numbers = np.full(len(entries), np.nan)
    numbers[plain] = np.array([entries[i] for i in np.flatnonzero(plain)], dtype=object).astype(np.float64)
    with np.errstate(invalid="ignore"):
        fine = plain & (np.abs(numbers) < _EXACT)
        if definition.type == "integer":
            fine &= np.floor(numbers) == numbers
    if definition.allowed is not None and fine.any():
        fine[fine] = np.asarray(definition.allowed.mask(pd.Series(numbers[fine])), dtype=bool)
    return [(float(numbers[i]), None) if fine[i] else _judge(value, definition, na_values, label)
            for i, value in enumerate(entries)]


def _judge(value: Any, definition: InputDef, na_values: Collection[str], label: str) -> tuple[Any, str | None]:
    try:
        converted = convert_value(value, definition.type, na_values)
    except Invalid as error:
        return None, f"{label}: {error}"
    problem = check_value(converted, definition)
    return converted, (f"{label}: {problem}" if problem else None)


def typed(entries: list[Any], codes: np.ndarray, kind: str, index: pd.Index) -> pd.Series:
    """The column of ``entries[codes]`` in the typed form of an input of type ``kind``."""
    if is_list(kind):  # tuples
        table = np.empty(len(entries), dtype=object)
        for position, value in enumerate(entries):
            table[position] = value
        return pd.Series(table[codes], index=index, dtype=object)
    if kind in ("number", "integer"):
        table = np.array([np.nan if v is None else float(v) for v in entries], dtype=np.float64)
        return pd.Series(table[codes], index=index)
    if kind == "boolean":
        table = np.array([-1 if v is None else int(v) for v in entries], dtype=np.int8)
        picked = table[codes]
        return pd.Series(pd.arrays.BooleanArray(picked == 1, picked < 0), index=index)
    if kind == "date":  # seconds, not pandas' default nanoseconds: years 1 to 9999 fit
        table = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in entries],
                         dtype="datetime64[D]").astype(_DATE_UNIT)
        return pd.Series(table[codes], index=index)
    if kind in TEMPORAL_TYPES:
        return _temporal(entries, codes, index)
    categories = sorted({v for v in entries if v is not None})
    position = {v: k for k, v in enumerate(categories)}
    table = np.array([-1 if v is None else position[v] for v in entries], dtype=category_codes(len(categories)))
    return pd.Series(pd.Categorical.from_codes(table[codes], categories=categories, validate=False),
                     index=index)  # codes valid by construction: no check of every row



def _temporal(entries: list[Any], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A column of dates and times, times or durations: a categorical of the distinct values
    (Python's, in the order first met), which the cells test once per distinct value
    (``engine.feel.vectorized``).  Values Python holds equal are one category (a category
    index holds each value once): ``PT36H`` and ``P1DT12H``, or one instant in two zones
    (``08:30:00Z``, ``09:30:00@Europe/Paris``), which FEEL holds equal too."""
    seen: dict[Any, int] = {}
    categories: list[Any] = []
    table = np.empty(len(entries), dtype=np.int64)
    for position, value in enumerate(entries):
        if value is None:
            table[position] = -1
            continue
        found = seen.setdefault(value, len(categories))
        if found == len(categories):
            categories.append(value)
        table[position] = found
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype=object))
    picked = table[codes].astype(category_codes(len(categories)))
    return pd.Series(pd.Categorical.from_codes(picked, dtype=dtype, validate=False), index=index)


def _numeric(series: pd.Series, definition: InputDef, label: str) -> Column:
    """A column that is already numeric: only whole numbers, finiteness, the integers' range
    and allowed values need checking; a refused value's message is the reference's, made
    once per distinct value (from the column's own value: an int64 beyond 2**53 is exact)."""
    numbers = series.astype("float64")
    array = numbers.to_numpy()
    missing = np.isnan(array)
    with np.errstate(invalid="ignore"):
        bad = np.isinf(array)
        if definition.type == "integer":
            bad |= ~missing & ((np.abs(array) > MAX_INTEGER) | (np.floor(array) != array))
    said: dict[Any, str | None] = {}
    messages = {}
    for r in np.flatnonzero(bad).tolist():
        value = series.iat[r]
        if value not in said:
            said[value] = _judge(value, definition, (), label)[1]
        messages[int(r)] = said[value]
    unusable = bad.copy()
    if definition.required:
        for r in np.flatnonzero(missing).tolist():
            messages[int(r)] = f"{label}: a value is required"
        unusable |= missing
    if definition.allowed is not None:
        refused = ~missing & ~bad & ~definition.allowed.mask(numbers)
        for r in np.flatnonzero(refused).tolist():
            messages[int(r)] = f"{label}: {not_allowed_message(canonical_number(array[r]), definition.allowed.text)}"
        unusable |= refused
    return Column(numbers.where(~bad, np.nan), messages, unusable)


def canonical_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)
