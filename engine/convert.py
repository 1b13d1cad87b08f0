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
from typing import Any, Collection

import numpy as np
import pandas as pd

from engine import values
from engine.model import InputDef

NUMBER_TEXT = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
DATE_TEXT = r"\d{4}-\d{2}-\d{2}"
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
        return _from_python(float(text) if not re.fullmatch(r"[+-]?\d+", text) else int(text), kind)
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
def convert_column(series: pd.Series, kind: str, na_values: Collection[str] = ()) -> tuple[pd.Series, pd.Series]:
    """(typed values, error messages or None) for a whole column, as convert_value per cell."""
    if kind in ("number", "integer") and pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return _numeric_column(series.astype("float64"), kind)
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        text = series.astype(object)
        is_text = np.fromiter((isinstance(v, str) for v in text), bool, len(text))
        if is_text.all():
            return _text_column(text, kind, na_values)
    return _cellwise(series, kind, na_values)


def _text_column(text: pd.Series, kind: str, na_values: Collection[str]) -> tuple[pd.Series, pd.Series]:
    stripped = text.str.replace("\u00a0", " ", regex=False).str.strip()
    missing = (stripped == "") | stripped.isin(list(na_values))
    if kind == "string":
        return stripped.where(~missing, None).astype(object), pd.Series(None, index=text.index, dtype=object)
    if kind in ("number", "integer"):
        ok = stripped.str.fullmatch(NUMBER_TEXT)
        numbers = pd.to_numeric(stripped.where(ok & ~missing), errors="coerce").astype("float64")
        converted, errors = _numeric_column(numbers, kind)
        bad = ~missing & ~ok
        return converted, errors.where(~bad, stripped.map(lambda t: f'"{t}" is not {_WHAT[kind]}'))
    return _cellwise(stripped.where(~missing, ""), kind, na_values)


def _numeric_column(numbers: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    errors = pd.Series(None, index=numbers.index, dtype=object)
    bad = np.isinf(numbers.to_numpy())
    if kind == "integer":
        array = numbers.to_numpy()
        with np.errstate(invalid="ignore"):
            bad |= np.isfinite(array) & (np.floor(array) != array)
    if bad.any():
        errors[bad] = [f"{_show(v)} is not {_WHAT[kind]}" for v in numbers[bad]]
        numbers = numbers.where(~bad, np.nan)
    return numbers, errors


def _cellwise(series: pd.Series, kind: str, na_values: Collection[str]) -> tuple[pd.Series, pd.Series]:
    converted, errors = [], []
    for value in series.astype(object):
        try:
            converted.append(convert_value(value, kind, na_values))
            errors.append(None)
        except Invalid as error:
            converted.append(None)
            errors.append(str(error))
    result = pd.Series(converted, index=series.index, dtype=object)
    if kind in ("number", "integer"):
        result = result.astype("float64")
    return result, pd.Series(errors, index=series.index, dtype=object)
