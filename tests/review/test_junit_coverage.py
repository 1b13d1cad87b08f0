"""``dtrun test`` in CI terms: ``--junit-xml`` (one testcase per expected cell, failures with
dtrun test's reasons), the rule coverage per table and in total, and ``--min-coverage``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from helpers import make_workbook, model_for

from engine.cli import main
from engine.review.junit import Suite, render
from engine.review.testing import run_tests

INPUTS = [("age", "number", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "no")]
TABLES = {
    "band": ("U", ["age", "band"], "io", [None, '"child","adult","senior"'],
             [["B1", "< 18", '"child"'], ["B2", "[18..65]", '"adult"'], ["B3", "> 65", '"senior"']]),
    "plan": ("U", ["band", "hr", "plan"], "iio", None,
             [["P1", '"child"', "-", '"paediatric"'], ["P2", '"adult"', '"positive"', '"endocrine"'],
              ["P3", '"adult"', '"negative"', '"chemo"']]),
}
HEAD = [["case", "age", "hr", "band.band", "plan.plan"], [None, "input", "input", "expected", "expected"]]
PASSING = ["T1", 40, "positive", "adult", "endocrine"]
FAILING = ["T2", 10, "negative", "adult", None]  # band gives child: B1 matched


def test_coverage_per_table_and_in_total():
    report = run_tests(model_for(inputs=INPUTS, tables=TABLES, tests=[*HEAD, PASSING, FAILING]))
    assert report.coverage("band") == (2, 3)  # B1, B2 fired; B3 not
    assert report.coverage("plan") == (2, 3)  # P1 (for T2), P2
    assert report.coverage() == (4, 6)
    assert len(report.checks) == 3  # T1's two cells, T2's band cell (its plan cell is blank)
    assert [c.failure is None for c in report.checks] == [True, True, False]


def test_junit_xml_has_a_testcase_per_checked_cell_with_the_reason(tmp_path: Path):
    book = make_workbook(tmp_path, "guide.xlsx", inputs=INPUTS, tables=TABLES, tests=[*HEAD, PASSING, FAILING])
    out = tmp_path / "results.xml"
    result = CliRunner().invoke(main, ["test", str(book), "--junit-xml", str(out)])
    assert result.exit_code == 1, result.output
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures")) == ("3", "1")
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == str(book) and (suite.get("tests"), suite.get("failures")) == ("3", "1")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("guide.band", "T1 band.band"), ("guide.plan", "T1 plan.plan"), ("guide.band", "T2 band.band")]
    assert [c.find("failure") is not None for c in cases] == [False, False, True]
    failure = cases[2].find("failure")
    assert failure.get("message") == 'band.band expected "adult", got "child": rule B1 matched'
    assert f"{book}:Tests!D4: FAIL T2: " + failure.get("message") in result.stdout
    assert failure.text == f"{book}:Tests!D4: FAIL T2: " + failure.get("message")


def test_min_coverage_fails_below_and_passes_at_the_threshold(tmp_path: Path):
    book = make_workbook(tmp_path, "guide.xlsx", inputs=INPUTS, tables=TABLES, tests=[*HEAD, PASSING])
    runner = CliRunner()
    plain = runner.invoke(main, ["test", str(book)])
    assert plain.exit_code == 0, plain.output
    assert (f"{book}: rule coverage 33% (2 of 6 rules fired by a case); per table: band 33% (1/3), "
            "plan 33% (1/3)\n") in plain.stdout
    assert runner.invoke(main, ["test", str(book), "--min-coverage", "33"]).exit_code == 0
    out = tmp_path / "results.xml"
    below = runner.invoke(main, ["test", str(book), "--min-coverage", "100", "--junit-xml", str(out)])
    assert below.exit_code == 1, below.output
    assert (f"{book}: error: rule coverage 33% (2/6) is below --min-coverage 100%; add test cases that fire the "
            "rules listed above\n") in below.stdout
    workbook_case = ET.parse(out).getroot().find("testsuite/testcase[@classname='guide.workbook']")
    assert workbook_case.get("name") == "rule coverage"
    assert workbook_case.find("failure").get("message").startswith("rule coverage 33% (2/6) is below")
    assert runner.invoke(main, ["test", str(book), "--min-coverage", "101"]).exit_code == 2


def test_a_workbook_without_cases_is_a_failing_testcase(tmp_path: Path):
    book = make_workbook(tmp_path, "empty.xlsx", inputs=INPUTS, tables=TABLES)
    out = tmp_path / "results.xml"
    assert CliRunner().invoke(main, ["test", str(book), "--junit-xml", str(out)]).exit_code == 1
    (case,) = ET.parse(out).getroot().iter("testcase")
    assert (case.get("classname"), case.get("name")) == ("empty.workbook", "test cases")
    assert case.find("failure") is not None


def test_junit_xml_naming_the_workbook_is_refused_and_the_workbook_kept(tmp_path: Path):
    book = make_workbook(tmp_path, "guide.xlsx", inputs=INPUTS, tables=TABLES, tests=[*HEAD, PASSING])
    before = book.read_bytes()
    result = CliRunner().invoke(main, ["test", str(book), "--junit-xml", str(book)])
    assert result.exit_code == 2
    assert "--junit-xml" in result.output and "would destroy it" in result.output
    assert book.read_bytes() == before


def test_junit_xml_that_cannot_be_written_is_exit_2_and_leaves_nothing(tmp_path: Path):
    book = make_workbook(tmp_path, "guide.xlsx", inputs=INPUTS, tables=TABLES, tests=[*HEAD, PASSING])
    result = CliRunner().invoke(main, ["test", str(book), "--junit-xml", str(tmp_path / "missing" / "r.xml")])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "missing").exists()


def test_control_characters_in_a_case_id_still_give_well_formed_xml():
    # a workbook can carry them (written _x0001_ in its XML); openpyxl cannot write them, so in memory
    report = run_tests(model_for(inputs=INPUTS, tables=TABLES,
                                 tests=[*HEAD, ["T\x01 <&>", 10, "negative", "adult", None]]))
    (case,) = ET.fromstring(render([Suite("w.xlsx", report)])).iter("testcase")
    assert case.get("name") == "T <&> band.band"
