"""``dtrun new``: a ready-to-fill workbook in the documented format (format version 1).

Owns the starter workbook: an ``About`` sheet, an ``Inputs`` sheet with example rows, one
example decision table (its hit policy chosen by the author) and a ``Tests`` sheet with one
case per rule, so that ``dtrun lint`` and ``dtrun test`` pass on it as it is.  Authoring aids
are Excel features the loader never reads: the drop-down lists and print setup of
``dtrun tidy`` (``engine.formats.xlsx.aids``); frozen header rows; column widths;
help texts as cell comments on the header cells.  The file is written atomically and an
existing file is only replaced when asked to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine._core.cells import column_letter
from engine._core.errors import DtrunError, with_hint
from engine.feel.syntax import IDENTIFIER
from engine.formats.xlsx.layout import INPUT_HEADINGS, SPECIAL_SHEETS
from engine.model.hit_policy import CODES, HitPolicy

DEFAULT_TABLE = "recommendation"
MAX_SHEET_NAME = 31  # Excel's limit
HEADER_FILL = "DDEBF7"


class AuthoringError(DtrunError):
    """A starter workbook cannot be written where or as asked; ``path`` is the file asked for."""

    def __init__(self, path: str, message: str, hint: str = "") -> None:
        self.path, self.message, self.hint = path, message, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: error: {with_hint(self.message, self.hint)}"


@dataclass(frozen=True)
class ExampleRule:
    """One rule of the example table: its id, input cells, output value, reference, guidance,
    and a test record that only this rule matches."""

    id: str
    cells: tuple[str, str, str]
    text_output: str
    points: int
    reference: str
    guidance: str
    record: tuple[int, float, str]


EXAMPLE_INPUTS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("age", "integer", "[0..120]", "yes", "years", "", "Age in whole years on the day of the decision."),
    ("systolic_bp", "number", "[50..300]", "yes", "mmHg", "LOINC 8480-6", "Systolic blood pressure, seated."),
    ("setting", "string", '"inpatient","outpatient"', "yes", "", "", "Where the patient is seen."),
)
EXAMPLE_RULES: tuple[ExampleRule, ...] = (
    ExampleRule("R1", ("-", ">= 180", "-"), "urgent_review", 4, "Example source, section 1",
                "Replace with your guideline's first rule.", (50, 190, "outpatient")),
    ExampleRule("R2", (">= 65", "[140..180)", "-"), "review_within_1_week", 3, "Example source, section 2",
                "Cells left empty or holding - match any value.", (70, 150, "outpatient")),
    ExampleRule("R3", ("< 65", "[140..180)", '"inpatient"'), "review_before_discharge", 2,
                "Example source, section 2", "Text values are written in double quotes.", (40, 150, "inpatient")),
    ExampleRule("R4", ("< 65", "[140..180)", '"outpatient"'), "routine_follow_up", 1, "Example source, section 3",
                "Every patient should match exactly one rule of a U table.", (40, 150, "outpatient")),
    ExampleRule("R5", ("-", "< 140", "-"), "no_action", 0, "Example source, section 4",
                "dtrun lint proves that no patient falls through a gap.", (30, 120, "inpatient")),
)

HELP = {
    "hit_policy": "Hit policy: what the table gives when several rules (or none) match. U = exactly one rule "
                  "may match; F = the first matching rule; C = a list of all results. See docs/workbook-format.md.",
    "heading": "Row 1: the column's name. Input columns name an input of the Inputs sheet (or table.output); "
               "output columns name the result; annotation columns (Reference, Guidance) are notes.",
    "role": "Row 2: input, output or annotation.",
    "allowed": "Row 3 (optional): allowed values. Under an input: narrows its values for this table. Under an "
               "output: the possible results, highest priority first.",
    "rule_id": "Column A from row 4: a unique id for each rule (letters, digits, _ - .). Keep ids stable.",
    "Name": "The input's name: letters, digits and _; the column heading in the patient file.",
    "Type": "number, integer, string, boolean or date; date and time, time, days and time duration or years and "
            "months duration (ISO 8601 values: 2025-01-15T08:30:00, 08:30:00, PT36H, P18M); structure (its "
            "components are the rows structure.component below it); or a list of one of the first five (list of "
            "string: a cell matches a list that holds a value it accepts).",
    "Allowed values": "Optional, written like an input cell: [0..120], \"a\",\"b\", >= 0. Blank: any value.",
    "Required": "yes: every patient must have a value. no (or blank): it may be missing.",
    "Unit": "Optional, for readers: kg, months.",
    "Code": "Optional terminology code, e.g. LOINC 29463-7.",
    "Description": "Optional plain-language description.",
    "case": "One test case per row from row 3: its id or a short description here.",
    "test_input": "Row 1: an input name; row 2: input. Write the patient's value below.",
    "expected": "Row 1: table.output or table.rules; row 2: expected. Write the expected result below; "
                "blank means not checked, null means no value.",
    "About": "Key in column A, value in column B. The Version is carried into every result (_model).",
}


def new_workbook(path: str | Path, table: str = DEFAULT_TABLE, hit_policy: str = "U", force: bool = False) -> Path:
    """Write a starter workbook to ``path`` with one example table ``table`` under ``hit_policy``;
    AuthoringError if the name or policy is not valid, or ``path`` exists and not ``force``."""
    target = Path(path)
    policy = _checked(target, table, hit_policy, force)
    book = starter_book(table, policy)
    from engine._core.atomic import atomic_path
    from engine.formats.xlsx.aids import add_aids
    from engine.formats.xlsx.build import load_workbook

    with atomic_path(target) as temporary:
        book.save(temporary)
        add_aids(book, load_workbook(temporary))  # the aids of dtrun tidy, from the model just written
        book.save(temporary)
    return target


def _checked(target: Path, table: str, hit_policy: str, force: bool) -> HitPolicy:
    name = str(target)
    if target.suffix.lower() != ".xlsx":
        raise AuthoringError(name, "a workbook's name must end in .xlsx", f"write e.g. {target.stem or 'guide'}.xlsx")
    if target.is_dir():
        raise AuthoringError(name, "this is a folder", "give the path of the new .xlsx file")
    if target.exists() and not force:
        raise AuthoringError(name, "the file exists already", "choose another name, or use --force to replace it")
    if not target.parent.is_dir():
        raise AuthoringError(name, f"the folder {target.parent} does not exist", "create it first")
    if not IDENTIFIER.fullmatch(table) or table.startswith("_") or table in SPECIAL_SHEETS \
            or len(table) > MAX_SHEET_NAME:
        raise AuthoringError(name, f"'{table}' cannot be a table name",
                             f"use letters, digits and _ (not starting with a digit or _, at most {MAX_SHEET_NAME} "
                             f"characters, not {', '.join(SPECIAL_SHEETS)}), e.g. first_line_regimen")
    policy = HitPolicy.parse(hit_policy)
    if policy is None:
        raise AuthoringError(name, f"'{hit_policy}' is not a hit policy", "use one of " + ", ".join(CODES))
    return policy


def starter_book(table: str, policy: HitPolicy) -> Any:
    """The starter workbook as an openpyxl Workbook (not yet saved)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    _about_sheet(book.create_sheet("About"), table)
    _inputs_sheet(book.create_sheet("Inputs"))
    _table_sheet(book.create_sheet(table), policy)
    _tests_sheet(book.create_sheet("Tests"), table, policy)
    return book


