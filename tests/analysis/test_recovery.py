"""Issue 21, item 1: one unreadable cell no longer hides every other finding.

A workbook is read with recovery (``read(path, recover=True)``): lint reports the loader's
problems first, then everything the rest of the workbook shows, and nothing false.  The
oracle for "nothing false": whatever the unreadable cell would say (a few valid texts put in
its place), every finding of the recovered model is also a finding of that workbook."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_workbook

from engine.analysis.lint import lint_workbook
from engine.cli import main
from engine.formats import read

INPUTS = [("age", "number", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "yes"),
          ("unused", "boolean", None, "no")]


def tables(b2: str = "[18..65]", p2_out: str = '"endocrine"', allowed: str = '"child","adult","senior"') -> dict:
    return {
        "band": ("U", ["age", "band"], "io", [None, allowed],
                 [["B1", "< 18", '"child"'], ["B2", b2, '"adult"'], ["B3", "> 65", '"senior"'],
                  ["B4", "[60..70]", '"senior"']]),
        "plan": ("U", ["band", "hr", "plan"], "iio", None,
                 [["P1", '"child"', "-", '"paediatric"'], ["P2", '"adult"', '"positive"', p2_out],
                  ["P3", '"senior"', '"negative"', '"chemo"']]),
    }


def workbook(tmp_path: Path, name: str = "w.xlsx", **changes: str) -> Path:
    return make_workbook(tmp_path, name, inputs=INPUTS, tables=tables(**changes))


def test_one_unreadable_cell_hides_nothing_else(tmp_path):
    good = lint_workbook(workbook(tmp_path, "good.xlsx"))
    bad = lint_workbook(workbook(tmp_path, "bad.xlsx", b2="[18..65"))
    assert bad[0].code == "syntax" and bad[0].cells == ("B5",)  # the root cause first
    rest = {(f.code, f.sheet, f.cells, f.message) for f in bad[1:]}
    assert {"overlap", "gap", "unused-input", "mergeable-rules"} <= {code for code, *_ in rest}
    assert rest <= {(f.code, f.sheet, f.cells, f.message) for f in good}
    assert len(bad) > 4  # it used to be 1


@pytest.mark.parametrize("meant", ["[18..65]", "-", "< 0", "> 200", "[18..30]", "[0..120]"])
def test_no_finding_of_the_recovered_model_depends_on_what_the_cell_would_say(tmp_path, meant):
    """A gap is the same gap; the rules of an overlap (or of any finding about rules) are among
    the rules of one finding of that code (rules that overlap are reported as maximal groups)."""
    bad = lint_workbook(workbook(tmp_path, "bad.xlsx", b2="[18..65"))
    written = lint_workbook(workbook(tmp_path, "meant.xlsx", b2=meant))

    def holds(finding) -> bool:
        if finding.code == "gap" or not finding.rules:
            return any((f.code, f.sheet, f.cells, f.message) == (finding.code, finding.sheet, finding.cells,
                                                                 finding.message) for f in written)
        return any(f.code == finding.code and set(finding.rules) <= set(f.rules) for f in written)

    assert not [str(f) for f in bad[1:] if not holds(f)]


def test_an_unreadable_output_cell_makes_no_downstream_gap(tmp_path):
    """P2's output stands as null in the model; the tables reading plan.plan are not told it may be null."""
    findings = lint_workbook(workbook(tmp_path, p2_out='"endo'))
    assert findings[0].code == "syntax"
    assert not any(f.code == "gap" and "null" in f.message for f in findings)


def test_a_gap_an_unreadable_allowed_values_cell_may_cause_says_so(tmp_path):
    path = make_workbook(tmp_path, "w.xlsx", inputs=[("n", "number", None, "yes")], tables={
        "t": ("U", ["n", "o"], "io", ["[0..10", None], [["R1", "[0..10]", '"x"']])})
    findings = lint_workbook(path)
    assert [f.code for f in findings][:1] == ["syntax"]
    (gap,) = [f for f in findings if f.code == "gap"]
    assert "(this may come from t!B3, which cannot be read" in gap.message


def test_a_clean_workbook_reads_the_same_with_recovery(tmp_path):
    path = workbook(tmp_path)
    plain, recovered = read(path), read(path, recover=True)
    from dataclasses import replace

    assert replace(recovered, source=plain.source) == plain and recovered.problems == () and not recovered.unbuilt


def test_evaluate_still_refuses_listing_every_problem_at_once(tmp_path):
    """Also the type contradictions of what could be read, which used to wait for the next run."""
    mixed = tables(b2="[18..65")
    mixed["plan"][4][0][2] = "true"  # a boolean test on a text input
    path = make_workbook(tmp_path, "w.xlsx", inputs=INPUTS, tables=mixed)
    patients = tmp_path / "p.csv"
    patients.write_text("age,hr\n40,positive\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(path), str(patients)])
    assert result.exit_code == 3
    assert "band!B5: error[syntax]" in result.stderr and "plan!C4: error[type-mismatch]" in result.stderr
    tested = CliRunner().invoke(main, ["test", str(path)])
    assert tested.exit_code == 3 and "error[type-mismatch]" in tested.stderr


def test_show_renders_what_it_can_with_the_broken_cell_marked(tmp_path):
    path = workbook(tmp_path, b2="[18..65")
    result = CliRunner().invoke(main, ["show", str(path), "--table", "band"])
    assert result.exit_code == 3
    assert "│ B2 │ ✗ [18..65 │" in result.stdout
    assert "cells that cannot be read" in result.stdout
    assert "band!B5: error[syntax]" in result.stderr
    page = CliRunner().invoke(main, ["show", str(path), "--format", "html"])
    assert page.exit_code == 3
    assert 'class="error"' in page.stdout and "✗ <code>[18..65</code>" in page.stdout
    assert "error[overlap]" in page.stdout  # the other findings are on the page too


def test_diff_compares_what_it_can_and_does_not_compare_the_broken_tables_behaviour(tmp_path):
    old, new = workbook(tmp_path, "old.xlsx"), workbook(tmp_path, "new.xlsx", b2="[18..65")
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 3
    assert "rule B2, column age (B5): [18..65] -> [18..65" in result.stdout
    assert "some cell of the table cannot be read" in result.stdout
    assert "new.xlsx:band!B5: error[syntax]" in result.stderr
    same = CliRunner().invoke(main, ["diff", str(new), str(new)])
    assert same.exit_code == 3 and "(not compared)" not in same.stdout
