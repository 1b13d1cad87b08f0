"""Waivers (issue 21, item 11): findings the authors accept in the workbook's Waivers sheet are
listed as waived, never count towards lint's exit status, and bad or unused waivers are
reported at their Waivers cells."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import make_workbook

from engine.analysis import lint_workbook
from engine.cli import main
from engine.review import render_findings
from engine.review.report import summarised

INPUTS = [("n", "number", "[0..10]", "yes"), ("spare", "boolean", None, "no")]
# F table: R3 is partly masked (an info); spare is an unused input (a warning); no errors
TABLES = {"dose": ("F", ["n", "dose"], "io", None,
                   [["R1", "< 3", '"a"'], ["R2", "> 4", '"b"'], ["R3", "[2..4]", '"c"']])}
HEADER = ["Table", "Rule", "Code", "Reason", "By", "Date"]
ACCEPT = [["dose", "R3", "partly-masked-rule", "kept for its citation (guideline 4.2)", "A. Author", "2024-05-01"],
          ["Inputs", "spare", "unused-input", "used by next year's tables", None, None]]


def workbook(tmp_path, rows, name="w.xlsx", tables=TABLES):
    extra = {"Waivers": [HEADER, *rows]} if rows is not None else None
    return make_workbook(tmp_path, name, inputs=INPUTS, tables=tables, extra=extra)


def by_code(findings):
    return {(f.code, f.cells[0] if f.cells else ""): f for f in findings}


def test_waived_findings_are_marked_with_their_waiver(tmp_path):
    findings = lint_workbook(workbook(tmp_path, ACCEPT))
    masked = by_code(findings)[("partly-masked-rule", "A6")]
    assert masked.waived and masked.severity == "info"
    assert masked.waiver == {"reason": "kept for its citation (guideline 4.2)", "by": "A. Author",
                             "date": "2024-05-01", "at": "Waivers!A2"}
    assert by_code(findings)[("unused-input", "A3")].waived
    assert all(f.waived for f in findings)  # nothing unused, nothing else


def test_without_a_waivers_sheet_nothing_is_waived(tmp_path):
    findings = lint_workbook(workbook(tmp_path, None))
    assert {f.code for f in findings} == {"partly-masked-rule", "unused-input"}
    assert not any(f.waived for f in findings)


def test_a_waiver_of_a_rule_waives_only_the_findings_about_that_rule(tmp_path):
    tables = {"dose": ("F", ["n", "dose"], "io", None,
                       [["R1", "< 3", '"a"'], ["R2", "[2..5]", '"b"'], ["R3", "[4..6]", '"c"'], ["R4", "-", '"d"']])}
    rows = [["dose", "R2", "partly-masked-rule", "intended", None, None]]
    findings = [f for f in lint_workbook(workbook(tmp_path, rows, tables=tables)) if f.code == "partly-masked-rule"]
    waived = {f.cells[0]: f.waived for f in findings}
    assert waived["A5"] and not waived["A6"]  # R3 is hidden by R2 (which R2's waiver does not cover)


def test_a_blank_rule_waives_every_finding_of_the_code_in_the_table(tmp_path):
    findings = lint_workbook(workbook(tmp_path, [["dose", None, "partly-masked-rule", "intended", None, None]]))
    assert by_code(findings)[("partly-masked-rule", "A6")].waived
    assert not by_code(findings)[("unused-input", "A3")].waived


def test_a_waiver_that_matches_nothing_is_an_unused_waiver_warning(tmp_path):
    findings = lint_workbook(workbook(tmp_path, [*ACCEPT, ["dose", "R1", "masked-rule", "old", None, None]]))
    unused = [f for f in findings if f.code == "unused-waiver"]
    assert [(f.severity, f.sheet, f.cells) for f in unused] == [("warning", "Waivers", ("A4",))]
    assert "masked-rule of rule R1 in dose matches no finding" in unused[0].message


@pytest.mark.parametrize("row, cell, words", [
    (["dose", "R3", "partly-masked-rule", None, None, None], "D2", "gives no reason"),
    (["dosse", "R3", "partly-masked-rule", "x", None, None], "A2", "Did you mean dose?"),
    ([None, "R3", "partly-masked-rule", "x", None, None], "A2", "names no table"),
    (["dose", "R9", "partly-masked-rule", "x", None, None], "B2", "rule R9, which dose does not have"),
    (["Inputs", "spaer", "unused-input", "x", None, None], "B2", "Did you mean spare?"),
    (["dose", "R3", "partly-masked", "x", None, None], "C2", "Did you mean partly-masked-rule?"),
    (["dose", "R3", "syntax", "x", None, None], "C2", "findings of code syntax cannot be waived"),
])
def test_a_bad_waiver_row_is_an_error_at_its_cell_and_waives_nothing(tmp_path, row, cell, words):
    findings = lint_workbook(workbook(tmp_path, [row]))
    bad = [f for f in findings if f.code == "waiver"]
    assert len(bad) == 1 and bad[0].severity == "error" and bad[0].sheet == "Waivers" and bad[0].cells == (cell,)
    assert words in str(bad[0])
    assert not any(f.waived for f in findings) and not any(f.code == "unused-waiver" for f in findings)


def test_a_waivers_sheet_without_its_headings_is_an_error_at_a1(tmp_path):
    path = make_workbook(tmp_path, inputs=INPUTS, tables=TABLES,
                         extra={"Waivers": [["Table", "Code"], ["dose", "partly-masked-rule"]]})
    bad = [f for f in lint_workbook(path) if f.code == "waiver"]
    assert [(f.cells, f.message) for f in bad] == [(("A1",), "the Waivers sheet has no 'Rule' or 'Reason' column")]


def test_the_waivers_sheet_is_not_a_decision_table_and_evaluate_ignores_it(tmp_path):
    from engine.formats import load

    model = load(workbook(tmp_path, [["dose", None, "partly-masked-rule", None, None, None]]))
    assert [t.name for t in model.tables] == ["dose"]  # a bad waiver does not stop evaluation
    assert len(model.waivers) == 1 and model.waivers[0].cell("Reason") == "D2"


def test_loader_problems_are_never_waived(tmp_path):
    tables = {"dose": ("F", ["n", "dose"], "io", None, [["R1", "< 3 +", '"a"'], ["R2", "-", '"b"']])}
    findings = lint_workbook(workbook(tmp_path, [["dose", "R1", "syntax", "x", None, None]], tables=tables))
    assert any(f.code == "syntax" and not f.waived for f in findings)


def test_json_text_and_sarif_show_the_waiver(tmp_path):
    findings = lint_workbook(workbook(tmp_path, ACCEPT))
    records = json.loads(render_findings(findings, "json"))
    assert [r["waived"] for r in records] == [True, True]
    assert records[1]["waiver"]["reason"] == "kept for its citation (guideline 4.2)"
    text = render_findings(findings, "text")
    assert "w.xlsx:dose!A6: waived[partly-masked-rule]: rule R3" in text
    assert "    waived (info): kept for its citation (guideline 4.2) (by A. Author, 2024-05-01; Waivers!A2)" in text
    assert text.endswith("0 errors, 0 warnings, 0 notes, 2 waived\n")
    results = json.loads(render_findings(findings, "sarif"))["runs"][0]["results"]
    assert all(r["suppressions"][0]["kind"] == "inSource" and r["suppressions"][0]["status"] == "accepted"
               for r in results)
    assert render_findings(findings, "github") == ""  # accepted: no annotation


def test_waived_findings_do_not_use_up_the_limit_of_twenty(tmp_path):
    from engine.analysis.findings import Finding

    shown = [Finding("info", "mergeable-rules", "w.xlsx", "t", f"m{i}", waived=True) for i in range(25)]
    counting = [Finding("info", "mergeable-rules", "w.xlsx", "t", f"c{i}") for i in range(5)]
    kept = summarised(shown + counting)
    assert sum(not f.waived for f in kept) == 5 and all(f.code != "summary" or f.waived for f in kept)


@pytest.mark.parametrize("strict", [False, True])
def test_waived_findings_never_fail_lint(tmp_path, strict):
    path = workbook(tmp_path, ACCEPT)
    result = CliRunner().invoke(main, ["lint", str(path), *(["--strict"] if strict else [])])
    assert result.exit_code == 0, result.output
    unwaived = workbook(tmp_path, None, name="plain.xlsx")
    result = CliRunner().invoke(main, ["lint", str(unwaived), *(["--strict"] if strict else [])])
    assert result.exit_code == (1 if strict else 0)  # the unused input is a warning


def test_waived_errors_do_not_fail_lint_but_bad_and_unused_waivers_are_reported(tmp_path):
    tables = {"dose": ("U", ["n", "dose"], "io", None, [["R1", "< 5", '"a"'], ["R2", ">= 4", '"b"']])}
    overlap = [["dose", "R1", "overlap", "both doses are given at 4 (guideline 3)", None, None], ACCEPT[1]]
    path = workbook(tmp_path, overlap, tables=tables)
    assert CliRunner().invoke(main, ["lint", str(path), "--strict"]).exit_code == 0
    stale = workbook(tmp_path, [*overlap, ["dose", "R2", "gap", "old", None, None]], name="stale.xlsx", tables=tables)
    assert CliRunner().invoke(main, ["lint", str(stale)]).exit_code == 0
    assert CliRunner().invoke(main, ["lint", str(stale), "--strict"]).exit_code == 1  # unused-waiver is a warning
    bad = workbook(tmp_path, [*overlap, ["dose", "R2", "gap", None, None, None]], name="bad.xlsx", tables=tables)
    result = CliRunner().invoke(main, ["lint", str(bad)])
    assert result.exit_code == 1 and "bad.xlsx:Waivers!D4: error[waiver]" in result.output


def test_diff_lists_waivers_added_removed_and_changed_and_no_change_in_behaviour(tmp_path):
    old = workbook(tmp_path, ACCEPT, "old.xlsx")
    new = workbook(tmp_path, [[*ACCEPT[0][:3], "kept: guideline 4.3 now", *ACCEPT[0][4:]]], "new.xlsx")
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert not document["changes_behaviour"]
    assert [(w["name"], w["status"]) for w in document["waivers"]] == [
        ("partly-masked-rule of rule R3 in dose", "changed"), ("unused-input of input spare in Inputs", "removed")]
    assert document["waivers"][0]["changes"][0]["new"] == "kept: guideline 4.3 now"
    text = CliRunner().invoke(main, ["diff", str(old), str(new)]).stdout
    assert "same content" not in text and "Waivers (findings accepted; not a change in behaviour)" in text
