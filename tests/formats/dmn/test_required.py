"""Required in DMN terms (issue 17, item 9): allowed values that do not allow null make a
value required, at the input (itemDefinition allowedValues) or at one table (inputValues), as
KIE rejects a null its allowed values do not list.  Lint's gap search, the record evaluator
(the reference) and the frame evaluator follow; the writer says "may be missing" with null."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import dmn, make_workbook, rule, write

import engine
from engine.analysis.lint import lint_model
from engine.formats.dmn.export import write_dmn
from engine.formats.dmn.required import null_stance

ITEMS = ('<itemDefinition id="t_b" name="t_blood"><typeRef>string</typeRef><allowedValues><text>{allowed}</text>'
         '</allowedValues></itemDefinition><inputData id="i_b" name="blood"><variable name="blood" typeRef="t_blood"/>'
         "</inputData>")
CLAUSE = ('<input id="c_{d}"><inputExpression typeRef="string"><text>blood</text></inputExpression>{values}</input>')


def table(decision_id: str, values: str = "") -> str:
    values = f"<inputValues><text>{values}</text></inputValues>" if values else ""
    return (f'<decision id="{decision_id}" name="{decision_id}"><decisionTable id="t_{decision_id}" hitPolicy="UNIQUE">'
            f'{CLAUSE.format(d=decision_id, values=values)}<output id="o_{decision_id}" name="out"/>'
            + rule(f"{decision_id}1", ['"A"'], ['"a"']) + rule(f"{decision_id}2", ['"B"'], ['"b"'])
            + "</decisionTable></decision>")


def loaded(tmp_path: Path, body: str):
    return engine.load(write(tmp_path, dmn(body)))


def both(model, records):
    """The record evaluator's results and the frame evaluator's, which must agree."""
    frame = engine.evaluate_frame(model, pd.DataFrame({"blood": list(records)}, dtype=object))
    scalar = [engine.evaluate(model, {"blood": r}) for r in records]
    for row, result in enumerate(scalar):
        assert frame["_errors"].iat[row] == "; ".join(result.errors), (row, result.errors)
    return scalar


@pytest.mark.parametrize("allowed, required", [('"A","B"', True), ('"A","B",null', False), ("-", False),
                                                ('not("C")', False), ("[1..3]", True)])
def test_null_stance(allowed, required):
    text, refuses = null_stance(allowed)
    assert refuses == required and "null" not in text


def test_allowed_values_without_null_make_the_input_required(tmp_path):
    model = loaded(tmp_path, ITEMS.format(allowed='"A","B"') + table("First"))
    assert model.inputs["blood"].required
    (missing, given) = both(model, [None, "A"])
    assert list(missing.errors) == ["blood: a value is required", "First: not evaluated because blood has no usable value"]
    assert given["First.out"] == "a" and not given.errors
    assert not [f for f in lint_model(model) if f.code == "gap"]  # the rules cover every allowed value


def test_null_among_the_allowed_values_keeps_the_input_optional_and_lint_finds_the_gap(tmp_path):
    model = loaded(tmp_path, ITEMS.format(allowed='"A","B",null') + table("First"))
    assert not model.inputs["blood"].required and model.inputs["blood"].allowed.text == '"A", "B"'
    (gap,) = [f for f in lint_model(model) if f.code == "gap"]
    assert "missing" in gap.message
    assert list(both(model, [None])[0].warnings) == ["First: no rule matched"]


def test_input_values_make_only_their_table_require_a_value(tmp_path):
    model = loaded(tmp_path, ITEMS.format(allowed='"A","B",null') + table("First", '"A","B"') + table("Second"))
    assert not model.inputs["blood"].required
    assert [c.required for t in model.tables for c in t.inputs] == [True, False]
    (missing,) = both(model, [None])
    assert list(missing.errors) == ["First: blood: a value is required (the input's inputValues do not allow null)",
                              "First: not evaluated because blood has no usable value"]
    assert list(missing.warnings) == ["Second: no rule matched"]  # Second runs: its input may be missing
    gaps = {f.sheet: f.message for f in lint_model(model) if f.code == "gap"}
    assert set(gaps) == {'decision "Second" (id Second)'} and "missing" in gaps['decision "Second" (id Second)']


def test_an_input_every_table_requires_is_required(tmp_path):
    model = loaded(tmp_path, ITEMS.format(allowed='"A","B",null') + table("First", '"A","B"')
                   + table("Second", '"A","B","C"'))
    assert model.inputs["blood"].required and not any(c.required for t in model.tables for c in t.inputs)


def test_the_dtrun_extension_states_required_itself(tmp_path):
    body = ITEMS.format(allowed='"A","B"').replace(
        '<variable name="blood"', '<extensionElements><dtrun:input xmlns:dtrun="https://github.com/dtrun/dtrun/'
        'dmn-extensions/1" type="string" required="false"/></extensionElements><variable name="blood"')
    assert not loaded(tmp_path, body + table("First")).inputs["blood"].required


def test_the_writer_says_may_be_missing_with_null_and_reads_back_the_same(tmp_path):
    path = make_workbook(tmp_path, inputs=[("blood", "string", '"A","B"', "no"), ("age", "number", "[0..120]", "yes")],
                         tables={"t": ("U", ["blood", "age", "out"], "iio", ['"A","B"', None],
                                       [["R1", '"A"', "-", '"a"'], ["R2", '"B"', "-", '"b"']])})
    model = engine.load(path)
    write_dmn(model, tmp_path / "m.dmn")
    text = (tmp_path / "m.dmn").read_text(encoding="utf-8")
    assert '"A", "B", null' in text and "[0..120]</text>" in text  # age is Required: no null
    back = engine.load(tmp_path / "m.dmn")
    assert {n: (d.required, d.allowed.text.replace(" ", "")) for n, d in back.inputs.items()} == {
        n: (d.required, d.allowed.text.replace(" ", "")) for n, d in model.inputs.items()}
    assert [c.required for c in back.tables[0].inputs] == [False, False]
    assert [c.allowed_text for c in back.tables[0].inputs] == ['"A", "B"', ""]


def test_convert_writes_required_inputs_and_warns_where_a_workbook_cannot_say_it(tmp_path):
    from engine.formats import convert

    every = write(tmp_path, dmn(ITEMS.format(allowed='"A","B",null') + table("First", '"A","B"')
                                + table("Second", '"A","B","C"')), "every.dmn")
    convert(every, tmp_path / "every.xlsx")
    assert engine.load(tmp_path / "every.xlsx").inputs["blood"].required
    one = write(tmp_path, dmn(ITEMS.format(allowed='"A","B",null') + table("First", '"A","B"') + table("Second")),
                "one.dmn")
    model = convert(one, tmp_path / "one.xlsx")
    (warning,) = [w for w in model.warnings if "alone requires a value of blood" in w.message]
    assert (warning.sheet, warning.cell) == ('decision "First" (id First)', 'input 1 "blood" (id c_First), inputValues')
    assert not engine.load(tmp_path / "one.xlsx").inputs["blood"].required
