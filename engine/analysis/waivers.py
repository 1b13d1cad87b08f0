"""Waivers applied to lint findings: what the authors accept is listed as waived and never
counts towards the exit status.

Owns the checks of each row of a workbook's ``Waivers`` sheet (``engine.model.waivers``:
a table or ``Inputs``, rule ids of that table or input names, a finding code that can be
waived, a reason; code ``waiver``, at the cell), which findings a waiver matches, and the
waivers that match none (code ``unused-waiver``).

A waiver matches a finding of its code in its table; with rules, only the findings about
one of them: for a masked, partly masked or subsumed rule the rule that is hidden, for
other findings about rules (overlaps, conflicts, mergeable rules) any rule they name, for a
finding at a cell the rule of the cell's row.  The loader's problems (what stops the
workbook from loading) are never waived.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

from engine.analysis.findings import CODES, UNWAIVABLE, Finding, located
from engine.model.types import Model
from engine.model.waivers import SHEET, Waiver

_SUBJECT_FIRST = ("masked-rule", "partly-masked-rule", "subsumed-rule")  # the first cell is the rule concerned
_ROW = re.compile(r"[A-Z]{1,3}([0-9]+)")


def apply_waivers(model: Model, findings: list[Finding]) -> list[Finding]:
    """``findings`` with those the model's waivers match marked as waived, then the problems of
    the Waivers sheet and the waivers that match nothing; unchanged without a Waivers sheet."""
    if not model.waivers and not model.waiver_problems:
        return findings
    extra = [Finding.from_problem(p, model.source) for p in model.waiver_problems]
    valid: list[Waiver] = []
    for waiver in model.waivers:
        problems = _check(model, waiver)
        extra += problems
        if not problems:
            valid.append(waiver)
    used: set[int] = set()
    marked = []
    for finding in findings:
        waiver = next((w for w in valid if _matches(model, w, finding)), None)
        if waiver is not None:
            used.add(waiver.row)
            finding = replace(finding, waived=True, waiver={
                "reason": waiver.reason, "by": waiver.by, "date": waiver.date, "at": f"{SHEET}!A{waiver.row}"})
        marked.append(finding)
    incomplete = set(model.unbuilt) | {t.name for t in model.tables if t.incomplete}
    for waiver in valid:  # a table that could not be read whole may lack the finding: say nothing
        if waiver.row not in used and waiver.table not in incomplete:
            extra.append(located(model.source, "warning", "unused-waiver", SHEET,
                                 f"the waiver of {waiver.what} matches no finding", (f"A{waiver.row}",),
                                 hint="delete the row if the finding is gone, or correct its Table, Rule or Code"))
    return marked + extra


def _check(model: Model, waiver: Waiver) -> list[Finding]:
    """The problems of one Waivers row, each at its cell."""
    problems = []

    def wrong(heading: str, message: str, hint: str) -> None:
        problems.append(located(model.source, "error", "waiver", SHEET, message, (waiver.cell(heading),), hint=hint))

    tables = [t.name for t in model.tables] + list(model.unbuilt)
    if not waiver.table:
        wrong("Table", "this waiver names no table", "write the name of the decision table (its sheet) whose "
                "finding is accepted, or Inputs for a finding about an input")
    elif waiver.table not in (*tables, "Inputs"):
        wrong("Table", f"the waiver names table {waiver.table}, which the workbook does not have",
                _suggest(waiver.table, [*tables, "Inputs"], "write the name of a table's sheet, or Inputs"))
    else:
        known = list(model.inputs) if waiver.table == "Inputs" else _rule_ids(model, waiver.table)
        unknown = [r for r in waiver.rules if known is not None and r not in known]
        what = "input" if waiver.table == "Inputs" else "rule"
        if unknown:
            wrong("Rule", f"the waiver names {what} {', '.join(unknown)}, which {waiver.table} does not have",
                    _suggest(unknown[0], known or [], f"write {what} names of {waiver.table} (separated by "
                             "commas), or leave the cell blank to waive every finding of the code there"))
    if not waiver.code:
        wrong("Code", "this waiver names no finding code", "write the code shown in brackets in dtrun lint's "
                "report, e.g. partly-masked-rule")
    elif waiver.code in UNWAIVABLE:
        wrong("Code", f"findings of code {waiver.code} cannot be waived", "correct what the finding says: it "
                "stops the workbook from loading, or is about the Waivers sheet itself")
    elif waiver.code not in CODES:
        wrong("Code", f"the waiver names code {waiver.code}, which dtrun lint does not report",
                _suggest(waiver.code, [c for c in CODES if c not in UNWAIVABLE],
                         "write a code shown in brackets in dtrun lint's report (see docs/errors.md)"))
    if not waiver.reason:
        wrong("Reason", f"the waiver of {waiver.what or 'this finding'} gives no reason",
                "say why the finding is accepted (e.g. the rule is kept for its citation), so that reviewers can "
                "judge it")
    return problems


def _rule_ids(model: Model, name: str) -> list[str] | None:
    """The rule ids of table ``name``; None for a table that could not be built (not checked)."""
    return next((list(t.rule_ids) for t in model.tables if t.name == name), None)


def _suggest(word: str, options: list[str], fallback: str) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else fallback


def _matches(model: Model, waiver: Waiver, finding: Finding) -> bool:
    if finding.code != waiver.code or finding.sheet != waiver.table or finding.code in UNWAIVABLE:
        return False
    return not waiver.rules or bool(set(waiver.rules) & _subjects(model, finding))


def _subjects(model: Model, finding: Finding) -> set[str]:
    """The rules (or, in the Inputs sheet, the inputs) a finding is about."""
    if finding.rules and finding.code not in _SUBJECT_FIRST:
        return set(finding.rules)
    row = _ROW.fullmatch(finding.cells[0]) if finding.cells else None
    if row is None:
        return set()
    number = int(row[1])
    if finding.sheet == "Inputs":
        return {name for name, d in model.inputs.items() if d.location and _row_of(d.location.cell) == number}
    table = next((t for t in model.tables if t.name == finding.sheet), None)
    return {r.id for r in table.rules if r.row == number} if table else set()


def _row_of(cell: str) -> int:
    match = _ROW.fullmatch(cell)
    return int(match[1]) if match else 0

