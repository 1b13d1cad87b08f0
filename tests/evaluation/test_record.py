"""One record through a model: chained decisions, output expressions, input conversion,
bad values and where their errors land, allowed values, required inputs, table-level
narrowing and the selection of decisions."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pytest
from helpers import model_for

import engine
from engine._core.errors import InputDataError
from engine.evaluation.record import format_cell
from engine.formats.xlsx.build import load_workbook
from engine.model.graph import selected_tables

# ====================================================================== chained decisions
# DMN TCK 0020-vacation-days: three COLLECT MAX tables and the total
#   Base Vacation Days (22) + max(Extra days case 1, Extra days case 3) + Extra days case 2
# (the TCK's empty C> result is its default 0; here an empty C> result is null, so the
# total is a C+ table whose rules add only the extras that are not null).
VACATION = dict(
    inputs=[("age", "number", None, "yes"), ("service", "number", None, "yes")],
    tables={
        "total": ("C+", ["longest.days", "extra2.days", "days"], "iio", None, [
            ["base", "-", "-", "22"], ["longest", "not(null)", "-", "longest.days"],
            ["extra2", "-", "not(null)", "extra2.days"]]),
        "longest": ("C>", ["extra1.days", "extra3.days", "days"], "iio", None, [
            ["m1", "not(null)", "-", "extra1.days"], ["m3", "-", "not(null)", "extra3.days"]]),
        "extra1": ("C>", ["age", "service", "days"], "iio", None, [["1", "<18,>=60", "-", "5"], ["2", "-", ">=30", "5"]]),
        "extra2": ("C>", ["age", "service", "days"], "iio", None, [["1", "-", ">=30", "3"], ["2", ">=60", "-", "3"]]),
        "extra3": ("C>", ["age", "service", "days"], "iio", None, [["1", "-", "[15..30)", "2"], ["2", ">=45", "-", "2"]]),
    })


@pytest.mark.parametrize("age, service, days", [
    ("16", "1", 27), ("25", "5", 22), ("25", "20", 24), ("44", "30", 30), ("50", "20", 24), ("50", "30", 30),
    ("60", "20", 30)])
def test_tck_0020_vacation_days_through_chained_tables(age, service, days):
    model = model_for(**VACATION)
    order = [t.name for t in model.tables]
    assert order.index("longest") > max(order.index("extra1"), order.index("extra3"))
    assert order.index("total") > max(order.index("longest"), order.index("extra2"))
    result = engine.evaluate(model, {"age": age, "service": service})
    assert result["total.days"] == days
    assert result.errors == ()


# DMN TCK 0004-lending: its S-FEEL decision tables, chained as in the model.  The
# affordability decisions need full FEEL there, so here they are inputs (with the values
# the TCK expects).  Several tables have an output called `category`: headings must be
# qualified.
LENDING = dict(
    inputs=[("Age", "number", None, "yes"), ("MaritalStatus", "string", '"S","M"', "yes"),
            ("EmploymentStatus", "string", '"UNEMPLOYED","EMPLOYED","SELF-EMPLOYED","STUDENT"', "yes"),
            ("ExistingCustomer", "boolean", None, "yes"), ("CreditScore", "number", None, "yes"),
            ("Bankrupt", "boolean", None, "yes"), ("PreBureauAffordability", "boolean", None, "yes"),
            ("PostBureauAffordability", "boolean", None, "yes")],
    tables={
        "routing": ("P", ["post_bureau_risk.category", "PostBureauAffordability", "Bankrupt", "CreditScore",
                          "routing"], "iiiio", [None] * 4 + ['"DECLINE", "REFER", "ACCEPT"'], [
            ["1", "-", "false", "-", "-", '"DECLINE"'], ["2", "-", "-", "true", "-", '"DECLINE"'],
            ["3", '"HIGH"', "-", "-", "-", '"REFER"'], ["4", "-", "-", "-", "<580", '"REFER"'],
            ["5", "-", "-", "-", "-", '"ACCEPT"']]),
        "strategy": ("U", ["eligibility", "bureau_call_type", "strategy"], "iio",
                     [None, None, '"DECLINE", "THROUGH", "BUREAU"'], [
                         ["1", '"INELIGIBLE"', "-", '"DECLINE"'], ["2", '"ELIGIBLE"', '"FULL","MINI"', '"BUREAU"'],
                         ["3", '"ELIGIBLE"', '"NONE"', '"THROUGH"']]),
        "eligibility": ("P", ["pre_bureau_risk.category", "PreBureauAffordability", "Age", "eligibility"], "iiio",
                        [None] * 3 + ['"INELIGIBLE", "ELIGIBLE"'], [
                            ["1", '"DECLINE"', "-", "-", '"INELIGIBLE"'], ["2", "-", "false", "-", '"INELIGIBLE"'],
                            ["3", "-", "-", "<18", '"INELIGIBLE"'], ["4", "-", "-", "-", '"ELIGIBLE"']]),
        "bureau_call_type": ("U", ["pre_bureau_risk.category", "bureau_call_type"], "io", None, [
            ["1", '"HIGH","MEDIUM"', '"FULL"'], ["2", '"LOW"', '"MINI"'], ["3", '"VERY LOW","DECLINE"', '"NONE"']]),
        "post_bureau_risk": ("U", ["ExistingCustomer", "application_risk.score", "CreditScore", "category"], "iiio",
                             None, [
            ["1", "false", "<120", "<590", '"HIGH"'], ["2", "false", "<120", "[590..610]", '"MEDIUM"'],
            ["3", "false", "<120", ">610", '"LOW"'], ["4", "false", "[120..130]", "<600", '"HIGH"'],
            ["5", "false", "[120..130]", "[600..625]", '"MEDIUM"'], ["6", "false", "[120..130]", ">625", '"LOW"'],
            ["7", "false", ">130", "-", '"VERY LOW"'], ["8", "true", "<=100", "<580", '"HIGH"'],
            ["9", "true", "<=100", "[580..600]", '"MEDIUM"'], ["10", "true", "<=100", ">600", '"LOW"'],
            ["11", "true", ">100", "<590", '"HIGH"'], ["12", "true", ">100", "[590..615]", '"MEDIUM"'],
            ["13", "true", ">100", ">615", '"LOW"']]),
        "pre_bureau_risk": ("U", ["ExistingCustomer", "application_risk.score", "category"], "iio", None, [
            ["1", "false", "<100", '"HIGH"'], ["2", "false", "[100..120)", '"MEDIUM"'],
            ["3", "false", "[120..130)", '"LOW"'], ["4", "false", ">130", '"VERY LOW"'],
            ["5", "true", "<80", '"DECLINE"'], ["6", "true", "[80..90)", '"HIGH"'],
            ["7", "true", "[90..110]", '"MEDIUM"'], ["8", "true", ">110", '"LOW"']]),
        "application_risk": ("C+", ["Age", "MaritalStatus", "EmploymentStatus", "score"], "iiio", None, [
            ["1", "[18..21]", "-", "-", "32"], ["2", "[22..25]", "-", "-", "35"], ["3", "[26..35]", "-", "-", "40"],
            ["4", "[36..49]", "-", "-", "43"], ["5", ">=50", "-", "-", "48"], ["6", "-", '"S"', "-", "25"],
            ["7", "-", '"M"', "-", "45"], ["8", "-", "-", '"UNEMPLOYED"', "15"], ["9", "-", "-", '"EMPLOYED"', "45"],
            ["10", "-", "-", '"SELF-EMPLOYED"', "36"], ["11", "-", "-", '"STUDENT"', "18"]]),
    })
APPLICANT = {"Age": "35", "MaritalStatus": "M", "EmploymentStatus": "EMPLOYED", "ExistingCustomer": "true",
             "CreditScore": "649", "Bankrupt": "false", "PreBureauAffordability": "true",
             "PostBureauAffordability": "true"}


def test_tck_0004_lending_decision_tables_chained():
    model = model_for(**LENDING)
    order = [t.name for t in model.tables]
    assert order[0] == "application_risk" and order.index("strategy") > order.index("eligibility")
    assert model.table("strategy").depends_on == ("bureau_call_type", "eligibility")
    result = engine.evaluate(model, APPLICANT)
    assert {k: result[k] for k in result.outputs} == {  # TCK 0004-lending test case 001
        "application_risk.score": 130, "pre_bureau_risk.category": "LOW", "bureau_call_type.bureau_call_type": "MINI",
        "eligibility.eligibility": "ELIGIBLE", "strategy.strategy": "BUREAU", "post_bureau_risk.category": "LOW",
        "routing.routing": "ACCEPT"}
    assert result.rules["application_risk"] == ("3", "7", "9")
    assert result.errors == result.warnings == ()


def test_lending_variants_worked_by_hand():
    model = model_for(**LENDING)
    minor = engine.evaluate(model, {**APPLICANT, "Age": "17"})  # no age points: 45 + 45 = 90
    assert (minor["application_risk.score"], minor["pre_bureau_risk.category"], minor["bureau_call_type.bureau_call_type"],
            minor["eligibility.eligibility"], minor["strategy.strategy"]) == (90, "MEDIUM", "FULL", "INELIGIBLE",
                                                                              "DECLINE")
    assert minor.rules["eligibility"] == ("3",)
    bankrupt = engine.evaluate(model, {**APPLICANT, "Bankrupt": "yes", "CreditScore": "500"})  # DECLINE beats REFER
    assert (bankrupt["post_bureau_risk.category"], bankrupt["routing.routing"], bankrupt.rules["routing"]) == (
        "HIGH", "DECLINE", ("2",))


def test_unusable_upstream_result_blocks_only_the_tables_downstream():
    model = model_for(**LENDING)
    result = engine.evaluate(model, {**APPLICANT, "ExistingCustomer": "perhaps"})
    assert result["application_risk.score"] == 130  # does not read ExistingCustomer
    for name in ("pre_bureau_risk.category", "bureau_call_type.bureau_call_type", "eligibility.eligibility",
                 "strategy.strategy", "post_bureau_risk.category", "routing.routing"):
        assert result[name] is None, name
    assert result.errors[0] == 'ExistingCustomer: "perhaps" is not true or false (or yes/no, 1/0)'
    assert "pre_bureau_risk: not evaluated because ExistingCustomer has no usable value" in result.errors
    assert "strategy: not evaluated because bureau_call_type.bureau_call_type, eligibility.eligibility has no " \
           "usable value" in result.errors


def test_hit_policy_violation_nulls_the_table_and_its_downstream_but_not_the_others():
    model = model_for(inputs=[("n", "number", None, "no"), ("m", "number", None, "no")], tables={
        "clash": ("U", ["n", "o"], "io", None, [["c1", ">= 0", '"a"'], ["c2", "<= 0", '"b"']]),
        "after": ("U", ["clash.o", "p"], "io", None, [["a1", "-", '"ran"']]),
        "other": ("U", ["m", "q"], "io", None, [["o1", "-", "m + 1"]]),
    })
    result = engine.evaluate(model, {"n": "0", "m": "1"})
    assert (result["clash.o"], result["after.p"], result["other.q"]) == (None, None, 2)
    assert result.errors == ("clash: rules c1 and c2 both match under hit policy U",
                             "after: not evaluated because clash.o has no usable value")
    fine = engine.evaluate(model, {"n": "1", "m": "1"})
    assert (fine["clash.o"], fine["after.p"], fine.errors) == ("a", "ran", ())


def test_an_empty_upstream_result_is_usable_null_not_an_error():
    model = model_for(inputs=[("n", "number", None, "no")], tables={
        "first": ("U", ["n", "o"], "io", None, [["f1", "> 0", '"pos"']]),
        "second": ("U", ["first.o", "p"], "io", None, [["s1", '"pos"', '"yes"'], ["s2", "null", '"unknown"']]),
    })
    result = engine.evaluate(model, {"n": "-1"})
    assert (result["first.o"], result["second.p"], result.rules["second"]) == (None, "unknown", ("s2",))
    assert result.errors == () and result.warnings == ("first: no rule matched",)


# ====================================================================== output expressions
DOSING = dict(inputs=[("regimen", "string", '"thp","tdxd"', "yes"), ("weight_kg", "number", "[25..250]", "no")],
              tables={"dose": ("U", ["regimen", "weight_kg", "loading_mg", "maintenance_mg", "fixed_mg"], "iiooo", None,
                               [["D1", '"thp"', "-", "8 * weight_kg", "6 * weight_kg", "840"],
                                ["D2", '"tdxd"', "-", "null", "null", "5.4 * weight_kg"]])})


@pytest.mark.parametrize("record, expected", [
    ({"regimen": "thp", "weight_kg": "70"}, (560, 420, 840)),
    ({"regimen": "thp", "weight_kg": "62.5"}, (500, 375, 840)),
    ({"regimen": "thp", "weight_kg": ""}, (None, None, 840)),  # null weight: null dose, fixed dose still given
    ({"regimen": "thp"}, (None, None, 840)),
    ({"regimen": "tdxd", "weight_kg": "50"}, (None, None, 270)),
])
def test_output_expressions_use_the_record(record, expected):
    result = engine.evaluate(model_for(**DOSING), record)
    loading, maintenance, fixed = (result[f"dose.{n}"] for n in ("loading_mg", "maintenance_mg", "fixed_mg"))
    assert (loading, maintenance) == expected[:2]
    assert fixed == pytest.approx(expected[2])
    assert result.errors == ()


@pytest.mark.parametrize("cell, x, expected", [
    ("x / 0", 3, None), ('"a" + "b"', 3, "ab"), ("x ** 2", 3, 9), ("-x", 3, -3), ("x > 1", 3, True),
    ("(x + 1) * 2", 3, 8), ("x - 0.5", 3, 2.5), ("x + 1", None, None), ("x = null", None, True),
    ('x + "a"', 3, None), ("x", None, None), ("null", 3, None), ("true", 3, True),
])
def test_output_expression_values(cell, x, expected):
    model = model_for(inputs=[("x", "number", None, "no")], tables={"t": ("U", ["x", "v"], "io", None,
                                                                          [["r1", "-", cell]])})
    assert engine.evaluate(model, {"x": x})["t.v"] == expected


def test_output_expression_on_an_upstream_output():
    model = model_for(inputs=[("w", "number", None, "no")], tables={
        "factor": ("U", ["w", "k"], "io", None, [["F1", "< 50", "2"], ["F2", ">= 50", "3"]]),
        "dose": ("U", ["factor.k", "mg"], "io", None, [["D1", "-", "k * w + factor.k"]]),
    })
    assert engine.evaluate(model, {"w": "60"})["dose.mg"] == 183
    assert engine.evaluate(model, {"w": "10"})["dose.mg"] == 22


# ====================================================================== input conversion
def _echo(kind: str) -> Any:
    return model_for(inputs=[("x", kind, None, "no")], tables={"t": ("U", ["x", "v"], "io", None, [["r1", "-", "x"]])})


@pytest.mark.parametrize("kind, raw, expected", [
    ("number", "1.5", 1.5), ("number", " 2 ", 2), ("number", "-.5", -0.5), ("number", "1e3", 1000),
    ("number", "+3", 3), ("number", "0", 0), ("number", 7, 7), ("number", 2.25, 2.25), ("number", "", None),
    ("number", None, None), ("number", float("nan"), None),
    ("integer", "3", 3), ("integer", "3.0", 3), ("integer", 4.0, 4), ("integer", "-2", -2),
    ("boolean", "true", True), ("boolean", "TRUE", True), ("boolean", "False", False), ("boolean", "yes", True),
    ("boolean", "YES", True), ("boolean", "No", False), ("boolean", "1", True), ("boolean", "0", False),
    ("boolean", " nO ", False), ("boolean", True, True), ("boolean", 0, False), ("boolean", "", None),
    ("date", "2024-02-29", dt.date(2024, 2, 29)), ("date", dt.date(2020, 1, 1), dt.date(2020, 1, 1)),
    ("date", dt.datetime(2020, 1, 1), dt.date(2020, 1, 1)), ("date", " 1999-12-31 ", dt.date(1999, 12, 31)),
    ("string", "  positive ", "positive"), ("string", "NA", "NA"), ("string", "\u00a0", None),
])
def test_input_values_are_converted_by_type(kind, raw, expected):
    result = engine.evaluate(_echo(kind), {"x": raw})
    assert result.errors == ()
    assert result["t.v"] == expected
    assert type(result["t.v"]) in ((int, float) if kind == "number" and expected is not None else (type(expected),))
    if kind == "integer":
        assert type(result["t.v"]) is int


def test_boolean_and_date_values_match_their_literals():
    model = model_for(inputs=[("b", "boolean", None, "no"), ("d", "date", None, "no")], tables={
        "tb": ("U", ["b", "o"], "io", None, [["T", "true", '"T"'], ["F", "false", '"F"'], ["N", "null", '"N"']]),
        "td": ("U", ["d", "o"], "io", None, [["old", '< date("2020-01-01")', '"old"'],
                                             ["new", '>= date("2020-01-01")', '"new"']]),
    })
    for raw, out in (("Yes", "T"), ("0", "F"), ("", "N")):
        assert engine.evaluate(model, {"b": raw})["tb.o"] == out
    for raw, out in (("2019-12-31", "old"), ("2020-01-01", "new")):
        assert engine.evaluate(model, {"d": raw})["td.o"] == out


BAD_VALUES = [
    ("number", "abc", 'x: "abc" is not a number'),
    ("number", "1,5", 'x: "1,5" is not a number (a decimal comma: write 1.5 in the file, with a decimal point)'),
    ("number", "NA", 'x: "NA" is not a number (if it means \'not known\', run with --na-values NA)'),  # not missing
    ("number", True, "x: True is not a number"),
    ("number", float("inf"), "x: inf is not a number"),
    ("integer", "2.5", "x: 2.5 is not a whole number"),
    ("integer", "two", 'x: "two" is not a whole number'),
    ("boolean", "maybe", 'x: "maybe" is not true or false (or yes/no, 1/0)'),
    ("boolean", "2", 'x: "2" is not true or false (or yes/no, 1/0)'),
    ("date", "2024-02-30", 'x: "2024-02-30" is not a valid date'),
    ("date", "29/02/2024", 'x: "29/02/2024" is not a date written YYYY-MM-DD'),
    ("date", "2024-2-3", 'x: "2024-2-3" is not a date written YYYY-MM-DD'),
]


@pytest.mark.parametrize("kind, raw, message", BAD_VALUES, ids=[f"{k}-{r!r}" for k, r, _ in BAD_VALUES])
def test_bad_value_keeps_the_row_nulls_its_tables_and_evaluates_the_others(kind, raw, message):
    model = model_for(inputs=[("x", kind, None, "no"), ("y", "number", None, "no")], tables={
        "uses_x": ("U", ["x", "o"], "io", None, [["r1", "-", '"ran"']]),
        "downstream": ("U", ["uses_x.o", "p"], "io", None, [["d1", "-", '"ran"']]),
        "independent": ("U", ["y", "r"], "io", None, [["i1", "-", "y * 2"]]),
    })
    result = engine.evaluate(model, {"x": raw, "y": "4"})
    assert result.errors == (message, "uses_x: not evaluated because x has no usable value",
                             "downstream: not evaluated because uses_x.o has no usable value")
    assert (result["uses_x.o"], result["downstream.p"], result["independent.r"]) == (None, None, 8)
    assert result.rules == {"uses_x": (), "downstream": (), "independent": ("i1",)}
    row = result.row()
    assert row["_errors"] == "; ".join(result.errors)
    assert row["uses_x.rules"] == "" and row["independent.r"] == 8


def test_a_bad_value_used_only_in_an_output_cell_blocks_that_table():
    model = model_for(inputs=[("w", "number", None, "no"), ("s", "string", None, "no")], tables={
        "dose": ("U", ["s", "mg"], "io", None, [["D1", "-", "8 * w"]])})
    result = engine.evaluate(model, {"w": "seventy", "s": "x"})
    assert result["dose.mg"] is None
    assert result.errors[-1] == "dose: not evaluated because w has no usable value"


# ====================================================================== allowed values, required inputs
STATUS = dict(inputs=[("hr_status", "string", '"positive","negative"', "yes"), ("age", "number", "[0..120]", "no"),
                      ("other", "number", None, "no")],
              tables={"hr": ("U", ["hr_status", "o"], "io", None, [["H1", '"positive"', "1"], ["H2", '"negative"', "0"]]),
                      "by_age": ("U", ["age", "o"], "io", None, [["A1", "-", "age"]]),
                      "rest": ("U", ["other", "o"], "io", None, [["R1", "-", '"ran"']])})


@pytest.mark.parametrize("value, message", [
    ("postive", 'hr_status: "postive" is not an allowed value (allowed: "positive","negative"); did you mean "positive"?'),
    ("Negative", 'hr_status: "Negative" is not an allowed value (allowed: "positive","negative"); did you mean '
                 '"negative"?'),
    ("unknown", 'hr_status: "unknown" is not an allowed value (allowed: "positive","negative")'),
])
def test_value_outside_the_allowed_values_with_did_you_mean(value, message):
    result = engine.evaluate(model_for(**STATUS), {"hr_status": value, "age": "50"})
    assert result.errors == (message, "hr: not evaluated because hr_status has no usable value")
    assert (result["hr.o"], result["by_age.o"], result["rest.o"]) == (None, 50, "ran")


def test_number_outside_the_allowed_range():
    result = engine.evaluate(model_for(**STATUS), {"hr_status": "positive", "age": "121"})
    assert result.errors == ("age: 121 is not an allowed value (allowed: [0..120])",
                             "by_age: not evaluated because age has no usable value")
    assert (result["hr.o"], result["by_age.o"]) == (1, None)


@pytest.mark.parametrize("missing", [{}, {"hr_status": ""}, {"hr_status": "   "}, {"hr_status": None}])
def test_required_input_missing(missing):
    result = engine.evaluate(model_for(**STATUS), {"age": "40", **missing})
    assert result.errors == ("hr_status: a value is required", "hr: not evaluated because hr_status has no usable value")
    assert (result["hr.o"], result["by_age.o"], result["rest.o"]) == (None, 40, "ran")


def test_optional_input_missing_is_null_without_error():
    result = engine.evaluate(model_for(**STATUS), {"hr_status": "negative"})
    assert result.errors == ()
    assert (result["hr.o"], result["by_age.o"]) == (0, None)


def test_table_level_narrowing_on_an_input_column():
    model = model_for(inputs=[("age", "integer", "[0..120]", "yes")], tables={
        "adult": ("U", ["age", "band"], "io", ["[18..120]"], [["B1", "< 65", '"adult"'], ["B2", ">= 65", '"senior"']]),
        "any_age": ("U", ["age", "o"], "io", None, [["A1", "-", '"ran"']]),
        "after": ("U", ["adult.band", "p"], "io", None, [["P1", "-", '"ran"']]),
    })
    result = engine.evaluate(model, {"age": "10"})
    assert result.errors == ("adult: age 10 is not an allowed value (allowed: [18..120]) in this table",
                             "adult: not evaluated because age has no usable value",
                             "after: not evaluated because adult.band has no usable value")
    assert (result["adult.band"], result["any_age.o"], result["after.p"]) == (None, "ran", None)
    assert engine.evaluate(model, {"age": "18"})["adult.band"] == "adult"
    outside_both = engine.evaluate(model, {"age": "130"})
    assert outside_both.errors[0] == "age: 130 is not an allowed value (allowed: [0..120])"
    assert not any("in this table" in e for e in outside_both.errors)  # reported once, by the Inputs check


# ====================================================================== selecting decisions
def test_selected_tables_bring_their_upstream_tables_and_nothing_else():
    model = model_for(**LENDING)
    names = [t.name for t in selected_tables(model, ["strategy"])]
    assert names == [t.name for t in model.tables if t.name in
                     {"application_risk", "pre_bureau_risk", "bureau_call_type", "eligibility", "strategy"}]
    assert [t.name for t in selected_tables(model, [])] == [t.name for t in model.tables]
    assert [t.name for t in selected_tables(model, ["application_risk"])] == ["application_risk"]


def test_evaluate_with_decisions_gives_only_the_selected_results():
    model = model_for(**LENDING)
    result = engine.evaluate(model, APPLICANT, ("bureau_call_type",))
    assert set(result.outputs) == {"application_risk.score", "pre_bureau_risk.category",
                                   "bureau_call_type.bureau_call_type"}
    assert list(result.row()) == ["application_risk.score", "application_risk.rules", "pre_bureau_risk.category",
                                  "pre_bureau_risk.rules", "bureau_call_type.bureau_call_type",
                                  "bureau_call_type.rules", "_errors", "_warnings", "_model"]


def test_unknown_decision_names_the_tables():
    model = model_for(**LENDING)
    with pytest.raises(InputDataError) as caught:
        selected_tables(model, ["stratgy"])
    assert "stratgy" in str(caught.value) and "strategy" in str(caught.value)


# ====================================================================== result rows
def test_result_row_shape_rules_references_and_lists():
    model = model_for(inputs=[("n", "number", None, "no")], tables={
        "alerts": ("C", ["n", "alert", "Reference"], "ioa", None, [
            ["A1", ">= 1", '"one"', "Ref one"], ["A2", ">= 2", '"two"', ""], ["A3", ">= 3", '"three"', "Ref three"]]),
        "single": ("U", ["n", "o", "Reference"], "ioa", None, [["S1", "-", "1", "Guide 4.2"]]),
    }, about={"Version": "3"})
    row = engine.evaluate(model, {"n": 3}).row(explain=True)
    assert row == {"alerts.alert": ["one", "two", "three"], "alerts.rules": "A1;A2;A3",
                   "alerts.reference": "Ref one |  | Ref three", "alerts.guidance": " |  | ", "single.o": 1,
                   "single.rules": "S1", "single.reference": "Guide 4.2", "single.guidance": "", "_errors": "", "_warnings": "", "_model": "test.xlsx@3"}
    assert "alerts.reference" not in engine.evaluate(model, {"n": 3}).row()
    assert format_cell(row["alerts.alert"]) == '["one", "two", "three"]'


@pytest.mark.parametrize("value, cell", [
    (None, None), (3.0, 3), (2.5, 2.5), (dt.date(2024, 1, 2), "2024-01-02"), ([], "[]"),
    ([1.0, None, "a", dt.date(2024, 1, 2)], '[1, null, "a", "2024-01-02"]'), (True, True), ("é", "é"),
])
def test_format_cell(value, cell):
    assert format_cell(value) == cell


# ====================================================================== the example workbook's own cases
def _expected_cell(cell: Any) -> Any:
    """A Tests-sheet cell, read independently of engine.testing."""
    if isinstance(cell, str) and cell.strip().startswith("["):
        return json.loads(cell)
    if isinstance(cell, str) and cell.strip() == "null":
        return None
    return cell


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and actual is not None:
        return math.isclose(expected, actual)
    return expected == actual


def test_example_workbook_passes_its_clinician_cases(example_workbook):
    import openpyxl

    model = load_workbook(example_workbook)
    rows = [list(r) for r in openpyxl.load_workbook(example_workbook, data_only=True)["Tests"].iter_rows(values_only=True)]
    headings, roles = rows[0], rows[1]
    inputs = [i for i, r in enumerate(roles) if r == "input"]
    expected = [i for i, r in enumerate(roles) if r == "expected"]
    failures, checked = [], 0
    for row in rows[2:]:
        if row[0] is None:
            continue
        result = engine.evaluate(model, {headings[i]: row[i] for i in inputs})
        assert result.errors == (), (row[0], result.errors)
        for i in expected:
            if row[i] is None:
                continue  # blank: not checked
            table, _, output = headings[i].partition(".")
            actual = list(result.rules[table]) if output == "rules" else result.outputs[headings[i]]
            checked += 1
            if not _same(_expected_cell(row[i]), actual):
                failures.append((row[0], headings[i], row[i], actual))
    assert failures == []
    assert checked > 500
