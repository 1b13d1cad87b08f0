"""``dtrun lint``: one workbook per finding code, chained tables, the order of findings,
and the command (exit statuses, folders, formats)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import ROOT, make_workbook, sheets_for

from engine._core.errors import WorkbookError
from engine.analysis.findings import CODES, SEVERITIES, Finding
from engine.analysis.lint import lint_model, lint_workbook
from engine.cli import main
from engine.formats import paths as workbook_paths
from engine.formats.xlsx.build import build_model

N = ("n", "integer", "[0..4]", "yes")
S = ("s", "string", '"a","b","c"', "yes")
HER2 = ("her2", "string", '"positive","negative"', "yes")


def lint(inputs: Any = (N,), **tables: Any) -> list[Finding]:
    """Lint the model of ``sheets_for(inputs, tables)``; loader problems become findings, as in lint_workbook."""
    try:
        model = build_model("w.xlsx", sheets_for(inputs=inputs, tables=tables))
    except WorkbookError as error:
        return [Finding.from_problem(p) for p in error.problems]
    return lint_model(model)


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def one(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, f"expected one {code}, got:\n" + "\n".join(map(str, findings))
    return found[0]


def assert_severity(finding: Finding) -> None:
    assert finding.severity == CODES[finding.code][0]


CLEAN = {"t": ("U", ["n", "o"], "io", None, [["R1", "< 2", '"low"'], ["R2", ">= 2", '"high"']])}


# ---------------------------------------------------------------------- clean
def test_a_clean_table_has_no_findings():
    assert lint(**CLEAN) == []


# ---------------------------------------------------------------------- well-formedness
def test_syntax(tmp_path: Path):
    # (a text starting with = would become an Excel formula, so the classic "=> 2" cannot be written)
    path = make_workbook(tmp_path, inputs=[N], tables={"t": ("U", ["n", "o"], "io", None, [["R1", "[1..4", '"x"']])})
    finding = one(lint_workbook(path), "syntax")
    assert (finding.workbook, finding.sheet, finding.cells) == (str(path), "t", ("B4",))
    assert "[1..4" in finding.message and "close it" in finding.hint
    assert_severity(finding)


def test_formula_cell_without_a_value_is_reported(tmp_path: Path):
    path = make_workbook(tmp_path, inputs=[N], tables={"t": ("U", ["n", "o"], "io", None,
                                                             [["R1", "=> 2", '"x"'], ["R2", "< 2", '"y"']])})
    findings = lint_workbook(path)
    assert any(f.cells == ("B4",) and f.severity == "error" for f in findings), findings


def test_workbook_problems_are_all_reported_with_their_cells(tmp_path: Path):
    tables = {"t": ("U", ["nn", "o"], "io", None, [["R1", "2", '"x"'], ["R1", "3", '"y"']]),
              "p": ("P", ["n", "o"], "io", None, [["P1", "-", '"x"']]),
              "q": ("X", ["n", "o"], "io", None, [["Q1", "-", '"x"']])}
    findings = [f for f in lint_workbook(make_workbook(tmp_path, inputs=[N], tables=tables)) if f.severity != "info"]
    assert set(codes(findings)) == {"workbook"}
    where = {(f.sheet, f.cells) for f in findings}
    assert ("t", ("B1",)) in where  # heading that names nothing
    assert ("t", ("A5",)) in where  # duplicate rule id
    assert ("p", ("C3",)) in where  # P without priorities
    assert ("q", ("A1",)) in where  # not a hit policy
    heading = next(f for f in findings if f.cells == ("B1",))
    assert heading.hint == "did you mean n?"
    assert all(f.severity == "error" for f in findings)


def test_cycle_is_a_workbook_error():
    findings = lint(**{"a": ("U", ["b.y", "x"], "io", None, [["A1", "-", "1"]]),
                       "b": ("U", ["a.x", "y"], "io", None, [["B1", "-", "1"]])})
    assert "workbook" in codes(findings)
    assert any("cycle" in f.message for f in findings)


def test_aggregation_over_several_outputs():
    findings = lint(t=("C+", ["n", "o", "p"], "ioo", None, [["R1", "-", "1", "2"]]))
    finding = one(findings, "workbook")
    assert finding.cells == ("A1",) and "exactly one output" in finding.message


@pytest.mark.parametrize("content", [b"not a zip file", b""])
def test_unreadable(tmp_path: Path, content: bytes):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    (finding,) = lint_workbook(path)
    assert (finding.code, finding.severity, finding.workbook, finding.sheet) == ("unreadable", "error", str(path), "")


def test_missing_file_is_unreadable(tmp_path: Path):
    (finding,) = lint_workbook(tmp_path / "nope.xlsx")
    assert finding.code == "unreadable" and "not found" in finding.message


# ---------------------------------------------------------------------- types and values
def test_type_mismatch_in_an_input_cell():
    findings = lint(t=("U", ["n", "o"], "io", None, [["R1", '"2"', '"x"'], ["R2", "-", '"y"']]))
    finding = one(findings, "type-mismatch")
    assert (finding.cells, finding.rules) == (("B4",), ("R1",))
    assert "whole numbers" in finding.message and '"2"' in finding.message
    assert_severity(finding)


def test_ordering_test_on_a_boolean_is_a_type_mismatch():
    findings = lint(inputs=[("f", "boolean", None, "yes")],
                    t=("U", ["f", "o"], "io", None, [["R1", "< true", '"x"'], ["R2", "-", '"y"']]))
    assert one(findings, "type-mismatch").cells == ("B4",)


def test_type_mismatch_message_is_true():
    findings = lint(inputs=[("n", "integer", "[0..4]", "no")],
                    t=("U", ["n", "o"], "io", None, [["R1", 'not("a")', '"x"'], ["R2", '"a", 2', '"y"']]))
    for finding in findings:
        if finding.code == "type-mismatch":
            assert "never match" not in finding.message, str(finding)


def test_value_not_allowed_suggests_the_close_value():
    findings = lint(inputs=[HER2], t=("U", ["her2", "o"], "io", None,
                                      [["R1", '"postive"', '"x"'], ["R2", '"negative"', '"y"']]))
    finding = one(findings, "value-not-allowed")
    assert (finding.cells, finding.rules, finding.severity) == (("B4",), ("R1",), "error")
    assert finding.hint == 'did you mean "positive"?'
    assert '"postive"' in finding.message and "her2" in finding.message
    # R1 can never fire, so "positive" is a gap too
    assert one(findings, "gap").box == {"her2": '"positive"'}


def test_value_outside_row_3_of_the_column():
    findings = lint(t=("U", ["n", "o"], "io", ["[0..2]", None], [["R1", "4", '"x"'], ["R2", "-", '"y"']]))
    assert one(findings, "value-not-allowed").cells == ("B4",)


def test_null_in_a_required_input_is_not_allowed():
    findings = lint(t=("U", ["n", "o"], "io", None, [["R1", "null", '"x"'], ["R2", "-", '"y"']]))
    assert one(findings, "value-not-allowed").cells == ("B4",)


def test_null_in_an_optional_input_is_fine():
    findings = lint(inputs=[("n", "integer", "[0..4]", "no")],
                    t=("U", ["n", "o"], "io", None, [["R1", "null", '"x"'], ["R2", "not(null)", '"y"']]))
    assert findings == []


def test_output_value_not_allowed():
    findings = lint(t=("U", ["n", "o"], "io", [None, '"yes","no"'], [["R1", "< 2", '"yse"'], ["R2", ">= 2", '"no"']]))
    finding = one(findings, "value-not-allowed")
    assert (finding.cells, finding.rules) == (("C4",), ("R1",))
    assert finding.hint == 'did you mean "yes"?' and "output" in finding.message


def test_collect_sum_over_text():
    findings = lint(t=("C+", ["n", "o"], "io", None, [["R1", "-", '"x"'], ["R2", "< 2", "3"]]))
    finding = one(findings, "type-mismatch")
    assert (finding.cells, finding.rules) == (("C4",), ("R1",))
    assert "C+" in finding.message


def test_collect_min_over_booleans():
    findings = lint(t=("C<", ["n", "o"], "io", None, [["R1", "-", "true"]]))
    assert one(findings, "type-mismatch").cells == ("C4",)


def test_unused_input():
    findings = lint(inputs=[N, ("weight", "number", None, "yes"), ("unused", "string", None, "no")],
                    t=("U", ["n", "o"], "io", None, [["R1", "< 2", "weight * 2"], ["R2", ">= 2", "1"]]))
    finding = one(findings, "unused-input")  # weight is used by an output cell
    assert (finding.sheet, finding.cells, finding.severity) == ("Inputs", ("A4",), "warning")
    assert "unused" in finding.message


def test_empty_table():
    findings = lint(t=("U", ["n", "o"], "io", None, []))
    finding = one(findings, "empty-table")
    assert (finding.sheet, finding.cells, finding.severity) == ("t", ("A4",), "error")
    assert "gap" not in codes(findings)


def test_not_analysed_when_a_cell_names_another_input():
    findings = lint(inputs=[N, ("m", "integer", "[0..4]", "yes")],
                    t=("U", ["n", "m", "o"], "iio", None, [["R1", "> m", "-", '"x"'], ["R2", "-", "-", '"y"']]))
    finding = one(findings, "not-analysed")
    assert (finding.cells, finding.rules, finding.severity) == (("B4",), ("R1",), "info")
    assert codes(findings) == ["not-analysed"]  # R1 and R2 overlap, but the table is not analysed


# ---------------------------------------------------------------------- overlaps
def test_overlap_is_one_maximal_group_with_an_example():
    findings = lint(t=("U", ["n", "o"], "io", None, [["R1", "-", '"x"'], ["R2", "< 3", '"y"'],
                                                     ["R3", "> 1", '"z"']]))
    group = one(findings, "overlap")  # not the pairs R1-R2 and R1-R3, which are part of it
    assert group.rules == ("R1", "R2", "R3")
    assert group.box == {"n": "2"} and group.example == {"n": 2}
    assert group.cells == ("A4", "A5", "A6") and group.severity == "error"
    assert "R1, R2 and R3" in group.message


def test_overlap_involving_the_missing_value():
    findings = lint(inputs=[("n", "integer", "[0..4]", "no")],
                    t=("U", ["n", "o"], "io", None, [["R1", "< 2, null", '"x"'], ["R2", "not(< 2)", '"y"'],
                                                     ["R3", "null", '"z"']]))
    finding = one(findings, "overlap")
    assert finding.rules == ("R1", "R3") and finding.box == {"n": "null"} and finding.example == {"n": None}


def test_no_overlap_finding_for_multi_hit_policies():
    for policy in ("R", "O", "C", "C#"):
        rules = [["R1", "-", '"x"'], ["R2", "< 3", '"y"']]
        allowed = [None, '"x","y"'] if policy == "O" else None
        assert lint(t=(policy, ["n", "o"], "io", allowed, rules)) == [], policy


def test_conflict_only_when_outputs_differ():
    findings = lint(t=("A", ["n", "o"], "io", None, [["R1", "< 3", '"x"'], ["R2", "[1..3]", '"x"'],
                                                     ["R3", "4", '"y"'], ["R4", ">= 4", '"x"']]))
    finding = one(findings, "conflict")  # R1 and R2 overlap too, with the same output
    assert finding.rules == ("R3", "R4") and finding.example == {"n": 4} and finding.box == {"n": "4"}
    assert "different outputs" in finding.message


def test_masked_rule_first_hit():
    findings = lint(t=("F", ["n", "o"], "io", None, [["R1", "< 3", '"x"'], ["R2", "[1..2]", '"y"'],
                                                     ["R3", "-", '"z"']]))
    masked = one(findings, "masked-rule")
    assert (masked.cells, masked.rules) == (("A5", "A4"), ("R1", "R2"))
    assert "R2" in masked.message.split(":")[0] and "earlier" in masked.message
    partly = one(findings, "partly-masked-rule")
    assert partly.cells[0] == "A6" and partly.severity == "info"


def test_masked_rule_priority():
    findings = lint(t=("P", ["n", "o"], "io", [None, '"urgent","routine"'],
                       [["R1", "< 3", '"routine"'], ["R2", "-", '"urgent"']]))
    masked = one(findings, "masked-rule")
    assert masked.cells[0] == "A4" and "higher-priority" in masked.message


# ---------------------------------------------------------------------- gaps
def test_gap_boxes_are_few_large_and_in_the_table_notation():
    findings = lint(inputs=[N, S], t=("U", ["n", "s", "o"], "iio", None,
                                      [["R1", "< 2", '"a"', '"x"'], ["R2", "-", 'not("a")', '"y"']]))
    gap = one(findings, "gap")
    assert gap.box == {"n": "[2..4]", "s": '"a"'} and gap.example == {"n": 2, "s": "a"}
    assert gap.cells == ("B1", "C1") and gap.rules == ()


def test_gap_on_a_string_without_allowed_values_is_any_other_value():
    findings = lint(inputs=[("s", "string", None, "yes")],
                    t=("U", ["s", "o"], "io", None, [["R1", '"a"', '"x"'], ["R2", '"b"', '"y"']]))
    gap = one(findings, "gap")
    assert gap.box == {"s": 'not("a", "b")'}
    assert gap.message == "no rule matches records whose s is a text that no rule names (s has no allowed values, " \
                          "so any text can come)"
    assert gap.example["s"] not in ("a", "b") and isinstance(gap.example["s"], str)


def test_gap_of_the_missing_value():
    findings = lint(inputs=[("s", "string", '"a","b"', "no")],
                    t=("F", ["s", "o"], "io", None, [["R1", '"a"', '"x"'], ["R2", '"b"', '"y"']]))
    gap = one(findings, "gap")
    assert gap.box == {"s": "null"} and gap.example == {"s": None}


def test_a_whole_domain_gap_says_so():
    findings = lint(inputs=[N, S], t=("F", ["n", "s", "o"], "iio", None, [["R1", "5", "-", '"x"']]))
    gap = one(findings, "gap")
    assert gap.box == {"n": "-", "s": "-"} and gap.cells == ("A1",)


def test_collect_tables_have_no_gaps():
    for policy in ("C", "C+", "C<", "C>", "C#"):
        assert "gap" not in codes(lint(t=(policy, ["n", "o"], "io", None, [["R1", "< 2", "1"]]))), policy


# ---------------------------------------------------------------------- redundancy
def test_subsumed_rule():
    findings = lint(t=("A", ["n", "o"], "io", None, [["R1", "[1..2]", '"x"'], ["R2", "< 3", '"x"'],
                                                     ["R3", ">= 3", '"y"']]))
    finding = one(findings, "subsumed-rule")
    assert (finding.cells, finding.rules, finding.severity) == (("A4", "A5"), ("R1", "R2"), "warning")
    assert finding.hint == "delete rule R1"


def test_identical_rules_one_is_subsumed_not_both():
    findings = lint(t=("A", ["n", "o"], "io", None, [["R1", "< 3", '"x"'], ["R2", "< 3", '"x"'],
                                                     ["R3", ">= 3", '"y"']]))
    assert one(findings, "subsumed-rule").cells[0] == "A4"


def test_mergeable_rules():
    findings = lint(inputs=[N, S], t=("U", ["n", "s", "o"], "iio", None,
                                      [["R1", "< 2", '"a"', '"x"'], ["R2", "[2..3]", '"a"', '"x"'],
                                       ["R3", "-", 'not("a")', '"y"'], ["R4", "4", '"a"', '"y"']]))
    finding = one(findings, "mergeable-rules")
    assert (finding.rules, finding.severity) == (("R1", "R2"), "info")
    assert finding.hint.endswith("n = [0..3]")


def test_hidden_row_is_reported(tmp_path: Path):
    import openpyxl

    path = make_workbook(tmp_path, inputs=[N], tables=CLEAN)
    book = openpyxl.load_workbook(path)
    book["t"].row_dimensions[5].hidden = True
    book.save(path)
    finding = one(lint_workbook(path), "hidden")
    assert finding.sheet == "t" and finding.severity == "warning"


# ---------------------------------------------------------------------- chained tables
UP_RULES = [["U1", "< 2", '"x"'], ["U2", ">= 2", '"y"']]
UP_WITH_GAP = [["U1", "< 2", '"x"'], ["U2", "[2..3]", '"y"']]
DOWN = ("U", ["up.out", "d"], "io", None, [["D1", '"x"', "1"], ["D2", '"y"', "2"]])


def test_upstream_output_domain_is_the_values_its_rules_give():
    assert lint(up=("U", ["n", "out"], "io", None, UP_RULES), down=DOWN) == []


def test_upstream_output_domain_is_row_3_when_given():
    findings = lint(up=("U", ["n", "out"], "io", [None, '"x","y","z"'], UP_RULES), down=DOWN)
    gap = one(findings, "gap")
    assert (gap.sheet, gap.box) == ("down", {"up.out": '"z"'})


def test_upstream_gap_makes_the_missing_value_part_of_the_domain():
    findings = lint(up=("U", ["n", "out"], "io", None, UP_WITH_GAP), down=DOWN)
    gaps = {f.sheet: f.box for f in findings if f.code == "gap"}
    assert gaps == {"up": {"n": "4"}, "down": {"up.out": "null"}}


def test_upstream_null_output_is_part_of_the_domain():
    findings = lint(up=("U", ["n", "out"], "io", None, UP_WITH_GAP + [["U3", "4", "null"]]), down=DOWN)
    assert {f.sheet: f.box for f in findings if f.code == "gap"} == {"down": {"up.out": "null"}}


def test_downstream_value_the_upstream_cannot_give():
    findings = lint(up=("U", ["n", "out"], "io", None, UP_RULES),
                    down=("U", ["up.out", "d"], "io", None, [["D1", '"x"', "1"], ["D2", '"y"', "2"],
                                                             ["D3", '"z"', "3"]]))
    finding = one(findings, "value-not-allowed")
    assert (finding.sheet, finding.cells) == ("down", ("B6",))


def test_upstream_by_its_plain_output_name_and_in_any_sheet_order():
    down = ("U", ["out", "d"], "io", None, [["D1", '"x"', "1"]])
    findings = lint(down=down, up=("U", ["n", "out"], "io", None, UP_RULES))
    assert one(findings, "gap").box == {"out": '"y"'}


def test_upstream_list_output_is_not_analysed():
    findings = lint(up=("C", ["n", "out"], "io", None, UP_RULES), down=DOWN)
    finding = one(findings, "not-analysed")
    assert (finding.sheet, finding.cells) == ("down", ("B1",))


# ---------------------------------------------------------------------- order
MESSY = {"b": ("U", ["n", "o"], "io", None, [["B1", "< 3", '"x"'], ["B2", "> 1", '"y"'], ["B3", '"q"', '"z"']]),
         "a": ("F", ["n", "s", "o"], "iio", None, [["A1", "-", '"a"', '"x"'], ["A2", "< 2", '"a"', '"y"'],
                                                     ["A3", "1", '"d"', '"z"']])}


def _position(finding: Finding) -> tuple[Any, ...]:
    cell = finding.cells[0] if finding.cells else "A0"
    column, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
    return (finding.workbook, finding.sheet, int(row), len(column), column)


def test_findings_are_sorted_by_place_and_stable():
    findings = lint(inputs=[N, S, ("unused", "integer", None, "no")], **MESSY)
    assert len(findings) >= 6
    positions = [_position(f) for f in findings]
    assert positions == sorted(positions)
    reordered = lint(inputs=[N, S, ("unused", "integer", None, "no")], **dict(reversed(MESSY.items())))
    assert [str(f) for f in findings] == [str(f) for f in reordered]
    assert [(f.example, f.box) for f in findings] == [(f.example, f.box) for f in reordered]


def test_findings_are_unique():
    findings = lint(inputs=[N, S], **MESSY)
    assert len({str(f) for f in findings}) == len(findings)


# ---------------------------------------------------------------------- the command
def _run(*args: str) -> Any:
    return CliRunner().invoke(main, ["lint", *args])


@pytest.fixture
def clean_book(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "clean.xlsx", inputs=[N], tables=CLEAN)


@pytest.fixture
def error_book(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "error.xlsx", inputs=[N], tables={
        "t": ("U", ["n", "o"], "io", None, [["R1", "< 3", '"x"'], ["R2", "> 1", '"y"']])})


@pytest.fixture
def warning_book(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "warning.xlsx", inputs=[N, ("unused", "string", None, "no")], tables=CLEAN)


def test_cli_clean_exits_0(clean_book: Path):
    result = _run(str(clean_book))
    assert result.exit_code == 0, result.output
    assert result.output == "0 errors, 0 warnings, 0 notes\n"


def test_cli_error_exits_1(error_book: Path):
    result = _run(str(error_book))
    assert result.exit_code == 1
    assert f"{error_book}:t!A4: error[overlap]: rules R1 and R2" in result.output


def test_cli_warning_exits_0_but_1_with_strict(warning_book: Path):
    assert _run(str(warning_book)).exit_code == 0
    result = _run("--strict", str(warning_book))
    assert result.exit_code == 1 and "warning[unused-input]" in result.output


def test_cli_info_does_not_fail_even_with_strict(tmp_path: Path):
    book = make_workbook(tmp_path, inputs=[N], tables={"t": ("F", ["n", "o"], "io", None,
                                                             [["R1", "< 2", '"x"'], ["R2", "-", '"y"']])})
    result = _run("--strict", str(book))
    assert result.exit_code == 0 and "info[partly-masked-rule]" in result.output


def test_cli_unreadable_exits_2(tmp_path: Path, clean_book: Path):
    broken = tmp_path / "broken.xlsx"
    broken.write_text("hello")
    result = _run(str(clean_book), str(broken))
    assert result.exit_code == 2 and "error[unreadable]" in result.output


def test_cli_missing_file_exits_2(tmp_path: Path):
    assert _run(str(tmp_path / "missing.xlsx")).exit_code == 2


def test_cli_folder_without_workbooks_exits_2(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("x")
    result = _run(str(tmp_path))
    assert result.exit_code == 2 and "no .xlsx workbook" in result.output


def test_cli_no_arguments_is_a_usage_error():
    assert _run().exit_code == 2


def test_cli_folder_skips_excel_lock_files(tmp_path: Path):
    folder = tmp_path / "tables"
    (folder / "sub").mkdir(parents=True)
    make_workbook(folder, "a.xlsx", inputs=[N], tables=CLEAN)
    make_workbook(folder / "sub", "b.xlsx", inputs=[N], tables=CLEAN)
    (folder / "~$a.xlsx").write_bytes(b"\x00lock")  # what Excel leaves while a.xlsx is open
    assert [p.name for p in workbook_paths([folder])] == ["a.xlsx", "b.xlsx"]
    result = _run(str(folder))
    assert result.exit_code == 0, result.output


def test_cli_folder_with_only_a_lock_file_exits_2(tmp_path: Path):
    (tmp_path / "~$a.xlsx").write_bytes(b"\x00lock")
    assert _run(str(tmp_path)).exit_code == 2


def test_cli_json_keys(error_book: Path):
    result = _run("--format", "json", str(error_book))
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)
    assert set(finding) == {"severity", "code", "workbook", "sheet", "table", "cells", "rules", "message", "example",
                            "box", "hint", "waived", "waiver"}
    assert finding["table"] == "t"
    assert finding["severity"] == "error" and finding["code"] == "overlap"
    assert finding["workbook"] == str(error_book) and finding["sheet"] == "t"
    assert finding["cells"] == ["A4", "A5"] and finding["rules"] == ["R1", "R2"]
    assert finding["example"] == {"n": 2} and finding["box"] == {"n": "2"}


def test_cli_json_example_and_box_are_null_when_not_applicable(warning_book: Path):
    (finding,) = json.loads(_run("--format", "json", str(warning_book)).output)
    assert finding["example"] is None and finding["box"] is None and finding["rules"] == []


def test_cli_json_of_a_clean_workbook_is_an_empty_array(clean_book: Path):
    assert json.loads(_run("--format", "json", str(clean_book)).output) == []


def test_cli_output_file(tmp_path: Path, error_book: Path):
    out = tmp_path / "report.sarif"
    result = _run("--format", "sarif", "-o", str(out), str(error_book))
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_cli_annotate_writes_comments(tmp_path: Path, error_book: Path):
    import openpyxl

    out = tmp_path / "annotated.xlsx"
    result = _run("--annotate", str(out), str(error_book))
    assert result.exit_code == 1, result.output
    comment = openpyxl.load_workbook(out)["t"]["A4"].comment
    assert comment is not None and "overlap" in comment.text


def test_shipped_decision_tables_have_no_errors():
    folder = ROOT / "decision_tables"
    if not any(folder.glob("*.xlsx")):
        pytest.skip("no workbook in decision_tables/")
    result = _run("--format", "json", str(folder))
    findings = json.loads(result.output)
    errors = [f for f in findings if f["severity"] == "error"]
    assert not errors, errors
    assert result.exit_code == 0


def test_every_code_has_a_severity_and_a_doc_entry():
    assert all(severity in SEVERITIES for severity, _ in CODES.values())
    doc = ROOT / "docs" / "lint.md"
    text = doc.read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in text, f"docs/lint.md does not document {code}"


def test_cli_folder_lints_dmn_models_too(tmp_path: Path):
    from engine.formats.dmn.export import write_dmn
    from engine.formats.xlsx.build import load_workbook

    folder = tmp_path / "tables"
    folder.mkdir()
    source = make_workbook(tmp_path, "src.xlsx", inputs=[N], tables=CLEAN)
    write_dmn(load_workbook(source), folder / "model.dmn")
    make_workbook(folder, "a.xlsx", inputs=[N], tables=CLEAN)
    assert [p.name for p in workbook_paths([folder])] == ["a.xlsx", "model.dmn"]
    result = _run(str(folder))
    assert result.exit_code == 0, result.output


def test_an_upstream_table_is_listed_before_the_tables_it_feeds():
    """A gap in z_band (upstream) leaves a_plan (downstream, first by name) a missing value:
    the cause is listed first."""
    findings = lint(inputs=[N],
                    z_band=("U", ["n", "band"], "io", [None, '"lo","hi"'], [["B1", "< 2", '"lo"'], ["B2", "> 2", '"hi"']]),
                    a_plan=("U", ["band", "plan"], "io", None, [["P1", '"lo"', '"x"'], ["P2", '"hi"', '"y"']]))
    gaps = [f.sheet for f in findings if f.code == "gap"]
    assert gaps == ["z_band", "a_plan"]
