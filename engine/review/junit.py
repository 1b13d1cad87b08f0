"""``dtrun test`` results as JUnit XML, the report format CI servers read (GitHub and GitLab
test reports, Jenkins' JUnit plugin).

Owns only the format: ``testsuites`` holds one ``testsuite`` per workbook (its name the path
given), which holds one ``testcase`` per expected cell of a Tests case (``classname``
``<workbook stem>.<table>``, ``name`` ``<case id> <table.output>``, ``file`` the workbook); a
failing one has a ``failure`` whose ``message`` is what ``dtrun test`` prints after ``FAIL``
(expected, got, and why) and whose text is the whole line with the Tests cell.  Problems of a
workbook as a whole (no test cases; rule coverage below ``--min-coverage``) are a failing
testcase of class ``<workbook stem>.workbook`` each, so that a CI view shows why the job failed.
Characters XML 1.0 cannot carry (control characters in a cell) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import PurePath

from engine.review.testing import Failure, TestReport, show, show_expected

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Suite:
    """One workbook's report, as given on the command line, and its problems as a whole:
    (name, message) pairs."""
    path: str
    report: TestReport
    problems: list[tuple[str, str]] = field(default_factory=list)


def failure_message(failure: Failure) -> str:
    """What ``dtrun test`` says of a failing cell after the case id."""
    reason = f": {failure.reason}" if failure.reason else ""
    return f"{failure.column} expected {show_expected(failure)}, got {show(failure.actual)}{reason}"


def render(suites: list[Suite]) -> str:
    root = ET.Element("testsuites", name="dtrun test")
    totals = [0, 0]
    for suite in suites:
        stem = PurePath(suite.path).stem
        element = ET.SubElement(root, "testsuite", name=_clean(suite.path))
        tests = failures = 0
        for check in suite.report.checks:
            table = check.column.partition(".")[0]
            case = ET.SubElement(element, "testcase", classname=_clean(f"{stem}.{table}"),
                                 name=_clean(f"{check.case.id} {check.column}"), file=_clean(suite.path))
            tests += 1
            if check.failure:
                failures += 1
                message = failure_message(check.failure)
                node = ET.SubElement(case, "failure", message=_clean(message), type="dtrun-test")
                node.text = _clean(f"{suite.path}:Tests!{check.cell}: FAIL {check.case.id}: {message}")
        for name, message in suite.problems:
            case = ET.SubElement(element, "testcase", classname=_clean(f"{stem}.workbook"), name=_clean(name),
                                 file=_clean(suite.path))
            node = ET.SubElement(case, "failure", message=_clean(message), type="dtrun-test")
            node.text = _clean(f"{suite.path}: {message}")
            tests, failures = tests + 1, failures + 1
        element.attrib.update(tests=str(tests), failures=str(failures), errors="0", skipped="0")
        totals = [totals[0] + tests, totals[1] + failures]
    root.attrib.update(tests=str(totals[0]), failures=str(totals[1]), errors="0")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)
