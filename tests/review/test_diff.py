"""``engine.review.diff`` and ``dtrun diff``: structural changes (About, inputs, tables, rules cell by
cell, tests), the semantic regions from ``engine.analysis.behaviour`` on the issue's fixture pairs
(checked against evaluating both versions record by record), the text, markdown and json
forms, and the exit statuses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import make_workbook, model_for

import engine
from engine.cli import main
from engine.feel.conditions import compile_unary_tests
from engine.review.diff import CHANGED, WorkbookDiff, compare
from engine.review.diff_render import box_text, render

INPUTS = [("months", "number", "[0..100]", "yes"), ("hr", "string", '"positive","negative"', "yes")]
LINE = [["L1", "< 12", '"second"', "Ref A"], ["L2", ">= 12", '"first"', "Ref B"]]


def line_model(rules: list[list[Any]] = LINE, policy: str = "U", headings: tuple[str, ...] = ("months", "line"),
               roles: str = "ioa", allowed: list[Any] | None = None, **parts: Any) -> Any:
    parts.setdefault("inputs", INPUTS)
    return model_for(tables={"line": (policy, [*headings, "Reference"], roles, allowed, rules)}, **parts)


# ---------------------------------------------------------------------- structural
def test_identical_workbooks_have_no_changes():
    result = compare(line_model(), line_model())
    assert not result.changed and not result.changes_behaviour
    assert "same content" in render(result)


def test_a_changed_cell_is_reported_with_its_rule_column_and_cells():
    rules = [["L1", "< 12", '"second"', "Ref A"], ["L2", "-", '"first"', "Ref B"]]
    (table,) = compare(line_model(), line_model(rules)).tables
    (rule,) = table.rules
    (cell,) = rule.cells
    assert (table.name, rule.id, rule.status) == ("line", "L2", CHANGED)
    assert (cell.what, cell.old, cell.new, cell.old_cell, cell.new_cell) == ("months", ">= 12", "-", "B5", "B5")


@pytest.mark.parametrize("months, line", [("<12", '"second"'), ("< 12", "\u201csecond\u201d"), ("< 12", '"second" ')])
def test_a_respelling_that_means_the_same_is_no_change(months: str, line: str):
    rules = [["L1", months, line, "Ref A"], LINE[1]]
    assert not compare(line_model(), line_model(rules)).changed


def test_allowed_values_respaced_are_no_change():
    respaced = [(name, kind, allowed.replace(",", ", "), required) for name, kind, allowed, required in INPUTS]
    assert not compare(line_model(), line_model(inputs=respaced)).changed


def test_rules_are_matched_by_id_not_by_row():
    moved = [["L0", "< 0", '"none"', ""], *LINE]  # a rule inserted above: the others move down a row
    (table,) = compare(line_model(), line_model(moved)).tables
    assert [(r.id, r.status, r.new_row) for r in table.rules] == [("L0", "added", 4)]


@pytest.mark.parametrize("rules, expected", [
    ([LINE[0]], [("L2", "removed", 5, None)]),
    ([*LINE, ["L3", "-", '"x"', ""]], [("L3", "added", None, 6)]),
    ([LINE[1], LINE[0]], []),  # only the order changed
])
def test_rules_added_and_removed(rules: list[list[Any]], expected: list[tuple[Any, ...]]):
    (table,) = compare(line_model(), line_model(rules)).tables
    assert [(r.id, r.status, r.old_row, r.new_row) for r in table.rules] == expected


def test_a_changed_rule_order_is_reported():
    (table,) = compare(line_model(policy="F"), line_model([LINE[1], LINE[0]], policy="F")).tables
    assert [(c.what, c.old, c.new) for c in table.changes] == [("rule order", "L1, L2", "L2, L1")]


def test_hit_policy_and_allowed_values_changes():
    old = line_model(allowed=[None, '"second","first"'])
    new = line_model(policy="F", allowed=["[0..50]", '"first","second"'])
    (table,) = compare(old, new).tables
    assert [(c.what, c.old, c.new, c.new_cell) for c in table.changes] == [
        ("hit policy", "U", "F", "A1"), ("allowed values of months", "", "[0..50]", "B3"),
        ("allowed values of line", '"second","first"', '"first","second"', "C3")]


def test_annotation_changes_are_structural_only():
    rules = [["L1", "< 12", '"second"', "Ref A, updated"], LINE[1]]
    result = compare(line_model(), line_model(rules))
    (table,) = result.tables
    assert table.rules[0].cells[0].role == "annotation"
    assert not result.changes_behaviour


def test_an_added_input_column_shows_only_cells_that_are_not_any_value():
    rules = [["L1", "< 12", "-", '"second"', "Ref A"], ["L2", ">= 12", '"positive"', '"first"', "Ref B"]]
    (table,) = compare(line_model(), line_model(rules, headings=("months", "hr", "line"), roles="iioa")).tables
    assert table.columns_added == ("hr (input, column C)",)
    assert [(r.id, [(c.what, c.old, c.new) for c in r.cells]) for r in table.rules] == [
        ("L2", [("hr", "-", '"positive"')])]


def test_tables_inputs_about_and_tests_added_removed_changed():
    tests_old = [["case", "months", "line.line"], [None, "input", "expected"], ["T1", 3, "second"],
                 ["T2", 20, "first"]]
    tests_new = [["case", "months", "line.line"], [None, "input", "expected"], ["T1", 4, "second"],
                 ["T3", 50, "first"]]
    old = line_model(about={"Version": "1.0"}, tests=tests_old)
    extra = {"other": ("U", ["hr", "o"], "io", None, [["O1", "-", "1"]])}
    new = model_for(inputs=[INPUTS[0], ("hr", "string", '"positive","negative","unknown"', "no"),
                            ("age", "integer", None, "yes")],
                    tables={"line": ("U", ["months", "line", "Reference"], "ioa", None, LINE), **extra},
                    about={"Version": "1.1"}, tests=tests_new)
    result = compare(old, new)
    assert [(i.name, i.status, i.changes[0].old, i.changes[0].new) for i in result.about] == [
        ("Version", "changed", "1.0", "1.1")]
    assert [(i.name, i.status) for i in result.inputs] == [("hr", "changed"), ("age", "added")]
    assert [(c.what, c.old, c.new) for c in result.inputs[0].changes] == [
        ("allowed values", '"positive","negative"', '"positive","negative","unknown"'), ("required", "yes", "no")]
    assert [(t.name, t.status) for t in result.tables] == [("other", "added")]
    assert [(c.name, c.status) for c in result.tests] == [("T1", "changed"), ("T2", "removed"), ("T3", "added")]
    assert [(c.what, c.old, c.new) for c in result.tests[0].changes] == [("months", "3", "4")]
    assert result.changes_behaviour  # a table was added


# ---------------------------------------------------------------------- rendering (BehaviourChange-shaped)
@dataclass(frozen=True)
class FakeChange:
    table: str
    box: dict[str, str]
    example: dict[str, Any] = field(default_factory=dict)
    old: str = ""
    new: str = ""


CHANGE = FakeChange("line", {"months": "[10..12)", "hr": "-"}, {"months": 10, "hr": None},
                    'line = "second"', 'line = "first"')


@pytest.mark.parametrize("box, expected", [
    ({"months": "[10..12)", "hr": "-"}, "months [10..12)"),
    ({"months": "-", "hr": '"negative"'}, 'hr "negative"'),
    ({"months": "-"}, "every record"),
])
def test_box_text(box: dict[str, str], expected: str):
    assert box_text(box) == expected


def test_behaviour_in_text_markdown_and_json():
    result = WorkbookDiff("a.xlsx", "b.xlsx", behaviour=(CHANGE,))
    assert result.changes_behaviour
    text = render(result, "text")
    assert 'table line, records with months [10..12): line = "second" -> line = "first"' in text
    assert "e.g. months=10, hr=null" in text
    assert "1 region of the input space in 1 table now gets a different outcome" in text
    markdown = render(result, "markdown")
    assert '`months [10..12)`: `line = "second"` -> `line = "first"`' in markdown
    document = json.loads(render(result, "json"))
    assert document["changes_behaviour"] is True
    assert document["behaviour"] == [{"table": "line", "box": CHANGE.box, "example": CHANGE.example,
                                      "old": CHANGE.old, "new": CHANGE.new}]


def test_markdown_shows_cell_text_as_code_and_escapes_names():
    rules = [["L1", "< 12", '"a|b`c"', "<b>bold</b>"], LINE[1]]
    old = line_model(about={"Title": "x"})
    new = line_model(rules, about={"Title": "*x* <i>"})
    markdown = render(compare(old, new), "markdown")
    assert '``"a|b`c"``' in markdown and "`<b>bold</b>`" in markdown
    assert "- Title: `x` -> `*x* <i>`" in markdown


def test_without_the_semantic_comparison_rule_changes_count_as_behaviour():
    structural = compare(line_model(), line_model([["L1", "< 10", '"second"', "Ref A"], LINE[1]]))
    unknown = WorkbookDiff("a", "b", tables=structural.tables, semantic=False)
    assert unknown.changes_behaviour and "not compared" in render(unknown)
    notes_only = compare(line_model(), line_model([["L1", "< 12", '"second"', "Ref C"], LINE[1]]))
    assert not WorkbookDiff("a", "b", tables=notes_only.tables, semantic=False).changes_behaviour


# ---------------------------------------------------------------------- semantic: the fixture pairs
behaviour = pytest.importorskip("engine.analysis.behaviour")


def _outcome(model: Any, record: dict[str, Any]) -> tuple[Any, ...]:
    result = engine.evaluate(model, record)
    return result.outputs.get("line.line"), tuple(result.errors), tuple(result.warnings)


def _differing(old: Any, new: Any, months: list[float], hr: str = "positive") -> set[float]:
    return {m for m in months if _outcome(old, {"months": m, "hr": hr}) != _outcome(new, {"months": m, "hr": hr})}


MONTHS = [x / 4 for x in range(401)]  # 0, 0.25, ... 100: the whole allowed range, finely


def test_a_pure_rule_merge_is_no_change_in_behaviour():
    old = line_model([["L1", "[0..5]", '"a"', ""], ["L2", "(5..10]", '"a"', ""], ["L3", "> 10", '"b"', ""]])
    new = line_model([["L1", "[0..10]", '"a"', ""], ["L3", "> 10", '"b"', ""]])
    assert not _differing(old, new, MONTHS)  # the oracle agrees: it is a refactoring
    result = compare(old, new)
    assert result.tables and result.behaviour == () and not result.changes_behaviour
    assert "no change in behaviour" in render(result)


def test_a_changed_threshold_changes_exactly_the_band_between_old_and_new():
    old = line_model([["L1", "< 12", '"second"', ""], ["L2", ">= 12", '"first"', ""]])
    new = line_model([["L1", "< 10", '"second"', ""], ["L2", ">= 10", '"first"', ""]])
    differing = _differing(old, new, MONTHS)
    assert differing == {m for m in MONTHS if 10 <= m < 12}
    (change,) = compare(old, new).behaviour
    region = compile_unary_tests(change.box["months"])
    assert {m for m in MONTHS if region.matches(m)} == differing
    assert ("second" in change.old, "first" in change.new) == (True, True)
    assert 10 <= change.example["months"] < 12


def test_a_changed_output_changes_that_rules_region_with_old_and_new_outputs():
    old = line_model()
    new = line_model([["L1", "< 12", '"third"', "Ref A"], LINE[1]])
    (change,) = compare(old, new).behaviour
    assert {m for m in MONTHS if compile_unary_tests(change.box["months"]).matches(m)} == \
        _differing(old, new, MONTHS) == {m for m in MONTHS if m < 12}
    assert '"second"' in change.old and '"third"' in change.new


def test_an_added_input_column_changes_only_where_its_cells_split_a_rule():
    old = line_model()
    rules = [["L1", "< 12", "-", '"second"', ""], ["L2", ">= 12", '"positive"', '"first"', ""],
             ["L3", ">= 12", '"negative"', '"third"', ""]]
    new = line_model(rules, headings=("months", "hr", "line"), roles="iioa")
    assert not _differing(old, new, MONTHS, "positive")
    assert _differing(old, new, MONTHS, "negative") == {m for m in MONTHS if m >= 12}
    (change,) = compare(old, new).behaviour
    assert compile_unary_tests(change.box["hr"]).matches("negative")
    assert not compile_unary_tests(change.box["hr"]).matches("positive")
    assert '"third"' in change.new


# ---------------------------------------------------------------------- the command
def _books(tmp_path: Path, new_rules: list[list[Any]]) -> tuple[str, str]:
    tables = {"line": ("U", ["months", "line", "Reference"], "ioa", None, LINE)}
    old = make_workbook(tmp_path, "old.xlsx", inputs=INPUTS, tables=tables)
    changed = {"line": ("U", ["months", "line", "Reference"], "ioa", None, new_rules)}
    new = make_workbook(tmp_path, "new.xlsx", inputs=INPUTS, tables=changed)
    return str(old), str(new)


@pytest.mark.parametrize("new_rules, status", [
    (LINE, 0),
    ([["L1", "[0..12)", '"second"', "Ref A"], LINE[1]], 0),  # the same records (months >= 0)
    ([["L1", "< 10", '"second"', "Ref A"], ["L2", ">= 10", '"first"', "Ref B"]], 1),
])
def test_exit_status_says_whether_behaviour_changed(tmp_path: Path, new_rules: list[list[Any]], status: int):
    old, new = _books(tmp_path, new_rules)
    result = CliRunner().invoke(main, ["diff", old, new])
    assert result.exit_code == status, result.output


def test_diff_formats_and_output_file(tmp_path: Path):
    old, new = _books(tmp_path, [["L1", "< 10", '"second"', "Ref A"], ["L2", ">= 10", '"first"', "Ref B"]])
    out = tmp_path / "diff.json"
    result = CliRunner().invoke(main, ["diff", old, new, "--format", "json", "-o", str(out)])
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(out.read_text(encoding="utf-8"))["behaviour"][0]["box"] == {"months": "[10..12)"}
    markdown = CliRunner().invoke(main, ["diff", old, new, "--format", "markdown"])
    assert markdown.output.startswith("# dtrun diff") and "## Behaviour" in markdown.output


def test_an_unusable_workbook_exits_3_and_usage_errors_exit_2(tmp_path: Path):
    old, _ = _books(tmp_path, LINE)
    broken = make_workbook(tmp_path, "broken.xlsx", inputs=INPUTS,
                           tables={"line": ("UNIQ", ["months", "line"], "io", None, [["L1", "-", '"a"']])})
    result = CliRunner().invoke(main, ["diff", old, str(broken)])
    assert result.exit_code == 3 and "broken.xlsx:line!A1" in result.output
    assert CliRunner().invoke(main, ["diff", old]).exit_code == 2
    assert CliRunner().invoke(main, ["diff", old, old, "--format", "xml"]).exit_code == 2
