"""The ``unsatisfiable`` check (issue 20): a cell that no value of its input's type can meet.

The oracle is the scalar evaluator (the reference meaning) over sample values that hold a
witness for every satisfiable cell written here: the cells compare with whole numbers from 0
to 6 (dates: days 0 to 6 of a month), so the whole numbers around them, the halves between
them and the missing value are enough.  Random cells (seeded) are linted in one table per
type, and lint must report exactly the cells that no sample meets."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from helpers import ITEMS, clause, decision, dmn, model_for, rule, write

from engine.analysis.lint import lint_model, lint_workbook
from engine.feel.conditions import compile_unary_tests

BASE = date(2024, 3, 10)
SAMPLES = {
    "integer": [None, *range(-2, 10)],
    "number": [None, *(n / 2 for n in range(-4, 19))],
    "date": [None, *(BASE + timedelta(days=n) for n in range(-2, 10))],
    "boolean": [None, True, False],
    "string": [None, "", "a", "b", "c", "zz"],
}


def _literal(kind: str, n: int) -> str:
    if kind == "date":
        return f'date("{(BASE + timedelta(days=n)).isoformat()}")'
    return str(n)


def _test(kind: str, rng: random.Random) -> str:
    if kind == "boolean":
        return rng.choice(["true", "false", "null"])
    if kind == "string":
        return rng.choice(['"a"', '"b"', '"c"', "null"])
    shape = rng.random()
    a, b = rng.randint(0, 6), rng.randint(0, 6)
    if shape < 0.6:
        return f"{rng.choice('[(')}{_literal(kind, a)}..{_literal(kind, b)}{rng.choice('])')}"
    if shape < 0.9:
        return f"{rng.choice(['<', '<=', '>', '>='])} {_literal(kind, a)}"
    return rng.choice([_literal(kind, a), "null"])


def _cell(kind: str, rng: random.Random) -> str:
    tests = ", ".join(_test(kind, rng) for _ in range(rng.choice([1, 1, 1, 2, 3])))
    return f"not({tests})" if rng.random() < 0.35 else tests


def _oracle(kind: str, text: str) -> bool:
    """True when no sample value meets the cell (the scalar evaluator)."""
    cell = compile_unary_tests(text)
    return not any(cell.matches(value) for value in SAMPLES[kind])


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_lint_reports_exactly_the_cells_no_value_can_meet(kind: str):
    rng = random.Random(f"unsatisfiable-{kind}")
    cells = list(dict.fromkeys(_cell(kind, rng) for _ in range(400)))
    rows = [[f"R{i}", text, f'"{i}"'] for i, text in enumerate(cells, 1)]
    model = model_for(inputs=[("x", kind, None, "no")], tables={"t": ("C", ["x", "o"], "io", None, rows)})
    found = {f.cells[0] for f in lint_model(model) if f.code == "unsatisfiable"}
    expected = {f"B{i + 3}" for i, text in enumerate(cells, 1) if _oracle(kind, text)}
    assert found == expected
    if kind in ("integer", "number", "date"):
        assert len(expected) >= 10, "the random cells should hold unsatisfiable ones"
    else:  # a finite list of values never covers every text, and a list of booleans only with not(...)
        assert all(cells[int(ref[1:]) - 4].startswith("not(") for ref in expected)


def test_hand_checked_cells():
    rows = [["R1", "[5..3]", "-", '"a"'], ["R2", "(3..4)", "(3..3)", '"b"'], ["R3", "[3..3]", "(3..4)", '"c"'],
            ["R4", "not(<= 5, > 5, null)", "not(<= 5, >= 3)", '"d"'], ["R5", "not(<= 5, > 5)", ">= 3, < 1", '"e"']]
    model = model_for(inputs=[("n", "integer", None, "no"), ("d", "number", None, "no")],
                      tables={"t": ("C", ["n", "d", "o"], "iio", None, rows)})
    found = {f.cells[0]: f for f in lint_model(model) if f.code == "unsatisfiable"}
    assert sorted(found) == ["B4", "B5", "B7", "B8", "C5", "C7"]  # (a missing n meets neither <= 5 nor > 5)
    assert found["B4"].hint == "write the smaller end first: [3..5]" and found["B4"].rules == ("R1",)
    assert found["B4"].severity == "error" and found["B4"].table == "t"
    assert "no whole number lies in this range" in found["B5"].hint
    assert found["C5"].hint.startswith("write [3..3]")
    assert "not(...)" in found["B7"].hint


def test_a_cell_of_the_wrong_type_is_a_type_mismatch_and_one_outside_the_allowed_values_is_not_allowed():
    rows = [["R1", '"5"', '"a"'], ["R2", "[7..9]", '"b"']]
    model = model_for(inputs=[("n", "integer", "[0..6]", "no")], tables={"t": ("C", ["n", "o"], "io", None, rows)})
    codes = {f.cells[0]: f.code for f in lint_model(model) if f.code in ("unsatisfiable", "type-mismatch",
                                                                          "value-not-allowed")}
    assert codes == {"B4": "type-mismatch", "B5": "value-not-allowed"}


def test_a_dmn_entry_no_value_can_meet_is_reported_at_its_entry(tmp_path):
    body = decision("d1", "Band", 'hitPolicy="COLLECT"', clause("c1", "Person age"), '<output id="o" name="band"/>',
                    rule("r1", ["[65..18]"], ['"x"']) + rule("r2", ["&gt;= 18"], ['"y"']))
    (finding,) = [f for f in lint_workbook(write(tmp_path, dmn(ITEMS + body))) if f.code == "unsatisfiable"]
    assert (finding.sheet, finding.cells, finding.table) == ('decision "Band" (id d1)',
                                                              ("rule 1 (id r1), inputEntry 1",), "Band")
    assert finding.message.startswith("no value can meet the entry [65..18]")


def test_allowed_values_no_value_can_meet_are_reported_at_row_3():
    model = model_for(inputs=[("n", "integer", None, "no")],
                      tables={"t": ("U", ["n", "o"], "io", ["(3..4)", None], [["R1", "4", "1"], ["R2", "-", "2"]])})
    (finding,) = [f for f in lint_model(model) if f.code == "unsatisfiable"]
    assert finding.cells == ("B3",) and finding.rules == () and finding.table == "t"
    assert finding.message == "no value can meet the allowed values (3..4) of n, so every value of n is outside them"
