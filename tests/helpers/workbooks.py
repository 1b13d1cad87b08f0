"""Decision-table workbooks built in code, so that tests need no committed binary fixtures.

``sheets_for`` gives the sheet-name → rows mapping that ``engine.formats.xlsx.build.build_model``
takes; ``make_workbook`` writes the same sheets to a real ``.xlsx`` with openpyxl (cell
values are written as given, so Python numbers, booleans and dates become Excel-native
cells).  A table is ``(hit_policy, headings, roles, allowed_row, rules)``:

    tables={"dose": ("U", ["weight_kg", "dose_mg"], "io", None,
                     [["R1", "< 50", "400"], ["R2", ">= 50", "8 * weight_kg"]])}

``roles`` is a list of ``input``/``output``/``annotation`` or a short string of
``i``/``o``/``a``; ``allowed_row`` is row 3 (``None`` for an empty row); each rule is
``[rule_id, cell, cell, ...]``.  Inputs are ``(name, type, allowed, required)`` tuples
(``required`` may be omitted: blank).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROLE_LETTERS = {"i": "input", "o": "output", "a": "annotation"}
INPUT_HEADER = ["Name", "Type", "Allowed values", "Required", "Unit", "Code", "Description"]

Table = tuple  # (policy, headings, roles, allowed_row, rules)


def inputs_sheet(inputs: Iterable[Sequence[Any]]) -> list[list[Any]]:
    rows: list[list[Any]] = [list(INPUT_HEADER)]
    for spec in inputs:
        name, kind, allowed, required = (list(spec) + [None, None])[:4]
        rows.append([name, kind, allowed, required])
    return rows


def table_sheet(policy: Any, headings: Sequence[Any], roles: str | Sequence[str],
                allowed: Sequence[Any] | None, rules: Iterable[Sequence[Any]]) -> list[list[Any]]:
    if isinstance(roles, str):
        roles = [ROLE_LETTERS[letter] for letter in roles.replace(" ", "")]
    return [[policy, *headings], [None, *roles], [None, *(allowed or [])], *[list(rule) for rule in rules]]


def sheets_for(inputs: Iterable[Sequence[Any]] | None = (), tables: Mapping[str, Table] | None = None,
               about: Mapping[str, Any] | None = None, tests: Sequence[Sequence[Any]] | None = None,
               extra: Mapping[str, list[list[Any]]] | None = None) -> dict[str, list[list[Any]]]:
    """The sheets of a workbook; ``inputs=None`` leaves out the Inputs sheet."""
    sheets: dict[str, list[list[Any]]] = {}
    if about:
        sheets["About"] = [[key, value] for key, value in about.items()]
    if inputs is not None:
        sheets["Inputs"] = inputs_sheet(inputs)
    for name, table in (tables or {}).items():
        sheets[name] = table_sheet(*table)
    if tests:
        sheets["Tests"] = [list(row) for row in tests]
    sheets.update(extra or {})
    return sheets


def write_sheets(path: Path, sheets: Mapping[str, list[list[Any]]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def make_workbook(tmp_path: Path, name: str = "model.xlsx", sheets: Mapping[str, list[list[Any]]] | None = None,
                  **parts: Any) -> Path:
    """Write a workbook (``sheets``, or ``sheets_for(**parts)``) to ``tmp_path / name``."""
    return write_sheets(Path(tmp_path) / name, sheets if sheets is not None else sheets_for(**parts))


def model_for(**parts: Any) -> Any:
    """The compiled model of ``sheets_for(**parts)``, without a file."""
    from engine.formats.xlsx.build import build_model

    return build_model("test.xlsx", sheets_for(**parts))


def one_table(policy: str, inputs: Sequence[Sequence[Any]], headings: Sequence[str], roles: str,
              rules: Iterable[Sequence[Any]], allowed: Sequence[Any] | None = None, name: str = "t") -> Any:
    """A model with a single table ``name`` (the common case in hit-policy tests)."""
    return model_for(inputs=inputs, tables={name: (policy, headings, roles, allowed, rules)})


class Unwritable:
    """A cell value that makes any writer fail after the output file was opened."""

    def __ne__(self, other: object) -> bool:
        raise RuntimeError("cannot write this value")

    __eq__ = __ne__
    __hash__ = object.__hash__

    def __str__(self) -> str:
        raise RuntimeError("cannot write this value")