# ---------------------------------------------------------------------- the example's content
def output_name(policy: HitPolicy) -> str:
    """C+ adds its results up, so its example gives points; every other policy gives an action."""
    return "points" if policy.code == "C+" else "action"


def output_cell(rule: ExampleRule, policy: HitPolicy) -> Any:
    return rule.points if policy.code == "C+" else f'"{rule.text_output}"'


def priority_list(policy: HitPolicy) -> str:
    """Row 3 of the output column: every result, highest priority first (needed by P and O)."""
    return ", ".join(str(output_cell(rule, policy)) for rule in EXAMPLE_RULES)


def expected_cell(rule: ExampleRule, policy: HitPolicy) -> Any:
    """What the table gives for ``rule.record``, the one record where only ``rule`` matches."""
    if policy.code == "C#":
        return 1
    if policy.code == "C+":
        return rule.points
    if policy.returns_list:
        return f'["{rule.text_output}"]'
    return rule.text_output


# ---------------------------------------------------------------------- sheets
def _about_sheet(sheet: Any, table: str) -> None:
    rows = [("Title", f"New guideline: {table} (replace this title)"), ("Version", "0.1.0"),
            ("Source", "The guideline, its version and section"), ("Effective date", ""), ("Format version", 1),
            ("Disclaimer", "Example content generated by dtrun new: replace it with your guideline's tables.")]
    for number, (key, value) in enumerate(rows, start=1):
        sheet.cell(number, 1, key)
        sheet.cell(number, 2, value).number_format = "@"  # text, so that 1.10 stays 1.10
    _comment(sheet["A1"], HELP["About"])
    _widths(sheet, [18, 90])


