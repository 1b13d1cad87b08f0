"""Patient values → typed values, by the ``Inputs`` types, and their validation.

Owns what a raw value (text from a CSV file, or a Python value) means for an input of
type number, integer, string, boolean or date, what counts as missing, and the checks
against allowed values and ``Required``.  The scalar functions are the reference; the
column functions do the same per column, and tests check that the two agree.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Collection

import numpy as np
import pandas as pd

from engine import values
from engine.model import InputDef

NUMBER_TEXT = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
DATE_TEXT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_NUMBER = re.compile(NUMBER_TEXT)
_DATE = re.compile(DATE_TEXT)
TRUE_WORDS = frozenset({"true", "yes", "1", "y"})
FALSE_WORDS = frozenset({"false", "no", "0", "n"})
_WHAT = {"number": "a number", "integer": "a whole number", "string": "a text", "boolean":
         "true or false (or yes/no, 1/0)", "date": "a date written YYYY-MM-DD"}


class Invalid(ValueError):
    """A value that cannot be converted; the message is in the analyst's terms."""


def is_missing(value: Any, na_values: Collection[str] = ()) -> bool:
    if isinstance(value, str):
        text = value.replace("\u00a0", " ").strip()
        return text == "" or text in na_values
    return values.kind_of(value) == values.NULL


def convert_value(value: Any, kind: str, na_values: Collection[str] = ()) -> Any:
    """The typed value (None when missing); raises Invalid when it cannot be converted."""
    if is_missing(value, na_values):
        return None
    if isinstance(value, str):
        return _from_text(value.replace("\u00a0", " ").strip(), kind)
    return _from_python(values.canonical(value), kind)


def _from_text(text: str, kind: str) -> Any:
    if kind == "string":
        return text
    if kind in ("number", "integer") and _NUMBER.fullmatch(text):
        return _from_python(float(text) if not re.fullmatch(r"[+-]?[0-9]+", text) else int(text), kind)
    if kind == "boolean" and text.lower() in TRUE_WORDS | FALSE_WORDS:
        return text.lower() in TRUE_WORDS
    if kind == "date" and _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise Invalid(f'"{text}" is not a valid date') from None
    raise Invalid(f'"{text}" is not {_WHAT[kind]}')


def _from_python(value: Any, kind: str) -> Any:
    found = values.kind_of(value)
    if kind in ("number", "integer") and found == values.NUMBER:
        if not math.isfinite(value):
            raise Invalid(f"{value} is not {_WHAT[kind]}")
        if kind == "integer":
            if float(value) != int(value):
                raise Invalid(f"{_show(value)} is not {_WHAT[kind]}")
            return int(value)
        return value
    if kind == "boolean" and found == values.BOOLEAN:
        return bool(value)
    if kind == "boolean" and found == values.NUMBER and value in (0, 1):
        return bool(value)
    if kind == "date" and found == values.DATE:
        return value
    if kind == "string" and found == values.STRING:
        return value
    raise Invalid(f"{_show(value)} is not {_WHAT[kind]}")


def check_value(value: Any, definition: InputDef) -> str | None:
    """Why a converted value is not acceptable for its input (None when it is)."""
    if value is None:
        return "a value is required" if definition.required else None
    allowed = definition.allowed
    if allowed is not None and not allowed.matches(value):
        return not_allowed_message(value, allowed.text)
    return None


def not_allowed_message(value: Any, allowed_text: str) -> str:
    value = values.canonical(value)
    message = f"{_show(value)} is not an allowed value (allowed: {allowed_text})"
    if isinstance(value, str):
        options = re.findall(r'"([^"]*)"', allowed_text)
        close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
        if close:
            message += f'; did you mean "{close[0]}"?'
    return message


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------------- per column
@dataclass(frozen=True)
class Column:
    """One input column converted: typed values, and per row why it cannot be used."""

    values: pd.Series  # float64 (numbers), boolean, category (texts), datetime64 (dates)
    messages: dict[int, str]  # row position → problem, only for rows with one
    unusable: np.ndarray  # bool per row


