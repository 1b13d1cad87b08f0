"""Structured inputs on the Inputs sheet (engine.formats.xlsx.structures): the structure row
and its components, and every mistake reported at its cell with a fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import make_workbook, sheets_for

from engine._core.errors import WorkbookError
from engine.formats import load
from engine.formats.xlsx.build import build_model

TABLE = {"t": ("U", ["applicant.age", "band"], "io", None, [["R1", "< 65", '"young"'], ["R2", ">= 65", '"old"']])}


def _problems(inputs: list[tuple[Any, ...]], tables: dict[str, Any] = TABLE) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        build_model("m.xlsx", sheets_for(inputs=inputs, tables=tables))
    return [f"{p.sheet}!{p.cell}: {p.message} ({p.hint})" for p in caught.value.problems]


def test_a_structure_groups_its_components(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, inputs=[("applicant", "structure", None, "no"),
                                               ("applicant.age", "number", "[0..130]", "yes"),
                                               ("applicant.sex", "string", '"f","m"'), ("x", "integer")],
                             tables=TABLE)
    model = load(workbook)
    assert list(model.inputs) == ["applicant.age", "applicant.sex", "x"]
    structure = model.structures["applicant"]
    assert structure.components == ("applicant.age", "applicant.sex") and not structure.required
    assert structure.component_required == ("applicant.age",) and structure.location.cell == "A2"
    assert not model.inputs["applicant.age"].required  # only when the structure is given
    assert model.tables[0].inputs[0].name == "applicant.age"


def test_a_component_without_its_structure_is_refused_at_its_name() -> None:
    assert _problems([("applicant.age", "number"), ("applicant", "structure")]) == [
        "Inputs!A2: input applicant.age is a component of applicant, but no input applicant of Type structure is "
        "declared above it (add a row applicant with Type structure above it, or name the input applicant_age)",
        "Inputs!A3: structure applicant has no components (add rows named applicant.<component> below it (e.g. "
        "applicant.age), or give it a type such as number or string)",
        "t!B1: heading 'applicant.age' names no input and no output of another table (add it to the Inputs sheet, "
        "or write table.output)"]


def test_names_and_types_of_components() -> None:
    problems = _problems([("applicant", "structure"), ("applicant.age", "number"), ("applicant.a.b", "number"),
                          ("applicant.kin", "structure"), ("applicant", "number")])
    assert problems[0].startswith("Inputs!A4: 'applicant.a.b' is not a valid input name (use letters, digits and _ "
                                  "only")
    assert "Inputs!B5: component applicant.kin cannot itself be a structure" in problems[1]
    assert any(p.startswith("Inputs!A6: input applicant is defined twice") for p in problems)
    assert len(problems) == 3


def test_a_structure_with_allowed_values_is_refused() -> None:
    assert _problems([("applicant", "structure", "[0..1]"), ("applicant.age", "number")])[0].startswith(
        "Inputs!A2: structure applicant has Allowed values (write the allowed values on the rows of its components")


def test_a_structure_named_as_a_table_is_refused() -> None:
    tables = {**TABLE, "dose": ("U", ["x", "mg"], "io", None, [["R1", "-", "1"]])}
    problems = _problems([("dose", "structure"), ("dose.mg", "number"), ("applicant", "structure"),
                          ("applicant.age", "number"), ("x", "number")], tables)
    assert problems == ["Inputs!A3: structure dose has the name of a table: component dose.mg is also the output "
                        "dose.mg of table dose (rename the structure (e.g. dose_data) or the table's sheet)"]
    other = _problems([("dose", "structure"), ("dose.weight", "number"), ("applicant", "structure"),
                       ("applicant.age", "number"), ("x", "number")], tables)
    assert other[0].startswith("Inputs!A2: structure dose has the name of a table: its components' names "
                               "(dose.weight) read as outputs of table dose")


def test_a_heading_naming_a_missing_component_suggests_the_close_one() -> None:
    tables = {"t": ("U", ["applicant.ag", "band"], "io", None, [["R1", "-", '"x"']])}
    problems = _problems([("applicant", "structure"), ("applicant.age", "number")], tables)
    assert problems == ["t!B1: heading 'applicant.ag' names no input and no output of another table "
                        "(did you mean applicant.age?)"]


def test_show_lists_the_structure_row_and_each_components_own_required() -> None:
    from engine.review.view import inputs_section

    model = build_model("m.xlsx", sheets_for(inputs=[("applicant", "structure", None, "no"),
                                                     ("applicant.age", "number", "[0..130]", "yes"),
                                                     ("x", "integer")], tables=TABLE))
    rows = [[cell.text for cell in row[:4]] for row in inputs_section(model).rows]
    assert rows == [["applicant", "structure", "", "no"], ["applicant.age", "number", "[0..130]", "yes"],
                    ["x", "integer", "", "no"]]
