"""Lint over cells in FEEL beyond S-FEEL (issue 18, item 7): exact answers where a cell means a set
of its column's values (``engine.feel.feel_sets``) or the column has finitely many values,
computed inputs as inputs of their own, and a ``not-analysed`` finding that names each cell it
cannot reason about and why, never a false "no gap".  The brute-force oracle over random tables
with such cells is in test_verify.py."""

from __future__ import annotations

from typing import Any

from helpers import model_for

from engine.analysis.lint import lint_model

HEADER = ["Name", "Type", "Allowed values", "Required", "Unit", "Code", "Description", "Expression"]


def _inputs(*rows: tuple[Any, ...]) -> list[list[Any]]:
    """An Inputs sheet with the Expression column: (name, type, expression, allowed, required)."""
    return [list(HEADER)] + [[name, kind, allowed, required, None, None, None, expression]
                             for name, kind, expression, allowed, required in rows]


def _codes(findings: list) -> list[str]:
    return [f.code for f in findings]


def test_a_gap_over_a_computed_bmi_is_found_through_feel_cells() -> None:
    rows = _inputs(("weight_kg", "number", None, "[1..400]", "yes"), ("height_m", "number", None, "[0.3..2.5]", "yes"),
                   ("bmi", "number", "weight_kg / (height_m ** 2)", "[0..200]", "yes"))
    model = model_for(inputs=(), extra={"Inputs": rows}, tables={
        "band": ("U", ["bmi", "band"], "io", None, [["B1", "? >= 30", '"obese"'], ["B2", "? < 18.5", '"under"']])})
    found = lint_model(model)
    assert _codes(found) == ["gap"]
    assert "bmi [18.5..30)" in found[0].message and found[0].example == {"bmi": 18.5}


def test_a_computed_input_that_may_be_missing_is_a_gap_where_no_cell_matches_null() -> None:
    rows = _inputs(("weight_kg", "number", None, "[1..400]", "no"), ("height_m", "number", None, "[0.3..2.5]", "yes"),
                   ("bmi", "number", "weight_kg / (height_m ** 2)", "[0..200]", "no"))
    model = model_for(inputs=(), extra={"Inputs": rows}, tables={
        "band": ("U", ["bmi", "band"], "io", None, [["B1", "? >= 18.5", '"fine"'], ["B2", "not(? >= 18.5)", '"under"']])})
    found = lint_model(model)
    assert _codes(found) == ["gap"]  # not(null >= 18.5) is null: a missing bmi matches neither rule
    assert found[0].box == {"bmi": "null"}


def test_exact_overlap_and_gap_of_feel_cells_by_hand() -> None:
    inputs = [("age", "number", "[0..120]", "yes")]
    rules = [["R1", "? < 18", '"child"'], ["R2", "? between 18 and 65", '"adult"'], ["R3", "? in (65, > 70)", '"old"']]
    found = lint_model(model_for(inputs=inputs, tables={"t": ("U", ["age", "o"], "io", None, rules)}))
    assert [(f.code, f.box) for f in found] == [("gap", {"age": "(65..70]"}), ("overlap", {"age": "65"})]


def test_a_finite_column_runs_any_cell_on_each_value() -> None:
    inputs = [("visits", "integer", "[0..6]", "yes"), ("smoker", "boolean", None, "no")]
    rules = [["R1", "odd(?)", "?", '"a"'], ["R2", "even(?) and ? > 2", "-", '"b"'], ["R3", "-", "not(?)", '"c"']]
    found = lint_model(model_for(inputs=inputs, tables={"t": ("U", ["visits", "smoker", "o"], "iio", None, rules)}))
    gaps = sorted(str(f.box) for f in found if f.code == "gap")
    overlaps = [f.box for f in found if f.code == "overlap"]
    # by hand: R1 odd and true; R2 4 or 6; R3 false. Unmatched: 0 or 2 and (true or missing); odd and missing
    assert gaps == ["{'visits': '0, 2', 'smoker': 'true, null'}", "{'visits': '1, 3, 5', 'smoker': 'null'}"]
    assert overlaps == [{"visits": "4, 6", "smoker": "false"}]


def test_a_skipped_column_names_each_cell_and_what_it_uses() -> None:
    inputs = [("age", "number", "[0..120]", "yes"), ("limit", "number", None, "yes")]
    rules = [["R1", "before(?, 26)", "-", '"a"'], ["R2", "? < 3", "-", '"b"'], ["R3", "? > limit", "-", '"c"'],
             ["R4", "? + 1 > 5", "-", '"d"'], ["R5", "abs(?) > 7", "-", '"e"'], ["R6", "? < today()", "-", '"f"']]
    found = lint_model(model_for(inputs=inputs, tables={"t": ("U", ["age", "limit", "o"], "iio", None, rules)}))
    assert "gap" not in _codes(found) and "overlap" not in _codes(found)
    skipped = [f for f in found if f.code == "not-analysed"]
    assert len(skipped) == 1 and skipped[0].cells == ("B4", "B6", "B7", "B8", "B9")
    assert skipped[0].message == (
        "overlap and gap checks skip column age: cell B4 ('before(?, 26)') calls the function before(), "
        "cell B6 ('? > limit') reads limit, cell B7 ('? + 1 > 5') computes with ? (? + 1), and 2 more cells, so "
        "overlaps and gaps of t are not checked")


def test_a_feel_cell_that_matches_no_allowed_value_is_reported() -> None:
    inputs = [("age", "number", "[0..120]", "yes")]
    rules = [["R1", "? > 200", '"a"'], ["R2", "-", '"b"']]
    found = lint_model(model_for(inputs=inputs, tables={"t": ("F", ["age", "o"], "io", None, rules)}))
    assert [(f.code, f.cells) for f in found] == [("value-not-allowed", ("B4",))]
    assert "matches none of the values of age ([0..120])" in found[0].message


def test_a_list_columns_feel_cells_that_hang_on_the_values_held_are_checked() -> None:
    inputs = [("signs", "list of string", '"Fever","Cough","Rash"', "no")]
    rules = [["R1", 'list contains(?, "Cough")', '"a"'], ["R2", 'some e in ? satisfies e in ("Fever", "Rash")', '"b"'],
             ["R3", 'every e in ? satisfies e = "Cough"', '"c"']]
    found = lint_model(model_for(inputs=inputs, tables={"t": ("U", ["signs", "o"], "io", None, rules)}))
    # by hand: R3 matches the empty list, [Cough] (with R1) and a missing list (every over null: no element fails)
    assert [(f.code, f.rules, f.box) for f in found] == [
        ("overlap", ("R1", "R2"), {"signs": 'holds one of "Fever", "Rash" and holds "Cough"'}),
        ("overlap", ("R1", "R3"), {"signs": 'holds "Cough" and holds none of "Fever", "Rash"'})]


def test_a_list_columns_other_feel_cells_are_skipped_and_say_why() -> None:
    inputs = [("signs", "list of string", '"Fever","Cough"', "yes")]
    rules = [["R1", 'list contains(?, "Cough")', '"a"'], ["R2", "count(?) >= 2", '"b"'], ["R3", "? = null", '"c"']]
    found = lint_model(model_for(inputs=inputs, tables={"t": ("U", ["signs", "o"], "io", None, rules)}))
    assert _codes(found) == ["not-analysed"]
    assert found[0].message == ("overlap and gap checks skip column signs: cell B5 ('count(?) >= 2') calls the "
                                "function count() on the whole list, cell B6 ('? = null') uses the whole list ?, so "
                                "overlaps and gaps of t are not checked")
