"""Loading workbooks (format version 1): valid layouts, and every common mistake reported
with its sheet, cell and a hint, all problems together."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from helpers import make_workbook, model_for, sheets_for

import engine
from engine._core.errors import Problem, WorkbookError
from engine.formats.xlsx.build import build_model, load_workbook

AGE_SEX = [("age", "number", "[0..120]", "yes"), ("sex", "string", '"f","m"', "no")]
BAND = ("U", ["age", "band", "Reference", "Guidance"], "ioaa", None,
        [["B1", "< 18", '"child"', "Ref A", "see A"],
         ["B2", "[18..65)", '"adult"', "Ref B", ""],
         ["B3", ">= 65", '"senior"', "", "see C"]])


def problems(sheets: dict[str, list[list[Any]]]) -> tuple[Problem, ...]:
    with pytest.raises(WorkbookError) as caught:
        build_model("bad.xlsx", sheets)
    return caught.value.problems


def only(found: tuple[Problem, ...], **fields: str) -> Problem:
    """The one problem whose fields equal ``fields``."""
    matching = [p for p in found if all(getattr(p, k) == v for k, v in fields.items())]
    assert len(matching) == 1, f"expected one problem with {fields}, got:\n" + "\n".join(map(str, found))
    return matching[0]


# ---------------------------------------------------------------------- valid workbooks
def test_roles_columns_and_annotations():
    model = model_for(inputs=AGE_SEX, tables={"band": BAND})
    table = model.table("band")
    assert [(c.heading, c.name, c.column) for c in table.inputs] == [("age", "age", "B")]
    assert [(c.name, c.column) for c in table.outputs] == [("band", "C")]
    assert [(c.name, c.column) for c in table.annotations] == [("Reference", "D"), ("Guidance", "E")]
    assert table.rule_ids == ("B1", "B2", "B3")
    assert [r.row for r in table.rules] == [4, 5, 6]
    assert table.annotation(table.rules[0], "reference") == "Ref A"
    assert table.annotation(table.rules[2], "Guidance") == "see C"
    assert table.output_names == ("band.band",)
    assert table.hit_policy.code == "U"


def test_inputs_sheet_fields_and_blank_required_means_no():
    sheets = sheets_for(inputs=[("age", "integer", "[0..120]", "yes"), ("note", "string", None, None),
                                ("flag", "boolean", None, "no")], tables={"t": ("U", ["age", "o"], "io", None,
                                                                                 [["R1", "-", "1"]])})
    sheets["Inputs"][1][4:7] = ["years", "LOINC 30525-0", "Age at diagnosis"]
    model = build_model("m.xlsx", sheets)
    age = model.inputs["age"]
    assert (age.type, age.required, age.unit, age.code, age.description) == (
        "integer", True, "years", "LOINC 30525-0", "Age at diagnosis")
    assert age.allowed.matches(120) and not age.allowed.matches(121)
    assert model.inputs["note"].required is False and model.inputs["note"].allowed is None
    assert model.inputs["flag"].required is False
    assert age.location.sheet == "Inputs" and age.location.cell == "A2"


def test_about_version_is_carried_into_every_result():
    model = model_for(inputs=AGE_SEX, tables={"band": BAND},
                      about={"Title": "Bands", "Version": "2.1", "Source": "made up"})
    assert (model.title, model.version) == ("Bands", "2.1")
    assert model.label == "test.xlsx@2.1"
    assert engine.evaluate(model, {"age": 30}).model == "test.xlsx@2.1"
    assert engine.evaluate(model, {"age": 30}).row()["_model"] == "test.xlsx@2.1"


def test_allowed_values_row_narrows_inputs_and_orders_outputs():
    model = model_for(inputs=AGE_SEX, tables={"t": (
        "P", ["age", "sex", "level"], "iio", ["[18..120]", None, '"high","medium","low"'],
        [["R1", "-", "-", '"low"']])})
    table = model.table("t")
    assert table.inputs[0].allowed_text == "[18..120]"
    assert table.inputs[0].allowed.matches(18) and not table.inputs[0].allowed.matches(17)
    assert table.inputs[1].allowed is None
    assert table.outputs[0].values == ("high", "medium", "low")
    assert table.priorities == (("high", "medium", "low"),)


def test_blank_input_cell_means_any_value_including_missing():
    model = model_for(inputs=AGE_SEX, tables={"t": ("U", ["age", "sex", "o"], "iio", None,
                                                    [["R1", None, '"f"', '"F"'], ["R2", "-", '"m"', '"M"']])})
    rule = model.table("t").rules[0]
    assert rule.inputs[0].is_any and rule.inputs[0].text == "-"
    assert engine.evaluate(model, {"age": 40, "sex": "f"}).rules["t"] == ("R1",)
    assert engine.evaluate(model, {"age": 40, "sex": "m"}).rules["t"] == ("R2",)


def test_blank_rows_are_skipped_and_rows_keep_their_numbers():
    model = model_for(inputs=AGE_SEX, tables={"t": ("F", ["age", "o"], "io", None, [
        ["R1", "< 18", '"a"'], [None, None, None], [], ["R2", "-", '"b"']])})
    table = model.table("t")
    assert table.rule_ids == ("R1", "R2")
    assert [r.row for r in table.rules] == [4, 7]
    assert table.cell(table.rules[1], table.outputs[0]) == "C7"


@pytest.mark.parametrize("written, code", [
    ("UNIQUE", "U"), ("ANY", "A"), ("PRIORITY", "P"), ("FIRST", "F"), ("RULE ORDER", "R"),
    ("OUTPUT ORDER", "O"), ("COLLECT", "C"), ("COLLECT SUM", "C+"), ("COLLECT MIN", "C<"),
    ("COLLECT MAX", "C>"), ("COLLECT COUNT", "C#"), ("collect sum", "C+"), ("Rule_Order", "R"),
    (" first ", "F"), ("c#", "C#"), ("C+", "C+"),
])
def test_hit_policy_short_and_long_names(written, code):
    values = '"x","y"' if code in ("P", "O") else None
    model = model_for(inputs=AGE_SEX, tables={"t": (written, ["age", "o"], "io", [None, values],
                                                    [["R1", "-", "1" if code[0] == "C" else '"x"']])})
    assert model.table("t").hit_policy.code == code


def test_qualified_and_plain_output_headings_chain_tables():
    model = model_for(inputs=AGE_SEX, tables={
        "band": BAND,
        "by_plain": ("U", ["band", "x"], "io", None, [["P1", '"adult"', "1"], ["P2", 'not("adult")', "0"]]),
        "by_qualified": ("U", ["band.band", "y"], "io", None, [["Q1", '"adult"', "1"], ["Q2", 'not("adult")', "0"]]),
    })
    assert model.table("by_plain").inputs[0].name == "band.band"
    assert model.table("by_plain").inputs[0].heading == "band"
    assert model.table("by_qualified").inputs[0].name == "band.band"
    assert model.table("by_plain").depends_on == ("band",)
    assert model.table("by_qualified").depends_on == ("band",)
    result = engine.evaluate(model, {"age": 30})
    assert result.outputs["by_plain.x"] == 1 and result.rules["by_qualified"] == ("Q1",)


def test_chained_tables_are_ordered_upstream_first_whatever_the_sheet_order():
    model = model_for(inputs=AGE_SEX, tables={
        "last": ("U", ["middle.m", "z"], "io", None, [["L1", "-", "middle.m + 1"]]),
        "middle": ("U", ["first.f", "m"], "io", None, [["M1", "-", "first.f * 10"]]),
        "first": ("U", ["age", "f"], "io", None, [["F1", "-", "age"]]),
        "alone": ("U", ["sex", "s"], "io", None, [["S1", "-", "1"]]),
    })
    names = [t.name for t in model.tables]
    assert names.index("first") < names.index("middle") < names.index("last")
    assert model.table("last").depends_on == ("middle",)
    assert model.table("alone").depends_on == ()
    assert engine.evaluate(model, {"age": 4})["last.z"] == 41


def test_a_table_that_uses_an_upstream_output_only_in_an_output_cell_depends_on_it():
    model = model_for(inputs=AGE_SEX, tables={
        "dose": ("U", ["age", "mg"], "io", None, [["D1", "-", "2 * factor.k"]]),
        "factor": ("F", ["sex", "k"], "io", None, [["K1", '"f"', "3"], ["K2", "-", "4"]]),
    })
    assert [t.name for t in model.tables] == ["factor", "dose"]
    assert model.table("dose").depends_on == ("factor",)
    assert engine.evaluate(model, {"age": 1, "sex": "f"})["dose.mg"] == 6


def test_sheets_named_tests_or_starting_with_underscore_are_not_tables():
    sheets = sheets_for(inputs=AGE_SEX, tables={"band": BAND},
                        tests=[["case", "age", "band.band"], ["role", "input", "expected"], ["T1", 30, "adult"]],
                        extra={"_notes": [["anything", "at all"], ["even", "not(a table"]]})
    model = build_model("m.xlsx", sheets)
    assert [t.name for t in model.tables] == ["band"]


def test_excel_native_cells_are_read_as_values(tmp_path):
    """Numbers, booleans and dates that Excel stores natively (not as text) are literals:
    equality in input cells, the value itself in output cells."""
    path = make_workbook(tmp_path, inputs=[("n", "number", None, "no"), ("k", "integer", None, "no"),
                                           ("b", "boolean", None, "no"), ("d", "date", None, "no")],
                         about={"Version": "1.0.0"},
                         tables={"t": ("F", ["n", "k", "b", "d", "o"], "iiiio", None, [
                             [1, 2.5, None, None, None, 840],
                             [2, None, 3, None, None, True],
                             [3, None, None, False, None, dt.date(2024, 2, 29)],
                             [4, None, None, None, dt.datetime(2020, 1, 1), 0.25],
                             [5, -7, None, None, None, -1.5],
                             [6, None, None, None, None, '"none"'],
                         ])})
    model = load_workbook(path)
    table = model.table("t")
    assert table.rule_ids == ("1", "2", "3", "4", "5", "6")
    assert [r.inputs[0].text for r in table.rules[:1]] == ["2.5"]
    assert table.rules[3].inputs[3].text == 'date("2020-01-01")'
    cases = [({"n": "2.5"}, 840, "1"), ({"k": "3"}, True, "2"), ({"b": "no"}, dt.date(2024, 2, 29), "3"),
             ({"d": "2020-01-01"}, 0.25, "4"), ({"n": "-7"}, -1.5, "5"), ({"n": "2.4"}, "none", "6"),
             ({"b": "yes"}, "none", "6"), ({"d": "2020-01-02"}, "none", "6")]
    for record, expected, rule in cases:
        result = engine.evaluate(model, record)
        assert (result["t.o"], result.rules["t"]) == (expected, (rule,)), record
    assert model.label == "model.xlsx@1.0.0"


def test_rule_ids_stored_as_excel_numbers_are_text_without_decimal_point():
    model = build_model("m.xlsx", sheets_for(inputs=AGE_SEX, tables={"t": (
        "C", ["age", "o"], "io", None, [[1.0, "-", "1"], [2, "-", "2"], ["2.5", "-", "3"]])}))
    assert model.table("t").rule_ids == ("1", "2", "2.5")


def test_text_cells_with_surrounding_and_non_breaking_spaces_are_trimmed():
    model = model_for(inputs=AGE_SEX, tables={"t": ("U", ["\u00a0age ", " o"], "io", None,
                                                    [[" R1 ", " >= 18\u00a0", ' "adult" ']])})
    table = model.table("t")
    assert table.inputs[0].name == "age" and table.outputs[0].name == "o" and table.rule_ids == ("R1",)
    assert engine.evaluate(model, {"age": 18})["t.o"] == "adult"


def test_load_workbook_reads_a_real_file_and_names_it(tmp_path):
    path = make_workbook(tmp_path, "bands.xlsx", inputs=AGE_SEX, tables={"band": BAND})
    model = load_workbook(path)
    assert model.workbook == str(path)
    assert model.table("band").location.sheet == "band"
    assert engine.evaluate(model, {"age": 70})["band.band"] == "senior"


def test_example_workbook_loads(example_workbook):
    model = load_workbook(example_workbook)
    names = [t.name for t in model.tables]
    assert set(names) == {"treatment_line", "first_line_regimen", "maintenance", "local_therapy", "dosing",
                          "brain_mri_schedule", "first_line_alerts"}
    assert names.index("treatment_line") < names.index("first_line_regimen") < names.index("maintenance")
    assert names.index("first_line_regimen") < names.index("dosing")
    assert model.version == "2.0.0"
    assert model.table("local_therapy").hit_policy.code == "P"
    assert model.table("first_line_alerts").hit_policy.code == "C"


# ---------------------------------------------------------------------- malformed workbooks
def _table(policy: Any = "U", headings: Any = ("age", "out"), roles: Any = "io", allowed: Any = None,
           rules: Any = (("R1", "< 18", '"child"'), ("R2", ">= 18", '"adult"'))) -> tuple:
    return (policy, list(headings), roles, allowed, [list(r) for r in rules])


def _sheets(**tables: tuple) -> dict[str, list[list[Any]]]:
    return sheets_for(inputs=AGE_SEX, tables=tables or {"t": _table()})


def _without_role_row() -> dict:
    sheets = _sheets()
    sheets["t"][1] = [None, None, None]
    return sheets


def _without_inputs() -> dict:
    sheets = _sheets()
    del sheets["Inputs"]
    return sheets


def _bad_type() -> dict:
    sheets = _sheets()
    sheets["Inputs"][2][1] = "text"
    return sheets


MALFORMED = {
    # id: (sheets, code, sheet, cell, fragment of the message, fragment of the hint)
    "unknown hit policy": (_sheets(t=_table(policy="UNIQ")), "workbook", "t", "A1", "'UNIQ', not a hit policy",
                           "U, A, P, F, R, O, C, C+, C<, C>, C#"),
    "blank hit policy": (_sheets(t=_table(policy=None)), "workbook", "t", "A1", "not a hit policy", "COLLECT SUM"),
    "missing role row": (_without_role_row(), "workbook", "t", "B2", "role", "input, output or annotation"),
    "unknown role": (_sheets(t=_table(roles=["inptu", "output"])), "workbook", "t", "B2", "'inptu'",
                     "input, output or annotation"),
    "heading names nothing": (_sheets(t=_table(headings=("agee", "out"))), "workbook", "t", "B1",
                              "'agee' names no input", "did you mean age?"),
    "heading names a misspelt output": (
        _sheets(band=_table(headings=("age", "band")), t=_table(headings=("band.bnd", "out"))),
        "workbook", "t", "B1", "band.bnd", "did you mean band.band?"),
    "duplicate rule id": (_sheets(t=_table(rules=[("R1", "< 18", '"a"'), ("R1", ">= 18", '"b"')])),
                          "workbook", "t", "A5", "R1 is used twice (rows 4 and 5)", "e.g. R2"),
    "missing rule id": (_sheets(t=_table(rules=[("R1", "< 18", '"a"'), (None, ">= 18", '"b"')])),
                        "workbook", "t", "A5", "row 5 has no id", "e.g. R2"),
    "rule id with a space": (_sheets(t=_table(rules=[("R 1", "-", '"a"')])), "workbook", "t", "A4", "'R 1'",
                             "R_1"),
    "unquoted text in an output cell": (_sheets(t=_table(rules=[("R1", "-", "first_line")])), "syntax", "t", "C4",
                                        "first_line", 'write "first_line"'),
    "unquoted text in an input cell": (_sheets(t=_table(headings=("sex", "out"), rules=[("R1", "female", "1")])),
                                       "syntax", "t", "B4", "female", 'write "female"'),
    "bad cell syntax": (_sheets(t=_table(rules=[("R1", "<< 18", '"a"')])), "syntax", "t", "B4", "'<< 18'",
                        ">= 12"),
    "unclosed interval": (_sheets(t=_table(rules=[("R1", "[1..", '"a"')])), "syntax", "t", "B4", "[1..",
                          "both ends"),
    "misspelt name in an output expression": (_sheets(t=_table(rules=[("R1", "-", "2 * agee")])), "syntax", "t",
                                              "C4", "agee", "did you mean age?"),
    "P without priority list": (_sheets(t=_table(policy="P")), "workbook", "t", "C3", "priority order",
                                "highest priority first"),
    "O without priority list": (_sheets(t=_table(policy="OUTPUT ORDER")), "workbook", "t", "C3", "priority order",
                                "row 3"),
    "C+ with two outputs": (_sheets(t=_table(policy="C+", headings=("age", "a", "b"), roles="ioo",
                                             rules=[("R1", "-", "1", "2")])),
                            "workbook", "t", "A1", "exactly one output column, the table has 2", "split the table"),
    "no output column": (_sheets(t=_table(roles="ia")), "workbook", "t", "B2", "no output column", "output"),
    "two outputs with one name": (_sheets(t=_table(headings=("age", "o", "o"), roles="ioo",
                                                   rules=[("R1", "-", "1", "2")])),
                                  "workbook", "t", "D1", "two outputs named o", "rename"),
    "table reads its own output": (_sheets(t=_table(headings=("t.out", "out"), rules=[("R1", "-", "1")])),
                                   "workbook", "t", "B1", "its own output", "other tables"),
    "sheet name not an identifier": (_sheets(**{"dose table": _table()}), "workbook", "dose table", "",
                                     "not a valid table name", "dose_table"),
    "missing Inputs sheet": (_without_inputs(), "workbook", "", "", "no Inputs sheet", "Name, Type"),
    "bad input type": (_bad_type(), "workbook", "Inputs", "B3", "unknown type 'text'",
                       "number, integer, string, boolean, date"),
    "bad Required": (sheets_for(inputs=[("age", "number", None, "sometimes")], tables={"t": _table()}),
                     "workbook", "Inputs", "D2", "'sometimes'", "yes"),
    "input name not an identifier": (sheets_for(inputs=[("body weight", "number", None, "no")],
                                                tables={"t": _table(headings=("body_weight", "out"))}),
                                     "workbook", "Inputs", "A2", "'body weight'", "body_weight"),
    "bad allowed values": (sheets_for(inputs=[("age", "number", "[0..", "no")], tables={"t": _table()}),
                           "syntax", "Inputs", "C2", "[0..", "both ends"),
    "bad narrowing in row 3": (_sheets(t=_table(allowed=["> > 3", None])), "syntax", "t", "B3", "> > 3", ""),
    "empty table sheet": (sheets_for(inputs=AGE_SEX, extra={"t": [["U"]]}), "empty-table", "t", "B1", "no columns",
                          "row 1"),
    "no table at all": (sheets_for(inputs=AGE_SEX), "empty-table", "", "", "no decision table", "sheet"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_workbook_is_rejected_with_location_and_hint(case):
    sheets, code, sheet, cell, message, hint = MALFORMED[case]
    problem = only(problems(sheets), sheet=sheet, cell=cell)
    assert problem.code == code
    assert problem.workbook == "bad.xlsx"
    assert message in problem.message
    assert hint in problem.hint
    assert problem.severity == "error"


@pytest.mark.parametrize("headings", [
    {"a": ["b.y", "x"], "b": ["a.x", "y"]},  # qualified headings
    {"a": ["y", "x"], "b": ["x", "y"]},  # plain, unambiguous output names
])
def test_cycle_between_two_tables_is_spelled_out(headings):
    sheets = sheets_for(inputs=AGE_SEX, tables={
        name: ("U", cols, "io", None, [["R1", "-", "1"]]) for name, cols in headings.items()})
    found = problems(sheets)
    assert len(found) == 1
    assert found[0].code == "workbook"
    assert "a → b → a" in found[0].message
    assert (found[0].sheet, found[0].cell) == ("a", "A1")


def test_cycle_through_three_tables_and_an_output_expression_is_spelled_out():
    sheets = sheets_for(inputs=AGE_SEX, tables={
        "a": ("U", ["age", "x"], "io", None, [["R1", "-", "c.z + 1"]]),
        "b": ("U", ["a.x", "y"], "io", None, [["R1", "-", "1"]]),
        "c": ("U", ["b.y", "z"], "io", None, [["R1", "-", "1"]]),
    })
    (problem,) = [p for p in problems(sheets) if "cycle" in p.message]
    assert "a → c → b → a" in problem.message


def test_several_problems_are_reported_together():
    sheets = sheets_for(
        inputs=[("age", "number", None, "yes"), ("sex", "strin", None, "no")],
        tables={
            "t": ("U", ["agee", "out"], "io", None, [["R1", "-", "first_line"], [None, "-", '"b"']]),
            "u": ("P", ["age", "level"], "io", None, [["R1", "<< 3", '"a"'], ["R1", "-", '"b"']]),
        })
    found = problems(sheets)
    where = {(p.sheet, p.cell) for p in found}
    assert {("Inputs", "B3"), ("t", "B1"), ("t", "C4"), ("t", "A5"), ("u", "C3"), ("u", "B4"),
            ("u", "A5")} <= where
    assert str(WorkbookError(found)).count("\n") == len(found) - 1


def test_problem_text_names_file_sheet_cell_code_and_hint():
    found = problems(_sheets(t=_table(headings=("agee", "out"))))
    assert str(found[0]) == ("bad.xlsx:t!B1: error[workbook]: heading 'agee' names no input and no output "
                             "of another table. Did you mean age?")


def test_duplicate_rule_id_suggestion_is_not_used_anywhere_in_the_table():
    found = problems(_sheets(t=_table(rules=[("R1", "< 10", '"a"'), ("R1", "[10..20]", '"b"'),
                                             ("R2", "> 20", '"c"')])))
    problem = only(found, sheet="t", cell="A5")
    assert "R2" not in problem.hint and "R3" in problem.hint


def test_unknown_hit_policy_does_not_hide_problems_in_the_rules():
    found = problems(_sheets(t=_table(policy="UNIQ", rules=[("R1", "<< 18", '"a"'), (None, "-", '"b"')])))
    assert {(p.sheet, p.cell) for p in found} == {("t", "A1"), ("t", "B4"), ("t", "A5")}


def test_ambiguous_plain_output_heading_says_which_tables_to_choose_from():
    found = problems(sheets_for(inputs=AGE_SEX, tables={
        "a": ("U", ["age", "x"], "io", None, [["R1", "-", "1"]]),
        "b": ("U", ["sex", "x"], "io", None, [["R1", "-", "2"]]),
        "c": ("U", ["x", "y"], "io", None, [["R1", "-", "3"]]),
    }))
    problem = only(found, sheet="c", cell="B1")
    assert "a.x" in problem.hint and "b.x" in problem.hint


def test_missing_file_and_non_workbook_file(tmp_path):
    with pytest.raises(WorkbookError) as caught:
        load_workbook(tmp_path / "nope.xlsx")
    assert caught.value.problems[0].workbook.endswith("nope.xlsx")
    assert "not found" in caught.value.problems[0].message
    text = tmp_path / "tables.xlsx"
    text.write_text("Name,Type\nage,number\n")
    with pytest.raises(WorkbookError) as caught:
        load_workbook(text)
    assert "xlsx" in caught.value.problems[0].hint


# ---------------------------------------------------------------------- the documented example
def _markdown_table(text: str, after: str) -> list[list[str]]:
    lines = text[text.index(after):].splitlines()[1:]
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if not set("".join(cells)) <= set("-: "):
            table.append(cells)
    return table


def test_the_worked_example_of_the_format_documentation():
    from helpers import ROOT

    text = (ROOT / "docs" / "workbook-format.md").read_text(encoding="utf-8")
    inputs = _markdown_table(text, "**Inputs**")
    sheet = _markdown_table(text, "**Sheet `maintenance`**")
    rows = [[cell or None for cell in row[1:]] for row in sheet[1:]]  # drop the row-number column
    model = build_model("example.xlsx", {"Inputs": inputs, "maintenance": rows})
    result = engine.evaluate(model, {"hr_status": "positive", "age": "54"})
    assert (result["maintenance.maintenance"], result.rules["maintenance"]) == (
        "trastuzumab_pertuzumab_endocrine", ("MN2",))
    child = engine.evaluate(model, {"hr_status": "negative", "age": "10"})
    assert child["maintenance.maintenance"] is None
    assert child.errors[0] == "maintenance: age 10 is not an allowed value (allowed: [18..120]) in this table"
    assert model.table("maintenance").annotation(model.table("maintenance").rules[0], "Reference") == "ESMO 2025"


def test_tests_sheet_cases_are_read_and_its_mistakes_located():
    tests = [["case", "age", "band", "band.rules", "sex"], ["role", "input", "expected", "expected", "input"],
             ["T1", 30, "adult", '["B2"]', None], ["T2", 70, None, None, "f"], [None, None, None, None, None]]
    model = build_model("m.xlsx", sheets_for(inputs=AGE_SEX, tables={"band": BAND}, tests=tests))
    cases = {case.id: case for case in model.tests}
    assert list(cases) == ["T1", "T2"]
    assert cases["T1"].inputs == {"age": 30, "sex": None}
    assert cases["T1"].expected == {"band.band": ("adult", "C3"), "band.rules": ('["B2"]', "D3")}
    assert cases["T2"].expected == {}  # blank: not checked
    bad = [["case", "age", "band.bnd", "agee"], ["", "input", "expected", "input"], ["T1", 1, "x", 2]]
    bad[1][2] = "expect"
    found = problems(sheets_for(inputs=AGE_SEX, tables={"band": BAND}, tests=bad))
    assert only(found, sheet="Tests", cell="C2").message == "Tests column band.bnd has role 'expect'"
    assert "names no input" in only(found, sheet="Tests", cell="D1").message
