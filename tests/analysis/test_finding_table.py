"""The key ``table`` of every lint finding (issue 20): the decision table a finding is about, as
its file names it (a workbook's table sheet, a DMN decision's name), None for a finding about
no table (the Inputs, Tests and Waivers sheets, the file itself); and ``Source.table_name``,
which each format's source answers.  Expected values are written by hand from the files below."""

from __future__ import annotations

import json

from helpers import ITEMS, clause, decision, dmn, make_workbook, rule, write

from engine.analysis.lint import lint_workbook
from engine.formats import bare_source
from engine.formats.dmn.words import bare_dmn_source
from engine.formats.xlsx.words import workbook_source
from engine.review.report import render

INPUTS = [("age", "number", "[0..120]", "yes"), ("unused", "boolean", None, "no")]
TABLES = {"band": ("U", ["age", "band"], "io", None, [["B1", "< 18", '"child"'], ["B2", "[18..65]", '"adult"'],
                                                      ["B3", "[60..100]", '"senior"']])}


def test_a_workbooks_findings_name_their_table_sheet_and_none_for_the_inputs_sheet(tmp_path):
    path = make_workbook(tmp_path, "w.xlsx", inputs=INPUTS, tables=TABLES)
    findings = lint_workbook(path)
    by_code = {f.code: f.table for f in findings}
    assert by_code == {"overlap": "band", "gap": "band", "unused-input": None}
    for entry in json.loads(render(findings, "json")):
        assert entry["table"] == (None if entry["sheet"] == "Inputs" else "band")


def test_a_workbook_cell_that_cannot_be_read_names_its_table(tmp_path):
    tables = {"band": ("U", ["age", "band"], "io", None, [["B1", "[1..", '"child"']])}
    path = make_workbook(tmp_path, "w.xlsx", inputs=INPUTS, tables=tables)
    (syntax,) = [f for f in lint_workbook(path) if f.code == "syntax"]
    assert (syntax.sheet, syntax.cells, syntax.table) == ("band", ("B4",), "band")


def test_a_file_that_cannot_be_read_is_about_no_table(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip file")
    (finding,) = lint_workbook(path)
    assert finding.code == "unreadable" and finding.table is None
    assert json.loads(render([finding], "json"))[0]["table"] is None
    assert json.loads(render([finding], "sarif"))["runs"][0]["results"][0]["properties"] == {"table": None}


def _age_band() -> str:
    age = decision("d_band", "Age Band", 'hitPolicy="UNIQUE"', clause("c_age", "Person age"),
                   '<output id="o_band" name="band"/>',
                   rule("r1", ["&lt; 18"], ['"child"']) + rule("r2", ["&gt;= 16"], ['"adult"']))
    return dmn(ITEMS + age)


def test_dmn_findings_carry_the_decisions_name(tmp_path):
    path = write(tmp_path, _age_band())
    findings = lint_workbook(path)
    tables = {(f.code, f.table) for f in findings}
    assert ("overlap", "Age Band") in tables and ("gap", "Age Band") in tables
    assert ("unused-input", None) in tables  # an inputData no decision reads
    github = render(findings, "github")
    assert "title=overlap (Age Band)" in github
    assert "(table Age Band)" not in render(findings, "text")  # the place already names the decision


def test_a_dmn_model_whose_every_decision_is_refused_still_names_them(tmp_path):
    crosstab = decision("d_x", "Cross Thing", 'hitPolicy="UNIQUE" preferredOrientation="CrossTable"',
                        clause("c_age", "Person age"), '<output id="o" name="o"/>', rule("r1", ["1"], ['"a"']))
    findings = lint_workbook(write(tmp_path, dmn(ITEMS + crosstab)))
    assert findings and {f.table for f in findings if f.sheet.startswith("decision")} == {"Cross Thing"}


def test_sources_name_tables():
    source = workbook_source("w.xlsx")
    assert [source.table_name(s) for s in ("band", "Inputs", "About", "Tests", "Waivers", "_dmn", "")] == \
        ["band", None, None, None, None, None, None]
    bare = bare_dmn_source("m.dmn")
    assert bare.table_name('decision "Age Band" (id d1)') == "Age Band"
    assert bare.table_name('decision "Age Band"') == "Age Band"
    assert bare.table_name('inputData "Person age" (id i1)') is None and bare.table_name("") is None
    assert bare_source("m.dmn").table_name('decision "x" (id d)') == "x"
    assert bare_source("w.xlsx").table_name("t") == "t"


def test_text_names_the_table_where_the_place_does_not():
    from engine.analysis.findings import Finding

    dak = Finding("error", "gap", "anc.xlsx", "ANC.DT.01 Danger signs", "no rule matches", ("C5",), table="ANC.DT.02")
    assert "anc.xlsx:ANC.DT.01 Danger signs!C5: error[gap] (table ANC.DT.02): no rule matches" in render([dak], "text")
    assert "(table ANC.DT.02)" in render([dak], "github") and "title=gap (ANC.DT.02)" in render([dak], "github")
    same = Finding("error", "gap", "w.xlsx", "band", "no rule matches", ("B1",), table="band")
    assert "(table" not in str(same)


def test_show_lists_a_dmn_decisions_findings_with_their_table(tmp_path):
    from engine.analysis.lint import lint_file
    from engine.review.show import render as show

    model, findings = lint_file(write(tmp_path, _age_band()))
    (table,) = model.tables
    page = show(model, "html", table.name, findings)
    assert page.count('data-table="Age Band"') == sum(f.table == "Age Band" for f in findings) > 0
    assert "unused-input" not in page  # a finding about no table is not the decision's
