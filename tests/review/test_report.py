"""Lint reports (engine/report.py): text like a compiler, JSON, SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import model_for

from engine.analysis.findings import CODES, Finding, sort_findings
from engine.analysis.lint import lint_model
from engine.review.report import FORMATS, render

GAP = Finding("error", "gap", "decision_tables/x.xlsx", "first_line", "no rule matches records with n 4",
              ("B1",), (), "add a rule for these records", {"n": 4, "s": None}, {"n": "4", "s": "-"},
              table="first_line")
OVERLAP = Finding("error", "overlap", "decision_tables/x.xlsx", "first_line", "rules R1 and R2 can both match",
                  ("A4", "A5"), ("R1", "R2"), "narrow one rule", {"n": 2}, {"n": "2"}, table="first_line")
UNUSED = Finding("warning", "unused-input", "decision_tables/x.xlsx", "Inputs", "input m is declared but no table "
                 "reads it", ("A3",), hint="use it in a table")
PARTLY = Finding("info", "partly-masked-rule", "decision_tables/x.xlsx", "first_line", "rule R3 decides only part",
                 ("A6", "A4"), ("R1", "R3"), table="first_line")
UNREADABLE = Finding("error", "unreadable", "broken.xlsx", "", "cannot read the file as an .xlsx workbook",
                     hint="save it from Excel")
ALL = sort_findings([GAP, OVERLAP, UNUSED, PARTLY, UNREADABLE])

SUMMARY = re.compile(r"^(\d+) errors?, (\d+) warnings?, (\d+) notes?$")
LINE = re.compile(r"^(?P<workbook>[^:]+)(:(?P<sheet>[^!:]+)(!(?P<cell>[A-Z]+[0-9]+))?)?: "
                  r"(?P<severity>error|warning|info)\[(?P<code>[a-z-]+)\]: (?P<message>.+)$")


# ---------------------------------------------------------------------- text
def test_text_lines_are_shaped_like_a_compiler():
    lines = render(ALL, "text").splitlines()
    heads = [line for line in lines if not line.startswith("    ")][:-1]
    assert len(heads) == len(ALL)
    for finding, line in zip(ALL, heads):
        match = LINE.match(line)
        assert match, line
        assert match["workbook"] == finding.workbook and match["code"] == finding.code
        assert match["severity"] == finding.severity
        assert (match["sheet"] or "") == finding.sheet
        assert match["cell"] == (finding.cells[0] if finding.cells else None)
    assert "decision_tables/x.xlsx:first_line!B1: error[gap]: no rule matches records with n 4. " \
           "Add a rule for these records" in lines
    assert "broken.xlsx: error[unreadable]: cannot read the file as an .xlsx workbook. Save it from Excel" in lines


def test_text_shows_records_and_example_under_the_finding():
    lines = render([GAP], "text").splitlines()
    assert lines[1:3] == ["    records: n 4, s -", "    example: n=4, s=null"]
    assert SUMMARY.match(lines[3]).groups() == ("1", "0", "0")


def test_text_summary_counts_each_severity():
    assert SUMMARY.match(render(ALL, "text").splitlines()[-1]).groups() == ("3", "1", "1")
    assert SUMMARY.match(render([], "text")).groups() == ("0", "0", "0")
    assert render([], "text").count("\n") == 1


def test_text_of_a_real_lint_matches_the_finding_strings():
    model = model_for(inputs=[("n", "integer", "[0..4]", "yes")],
                      tables={"t": ("U", ["n", "o"], "io", None, [["R1", "< 3", '"x"'], ["R2", "> 1", '"y"']])})
    findings = lint_model(model)
    text = render(findings, "text")
    assert text.startswith("test.xlsx:t!A4: error[overlap]: rules R1 and R2 can both match the same record (n 2)")


# ---------------------------------------------------------------------- json
def test_json_is_an_array_with_the_documented_keys():
    data = json.loads(render(ALL, "json"))
    assert len(data) == len(ALL)
    for item, finding in zip(data, ALL):
        assert set(item) == {"severity", "code", "workbook", "sheet", "table", "cells", "rules", "message",
                             "example", "box", "hint", "waived", "waiver"}
        assert item["table"] == finding.table
        assert item["cells"] == list(finding.cells) and item["rules"] == list(finding.rules)
        assert all(isinstance(r, str) for r in item["rules"])
    assert data[[f.code for f in ALL].index("gap")]["example"] == {"n": 4, "s": None}


def test_every_format_is_deterministic():
    for fmt in FORMATS:
        assert render(ALL, fmt) == render(list(ALL), fmt)


# ---------------------------------------------------------------------- sarif
@pytest.fixture
def sarif() -> dict:
    return json.loads(render(ALL, "sarif"))


def test_sarif_top_level(sarif: dict):
    assert sarif["version"] == "2.1.0"
    assert "sarif" in sarif["$schema"] and "2.1.0" in sarif["$schema"]
    assert len(sarif["runs"]) == 1
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "dtrun" and driver["version"]


def test_sarif_rules_describe_every_code(sarif: dict):
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and set(CODES) <= set(ids)
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels["gap"] == "error" and levels["unused-input"] == "warning" and levels["mergeable-rules"] == "note"


def test_sarif_results(sarif: dict):
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(ALL)
    for result, finding in zip(results, ALL):
        assert result["ruleId"] == finding.code
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding.severity]
        where = f"{finding.sheet}!{finding.cells[0]}" if finding.cells else finding.sheet
        assert result["message"]["text"].startswith(f"{where}: {finding.message}" if where else finding.message)
        if finding.example:  # code-scanning views show only the text: the example is in it
            assert "Example: " in result["message"]["text"]
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == finding.workbook
        names = [loc["name"] for loc in location["logicalLocations"]]
        assert result["properties"]["table"] == finding.table
        if finding.table:  # the table comes after the places
            assert location["logicalLocations"][-1] == {"name": finding.table, "kind": "table"}
            names = names[:-1]
        if finding.cells:
            assert names == [f"{finding.sheet}!{cell}" for cell in finding.cells]
        else:
            assert len(names) == 1
    fingerprints = [r["partialFingerprints"]["dtrunFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints), "two findings would be merged into one alert"
    overlap = results[[f.code for f in ALL].index("overlap")]
    assert overlap["properties"] == {"table": "first_line", "rules": ["R1", "R2"], "example": {"n": 2},
                                     "box": {"n": "2"}}


def test_sarif_of_no_findings_still_has_a_run():
    data = json.loads(render([], "sarif"))
    assert data["runs"][0]["results"] == [] and data["runs"][0]["tool"]["driver"]["rules"]


def test_sarif_uri_is_a_uri():
    finding = Finding("error", "gap", "guidelines/first line.xlsx", "t", "m", ("B1",))
    uri = json.loads(render([finding], "sarif"))["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "guidelines/first%20line.xlsx"


def test_sarif_rules_link_to_their_section_of_lint_md_and_results_have_a_start_line(monkeypatch):
    monkeypatch.delenv("DTRUN_DOCS_URL", raising=False)
    run = json.loads(render(ALL, "sarif"))["runs"][0]
    lint_md = (Path(__file__).parents[2] / "docs" / "lint.md").read_text(encoding="utf-8")
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["helpUri"] == f"docs/lint.md#{rule['id']}"
        assert f'<a id="{rule["id"]}"></a>' in lint_md, f"docs/lint.md has no anchor for {rule['id']}"
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 1 for r in run["results"])
    monkeypatch.setenv("DTRUN_DOCS_URL", "https://github.com/o/dtrun/blob/v1/docs/lint.md")
    rules = json.loads(render(ALL, "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"] == f"https://github.com/o/dtrun/blob/v1/docs/lint.md#{rules[0]['id']}"


# ---------------------------------------------------------------------- github
def test_github_annotation_lines():
    lines = render(ALL, "github").splitlines()
    assert len(lines) == len(ALL)
    pattern = re.compile(r"^::(error|warning|notice) file=([^,]+),title=([^:]+)::(.+)$")
    for line, finding in zip(lines, ALL):
        match = pattern.match(line)
        assert match, line
        assert match[1] == {"error": "error", "warning": "warning", "info": "notice"}[finding.severity]
        assert match[2] == finding.workbook and finding.code in match[3]
        assert finding.message in match[4]
    gap = lines[[f.code for f in ALL].index("gap")]
    assert gap.startswith("::error file=decision_tables/x.xlsx,title=gap (first_line)::first_line!B1: no rule "
                          "matches records with n 4. ")
    assert gap.lower().endswith("add a rule for these records. example: n=4, s=null")


def test_github_escapes_the_message():
    finding = Finding("error", "syntax", "x.xlsx", "t", "cannot read '50%\nx'\r", ("B4",))
    (line,) = render([finding], "github").splitlines()
    assert line.endswith("::t!B4: cannot read '50%25%0Ax'%0D")


def test_github_escapes_the_properties():
    finding = Finding("error", "workbook", "tables, v2.xlsx", "first line, draft", "m", ("A1",))
    (line,) = render([finding], "github").splitlines()
    assert line.startswith("::error file=tables%2C v2.xlsx,title=workbook (first line%2C draft)::")


def test_github_of_no_findings_is_empty():
    assert render([], "github") == ""


# ---------------------------------------------------------------------- at most 20 of a kind
def _many(count: int, code: str = "gap", sheet: str = "t") -> list[Finding]:
    return [Finding("error", code, "w.xlsx", sheet, f"finding {n:03d}", (f"B{n + 4}",)) for n in range(count)]


def test_text_sarif_and_github_list_twenty_of_a_code_per_table_then_a_summary():
    findings = sort_findings(_many(25) + _many(3, "overlap") + _many(21, sheet="u"))
    for fmt in ("text", "github"):
        output = render(findings, fmt)
        assert output.count("finding 0") + output.count("finding 1") + output.count("finding 2") == 20 + 3 + 20
        assert "5 more gap findings here are not listed (25 in all)" in output
        assert "1 more gap findings here are not listed (21 in all)" in output
        assert "more overlap" not in output
    results = json.loads(render(findings, "sarif"))["runs"][0]["results"]
    assert [r["ruleId"] for r in results].count("gap") == 40 and [r["ruleId"] for r in results].count("summary") == 2
    assert len(json.loads(render(findings, "json"))) == 49  # JSON lists them all


def test_the_text_count_line_counts_every_finding():
    assert render(_many(30), "text").endswith("30 errors, 0 warnings, 0 notes\n")
