"""DMN input expressions that are more than a name (``age * 12``, date arithmetic): imported
as computed inputs of the Inputs grid, evaluated as the workbook's are, placed at their input
clause, exported back as the inputExpression (DMN → model → DMN → model gives the same values);
an expression that reads no input data is still refused."""

from __future__ import annotations

import pytest
from helpers import decision, dmn, rule, write

import engine
from engine._core.errors import WorkbookError
from engine.formats.dmn.export import write_dmn
from engine.formats.dmn.importer import load_dmn as read_dmn

AGE = '<inputData id="i_age" name="age"><variable name="age" typeRef="number"/></inputData>'
MONTHS = decision("d1", "Months band", 'hitPolicy="UNIQUE"',
                  '<input id="c1" label="age_months"><inputExpression typeRef="number"><text>age * 12</text>'
                  '</inputExpression></input>',
                  '<output id="o1" name="band" typeRef="string"/>',
                  rule("r1", ["&lt; 24"], ['"toddler"']) + rule("r2", ["&gt;= 24"], ['"older"']))


def test_an_arithmetic_input_expression_is_a_computed_input(tmp_path):
    model = read_dmn(write(tmp_path, dmn(AGE + MONTHS)))
    computed = model.inputs["age_months"]
    assert (computed.expression.text, computed.expression.names, computed.type) == ("age * 12", ("age",), "number")
    # 1.5 years: 18 months, a toddler; 3 years: 36 months
    assert [engine.evaluate(model, {"age": a})["Months_band.band"] for a in (1.5, 3)] == ["toddler", "older"]


def test_the_expression_goes_back_out_as_the_input_expression(tmp_path):
    model = read_dmn(write(tmp_path, dmn(AGE + MONTHS)))
    write_dmn(model, tmp_path / "back.dmn")
    text = (tmp_path / "back.dmn").read_text(encoding="utf-8")
    assert "<text>age * 12</text>" in text and 'name="age_months"' not in text  # no inputData for it
    back = read_dmn(tmp_path / "back.dmn")
    assert back.inputs["age_months"].expression.text == "age * 12"
    for age in (0.5, 2, 2.5, None):
        assert engine.evaluate(back, {"age": age}).outputs == engine.evaluate(model, {"age": age}).outputs


def test_names_with_spaces_are_renamed_both_ways(tmp_path):
    data = ('<inputData id="i_a" name="adjuvant end"><variable name="adjuvant end" typeRef="date"/></inputData>'
            '<inputData id="i_d" name="diagnosis"><variable name="diagnosis" typeRef="date"/></inputData>')
    table = decision("d1", "Interval", 'hitPolicy="UNIQUE"',
                     '<input id="c1"><inputExpression typeRef="number"><text>(diagnosis - adjuvant end).days / '
                     '30.4375</text></inputExpression></input>', '<output id="o1" name="late" typeRef="boolean"/>',
                     rule("r1", ["&gt;= 12"], ["true"]) + rule("r2", ["&lt; 12"], ["false"]))
    model = read_dmn(write(tmp_path, dmn(data + table)))
    [computed] = [d for d in model.inputs.values() if d.expression is not None]
    assert computed.expression.text == "(diagnosis - adjuvant_end).days / 30.4375"
    # 441 days: 14.5 months
    assert engine.evaluate(model, {"adjuvant_end": "2021-11-30", "diagnosis": "2023-02-14"})["Interval.late"] is True
    write_dmn(model, tmp_path / "back.dmn", names={"adjuvant_end": "adjuvant end"})
    back = (tmp_path / "back.dmn").read_text(encoding="utf-8")
    assert "<text>(diagnosis - adjuvant end).days / 30.4375</text>" in back
    assert read_dmn(tmp_path / "back.dmn").inputs[computed.name].expression == computed.expression


def test_an_expression_over_no_input_data_is_still_refused(tmp_path):
    table = MONTHS.replace("age * 12", "months * 12")
    with pytest.raises(WorkbookError) as caught:
        read_dmn(write(tmp_path, dmn(AGE + table)))
    assert "input expression 'months * 12' is not the name of an inputData or a decision" in str(caught.value)


def test_a_workbook_computed_input_keeps_its_row_through_dmn(tmp_path):
    """Workbook → DMN → model: the computed input's type, allowed values, Required, unit and
    description travel in a dtrun:computed extension beside the inputExpression."""
    from helpers import model_for

    headings = ["Name", "Type", "Allowed values", "Required", "Unit", "Code", "Description", "Expression"]
    model = model_for(inputs=(), tables={"t": ("U", ["months", "o"], "io", None, [["R1", "< 24", '"young"'],
                                                                                   ["R2", ">= 24", '"older"']])},
                      extra={"Inputs": [headings, ["age", "number", "[0..120]", "yes", "years"],
                                        ["months", "integer", "[0..1440]", "yes", "months", "", "age in months",
                                         "floor(age * 12)"]]})
    write_dmn(model, tmp_path / "m.dmn")
    back = read_dmn(tmp_path / "m.dmn").inputs["months"]
    mine = model.inputs["months"]
    assert (back.type, back.allowed.text, back.required, back.unit, back.description, back.expression.text) == (
        mine.type, mine.allowed.text, mine.required, mine.unit, mine.description, mine.expression.text)
