"""Excel aids where authors type: drop-down lists and print setup, added to a workbook's
sheets without touching their content (``dtrun tidy`` and ``dtrun new``'s starter).

Owns the data validations dtrun adds and how it marks them (the input-message title
``dtrun``), so that a later run replaces them and never an author's own: hit policies (A1),
column roles (row 2), input types and ``Required`` (Inputs), input names in the headings of
input columns (and the upstream outputs), the allowed values of condition and output cells
where they are a short list of texts or booleans (written as the cell language writes them:
``"a"``, ``true``), and the same values in the Tests sheet's input and expected columns
(written as the Tests sheet does: ``a``, ``true``).  A drop-down never refuses what a cell
may hold (``-``, ``not(...)``, ``"a","b"``): it shows the values and lets anything else in.
A list that Excel cannot hold inline (over 255 characters, or texts with quotes or commas)
lives in the hidden helper sheet ``_dtrun_lists``, which dtrun does not read.  Print setup:
landscape, one page wide, the header rows and column A repeated on every page.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from engine._core.cells import column_letter
from engine._core.errors import DtrunError, with_hint
from engine.feel.syntax import Comparison, Literal
from engine.formats.xlsx.layout import ROLES
from engine.model.hit_policy import CODES
from engine.model.types import INPUT_TYPES, LIST_OF, PLAIN_TYPES, STRUCTURE, Model, Table

MARK = "dtrun"  # the promptTitle of every validation dtrun adds
HELPER = "_dtrun_lists"  # the hidden sheet of lists too long (or too quoted) to be inline
INLINE_LIMIT = 255  # Excel's limit for an inline list, quotes and commas included
MARGIN = 200  # rows below the last filled row that get the drop-downs too
EDITABLE_ROWS = 500  # Inputs rows with drop-downs (at least)
EDITABLE_COLUMNS = 50  # columns with role drop-downs (at least)
POLICIES = (*CODES, "UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT")


class WorkbookInUse(DtrunError):
    """The workbook is open in Excel or LibreOffice (its lock file is beside it)."""

    def __init__(self, path: str, lock: str) -> None:
        self.path, self.lock = path, lock
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: error: " + with_hint(
            f"the workbook is open in Excel or LibreOffice (its lock file {self.lock} is beside it); "
            "saving it there would overwrite what dtrun writes", "close it, then run dtrun tidy again "
            "(if no one has it open, delete the lock file)")


# ---------------------------------------------------------------------- dtrun tidy
def lock_file(path: Path) -> Path | None:
    """The lock file Excel (``~$W.xlsx``, long names shortened by two letters) or LibreOffice
    (``.~lock.W.xlsx#``) keeps beside a workbook it has open; None if there is none."""
    name = path.name
    for candidate in (f"~${name}", f"~${name[2:]}", f".~lock.{name}#"):
        if (path.parent / candidate).exists():
            return path.parent / candidate
    return None


def tidy_workbook(path: str | Path) -> Path:
    """Add the aids to the workbook ``path`` in place, written atomically; its content is left
    as it is.  WorkbookInUse if it is open in Excel or LibreOffice; WorkbookError (every
    problem listed) if it cannot be read."""
    import openpyxl

    from engine._core.atomic import atomic_path
    from engine.formats.xlsx.build import load_workbook

    given = Path(path)
    lock = lock_file(given)
    if lock is not None:
        raise WorkbookInUse(str(given), lock.name)
    model = load_workbook(given)
    target = Path(os.path.realpath(given))  # through a link: the file itself is rewritten
    book = openpyxl.load_workbook(target)
    add_aids(book, model)
    with atomic_path(target) as temporary:
        book.save(temporary)
    return given


def add_aids(book: Any, model: Model) -> None:
    """Drop-down lists and print setup on every sheet of ``book`` (an openpyxl Workbook) that
    ``model`` was read from; dtrun's earlier validations are replaced, the author's kept."""
    lists = _Lists(book)
    tables = {table.name: table for table in model.tables}
    for sheet in book.worksheets:
        if sheet.title == HELPER:
            continue
        _unmark(sheet)
        if sheet.title == "Inputs":
            _inputs_aids(sheet, lists)
            print_setup(sheet, rows="1:1", columns="A:A")
        elif sheet.title == "Tests":
            _tests_aids(sheet, model, lists)
            print_setup(sheet, rows="1:2", columns="A:A")
        elif sheet.title in tables:
            _table_aids(sheet, tables[sheet.title], model, lists)
            print_setup(sheet, rows="1:3", columns="A:A")
        elif sheet.title == "Waivers":
            print_setup(sheet, rows="1:1")
        elif not sheet.title.startswith("_"):
            print_setup(sheet)
    lists.finish()


def print_setup(sheet: Any, rows: str = "", columns: str = "") -> None:
    """Landscape, one page wide (as many pages long as needed), ``rows`` and ``columns``
    repeated on every page."""
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if sheet.sheet_properties.pageSetUpPr is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if rows:
        sheet.print_title_rows = rows
    if columns:
        sheet.print_title_cols = columns


# ---------------------------------------------------------------------- the sheets
# The Type drop-down: every type the Inputs sheet reads.
TYPE_CHOICES = (*INPUT_TYPES, STRUCTURE, *(LIST_OF + kind for kind in PLAIN_TYPES))


def _inputs_aids(sheet: Any, lists: _Lists) -> None:
    last = max(EDITABLE_ROWS, sheet.max_row + MARGIN)
    choices(sheet, f"B2:B{last}", TYPE_CHOICES, "Type", "write one of " + ", ".join(INPUT_TYPES) +
            ", structure (its components are the rows named structure.component below it), or list of one of "
            + ", ".join(PLAIN_TYPES), lists)
    choices(sheet, f"D2:D{last}", ("yes", "no"), "Required", "write yes or no", lists)


def _table_aids(sheet: Any, table: Table, model: Model, lists: _Lists) -> None:
    choices(sheet, "A1", POLICIES, "Hit policy",
            "write one of " + ", ".join(CODES) + " (or UNIQUE, FIRST, PRIORITY, COLLECT SUM, ...)", lists)
    width = max(EDITABLE_COLUMNS + 1, sheet.max_column)
    choices(sheet, f"B2:{column_letter(width)}2", ROLES, "Role", "write input, output or annotation", lists)
    last = max(sheet.max_row, 3) + MARGIN
    names = [*model.inputs, *(o for t in model.tables if t.name != table.name for o in t.output_names)]
    for column in table.inputs:
        suggest(sheet, f"{column.column}1", names, "Input name",
                "the name of an input of the Inputs sheet, or table.output of another table", lists)
        values = input_values(model, column.name, column.allowed)
        if values:
            suggest(sheet, f"{column.column}4:{column.column}{last}", [*map(feel_text, values), "-"],
                    column.heading, "a condition on " + column.heading + ", e.g. one of these values "
                    "(or several, separated by commas; not(...); - for any value)", lists)
    for output in table.outputs:
        values = output_values(output)
        if values:
            suggest(sheet, f"{output.column}4:{output.column}{last}", list(map(feel_text, values)), output.name,
                    "one of the allowed values of " + output.name, lists)


def _tests_aids(sheet: Any, model: Model, lists: _Lists) -> None:
    width = max(EDITABLE_COLUMNS + 1, sheet.max_column)
    choices(sheet, f"B2:{column_letter(width)}2", ("input", "expected"), "Role", "write input or expected", lists)
    last = max(sheet.max_row, 2) + MARGIN
    outputs = {t.qualified(o): o for t in model.tables for o in t.outputs}
    for number in range(2, sheet.max_column + 1):
        heading, kind = (str(sheet.cell(row, number).value or "").strip() for row in (1, 2))
        name = model.aliases.get(heading, heading)
        values: tuple[Any, ...] | None = None
        if kind.lower() == "input":
            values = input_values(model, model.input_aliases.get(heading, heading), None)
        elif kind.lower() == "expected" and name in outputs:
            values = output_values(outputs[name])
        if values:
            letter = column_letter(number)
            suggest(sheet, f"{letter}3:{letter}{last}", [*map(plain_text, values), "null"], heading,
                    f"a value of {heading} (null: no value)", lists)


# ---------------------------------------------------------------------- allowed values
def input_values(model: Model, name: str, narrowed: Any) -> tuple[Any, ...] | None:
    """The values an input (or an upstream ``table.output``) may take, when they are a list
    of texts or booleans; else None."""
    if narrowed is not None:
        return listed(narrowed)
    definition = model.inputs.get(name)
    if definition is not None:
        return (True, False) if definition.type == "boolean" else listed(definition.allowed)
    for table in model.tables:
        for output in table.outputs:
            if table.qualified(output) == model.aliases.get(name, name):
                return output_values(output)
    return None


def output_values(output: Any) -> tuple[Any, ...] | None:
    if output.values and all(isinstance(v, (str, bool)) for v in output.values):
        return tuple(output.values)
    return listed(output.allowed)


def listed(tests: Any) -> tuple[Any, ...] | None:
    """``"a","b"`` or ``true,false`` as a tuple of its values; None for anything else."""
    if tests is None or tests.is_any or tests.node.negated:
        return None
    found = []
    for test in tests.node.tests:
        if not (isinstance(test, Comparison) and test.op == "=" and isinstance(test.endpoint, Literal)
                and isinstance(test.endpoint.value, (str, bool))):
            return None
        found.append(test.endpoint.value)
    return tuple(found) or None


def feel_text(value: Any) -> str:
    """A value as a condition or output cell writes it: ``"a"``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return '"' + str(value).replace('"', '\\"') + '"'


def plain_text(value: Any) -> str:
    """A value as the Tests sheet writes it: ``a``, ``true``."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


# ---------------------------------------------------------------------- validations
def choices(sheet: Any, cells: str, items: Sequence[str], title: str, advice: str, lists: _Lists | None = None) -> None:
    """A drop-down of ``items`` on ``cells``; another value is let in after a warning."""
    _validation(sheet, cells, items, title, advice, lists, strict=True)


def suggest(sheet: Any, cells: str, items: Sequence[str], title: str, advice: str, lists: _Lists) -> None:
    """A drop-down of ``items`` on ``cells`` that never objects (conditions may hold more)."""
    _validation(sheet, cells, items, title, advice, lists, strict=False)


def _validation(sheet: Any, cells: str, items: Sequence[str], title: str, advice: str, lists: _Lists | None,
                strict: bool) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    shown = ", ".join(items)
    message = f"{title}: {advice}" + ("" if strict else f". Values: {shown}")
    inline = '"' + ",".join(items) + '"'
    if len(inline) > INLINE_LIMIT or any('"' in item or "," in item for item in items):
        if lists is None:
            raise ValueError(f"the list for {title} needs the helper sheet")
        formula = lists.reference(items)
    else:
        formula = inline
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                                showErrorMessage=strict, errorStyle="warning",
                                errorTitle=title[:32] if strict else None,
                                error=advice[0].upper() + advice[1:] if strict else None,
                                showInputMessage=True, promptTitle=MARK, prompt=message[:255])
    validation.add(cells)
    sheet.add_data_validation(validation)


def _unmark(sheet: Any) -> None:
    """dtrun's earlier validations removed; the author's own kept, in their order."""
    kept = [v for v in sheet.data_validations.dataValidation if v.promptTitle != MARK]
    sheet.data_validations.dataValidation = kept


class _Lists:
    """The hidden helper sheet: one column per list, rebuilt on every run."""

    def __init__(self, book: Any) -> None:
        self.book = book
        if HELPER in book.sheetnames:
            book.remove(book[HELPER])
        self.columns: dict[tuple[str, ...], str] = {}

    def reference(self, items: Iterable[str]) -> str:
        key = tuple(items)
        if key not in self.columns:
            self.columns[key] = column_letter(len(self.columns) + 1)
        letter = self.columns[key]
        return f"'{HELPER}'!${letter}$1:${letter}${len(key)}"

    def finish(self) -> None:
        if not self.columns:
            return
        sheet = self.book.create_sheet(HELPER)
        sheet.sheet_state = "hidden"
        for key, letter in self.columns.items():
            for number, item in enumerate(key, start=1):
                sheet[f"{letter}{number}"] = item
                sheet[f"{letter}{number}"].data_type = "s"
