"""Clinician test cases: a record of inputs and the results a clinician expects for it.

Owns the type that every source of test cases gives (a workbook's ``Tests`` sheet today:
``engine.formats.xlsx.tests_sheet``) and that ``engine.review.testing`` runs, and how an
expected cell is read (``expected_value``, ``expected_list``): the loader checks the values
against the allowed ones, the test run compares them with results.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from engine.feel import values


@dataclass(frozen=True)
class TestCase:
    id: str
    row: int
    inputs: dict[str, Any]
    expected: dict[str, tuple[Any, str]]  # column heading → (cell value, cell reference)

    __test__ = False  # not a pytest class


def excel_value(cell: Any) -> Any:
    """An Excel cell's value: a date cell (which openpyxl reads as a date and time at midnight)
    is a date; any other as ``values.canonical`` holds it."""
    if type(cell) is dt.datetime and cell.tzinfo is None and cell.time() == dt.time(0):
        return cell.date()
    return values.canonical(cell)


def expected_value(cell: Any) -> Any:
    """An expected cell's value: Excel numbers and booleans as they are; text ``null`` is a
    missing result, ``true``/``false`` booleans, quoted text without its quotes."""
    if not isinstance(cell, str):
        return excel_value(cell)
    text = cell.strip()
    if text.lower() == "null":
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text


def expected_list(cell: Any) -> list[Any]:
    """An expected cell of a list result (or of rule ids): a JSON array, or values separated
    by commas or semicolons."""
    if isinstance(cell, str):
        text = cell.strip()
        if text.startswith("["):
            try:
                return [values.canonical(v) for v in json.loads(text)]
            except json.JSONDecodeError:
                text = text.strip("[]")
        return [expected_value(part) for part in text.replace(";", ",").split(",") if part.strip()]
    return [expected_value(cell)]


def expected_ids(cell: Any) -> list[str]:
    """An expected ``table.rules`` cell: rule ids as texts (``1.10`` stays ``1.10``), as a JSON
    array or separated by commas or semicolons."""
    if not isinstance(cell, str):
        value = excel_value(cell)
        return [str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)]
    text = cell.strip()
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except json.JSONDecodeError:
            text = text.strip("[]")
    return [part.strip().strip('"') for part in text.replace(";", ",").split(",") if part.strip()]
