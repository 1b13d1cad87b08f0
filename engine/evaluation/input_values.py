"""Patient values → typed values, by the ``Inputs`` types, and their validation.

Owns what a raw value (text from a CSV file, or a Python value) means for an input of
type number, integer, string, boolean or date, one of FEEL's other temporal types (``date
and time``, ``time``, ``days and time duration``, ``years and months duration``: ISO 8601
texts as FEEL writes them, ``engine.evaluation.temporal_values``), or a list of one of the
first five (``list of string``:
a JSON array ``["Fever", "Cough"]`` or values separated by ``;``, ``Fever; Cough``, in a text;
a list or array of a Parquet or JSON file; held as a tuple), the range of each (``RANGE``),
what counts as missing, and the checks against allowed values and ``Required``.  These
per-value functions are the reference; ``engine.evaluation.columns`` applies them to whole
columns.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
import sys
from collections.abc import Collection
from typing import Any

from engine.evaluation import temporal_values
from engine.feel import values
from engine.model.types import TEMPORAL_TYPES, InputDef, element_type, is_list

NUMBER_TEXT = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
DATE_TEXT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_NUMBER = re.compile(NUMBER_TEXT)
_DATE = re.compile(DATE_TEXT)
TRUE_WORDS = frozenset({"true", "yes", "1", "y"})
FALSE_WORDS = frozenset({"false", "no", "0", "n"})
EXPECTED = {"number": "a number", "integer": "a whole number", "string": "a text", "boolean":
            "true or false (or yes/no, 1/0)", "date": "a date written YYYY-MM-DD", **temporal_values.EXPECTED}


class Invalid(ValueError):
    """A value that cannot be converted; the message is in the analyst's terms."""


def is_missing(value: Any, na_values: Collection[str] = ()) -> bool:
    if isinstance(value, str):
        text = value.replace("\u00a0", " ").strip()
        return text == "" or text in na_values
    return values.kind_of(value) == values.NULL


def convert_value(value: Any, kind: str, na_values: Collection[str] = ()) -> Any:
    """The typed value (None when missing; a tuple for a list type); raises Invalid when it
    cannot be converted."""
    if is_list(kind):
        return _list(value, element_type(kind), na_values)
    if is_missing(value, na_values):
        return None
    if isinstance(value, str):
        return _from_text(value.replace("\u00a0", " ").strip(), kind)
    return _from_python(values.canonical(value), kind)


def _list(value: Any, kind: str, na_values: Collection[str]) -> tuple[Any, ...] | None:
    """A list value: a text (a JSON array, or values separated by ``;``), a list, a tuple or
    an array; each element converted as a value of ``kind`` (none may be missing)."""
    if isinstance(value, str):
        text = value.replace("\u00a0", " ").strip()
        if text == "" or text in na_values:
            return None
        items = _json_list(text) if text.startswith("[") else [part.strip() for part in text.split(";")]
    elif hasattr(value, "tolist") and not isinstance(value, (str, bytes)) and getattr(value, "ndim", 0) == 1:
        items = value.tolist()  # a numpy array, as pandas gives a Parquet list
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif is_missing(value):
        return None
    else:
        raise Invalid(f"{show_value(values.canonical(value))} is not a list of {_PLURAL[kind]} (write a JSON array "
                      'such as ["a", "b"], or the values separated by ;)')
    converted = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, str):
            item = item.replace("\u00a0", " ").strip()
        if is_missing(item):
            raise Invalid(f"element {position} of the list {_shown_list(value, items)} is missing (a list holds values "
                          "only; write [] for an empty list)")
        try:
            converted.append(_from_text(item, kind) if isinstance(item, str) else _from_python(values.canonical(item),
                                                                                                 kind))
        except Invalid as error:
            raise Invalid(f"element {position} of the list {_shown_list(value, items)}: {error}") from None
    return tuple(converted)


_PLURAL = {"number": "numbers", "integer": "whole numbers", "string": "texts", "boolean": "true/false values",
           "date": "dates"}


def _json_list(text: str) -> list[Any]:
    """The elements of a JSON array of plain values (texts, numbers, true/false)."""
    def refuse(what: str) -> Invalid:
        return Invalid(f"{_shown(text, text)} is not a list: {what} (write a JSON array of values, such as "
                       '["Fever", "Cough"], or the values separated by ;)')

    try:
        found = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise refuse("it is not valid JSON" + (f" ({error.msg} at character {error.pos + 1})"
                                               if isinstance(error, json.JSONDecodeError) else "")) from None
    if not isinstance(found, list):
        raise refuse("it is not a JSON array")
    if any(isinstance(item, (list, dict)) for item in found):
        raise refuse("it holds a list or an object, not a plain value")
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a value")  # NaN, Infinity: not JSON (RFC 8259)


def _shown_list(value: Any, items: list[Any]) -> str:
    return _shown(value, value) if isinstance(value, str) else show_value(tuple(items))


def _from_text(text: str, kind: str) -> Any:
    if kind in TEMPORAL_TYPES:
        return temporal_values.from_text(text, kind, Invalid)
    if kind == "string":
        return text
    if kind in ("number", "integer") and _NUMBER.fullmatch(text):
        return _number(_parsed(text), kind, text)
    if kind == "boolean" and text.lower() in TRUE_WORDS | FALSE_WORDS:
        return text.lower() in TRUE_WORDS
    if kind == "date" and _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise Invalid(f'"{text}" is not a valid date') from None
    raise Invalid(f'"{text}" is not {EXPECTED[kind]}{_hint(text, kind)}')


