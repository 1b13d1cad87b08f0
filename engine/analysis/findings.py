"""Lint findings: the record every check produces, its codes, and its plain-text form.

A :class:`Finding` names the workbook, sheet, cells and rules concerned and the decision
table it is about (``table``: a workbook's table sheet, a DMN decision's name, a DAK's
Decision ID; None for a finding about no table, such as the Inputs sheet or the file), says
what is wrong in an author's terms (``message``) and how to fix it (``hint``); overlaps and
gaps also carry an example record and the box of inputs, written in the table's notation.
The machine formats (JSON, SARIF, GitHub annotations) live in ``engine.review.report``, the
reports for people (HTML, Markdown) in ``engine.review.lint_report``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from engine._core.errors import Problem, place, with_hint
from engine.model.source import Source

SEVERITIES = ("error", "warning", "info")
LIMIT = 20  # findings of one code per table listed in text, SARIF, GitHub and show --format html (summarised)
_CELL = re.compile(r"[A-Z]{1,3}[0-9]+")

# code → (severity, what it means); docs/lint.md explains each with an example.
CODES: dict[str, tuple[str, str]] = {
    "unreadable": ("error", "the file cannot be opened as an .xlsx workbook"),
    "syntax": ("error", "a cell's text is not valid in the condition language"),
    "workbook": ("error", "the workbook does not follow the format (sheets, headings, roles, ids, cycles)"),
    "type-mismatch": ("error", "a value or test whose type does not fit its column"),
    "input-type": ("warning",
                   "an input taken as the type its cells test, not the one it declares (--input-types cells)"),
    "dmn-inferred": ("warning", "a DMN input without a type, taken as the type its entries test"),
    "decimal-comma": ("warning", "a DMN entry such as 1,5 that FEEL reads as a list but may mean a decimal number"),
    "declared-type": ("warning", "a DMN output entry whose value is not of the type its decision declares (typeRef)"),
    "unsatisfiable": ("error", "a condition that no value of its input's type can meet ([5..3], not(<= 5, > 5))"),
    "value-not-allowed": ("error", "a value outside the column's allowed values"),
    "overlap": ("error", "rules of a U table that can match the same record"),
    "conflict": ("error", "rules of an A table that can match the same record with different outputs"),
    "masked-rule": ("error", "a rule of an F or P table that can never decide the result"),
    "partly-masked-rule": ("info", "a rule of an F or P table that decides only part of what it matches"),
    "gap": ("error", "records that no rule of a single-hit table matches"),
    "default-output": ("info", "records no rule matches, which get the table's default outputs (DMN)"),
    "subsumed-rule": ("warning", "a rule whose records another rule with the same outputs already covers"),
    "mergeable-rules": ("info", "rules with the same outputs that could be written as one"),
    "unused-input": ("warning", "an input of the Inputs sheet that no table reads"),
    "empty-table": ("error", "a decision table without rules"),
    "summary": ("info", "the count of findings of one code in a table past the first 20 (text, SARIF, GitHub)"),
    "not-analysed": ("info", "a column the overlap and gap checks cannot reason about (a cell that compares with "
                             "another input, a FEEL cell whose test is no set of values, values that cannot be "
                             "modelled, too many kinds of list): they skip its table"),
    "hidden": ("warning", "a hidden sheet, row or column whose rules still count"),
    "macros": ("warning", "a macro-enabled workbook: its macros are never run"),
    "dak-syntax": ("error", "a WHO DAK condition cell dtrun cannot read: its rule is left out (docs/dak.md)"),
    "dak-name": ("warning", "a DAK data element the data dictionary does not define, or spelt two ways in the tables"),
    "dak-pairing": ("info", "a DAK data element paired with the dictionary's label not written exactly as it"),
    "dak-or": ("warning", "a DAK row whose alternatives (OR) dtrun cannot write as exclusive rules: a patient who "
                          "meets two gets its outputs twice"),
    "dak-skipped": ("info", "a Decision ID block of a DAK that is not read (hidden sheet, no ID, read elsewhere)"),
    "waiver": ("error", "a row of the Waivers sheet that names no table, rule or code, or gives no reason"),
    "unused-waiver": ("warning", "a waiver of the Waivers sheet that matches no finding"),
}
# what stops a workbook from loading cannot be waived, nor can the waivers' own findings
UNWAIVABLE = ("unreadable", "syntax", "workbook", "summary", "waiver", "unused-waiver")


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    workbook: str
    sheet: str
    message: str
    cells: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    hint: str = ""
    example: dict[str, Any] | None = field(default=None, compare=False)
    box: dict[str, str] | None = field(default=None, compare=False)
    # accepted by the authors in the Waivers sheet (engine.analysis.waivers): never counts
    # towards the exit status; ``waiver`` holds its reason, by, date and cell ("at")
    waived: bool = False
    waiver: dict[str, str] | None = field(default=None, compare=False)
    # the decision table concerned, as its file names it (``Source.table_name``); None: no table
    table: str | None = None

    @classmethod
    def from_problem(cls, problem: Problem, source: Source | None = None) -> Finding:
        """The finding of a loader's problem; ``source`` (the model's, or the file kind's when no
        model could be built) names the table of the problem's sheet."""
        return cls(problem.severity, problem.code, problem.workbook, problem.sheet, problem.message,
                   (problem.cell,) if problem.cell else (), hint=problem.hint,
                   table=problem.table or (source.table_name(problem.sheet) if source is not None else None))

    @property
    def location(self) -> str:
        return place(self.workbook, self.sheet, self.cells[0] if self.cells else "")

    def sort_key(self) -> tuple[Any, ...]:
        return (self.workbook, self.sheet, _cell_order(self.cells[0]) if self.cells else (0, ""), self.code,
                self.rules, self.message)

    @property
    def advice(self) -> str:
        """The message and the hint as one text (the hint capitalised)."""
        return with_hint(self.message, self.hint)

    @property
    def counts(self) -> bool:
        """Counts towards the summary line and the exit status (it is not waived)."""
        return not self.waived

    @property
    def table_unsaid(self) -> bool:
        """Whether the place leaves the table unsaid, so that a text must name it: a DAK sheet
        holds several tables; a workbook's sheet is its table, a DMN element names its decision."""
        return bool(self.table) and self.table != self.sheet and f'"{self.table}"' not in self.sheet

    def __str__(self) -> str:
        label = "waived" if self.waived else self.severity
        table = f" (table {self.table})" if self.table_unsaid else ""
        return f"{self.location}: {label}[{self.code}]{table}: {self.advice}"

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity, "code": self.code, "workbook": self.workbook, "sheet": self.sheet,
            "table": self.table, "cells": list(self.cells), "rules": [str(r) for r in self.rules],
            "message": self.message, "hint": self.hint, "example": self.example, "box": self.box, "waived": self.waived,
            "waiver": self.waiver,
        }


