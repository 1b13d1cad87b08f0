"""Waivers: findings the authors accept, written in a workbook's ``Waivers`` sheet.

Owns the type every source of waivers gives (a workbook's ``Waivers`` sheet today:
``engine.formats.xlsx.waivers``) and that ``engine.analysis.waivers`` checks and applies.
A waiver names a table (or ``Inputs``), optionally rules of it, a finding code and the
reason; who accepted it and when are kept for reviewers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SHEET = "Waivers"
HEADINGS = ("Table", "Rule", "Code", "Reason", "By", "Date")


@dataclass(frozen=True)
class Waiver:
    table: str
    rules: tuple[str, ...]  # blank Rule cell: () (every finding of the code in the table)
    code: str
    reason: str
    by: str
    date: str
    row: int  # of the Waivers sheet
    cells: Mapping[str, str] = field(default_factory=dict, compare=False)  # heading → cell (e.g. "Rule" → "B3")

    def cell(self, heading: str) -> str:
        """The cell of ``heading`` in this waiver's row (column A when the sheet has no such column)."""
        return self.cells.get(heading, f"A{self.row}")

    @property
    def what(self) -> str:
        """The waiver in words: ``partly-masked-rule of rule LT4 in treatment_line``."""
        kind = "input" if self.table == "Inputs" else "rule"  # the Inputs sheet's waivers name inputs
        rules = f" of {kind}{'s' * (len(self.rules) > 1)} {', '.join(self.rules)}" if self.rules else ""
        return f"{self.code}{rules} in {self.table}"
