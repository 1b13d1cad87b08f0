"""The words of the workbook format: sheet names, headings, roles, names, and a cell's text.

Owns what ``docs/workbook-format.md`` fixes about a workbook's sheets: the special sheets
(``About``, ``Inputs``, ``Tests``, ``Waivers``), the headings of the ``Inputs`` sheet, the roles of a
table's columns (row 2), what an input name and a rule id may hold (and the id to suggest), and how a cell's value
(an Excel number, boolean, date or text) reads as condition-language text.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Container
from typing import Any

from engine.feel.syntax import normalize

RULE_ID = re.compile(r"[A-Za-z0-9_.\-]+")
ROLES = ("input", "output", "annotation")
SPECIAL_SHEETS = ("About", "Inputs", "Tests", "Waivers")
INPUT_HEADINGS = ("Name", "Type", "Allowed values", "Required", "Unit", "Code", "Description")
EXPRESSION = "Expression"  # optional Inputs heading: a computed input's FEEL expression (engine.model.computed)


def free_rule_id(taken: Container[str], position: int) -> str:
    """``R<n>`` for the first n from ``position`` on that no rule has taken (there always is one)."""
    return next(f"R{n}" for n in itertools.count(position) if f"R{n}" not in taken)


def cell_text(value: Any) -> str:
    """A cell's value as condition-language text: Excel numbers, booleans and dates become
    literals, text is stripped of surrounding spaces (also non-breaking and zero-width ones)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
    if isinstance(value, dt.datetime):
        return f'date("{value.date().isoformat()}")' if value.time() == dt.time(0) else str(value)
    if isinstance(value, dt.date):
        return f'date("{value.isoformat()}")'
    return normalize(str(value)).strip()
