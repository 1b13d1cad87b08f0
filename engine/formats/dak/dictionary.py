"""A DAK's core data dictionary (``WHO-ANC.xlsx``): its data elements, their types and options.

Owns reading the dictionary workbook: on each activity sheet, the heading row (the one with
``Data Element Label``) names the columns, wherever they are (``Data Element ID``, ``Multiple
Choice Type``, ``Data Type``, ``Input Options``, ``Quantity Sub-Type``, ``Description and
Definition``); each row is a data element, and the ``Input Option`` rows under a ``Select one``
or ``Select all that apply`` element are its options (an option's label, and its shorter value
in ``Input Options``).  The workbook is opened through the same safe opening as any workbook
(``engine.formats.xlsx.safety``).  ``dtrun_type`` says which dtrun type an element takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.formats.dak.blocks import text_of

LIST_TYPE = "list of string"  # a Select all that apply element, once list inputs exist (else string)


@dataclass(frozen=True)
class Option:
    label: str  # the option's Data Element Label: "HIV positive"
    value: str  # its Input Options cell: "Positive" ("" if none)
    element_id: str


@dataclass(frozen=True)
class DataElement:
    id: str  # ANC.B5.DE1
    label: str  # Data Element Label
    data_type: str  # Boolean, Coding, Quantity, Date, ... as written
    choice: str  # Select one, Select all that apply, Input Option or ""
    unit: str  # Quantity Sub-Type
    description: str
    options: tuple[Option, ...]
    sheet: str
    cell: str  # the label's cell

    @property
    def multiple(self) -> bool:
        return self.choice.lower().startswith("select all")


@dataclass(frozen=True)
class Dictionary:
    path: str
    elements: dict[str, DataElement]  # by label (the first of a label written twice)

    def labels(self) -> list[str]:
        return list(self.elements)


def dtrun_type(element: DataElement, list_inputs: bool) -> str:
    """The dtrun type of a data element (``docs/dak.md``)."""
    kind = element.data_type.strip().lower()
    if element.multiple:
        return LIST_TYPE if list_inputs else "string"
    if kind == "boolean":
        return "boolean"
    if kind in ("quantity", "decimal", "number"):
        return "number"
    if kind == "integer":
        return "integer"
    if kind in ("date", "datetime"):
        return "date"
    return "string"


def read_dictionary(path: str | Path, limits: Any = None) -> Dictionary:
    """The data elements of the dictionary workbook ``path`` (WorkbookError if it cannot be read)."""
    from engine.formats.dak.opening import open_sheets

    elements: dict[str, DataElement] = {}
    for sheet in open_sheets(path, limits):
        for element in _elements(sheet.title, sheet.rows):
            elements.setdefault(" ".join(element.label.split()), element)
    return Dictionary(str(path), elements)


_COLUMNS = {"id": "data element id", "label": "data element label", "description": "description",
            "choice": "multiple choice", "type": "data type", "options": "input options", "unit": "quantity sub"}


def _elements(title: str, rows: list[list[Any]]) -> list[DataElement]:
    from engine._core.cells import cell_ref

    heading = next((r for r, line in enumerate(rows) if any(text_of(v).lower() == "data element label"
                                                               for v in line)), None)
    if heading is None:
        return []
    names = [" ".join(text_of(v).lower().split()) for v in rows[heading]]
    where = {key: next((i for i, n in enumerate(names) if start in n), None) for key, start in _COLUMNS.items()}
    if where["label"] is None:
        return []

    def get(line: list[Any], key: str) -> str:
        index = where[key]
        return " ".join(text_of(line[index]).split()) if index is not None and index < len(line) else ""

    found: list[tuple[dict[str, str], list[Option], str]] = []
    for number, line in enumerate(rows[heading + 1:], start=heading + 2):
        fields = {key: get(line, key) for key in _COLUMNS}
        if not fields["label"]:
            continue
        if fields["choice"].lower() == "input option" and found and found[-1][0]["choice"].lower().startswith(
                "select"):
            found[-1][1].append(Option(fields["label"], fields["options"], fields["id"]))
            continue
        found.append((fields, [], cell_ref(number, where["label"] + 1)))
    return [DataElement(f["id"], f["label"], f["type"], f["choice"], "" if f["unit"].upper() == "N/A" else f["unit"],
                        f["description"], tuple(options), title, cell) for f, options, cell in found]
