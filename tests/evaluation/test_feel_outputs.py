"""Output cells in the full FEEL expression language: evaluated record by record (the FEEL
interpreter, the reference) and over whole frames (once per distinct combination of the values
a cell reads), the two agreeing; what an output cannot hold is that record's error, the record
kept; S-FEEL's hints kept where FEEL cannot read the cell either."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import model_for
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine._core.errors import ConditionError, WorkbookError
from engine.evaluation.frame import evaluate_frame
from engine.feel.conditions import compile_expression

INPUTS = [("weight_kg", "number", None, "no"), ("name", "string", None, "no")]
RULES = [
    ["R1", "> 1000", "-", '"huge"', 'time("10:00:00")', '"x"'],
    ["R2", "-", '"Al"', '"al"', "round half up(8 * weight_kg, 0)", 'string join(["a", name], ", ")'],
    ["R3", "-", "-", 'if weight_kg > 100 then "review" else "standard"', "decimal(weight_kg * 0.45359237, 1)",
     'upper case(name)'],
]
MODEL = dict(inputs=INPUTS, tables={"t": ("F", ["weight_kg", "name", "flag", "dose", "label"], "iiooo", None, RULES)})
RECORDS = [
    {"weight_kg": 120, "name": "Cleo"},
    {"weight_kg": 50.475, "name": "Al"},
    {"weight_kg": None, "name": "Bo"},
    {"weight_kg": 2000, "name": "Di"},
]
EXPECTED = [  # by hand: 120 * 0.45359237 = 54.43..., 8 * 50.475 = 403.8 -> 404; null > 100 is null: else
    ("review", 54.4, "CLEO"),
    ("al", 404, "a, Al"),
    ("standard", None, "BO"),
    (None, None, None),  # R1's dose is a time, which an output cannot hold: the record's error
]


def _row(result: dict) -> tuple:
    return tuple(None if pd.isna(result[f"t.{o}"]) else result[f"t.{o}"] for o in ("flag", "dose", "label"))


def test_feel_outputs_evaluate_as_feel_says() -> None:
    model = model_for(**MODEL)
    rows = [engine.evaluate(model, record).row() for record in RECORDS]
    assert [_row(r) for r in rows] == EXPECTED
    assert rows[0]["_errors"] == ""
    assert "rule R1: the output cell time(\"10:00:00\") gives 10:00:00 (time)" in rows[3]["_errors"]
    # the fix, not only the refusal: its text is a value an output holds
    assert "to give its text, write string(time(\"10:00:00\"))" in rows[3]["_errors"]


def test_a_frame_agrees_with_the_records() -> None:
    model = model_for(**MODEL)
    frame = pd.DataFrame({k: [r[k] for r in RECORDS] for k in RECORDS[0]})
    result = evaluate_frame(model, frame)
    assert [_row(result.iloc[i]) for i in range(len(RECORDS))] == EXPECTED
    scalar = [engine.evaluate(model, record).row()["_errors"] for record in RECORDS]
    assert list(result["_errors"]) == scalar


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(-5, 3000), st.floats(-10, 200, allow_nan=False)),
                          st.sampled_from([None, "Al", "Bo", "Cy"])), min_size=1, max_size=30))
def test_vectorized_equals_scalar(records: list[tuple]) -> None:
    model = model_for(**MODEL)
    frame = pd.DataFrame({"weight_kg": [w for w, _ in records], "name": [n for _, n in records]})
    result = evaluate_frame(model, frame)
    for i, (weight, name) in enumerate(records):
        row = engine.evaluate(model, {"weight_kg": weight, "name": name}).row()
        assert _row(result.iloc[i]) == _row(row)
        assert result["_errors"].iat[i] == row["_errors"]


def test_cells_s_feel_reads_are_unchanged_and_feel_cells_are_marked() -> None:
    assert compile_expression("8 * weight_kg", feel=True).feel == ""
    assert compile_expression('if a > 1 then "x" else "y"', {"a"}, feel=True).feel == "FEEL"
    assert compile_expression('string join(["a", "b"], ", ")', feel=True).evaluate() == "a, b"


@pytest.mark.parametrize(("text", "message", "column"), [
    ("[1, 2]", "an output cell holds one value, not a list", 1),
    ('if wieght > 1 then "x" else "y"', "wieght is not a known input", 4),
])
def test_feel_output_refusals_point_at_the_cell(text: str, message: str, column: int) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_expression(text, {"weight"}, feel=True)
    assert caught.value.message == message and caught.value.column == column


@pytest.mark.parametrize("text", ['"a", "b"', "[1..3]", "1,5", "> 3"])
def test_s_feel_messages_stand_where_feel_cannot_read_the_cell_either(text: str) -> None:
    with pytest.raises(ConditionError) as sfeel:
        compile_expression(text)
    with pytest.raises(ConditionError) as caught:
        compile_expression(text, feel=True)
    assert (caught.value.message, caught.value.hint) == (sfeel.value.message, sfeel.value.hint)


def test_a_workbook_names_the_cell_of_a_bad_feel_output() -> None:
    rules = [["R1", "-", "-", 'if weight_kg > 1 then "x" els "y"', "1", "2"]]
    with pytest.raises(WorkbookError) as caught:
        model_for(inputs=INPUTS, tables={"t": ("F", ["weight_kg", "name", "flag", "dose", "label"], "iiooo", None,
                                                  rules)})
    assert "D4" in str(caught.value)


def test_lint_makes_no_claim_about_feel_outputs_it_cannot_know() -> None:
    from engine.analysis.lint import lint_model

    inputs = [("weight_kg", "number", None, "no")]
    rules = [["R1", "> 100", 'if weight_kg > 200 then "reveiw" else "review"'],  # a typo lint cannot see
             ["R2", "<= 100", 'string join(["stand", "ard"], "")'],  # no name: its value is known
             ["R3", "< 0", 'string join(["nope"], "")']]
    sheets = dict(inputs=inputs, tables={"t": ("F", ["weight_kg", "o"], "io", [None, '"review","standard"'], rules)})
    found = [f for f in lint_model(model_for(**sheets)) if f.code == "value-not-allowed"]
    assert [f.cells for f in found] == [("C6",)]  # only the constant "nope"; never the computed cell


def test_dmn_writes_them_as_written_and_reads_them_back(tmp_path) -> None:
    from engine.formats.dmn.export import export_dmn
    from engine.formats.dmn.importer import build_dmn_model, read_dmn

    model = model_for(**MODEL)
    written = export_dmn(model).decode()
    assert "<text>if weight_kg &gt; 100 then \"review\" else \"standard\"</text>" in written
    path = tmp_path / "model.dmn"
    path.write_text(written, encoding="utf-8")
    again = build_dmn_model(read_dmn(path))
    assert [_row(engine.evaluate(again, record).row()) for record in RECORDS] == EXPECTED


def test_show_writes_them_as_written(tmp_path) -> None:
    from click.testing import CliRunner
    from helpers import make_workbook

    from engine.cli import main

    path = make_workbook(tmp_path, **MODEL)
    shown = CliRunner().invoke(main, ["show", str(path)], terminal_width=400)
    assert shown.exit_code == 0, shown.output
    assert "string join([" in shown.output and "upper case(name)" in shown.output


def test_an_answer_is_remembered_by_its_key_and_an_unhashable_key_is_not_kept() -> None:
    from engine.feel.feel_outputs import OutputError, remembered

    memo: dict = {}
    calls: list[int] = []

    def answer(value, problem=None):
        def made():
            calls.append(1)
            return value, problem
        return made

    assert remembered(memo, (list, [1, 2]), answer([1, 2])) == [1, 2] and memo == {}  # a list: computed, not kept
    assert remembered(memo, ("a",), answer(1)) == 1 and remembered(memo, ("a",), answer(2)) == 1
    with pytest.raises(OutputError, match="too big"):
        remembered(memo, ("b",), answer(None, "too big"))
    with pytest.raises(OutputError, match="too big"):  # the problem is remembered too
        remembered(memo, ("b",), answer(5))
    assert len(calls) == 3
