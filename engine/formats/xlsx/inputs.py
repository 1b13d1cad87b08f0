"""The ``Inputs`` sheet of a workbook: one input per row (``Name``, ``Type``, ``Allowed values``,
``Required``, ``Unit``, ``Code``, ``Description``, and ``Expression`` through
``engine.formats.xlsx.computed``), each problem at its cell with a hint (no Name or Type
column, an input defined twice, a name that is no identifier, an unknown type, a Required that
is neither yes nor no); the cells that could not be read kept in ``InputDef.unread``.
"""

from __future__ import annotations

from typing import Any, Protocol

from engine._core.cells import cell_ref
from engine._core.errors import ConditionError
from engine.feel.conditions import CompiledUnaryTests
from engine.feel.syntax import IDENTIFIER, identifier
from engine.formats.xlsx.computed import with_expressions
from engine.formats.xlsx.layout import EXPRESSION, INPUT_HEADINGS, cell_text
from engine.formats.xlsx.structures import component_name
from engine.model.types import INPUT_TYPES, STRUCTURE, InputDef, Location, known_type, type_name


class _Builder(Protocol):  # engine.formats.xlsx.build._Builder: where problems go
    workbook: str
    bad: set[tuple[str, str]]

    def problem(self, code: str, message: str, sheet: str = "", cell: str = "", hint: str = "") -> None: ...

    def _syntax(self, error: ConditionError, sheet: str, ref: str) -> None: ...

    def _compile_tests(self, text: str, sheet: str, ref: str, names: Any, feel: bool = False
                       ) -> CompiledUnaryTests | None: ...


def read_inputs(builder: _Builder, rows: list[list[Any]]) -> dict[str, InputDef]:
    """The inputs the Inputs sheet's rows define, by name; every problem reported through
    ``builder`` at its cell."""
    if not rows:
        return {}
    header = [cell_text(v).lower() for v in rows[0]]
    where = {h: header.index(h.lower()) for h in (*INPUT_HEADINGS, EXPRESSION) if h.lower() in header}
    for heading in ("Name", "Type"):
        if heading not in where:
            builder.problem("workbook", f"the Inputs sheet has no '{heading}' column", "Inputs", "A1",
                         "the header row must read: " + " | ".join(INPUT_HEADINGS))
    if "Name" not in where or "Type" not in where:
        return {}
    inputs: dict[str, InputDef] = {}
    for number, row in enumerate(rows[1:], start=2):
        definition = _input_row(builder, row, number, where)
        if definition and definition.name in inputs:
            builder.problem("workbook", f"input {definition.name} is defined twice", "Inputs",
                         cell_ref(number, where["Name"] + 1), "delete or rename one of the rows")
        elif definition:
            inputs[definition.name] = definition
    if EXPRESSION in where:
        inputs = with_expressions(builder, inputs, rows, where, where[EXPRESSION])
    return inputs

def _input_row(builder: _Builder, row: list[Any], number: int, where: dict[str, int]) -> InputDef | None:
    def get(heading: str) -> str:
        index = where.get(heading)
        return cell_text(row[index]) if index is not None and index < len(row) else ""

    name = get("Name")
    if not name:
        if any(cell_text(v) for v in row):
            builder.problem("workbook", "this input has no name", "Inputs", cell_ref(number, where["Name"] + 1),
                         "write the input's name (letters, digits and _), as used in tables and CSV headers")
        return None
    ref = lambda heading: cell_ref(number, where.get(heading, 0) + 1)  # noqa: E731
    if not IDENTIFIER.fullmatch(name) and not component_name(name):
        builder.problem("workbook", f"'{name}' is not a valid input name", "Inputs", ref("Name"),
                     f"use letters, digits and _ only, e.g. {identifier(name)} (or structure.component "
                     "for a component of a structured input)")
    kind = type_name(get("Type"))
    unread = []
    if kind == STRUCTURE and "." in name:
        builder.problem("workbook", f"component {name} cannot itself be a structure", "Inputs", ref("Type"),
                     "give it a type such as number or string; a structure's components are one level deep")
    elif not known_type(kind) and kind != STRUCTURE:
        builder.problem("workbook", f"input {name} has unknown type '{get('Type')}'", "Inputs", ref("Type"),
                     "write one of: " + ", ".join(INPUT_TYPES) + ", structure, or list of one of the first "
                     "five (e.g. list of string)")
        unread.append(ref("Type"))
    allowed = builder._compile_tests(get("Allowed values"), "Inputs", ref("Allowed values"), None)
    if ("Inputs", ref("Allowed values")) in builder.bad:
        unread.append(ref("Allowed values"))
    required = get("Required").lower()
    if required not in ("", "yes", "no", "true", "false", "y", "n"):
        builder.problem("workbook", f"Required must be yes or no, not '{get('Required')}'", "Inputs", ref("Required"),
                     "write yes (a value must be given) or no (the value may be missing)")
    location = Location(builder.workbook, "Inputs", ref("Name"))
    return InputDef(name, kind, allowed, required in ("yes", "true", "y"), location,
                    get("Unit"), get("Code"), get("Description"), tuple(unread))
