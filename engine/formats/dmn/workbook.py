"""A DMN model as a workbook file, and the ``_dmn`` sheet that keeps its DMN names.

Owns ``dtrun convert MODEL.dmn OUT.xlsx``: the sheets that ``engine.formats.dmn.importer`` reads from a
DMN file are checked (as ``load_dmn``) and written with openpyxl, atomically, plus a sheet
``_dmn`` listing each dtrun name with its DMN name (dtrun ignores sheets starting with ``_``),
so that ``engine.formats.dmn.export`` writes the original names when the workbook is converted back.
"""

from __future__ import annotations

from pathlib import Path

from engine.formats.dmn.importer import DmnDocument, Grid, build_dmn_model, read_dmn
from engine.model.types import InputDef, Model

NAMES_SHEET = "_dmn"  # the DMN names of an imported model


def names_sheet(document: DmnDocument) -> Grid:
    """The ``_dmn`` sheet: each dtrun name with its DMN name, so that a later export of the
    workbook writes the DMN names again."""
    rows: Grid = [["element", "dtrun name", "DMN name"]]
    rows += [["inputData", ours, theirs] for theirs, ours in document.inputs.items()]
    rows += [["decision", ours, theirs] for theirs, ours in document.decisions.items()]
    rows += [["output", f"{table}.{ours}", theirs] for table, outputs in document.outputs.items()
             for theirs, ours in outputs.items() if theirs]
    return rows


def names_from_sheet(rows: Grid | None) -> dict[str, str]:
    """dtrun name → DMN name from a ``_dmn`` sheet (empty without one)."""
    return {str(row[1]): str(row[2]) for row in (rows or [])[1:] if len(row) > 2 and row[1] and row[2]}


def read_names_sheet(path: str | Path) -> dict[str, str]:
    """The ``_dmn`` sheet of a workbook that was already checked by ``read_workbook`` (which
    never reads sheets starting with ``_``); empty without one."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if NAMES_SHEET not in book.sheetnames:
            return {}
        rows = [list(r) for r, _ in zip(book[NAMES_SHEET].iter_rows(values_only=True), range(100_000))]
        return names_from_sheet(rows)
    finally:
        book.close()


def convert_to_workbook(source: str | Path, target: str | Path, input_types: str = "declared",
                        hit_policy: str | None = None) -> Model:
    """Check the DMN model ``source`` (as ``engine.formats.load`` with ``input_types``) and
    write it as a workbook to ``target``, atomically; returns the model, with a warning for
    each table that requires a value its input may lack (a workbook cannot say so).  With
    ``cells``, the ``Inputs`` sheet declares the types the cells test; ``hit_policy`` (``--hit-policy``)
    is every table's policy, whatever the DMN file says."""
    from dataclasses import replace

    from engine._core.errors import Problem
    from engine.model.cell_types import typed

    document = read_dmn(source)
    if hit_policy:
        for name in document.decisions.values():
            if document.sheets.get(name):
                document.sheets[name][0][0] = hit_policy
    model = typed(build_dmn_model(document), input_types)
    write_workbook(document, target, model.inputs)
    lost = [Problem("dmn-ignored", f"the workbook cannot say that {model.source.name(table.name)} alone requires a "
                    f"value of {model.source.name(column.heading)} (its inputValues do not allow null): in the "
                    "workbook a missing value reaches that table as it reaches the others", model.source.path,
                    *model.source.place(table.name, f"{column.column}3"),
                    "mark the input Required in the workbook if every table needs it, or add a rule for null",
                    "warning")
            for table in model.tables for column in table.inputs if column.required]
    return replace(model, warnings=(*model.warnings, *lost)) if lost else model


def write_workbook(document: DmnDocument, target: str | Path, inputs: dict[str, InputDef] | None = None) -> None:
    """The sheets read from a DMN file, with the ``_dmn`` sheet, as a workbook ``target``,
    atomically; ``inputs`` (the model's) give the ``Inputs`` sheet its types and Required
    (``--input-types cells``; allowed values that make an input required)."""
    from engine._core.atomic import atomic_path

    rows = [list(row) for row in document.sheets["Inputs"]]
    for row in rows[1:]:
        if row and row[0] in (inputs or {}):
            row[1] = inputs[row[0]].type
            kept = "." in row[0] and row[3] == "yes"  # a component's own Required (under an optional structure)
            row[3] = "yes" if inputs[row[0]].required or kept else "no"
    sheets = {**document.sheets, "Inputs": rows, NAMES_SHEET: names_sheet(document)}
    with atomic_path(Path(target)) as temporary:
        write_sheets(sheets, Path(temporary))


def write_sheets(sheets: dict[str, Grid], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # a FEEL text such as "= 5", not an Excel formula
    book.save(path)
