"""Clinician test cases: a record of inputs and the results a clinician expects for it.

Owns the type that every source of test cases gives (a workbook's ``Tests`` sheet today:
``engine.formats.xlsx.tests_sheet``) and that ``engine.review.testing`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TestCase:
    id: str
    row: int
    inputs: dict[str, Any]
    expected: dict[str, tuple[Any, str]]  # column heading → (cell value, cell reference)

    __test__ = False  # not a pytest class
