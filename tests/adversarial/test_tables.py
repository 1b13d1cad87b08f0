"""Issue 16, the tables themselves: what an author (or a generator) may put in a workbook or DMN model.

Class 13 (rule ids that use up R1..R10001); more classes of the table side join here.
Each promise: a problem at its cell, or an answer; never an exception out of the loader.
"""

from __future__ import annotations

import pytest
from helpers.workbooks import model_for

from engine._core.errors import WorkbookError
from engine.formats.dmn.names import rule_ids

INPUTS = [("x", "number")]


def _table(rules: list[list[object]]) -> dict:
    return {"t": ("F", ["x", "y"], "io", None, rules)}


def test_rule_ids_r1_to_r10001_load_and_a_bad_id_gets_a_free_suggestion() -> None:
    rules = [[f"R{n}", f"= {n}", f"{n}"] for n in range(1, 10_002)]
    model = model_for(inputs=INPUTS, tables=_table(rules))  # all ids taken: no suggestion needed
    assert [rule.id for rule in model.table("t").rules][-1] == "R10001"
    with pytest.raises(WorkbookError) as caught:
        model_for(inputs=INPUTS, tables=_table([*rules, [None, "= 0", "0"], ["R1", "= 0", "0"], ["R 1", "= 0", "0"]]))
    found = {problem.cell: problem.hint for problem in caught.value.problems}
    assert found == {"A10005": "write a unique id in column A, e.g. R10002",
                     "A10006": "give this rule a new id, e.g. R10003", "A10007": "write e.g. R_1"}


def test_dmn_rule_ids_past_ten_thousand_taken_get_the_next_free_number() -> None:
    rules = [{"label": f"R{n}"} for n in range(1, 10_002)] + [{"label": "not an id!"}, {}]
    found = rule_ids(rules)
    assert found[-2:] == ["R10002", "R10003"]
    assert len(set(found)) == len(found)