def located(source: Source, severity: str, code: str, sheet: str, message: str, cells: tuple[str, ...] = (),
            rules: tuple[str, ...] = (), hint: str = "", example: dict[str, Any] | None = None,
            box: dict[str, str] | None = None) -> Finding:
    """A finding about ``cells`` of ``sheet`` of a model, placed by its source where the
    author finds them (``Dish!B5``, or ``decision "Dish" (id d1)`` / ``rule 2 (id r2), inputEntry 1``)."""
    where, parts = source.places(sheet, cells)
    return Finding(severity, code, source.path, where, message, parts, rules, hint, example, box,
                   table=source.table_name(sheet))


def _cell_order(cell: str) -> tuple[int, str]:
    """Row, then column, of a cell reference; a DMN part (``rule 10 (id r10), inputEntry 2``)
    sorts before cells, by its text with numbers in numeric order."""
    if not _CELL.fullmatch(cell):
        return (0, re.sub(r"\d+", lambda m: m[0].zfill(10), cell))
    letters = "".join(c for c in cell if c.isalpha())
    digits = "".join(c for c in cell if c.isdigit())
    return (int(digits) if digits else 0, letters.rjust(3))


def sort_findings(findings: list[Finding], sheets: Sequence[str] = ()) -> list[Finding]:
    """Deterministic order: by workbook, then sheet (in the order of ``sheets`` where given,
    e.g. tables in evaluation order so that an upstream cause comes before its downstream
    effects; other sheets by name after them), then cell."""
    rank = {sheet: position for position, sheet in enumerate(sheets)}

    def key(finding: Finding) -> tuple[Any, ...]:
        workbook, sheet, *rest = finding.sort_key()
        return (workbook, rank.get(sheet, len(rank)), sheet, *rest)

    return sorted(set(findings), key=key)

def summarised(findings: list[Finding], limit: int = LIMIT) -> list[Finding]:
    """The first ``limit`` findings of each code in each table (a sheet may hold several: a
    DAK's), in their order, each group
    that has more followed by one ``summary`` finding with the count."""
    totals: dict[tuple[str, str, str | None, str, bool], int] = {}
    for finding in findings:  # waived findings are counted apart: they never hide one that counts
        key = (finding.workbook, finding.sheet, finding.table, finding.code, finding.waived)
        totals[key] = totals.get(key, 0) + 1
    shown: dict[tuple[str, str, str | None, str, bool], int] = {}
    kept = []
    for finding in findings:
        key = (finding.workbook, finding.sheet, finding.table, finding.code, finding.waived)
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= limit:
            kept.append(finding)
        if shown[key] == limit and totals[key] > limit:
            waived = "waived " if finding.waived else ""
            kept.append(Finding("info", "summary", finding.workbook, finding.sheet,
                                f"{totals[key] - limit} more {waived}{finding.code} findings here are not listed "
                                f"({totals[key]} in all)", hint="run dtrun lint --format json to list every one",
                                waived=finding.waived, table=finding.table))
    return kept