def _inputs_sheet(sheet: Any) -> None:
    _header(sheet, 1, INPUT_HEADINGS)
    for heading, cell in zip(INPUT_HEADINGS, sheet[1]):
        _comment(cell, HELP[heading])
    for number, row in enumerate(EXAMPLE_INPUTS, start=2):
        for column, value in enumerate(row, start=1):
            if value:
                sheet.cell(number, column, value)
    sheet.freeze_panes = "B2"
    _widths(sheet, [22, 10, 28, 10, 10, 18, 60])


def _table_sheet(sheet: Any, policy: HitPolicy) -> None:
    output = output_name(policy)
    headings = [name for name, *_ in EXAMPLE_INPUTS] + [output, "Reference", "Guidance"]
    roles = ["input"] * len(EXAMPLE_INPUTS) + ["output", "annotation", "annotation"]
    allowed = [""] * len(EXAMPLE_INPUTS) + [priority_list(policy), "", ""]
    _header(sheet, 1, [policy.code, *headings])
    _header(sheet, 2, ["", *roles])
    _header(sheet, 3, ["", *allowed])
    for number, rule in enumerate(EXAMPLE_RULES, start=4):
        row = [rule.id, *rule.cells, output_cell(rule, policy), rule.reference, rule.guidance]
        for column, value in enumerate(row, start=1):
            sheet.cell(number, column, value)
    _comment(sheet["A1"], HELP["hit_policy"])
    _comment(sheet["B1"], HELP["heading"])
    _comment(sheet["B2"], HELP["role"])
    _comment(sheet["B3"], HELP["allowed"])
    _comment(sheet["A4"], HELP["rule_id"])
    sheet.freeze_panes = "B4"
    _widths(sheet, [8, 12, 14, 14, 30, 28, 50])


def _tests_sheet(sheet: Any, table: str, policy: HitPolicy) -> None:
    output = output_name(policy)
    inputs = [name for name, *_ in EXAMPLE_INPUTS]
    _header(sheet, 1, ["case", *inputs, f"{table}.{output}", f"{table}.rules"])
    _header(sheet, 2, ["", *["input"] * len(inputs), "expected", "expected"])
    for number, rule in enumerate(EXAMPLE_RULES, start=3):
        row = [f"T{number - 2} matches only {rule.id}", *rule.record, expected_cell(rule, policy), f'["{rule.id}"]']
        for column, value in enumerate(row, start=1):
            sheet.cell(number, column, value)
    _comment(sheet["A1"], HELP["case"])
    _comment(sheet["B1"], HELP["test_input"])
    _comment(sheet.cell(1, len(inputs) + 2), HELP["expected"])
    sheet.freeze_panes = "B3"
    _widths(sheet, [28, 10, 12, 12, 30, 16])


# ---------------------------------------------------------------------- Excel aids
def _header(sheet: Any, row: int, values: Sequence[Any]) -> None:
    from openpyxl.styles import Font, PatternFill

    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, value if value != "" else None)
        cell.font = Font(bold=row == 1)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)


def _comment(cell: Any, text: str) -> None:
    from openpyxl.comments import Comment

    comment = Comment(text, "dtrun")
    comment.width, comment.height = 320, 110
    cell.comment = comment


def _widths(sheet: Any, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(column)].width = width
