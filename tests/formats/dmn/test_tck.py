"""The DMN TCK through dtrun's DMN import (``scripts/run_tck.py``), and the TCK's unary-test
folders against the golden rows of the condition language.

Tier A (17 folders, 51 cases) must pass in full: each case is read from the unmodified
``.dmn`` and ``*-test-01.xml`` files by the same path as ``dtrun evaluate MODEL.dmn``.  Tier B
and C cases may be unsupported (with a reason) but never give a wrong answer.  Tier U has
no tables: its cases are golden rows in ``tests/feel/data/*.tsv`` (see tests/feel/test_conditions.py);
here every golden row that cites a TCK case is checked against the TCK's expected result.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
from helpers import ROOT, TCK

sys.path.insert(0, str(ROOT / "scripts"))
import run_tck  # noqa: E402

INDEX = json.loads((TCK / "INDEX.json").read_text(encoding="utf-8")) if (TCK / "INDEX.json").exists() else None
needs_tck = pytest.mark.skipif(INDEX is None, reason=f"the DMN TCK is not at {TCK} (set DTRUN_TCK)")
FOLDERS = {tier: [e["folder"] for e in INDEX["cases"] if e["tier"] == tier] for tier in "ABCU"} if INDEX else {}


@needs_tck
def test_tier_a_is_all_there():
    assert len(FOLDERS["A"]) == 17
    assert sum(len(run_tck.read_cases(TCK / f / f"{f}-test-01.xml")) for f in FOLDERS["A"]) == 51


@needs_tck
@pytest.mark.parametrize("folder", FOLDERS.get("A", []))
def test_tier_a_passes(folder):
    report = run_tck.run_folder(TCK / folder, "A")
    assert [(o.case, o.status, o.reason) for o in report.outcomes] == [
        (o.case, "passed", "") for o in report.outcomes]
    assert len(report.outcomes) == 3


@needs_tck
@pytest.mark.parametrize("folder", FOLDERS.get("A", []))
def test_tier_a_passes_on_the_table_path_too(folder):
    """run_folder runs a case through the DRG evaluator first; the table path (``dtrun evaluate
    MODEL.dmn``) must pass every tier-A case on its own as well."""
    document = run_tck.read_dmn(TCK / folder / f"{folder}.dmn")
    model, reasons = run_tck._runnable(document)
    outcomes = [run_tck.run_table_case(document, model, reasons, case)
                for case in run_tck.read_cases(TCK / folder / f"{folder}-test-01.xml")]
    assert [(o.status, o.reason) for o in outcomes] == [("passed", "")] * 3


@needs_tck
@pytest.mark.parametrize("folder", FOLDERS.get("B", []) + FOLDERS.get("C", []))
def test_tier_b_and_c_are_passed_or_unsupported_with_a_reason(folder):
    report = run_tck.run_folder(TCK / folder)
    assert report.count("failed") == 0, [o for o in report.outcomes if o.status == "failed"]
    assert all(o.reason for o in report.outcomes if o.status == "unsupported")


def test_the_comparison_can_fail():
    from decimal import Decimal

    assert run_tck.same(Decimal("64.32"), 64.32) and not run_tck.same(Decimal("64.32"), 64.33)
    assert not run_tck.same(True, 1) and not run_tck.same("1", 1) and not run_tck.same(None, [])
    assert not run_tck.same([{"Status": "a"}], [{"Status": "b"}])


GOLDEN_ROW = re.compile(r"TCK (\d{4}) (\w+)(?: ([A-Za-z]\w*))?")


def _golden_rows():
    for path in run_tck.GOLDEN:
        header = None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("#") or not line.strip():
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            row = dict(zip(header, cells + [""] * len(header)))
            found = GOLDEN_ROW.match(row.get("note", ""))
            if found:
                yield pytest.param(path.name, row, found.group(1), found.group(2), found.group(3),
                                   id=f"{path.stem}-L{number}")


@needs_tck
@pytest.mark.parametrize("file, row, number, case_or_decision, decision", list(_golden_rows()))
def test_golden_rows_agree_with_the_tck_case_they_cite(file, row, number, case_or_decision, decision):
    """A row cites ``TCK <folder> <decision>`` (one case per decision, as in 0068, 0071, 0072)
    or ``TCK <folder> <case> <decision>`` with the case's inputs as its context (0106, 0107)."""
    (folder,) = [f for f in FOLDERS["U"] if f.startswith(number)] or pytest.skip(f"{number} is not a tier-U folder")
    cases = run_tck.read_cases(TCK / folder / f"{folder}-test-01.xml")
    if decision:
        (case,) = [c for c in cases if c.id == case_or_decision]
        context = dict(pair.split("=", 1) for pair in row["context"].split(";"))
        written = {True: "true", False: "false", None: "null"}  # the inputs are typed values; the rows write text
        assert {k: written.get(v, v) if isinstance(v, (bool, type(None))) else str(v)
                for k, v in case.inputs.items()} == context, row
        expected = case.results
    else:
        decision, expected = case_or_decision, {}
        for case in cases:
            expected.update(case.results)
    assert decision in expected, f"{file}: TCK {number} has no case {decision}"
    ours = row.get("result") or row["expected"]
    theirs = {True: "true", False: "false", None: "null"}[expected[decision]]
    if "(TCK:" in row["note"]:  # the row says why dtrun's S-FEEL answer differs from the FEEL expression's
        return
    assert ours == theirs or (theirs == "null" and ours == "false" and "unary_tests" in row), row
