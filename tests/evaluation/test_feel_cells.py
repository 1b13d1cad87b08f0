"""Rule cells in FEEL beyond S-FEEL (``?``, functions) in a workbook: evaluated record by record
and over whole frames (the two agree), lint's ``not-analysed`` finding instead of a claim about
gaps, S-FEEL's hints kept for texts that look like S-FEEL mistakes, ``show`` and the DMN round
trip writing them as written."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from helpers import model_for

import engine
from engine._core.errors import WorkbookError
from engine.evaluation.frame import evaluate_frame

INPUTS = [("age", "number", None, "no"), ("name", "string", None, "no"), ("seen", "date", None, "no"),
          ("signs", "list of string", '"Fever","Cough","Rash"', "no"), ("limit", "number", None, "no")]
MODEL = dict(inputs=INPUTS, tables={
    "t": ("C", ["age", "name", "seen", "signs", "limit", "out"], "iiiiio", None, [
        ["R1", "? > 3 and ? < 10", "-", "-", "-", "-", '"between"'],
        ["R2", "odd(?)", "-", "-", "-", "-", '"odd"'],
        ["R3", "-", 'starts with(?, "C")', "-", "-", "-", '"C name"'],
        ["R4", "-", "string length(?) > 3", "-", "-", "-", '"long name"'],
        ["R5", "-", "-", "? < date(\"2025-01-01\")", "-", "-", '"early"'],
        ["R6", "-", "-", "-", 'list contains(?, "Cough")', "-", '"cough"'],
        ["R7", "> abs(-40)", "-", "-", "-", "-", '"over 40"'],
        ["R8", "-", "-", "-", "count(?) >= 2", "-", '"several"'],
        ["R9", "? > limit", "-", "-", "-", "-", '"over limit"'],
        ["R10", "? + 1", "-", "-", "-", "-", '"never: not boolean"'],
        ["R11", "-", "-", "-", "-", ">= 5", '"plain"'],
    ]),
})

RECORDS = [
    {"age": 5, "name": "Cleo", "seen": dt.date(2024, 3, 1), "signs": ["Fever", "Cough"], "limit": 4},
    {"age": 4, "name": "Al", "seen": dt.date(2025, 3, 1), "signs": ["Rash"], "limit": None},
    {"age": 41, "name": None, "seen": None, "signs": None, "limit": 50},
    {"age": None, "name": "Carl", "seen": dt.date(2020, 1, 1), "signs": [], "limit": 1},
]
EXPECTED = [  # worked out by hand from DMN 1.5's meaning of each cell
    ["between", "odd", "C name", "long name", "early", "cough", "several", "over limit"],
    ["between"],  # 4: not odd; Al is short; 2025; no cough; one sign; 4 > null is null
    ["odd", "over 40", "plain"],  # a missing name, date or list gives null: no match
    ["C name", "long name", "early"],  # a missing age matches no test of ?
]


def _outs(result: dict) -> list:
    value = result["t.out"]
    return list(value) if isinstance(value, (list, tuple)) else ([] if value is None else [value])


def test_feel_cells_match_as_dmn_says() -> None:
    model = model_for(**MODEL)
    assert [_outs(engine.evaluate(model, record).row()) for record in RECORDS] == EXPECTED


def test_a_frame_agrees_with_the_records() -> None:
    model = model_for(**MODEL)
    frame = pd.DataFrame({k: [r[k] for r in RECORDS] for k in RECORDS[0]})
    frame["signs"] = [None if s is None else "; ".join(s) for s in frame["signs"]]
    frame["seen"] = [None if d is None else d.isoformat() for d in frame["seen"]]
    result = evaluate_frame(model, frame)
    assert [_outs({"t.out": v}) for v in result["t.out"]] == EXPECTED


def test_lint_skips_the_columns_it_cannot_reason_about_and_claims_no_gap() -> None:
    from engine.analysis.lint import lint_model

    inputs = [("age", "number", "[0..120]", "yes"), ("sex", "string", '"F","M"', "yes")]
    plain = [["R1", "< 18", '"F"', '"a"'], ["R2", "< 18", '"M"', '"b"']]  # a gap: 18 and over
    feel = [["R1", "odd(?)", '"F"', '"a"'], ["R2", "< 18", '"M"', '"b"']]
    found = lint_model(model_for(inputs=inputs, tables={"t": ("U", ["age", "sex", "o"], "iio", None, plain)}))
    assert any(f.code == "gap" for f in found)
    found = lint_model(model_for(inputs=inputs, tables={"t": ("U", ["age", "sex", "o"], "iio", None, feel)}))
    codes = [f.code for f in found]
    assert "gap" not in codes and "overlap" not in codes
    skipped = [f for f in found if f.code == "not-analysed"]
    assert len(skipped) == 1
    assert "overlap and gap checks skip column age: cell B4 ('odd(?)') calls the function odd()" in skipped[0].message
    assert skipped[0].severity == "info"


def test_type_mismatch_skips_feel_cells() -> None:
    from engine.analysis.lint import lint_model

    inputs = [("age", "number", None, "no")]
    rules = [["R1", 'starts with(string(?), "1")', '"a"'], ["R2", '"x"', '"b"']]
    found = lint_model(model_for(inputs=inputs, tables={"t": ("U", ["age", "o"], "io", None, rules)}))
    mismatches = [f for f in found if f.code == "type-mismatch"]
    assert [f.cells for f in mismatches] == [("B5",)]  # the S-FEEL cell "x"; the FEEL cell is not judged


@pytest.mark.parametrize(("cell", "said"), [
    ("> 3 and < 5", "'and' cannot join tests in an input cell"),  # S-FEEL's hint, as before
    ("age >= 70", "unexpected '>='"),
    ("string length(?) => 3", "'=>' is not an operator"),
    ("? > 2,5", "'2,5' is ambiguous"),
    ("foo(?)", "foo is not a known input or function"),
    ("? > weight", "weight is not a known input or function"),
    ("string length(? > 3", "ends too early"),
])
def test_cells_that_cannot_be_read_are_reported_at_their_cell(cell: str, said: str) -> None:
    from helpers import sheets_for

    from engine.formats.xlsx.build import build_model

    sheets = sheets_for(inputs=[("age", "number", None, "no")],
                        tables={"t": ("U", ["age", "o"], "io", None, [["R1", cell, '"a"']])})
    with pytest.raises(WorkbookError) as raised:
        build_model("test.xlsx", sheets)
    problems = [p for p in raised.value.problems if p.cell == "B4"]
    assert problems and said in problems[0].message, [str(p) for p in raised.value.problems]


def test_show_and_dmn_write_them_as_written_and_read_them_back(tmp_path) -> None:
    from engine.formats.dmn.export import export_dmn
    from engine.formats.dmn.importer import build_dmn_model, read_dmn

    model = model_for(**MODEL)
    written = export_dmn(model).decode()
    for text in ("? &gt; 3 and ? &lt; 10", "odd(?)", "string length(?) &gt; 3", "&gt; abs(-40)", "count(?) &gt;= 2"):
        assert f"<text>{text}</text>" in written
    path = tmp_path / "model.dmn"
    path.write_text(written, encoding="utf-8")
    again = build_dmn_model(read_dmn(path))
    assert [_outs(engine.evaluate(again, record).row()) for record in RECORDS] == EXPECTED
    cells = [cell.text for rule in again.table("t").rules for cell in rule.inputs if cell.feel]
    assert "odd(?)" in cells and "> abs(-40)" in cells


def test_show_and_lint_on_the_command_line(tmp_path) -> None:
    from click.testing import CliRunner
    from helpers import make_workbook

    from engine.cli import main

    path = make_workbook(tmp_path, inputs=[("age", "number", None, "no")], tables={
        "t": ("U", ["age", "o"], "io", None, [["R1", "odd(?)", '"a"'], ["R2", "> abs(-3), ? < 0", '"b"']])})
    shown = CliRunner().invoke(main, ["show", str(path)])
    assert shown.exit_code == 0 and "│ odd(?)" in shown.output and "> abs(-3), ? < 0" in shown.output
    linted = CliRunner().invoke(main, ["lint", str(path)])
    assert "info[not-analysed]: overlap and gap checks skip column age: cell B4 ('odd(?)') calls the function " \
           "odd(), so overlaps and gaps of t are not checked" in linted.output  # B5 means a set: > 3 or < 0
    assert "gap" not in linted.output.replace("overlap and gap checks", "").replace("overlaps and gaps", "")


def test_a_feel_cell_whose_names_dmn_spells_otherwise_is_not_written_silently() -> None:
    from engine.formats.dmn.export import export_dmn

    model = model_for(inputs=[("age", "number", None, "no")], tables={
        "band": ("U", ["age", "out"], "io", None, [["B1", "< 18", "10"], ["B2", ">= 18", "20"]]),
        "t": ("U", ["age", "o"], "io", None, [["R1", "? > band.out", '"a"']])})
    with pytest.raises(WorkbookError, match="band.out is called band there"):
        export_dmn(model)


def test_diff_says_why_it_cannot_compare_behaviour(tmp_path) -> None:
    from click.testing import CliRunner
    from helpers import make_workbook

    from engine.cli import main

    inputs = [("age", "number", "[0..120]", "yes")]
    old = make_workbook(tmp_path, "a.xlsx", inputs=inputs, tables={
        "t": ("U", ["age", "o"], "io", None, [["R1", "< 18", '"a"'], ["R2", ">= 18", '"b"']])})
    new = make_workbook(tmp_path, "b.xlsx", inputs=inputs, tables={
        "t": ("U", ["age", "o"], "io", None, [["R1", "floor(?) < 18", '"a"'], ["R2", ">= 18", '"b"']])})
    said = CliRunner().invoke(main, ["diff", str(old), str(new)]).output
    assert "(not compared)" in said and "some cell holds FEEL beyond S-FEEL (? or a function)" in said


def test_diff_compares_feel_cells_that_mean_a_set(tmp_path) -> None:
    from click.testing import CliRunner
    from helpers import make_workbook

    from engine.cli import main

    inputs = [("age", "number", "[0..120]", "yes")]
    old = make_workbook(tmp_path, "a.xlsx", inputs=inputs, tables={
        "t": ("U", ["age", "o"], "io", None, [["R1", "< 18", '"a"'], ["R2", ">= 18", '"b"']])})
    new = make_workbook(tmp_path, "b.xlsx", inputs=inputs, tables={
        "t": ("U", ["age", "o"], "io", None, [["R1", "? < 16", '"a"'], ["R2", "not(? < 18)", '"b"']])})
    said = CliRunner().invoke(main, ["diff", str(old), str(new)]).output
    assert "(not compared)" not in said
    assert "age [16..18)" in said, said  # "a" before, no rule now: the region is found
