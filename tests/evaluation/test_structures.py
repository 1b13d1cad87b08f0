"""Structured inputs: a missing structure and a missing component (engine.evaluation.structures).
Oracle: hand-checked records, and the column-wise evaluation checked against the record-wise
reference on every combination of given / missing / unreadable component values."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from helpers import model_for

from engine.evaluation.frame import evaluate_frame
from engine.evaluation.record import evaluate_record, format_cell
from engine.model.types import Model


def _model(structure_required: str, age_required: str, sex_required: str = "no") -> Model:
    return model_for(inputs=[("applicant", "structure", None, structure_required),
                             ("applicant.age", "number", "[0..130]", age_required),
                             ("applicant.sex", "string", '"f","m"', sex_required), ("x", "integer", None, "no")],
                     tables={"t": ("F", ["applicant.age", "applicant.sex", "band"], "iio", None,
                                   [["R1", "< 65", "-", '"young"'], ["R2", ">= 65", '"f"', '"old f"'],
                                    ["R3", "-", "-", '"other"']]),
                             "u": ("U", ["x", "y"], "io", None, [["S1", "-", '"ok"']])})


def test_a_missing_component_of_an_optional_structure_given_is_an_error() -> None:
    model = _model("no", "yes")
    given = evaluate_record(model, {"applicant.sex": "f"})
    assert given.errors[0] == "applicant.age: a value is required when applicant is given"
    assert given.outputs["t.band"] is None and given.outputs["u.y"] == "ok"  # other tables evaluated
    absent = evaluate_record(model, {"x": 1})
    assert absent.errors == () and absent.outputs["t.band"] == "other"  # no structure: components missing


def test_a_required_structure_that_is_absent_is_an_error() -> None:
    model = _model("yes", "no")
    absent = evaluate_record(model, {"x": 1})
    assert absent.errors[0] == ("applicant: a value is required (none of its components applicant.age, "
                                "applicant.sex has a value)")
    assert absent.outputs["t.band"] is None
    assert evaluate_record(model, {"applicant.sex": "m"}).outputs["t.band"] == "other"


def test_a_required_component_of_a_required_structure_is_required_always() -> None:
    model = _model("yes", "yes")
    assert model.inputs["applicant.age"].required and not model.inputs["applicant.sex"].required
    assert evaluate_record(model, {}).errors[0] == "applicant.age: a value is required"


@pytest.mark.parametrize("flags", list(itertools.product(["yes", "no"], repeat=3)))
def test_columns_agree_with_records(flags: tuple[str, str, str]) -> None:
    model = _model(*flags)
    ages = [None, 70, 30, "abc", 200]
    sexes = [None, "f", "m", "q"]
    records = [{"applicant.age": a, "applicant.sex": s} for a in ages for s in sexes]
    frame = pd.DataFrame({"applicant.age": [r["applicant.age"] for r in records],
                          "applicant.sex": [r["applicant.sex"] for r in records], "x": [None] * len(records)},
                         dtype=object)
    got = evaluate_frame(model, frame)
    for row, record in enumerate(records):
        expected = evaluate_record(model, record)
        assert (format_cell(expected.outputs["t.band"]) or "") == (format_cell(got["t.band"].iat[row]) or "")
        assert "; ".join(expected.errors) == (got["_errors"].iat[row] or ""), record


def test_cells_and_expressions_name_components() -> None:
    from helpers import sheets_for

    from engine.formats.xlsx.build import build_model

    sheets = sheets_for(inputs=[("applicant", "structure", None, "yes"), ("applicant.age", "number", None, "yes"),
                                ("applicant.limit", "number", None, "no"), ("months", "number", None, "no")],
                        tables={"t": ("F", ["applicant.age", "months", "band"], "iio", None,
                                      [["R1", "< applicant.limit", "-", '"under"'], ["R2", "-", "< 120", '"young"'],
                                       ["R3", "-", "-", '"other"']])})
    sheets["Inputs"] = [row + [None] * (7 - len(row)) for row in sheets["Inputs"]]
    sheets["Inputs"][0].append("Expression")
    sheets["Inputs"][4].append("applicant.age * 12")
    model = build_model("m.xlsx", sheets)
    cases = [({"applicant.age": 5, "applicant.limit": 10}, "under"), ({"applicant.age": 5}, "young"),
             ({"applicant.age": 50, "applicant.limit": 10}, "other")]  # by hand: 5 < 10; 60 < 120; neither
    frame = pd.DataFrame({"applicant.age": [str(r.get("applicant.age")) for r, _ in cases],
                          "applicant.limit": [r.get("applicant.limit") for r, _ in cases]}, dtype=object)
    assert [evaluate_record(model, r).outputs["t.band"] for r, _ in cases] == [b for _, b in cases]
    assert evaluate_frame(model, frame)["t.band"].tolist() == [b for _, b in cases]