def convert_column(series: pd.Series, definition: InputDef, na_values: Collection[str] = ()) -> Column:
    """Convert and check a whole column, exactly as convert_value and check_value per cell.

    Distinct values are judged once: a text column is dictionary-encoded (pyarrow) and
    each distinct text goes through the scalar functions, so both paths agree by
    construction; other columns are judged element by element with a cache."""
    if _is_numeric(series) and definition.type in ("number", "integer"):
        return _numeric(series, definition)
    entries, codes = _entries(series)
    judged = [_judge(value, definition, na_values) for value in entries]
    judged.append((None, check_value(None, definition)))  # code -1: a missing value
    codes = np.where(codes < 0, len(entries), codes)
    bad = np.array([message is not None for _, message in judged], dtype=bool)
    unusable = bad[codes]
    rows = np.flatnonzero(unusable)
    messages = {int(r): judged[codes[r]][1] for r in rows.tolist()}
    values = _typed([value for value, _ in judged], codes, definition.type, series.index)
    return Column(values, messages, unusable)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _entries(series: pd.Series) -> tuple[list[Any], np.ndarray]:
    """Distinct values and, per row, the position of its value (-1 for a missing one)."""
    if hasattr(series.array, "__arrow_array__") and pd.api.types.is_string_dtype(series):
        import pyarrow as pa

        encoded = pa.chunked_array(series.array.__arrow_array__()).dictionary_encode().combine_chunks()
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return encoded.dictionary.to_pylist(), codes
    seen: dict[tuple[type, Any], int] = {}
    entries: list[Any] = []
    codes = np.empty(len(series), dtype=np.int64)
    for row, value in enumerate(series.to_numpy(dtype=object)):
        try:
            key: tuple[type, Any] | None = (type(value), value)
            code = seen.get(key)  # type: ignore[arg-type]
        except TypeError:  # unhashable
            key, code = None, None
        if code is None:
            code = len(entries)
            entries.append(value)
            if key is not None and not (isinstance(value, float) and math.isnan(value)):
                seen[key] = code
        codes[row] = code
    return entries, codes


def _judge(value: Any, definition: InputDef, na_values: Collection[str]) -> tuple[Any, str | None]:
    try:
        converted = convert_value(value, definition.type, na_values)
    except Invalid as error:
        return None, f"{definition.name}: {error}"
    problem = check_value(converted, definition)
    return converted, (f"{definition.name}: {problem}" if problem else None)


def _typed(entries: list[Any], codes: np.ndarray, kind: str, index: pd.Index) -> pd.Series:
    if kind in ("number", "integer"):
        table = np.array([np.nan if v is None else float(v) for v in entries], dtype=np.float64)
        return pd.Series(table[codes], index=index)
    if kind == "boolean":
        table = np.array([-1 if v is None else int(v) for v in entries], dtype=np.int8)
        picked = table[codes]
        return pd.Series(pd.arrays.BooleanArray(picked == 1, picked < 0), index=index)
    if kind == "date":
        table = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "ns") for v in entries])
        return pd.Series(table[codes].astype("datetime64[ns]"), index=index)
    categories = sorted({v for v in entries if v is not None})
    position = {v: k for k, v in enumerate(categories)}
    table = np.array([-1 if v is None else position[v] for v in entries], dtype=np.int64)
    return pd.Series(pd.Categorical.from_codes(table[codes], categories=categories), index=index)


def _numeric(series: pd.Series, definition: InputDef) -> Column:
    """A column that is already numeric: only whole numbers, finiteness and allowed values
    need checking."""
    numbers = series.astype("float64")
    array = numbers.to_numpy()
    missing = np.isnan(array)
    with np.errstate(invalid="ignore"):
        bad = np.isinf(array)
        if definition.type == "integer":
            bad |= ~missing & np.isfinite(array) & (np.floor(array) != array)
    messages = {int(r): f"{definition.name}: {_show(array[r])} is not {_WHAT[definition.type]}"
                for r in np.flatnonzero(bad).tolist()}
    unusable = bad.copy()
    if definition.required:
        for r in np.flatnonzero(missing).tolist():
            messages[int(r)] = f"{definition.name}: a value is required"
        unusable |= missing
    if definition.allowed is not None:
        refused = ~missing & ~bad & ~definition.allowed.mask(numbers)
        for r in np.flatnonzero(refused).tolist():
            messages[int(r)] = f"{definition.name}: {not_allowed_message(canonical_number(array[r]), definition.allowed.text)}"
        unusable |= refused
    return Column(numbers.where(~bad, np.nan), messages, unusable)


def canonical_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)