_MISSING_WORDS = {"na", "n/a", "nan", "null", "none", "missing", "unknown", "-", "?", "."}


def _hint(text: str, kind: str) -> str:
    """How to fix a text that is a number or a missing value written another way."""
    if kind in ("number", "integer") and re.fullmatch(r"[+-]?[0-9]+,[0-9]+", text):
        return f" (a decimal comma: write {text.replace(',', '.')} in the file, with a decimal point)"
    if text.lower() in _MISSING_WORDS:
        return f" (if it means 'not known', run with --na-values {text})"
    return ""


def _parsed(text: str) -> int | float:
    """A number's text as an int (a whole number of a few digits) or a float (any other; a
    float of more digits than a float holds is infinite, never an error)."""
    sign, digits = ("-" if text[0] == "-" else ""), text.lstrip("+-").lstrip("0")
    if digits.isdigit() and len(digits) <= _INT_DIGITS or not digits:
        return int(sign + (digits or "0"))
    return float(text)


_INT_DIGITS = 30  # whole numbers of more digits are far out of any range: read as floats


def _from_python(value: Any, kind: str) -> Any:
    if kind in TEMPORAL_TYPES:
        return temporal_values.from_python(value, kind, Invalid, show_value)
    if kind == "date" and type(value) is dt.datetime and value.time() == dt.time(0) and value.tzinfo is None:
        value = value.date()  # an Excel date cell, as openpyxl reads it
    found = values.kind_of(value)
    if kind in ("number", "integer") and found == values.NUMBER:
        if not math.isfinite(value):
            raise Invalid(f"{value} is not {EXPECTED[kind]}")
        return _number(value, kind)
    if kind == "boolean" and found == values.BOOLEAN:
        return bool(value)
    if kind == "boolean" and found == values.NUMBER and value in (0, 1):
        return bool(value)
    if kind == "date" and found == values.DATE:
        return value
    if kind == "string" and found == values.STRING:
        return value
    raise Invalid(f"{show_value(value)} is not {EXPECTED[kind]}")


def _number(value: Any, kind: str, text: str | None = None) -> Any:
    """A number within its kind's range (read from ``text``, it may be infinite).  An integer
    input holds the whole numbers that are exact as 64-bit floats; a number input holds
    64-bit floats, so a whole number beyond those is rounded to the nearest float, as the
    vectorized path holds it."""
    if kind == "integer":
        if not abs(value) <= MAX_INTEGER:
            raise Invalid(f"{_shown(value, text)} is out of range: {RANGE[kind]}")
        if value != int(value):
            raise Invalid(f"{show_value(value)} is not {EXPECTED[kind]}")
        return int(value)
    try:
        number = value if isinstance(value, float) or abs(value) <= MAX_INTEGER else float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise Invalid(f"{_shown(value, text)} is out of range: {RANGE[kind]}")
    return number


MAX_INTEGER = 2**53 - 1  # every whole number up to this is exact as a 64-bit float
RANGE = {"integer": f"an integer input holds whole numbers from -{MAX_INTEGER} to {MAX_INTEGER} (if it is a code "
                    "or an identifier, declare the input a string)",
         "number": f"a number input holds numbers from -{sys.float_info.max:.16e} to {sys.float_info.max:.16e}"}


def _shown(value: Any, text: str | None) -> str:
    """A number as the file writes it, a long one cut short (with its length)."""
    if text is None:
        return show_value(value)
    return f'"{text}"' if len(text) <= 40 else f'"{text[:20]}...{text[-8:]}" ({len(text)} characters)'


def check_value(value: Any, definition: InputDef) -> str | None:
    """Why a converted value is not acceptable for its input (None when it is); of a list,
    the allowed values constrain every element."""
    if value is None:
        return "a value is required" if definition.required else None
    allowed = definition.allowed
    if allowed is not None and not allowed.matches(value):
        return refusal(value, allowed)
    return None


def refusal(value: Any, allowed: Any, context: Any = None) -> str:
    """Why ``value`` is refused by ``allowed`` (CompiledUnaryTests): of a list, its first
    element that the allowed values do not accept."""
    if isinstance(value, tuple):
        tests = allowed.element_tests
        for item in value:
            if not tests.matches(item, context):
                said = not_allowed_message(item, allowed.text).replace(" is not", ", which is not", 1)
                return f"the list {show_value(value)} holds {said}"
    return not_allowed_message(value, allowed.text)


def not_allowed_message(value: Any, allowed_text: str) -> str:
    value = values.canonical(value)
    message = f"{show_value(value)} is not an allowed value (allowed: {allowed_text})"
    if isinstance(value, str):
        options = re.findall(r'"([^"]*)"', allowed_text)
        close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
        if close:
            message += f'; did you mean "{close[0]}"?'
    return message


def show_value(value: Any) -> str:
    if isinstance(value, tuple):  # a list value, as a JSON array
        return "[" + ", ".join(show_value(values.canonical(v)) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    if temporal_values.is_temporal(value):  # as a cell writes it: @"PT12H"
        return temporal_values.literal(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
