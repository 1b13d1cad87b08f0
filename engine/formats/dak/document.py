"""What reading a DAK gives before the model is built: the sheet grids of a dtrun workbook,
where each of their cells came from in the DAK, and what was found while reading.

Owns :class:`DakDocument`, which ``engine.formats.dak.regroup`` fills in and from which
``engine.formats.dak.words.DakSource`` names the model's places as the DAK does, and
:class:`TableCounts`, the per-table counts of ``docs/dak.md``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine._core.errors import Problem

Grid = list[list[Any]]


@dataclass
class TableCounts:
    """One DAK decision table, counted: its rules and condition cells, read or not."""

    decision_id: str
    sheet: str
    rules: int = 0  # DAK rule rows
    dtrun_rules: int = 0  # rules of the dtrun table (a row with OR across cells gives several)
    condition_cells: int = 0  # non-blank input cells ("-" included)
    read: int = 0
    not_read: Counter[str] = field(default_factory=Counter)  # reason → cells


@dataclass
class DakDocument:
    path: str
    sheets: dict[str, Grid] = field(default_factory=dict)  # About, Inputs, one per decision table
    places: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # grid cell → DAK sheet, cell
    names: dict[str, str] = field(default_factory=dict)  # dtrun name → the DAK's
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # grid cell → the DAK cell's text
    tables: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # grid sheet → DAK sheet, ID, ID cell
    rule_rows: dict[tuple[str, int], int] = field(default_factory=dict)  # (grid sheet, grid row) → DAK row
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # input → other column names
    problems: list[Problem] = field(default_factory=list)  # what stops the DAK from being read
    findings: list[Problem] = field(default_factory=list)  # what reading found (any severity)
    counts: list[TableCounts] = field(default_factory=list)
    stated_policy: bool = False  # --hit-policy given

    def finding(self, severity: str, code: str, message: str, sheet: str, cell: str, hint: str = "",
                table: str = "") -> None:
        self.findings.append(Problem(code, message, self.path, sheet, cell, hint, severity, table))
