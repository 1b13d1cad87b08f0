"""A DAK decision-logic workbook read into a model: its Decision ID blocks found in every shape
(several per sheet, headings in any order, a merged or blank-continued Input(s) heading, cells
merged over rule rows), conditions regrouped by data element, a row with OR across cells made
one rule per alternative, and every finding placed at the DAK's own sheet, cell, rule and table."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.dak import block, write_dak

from engine.analysis.lint import lint_workbook
from engine.formats import kind_of, read
from engine.formats.dak.blocks import find_blocks, spread_merges
from engine.formats.xlsx.layout import INPUT_HEADINGS

HEADINGS = ["Input(s)", None, "Output", "Action", "Annotation(s)", "Reference(s)"]


def _dak(tmp_path: Path, rules: list[list[object]], headings: list[str | None] = HEADINGS, **kwargs: object) -> Path:
    rows = [[None], *block("ANC.DT.01 Danger signs", headings, rules)]
    return write_dak(tmp_path / "dak.xlsx", {"COVER": [["Digital adaptation kit for antenatal care (a test)"]],
                                              "ANC.DT.01 Danger signs": rows}, **kwargs)


def test_a_dak_is_told_from_a_dtrun_workbook(tmp_path: Path) -> None:
    from helpers import EXAMPLE_WORKBOOK

    assert kind_of(_dak(tmp_path, [['"Danger signs" = "Fever"', None, "Refer", "Referral", None, None]])) == "dak"
    assert kind_of(EXAMPLE_WORKBOOK) == "xlsx"
    (tmp_path / "not.xlsx").write_bytes(b"not a zip")
    assert kind_of(tmp_path / "not.xlsx") == "xlsx"  # the workbook reader explains what is wrong


def test_conditions_are_regrouped_by_data_element_into_one_column_each(tmp_path: Path) -> None:
    path = _dak(tmp_path, [
        ['"Danger signs" = "Fever"', "-", "Refer", "Referral", "a note", "IMPAC"],
        ['"Age" > 19', '"Danger signs" = "Labour"', "Refer", "Referral", None, None],  # the other order
        ['13 weeks ≤ "Gestational age" < 28 weeks', "-", "Proceed", "Proceed", None, None],
    ])
    model = read(path, recover=True)
    table = model.tables[0]
    assert [c.name for c in table.inputs] == ["Danger_signs", "Age", "Gestational_age"]
    assert [o.name for o in table.outputs] == ["Output", "Action"]
    assert [a.name for a in table.annotations] == ["Guidance", "Reference"]
    assert [r.id for r in table.rules] == ["R6", "R7", "R8"]  # the DAK sheet's rows
    cells = [[t.text for t in r.inputs] for r in table.rules]
    assert cells == [['"Fever"', "-", "-"], ['"Labour"', "> 19", "-"], ["-", "-", "[13..28)"]]
    assert model.source.name(table.name) == "ANC.DT.01" and model.source.name("Danger_signs") == "Danger signs"
    assert model.source.table_name(table.name) == "ANC.DT.01"
    assert model.about["Title"].startswith("Digital adaptation kit")
    assert [i.type for i in model.inputs.values()] == ["string", "number", "number"]  # as the cells show


def test_a_row_with_or_across_elements_becomes_exclusive_rules_per_alternative(tmp_path: Path) -> None:
    path = _dak(tmp_path, [['"Danger signs" = "Labour" OR "Age" > 19', None, "Refer", "Referral", None, None],
                           ['"Danger signs" = "Fever" OR "Labour"', '"Age" ≤ 19', "Stay", "Stay", None, None],
                           ['"Age" > 19 AND "Parity" > 2 OR "Danger signs" = "Fever"', None, "Look", "Look", None,
                            None]])
    table = read(path, recover=True).tables[0]
    assert [(r.id, [t.text for t in r.inputs]) for r in table.rules] == [  # by hand: R6b only where R6a is not
        ("R6a", ['"Labour"', "-", "-"]), ("R6b", ['not("Labour")', "> 19", "-"]),
        ("R7", ['"Fever", "Labour"', "<= 19", "-"]),
        ("R8a", ["-", "> 19", "> 2"]),  # R8b: "Fever" where R8a is not: age not > 19, or it is and parity not > 2
        ("R8b1", ['"Fever"', "<= 19, null", "-"]), ("R8b2", ['"Fever"', "> 19", "<= 2, null"])]


def test_findings_name_the_dak_sheet_cell_rule_and_decision_id(tmp_path: Path) -> None:
    path = _dak(tmp_path, [
        ['"Danger signs" = "Fever"', None, "Refer", "Referral", None, None],
        ['"Danger signs" = "Fever"', None, "Proceed", "Proceed", None, None],  # overlaps R6, other outputs
        ['Danger signs" = "Labour"', None, "Refer", "Referral", None, None],  # no opening quote
        ['60 bpm > "Pulse rate" > 100 bpm', None, "Refer", "Referral", None, None],
    ])
    findings = lint_workbook(path)
    by_code = {f.code: f for f in findings}
    syntax = by_code["dak-syntax"]
    assert (syntax.sheet, syntax.cells, syntax.table, syntax.severity) == (
        "ANC.DT.01 Danger signs", ("B8",), "ANC.DT.01", "error")
    assert "opening quote" in syntax.message + syntax.hint and "R8" in syntax.message
    conflict = by_code["conflict"]
    assert (conflict.severity, conflict.rules, conflict.cells[0], conflict.table) == (
        "warning", ("R6", "R7"), "B6", "ANC.DT.01")
    unsatisfiable = by_code["unsatisfiable"]
    assert (unsatisfiable.cells, unsatisfiable.table) == (("B9",), "ANC.DT.01") and "R9" in unsatisfiable.message
    gap = by_code["gap"]
    assert gap.severity == "warning" and gap.cells[0] == "B5"  # the Input(s) heading
    # the unreadable rule is out of the checks, which still run on the rest (the conflict above)
    assert not any("R8" in f.rules for f in findings)


def test_several_blocks_per_sheet_in_any_column_order_and_merged_headings(tmp_path: Path) -> None:
    first = block("ANC.DT.07 Ultrasound", ["Output", "Input(s)", "Input(s)", "Annotations"], [
        ["Scan", '"Ultrasound required" = TRUE', '"Gestational age" < 24 weeks', "n"],
        ["No scan", '"Ultrasound required" = FALSE', None, None]])
    second = block("ANC.DT.08 HIV testing", ["Inputs", None, None, "Reference(s)", "Output", "Action"], [
        ['"HIV status" = "Unknown"', '"Population prevalence of HIV" ≥ 5%', None, "ref", "Test", "Do a test"],
        ['"HIV status" = "Positive"', None, None, "ref", "No test", "Nothing"]])
    rows = [[None], *first, [None], [None], *second]
    sheet = "ANC.DT.07–08 Lab"
    path = write_dak(tmp_path / "dak.xlsx", {sheet: rows},
                     merges={sheet: ["C5:D5", "B13:D13", "E14:E15"]})  # heading B13:D13 over three columns
    model = read(path, recover=True)
    names = {model.source.name(t.name): t for t in model.tables}
    assert set(names) == {"ANC.DT.07", "ANC.DT.08"}
    ultrasound, hiv = names["ANC.DT.07"], names["ANC.DT.08"]
    assert [c.name for c in ultrasound.inputs] == ["Ultrasound_required", "Gestational_age"]
    assert [c.name for c in hiv.inputs] == ["HIV_status", "Population_prevalence_of_HIV"]
    assert [r.id for r in hiv.rules] == ["R14", "R15"]
    # a value merged over rule rows (E14:E15, the Reference(s) column) is every row's
    assert [r.annotations for r in hiv.rules] == [("ref",), ("ref",)]
    assert model.source.place(hiv.name, "A4") == (sheet, "B14")
    assert model.source.place(ultrasound.name, "B1") == (sheet, "C5")  # the merged Input(s) heading


def test_blocks_found_and_merges_spread_on_plain_rows() -> None:
    rows = [[None, "Decision ID", "X.DT.1 One"], [None, "Trigger", "t"], [None, "Input(s)", None, "Output"],
            [None, '"A" = TRUE', None, "yes"], [None, None, None, "also"], [None], [None, "note"]]
    origin = spread_merges(rows, [(4, 2, 5, 2)])
    (found,) = find_blocks("s", rows, origin)
    assert (found.decision_id, found.title, found.id_cell) == ("X.DT.1", "One", "B1")
    assert [c.role for c in found.columns] == ["input", "input", "output"]
    assert [(r.row, r.cells[0].ref) for r in found.rules] == [(4, "B4"), (5, "B4")]  # the merged cell's origin


def test_hidden_sheets_and_blocks_without_an_id_are_noted_not_read(tmp_path: Path) -> None:
    rules = [['"A" = TRUE', "yes"]]
    path = write_dak(tmp_path / "dak.xlsx", {
        "README": block("The name of the decision table, e.g. ANC.DT.01", ["Input(s)", "Output"], rules),
        "Dev": block("ANC.DT.01 copy", ["Input(s)", "Output"], rules),
        "ANC.DT.01 A": block("ANC.DT.01 A", ["Input(s)", "Output"], rules),
        "FP.LO": block("FP.LO.004 B", ["Input(s)", "Output"], rules)}, hidden=["FP.LO"])
    model = read(path, recover=True)
    assert [model.source.name(t.name) for t in model.tables] == ["ANC.DT.01"]
    assert model.source.place(model.tables[0].name)[0] == "ANC.DT.01 A"  # the sheet named for it, not Dev
    skipped = sorted(w.sheet for w in model.warnings if w.code == "dak-skipped")
    assert skipped == ["Dev", "FP.LO", "README"]


def test_the_inputs_sheet_holds_the_data_elements(tmp_path: Path) -> None:
    path = _dak(tmp_path, [['"Danger signs" = "Fever"', '"Pallor present" = TRUE', "Refer", "R", None, None]])
    from engine.formats.dak.reader import read_dak

    document, _ = read_dak(path, recover=True)
    assert document.sheets["Inputs"][0] == list(INPUT_HEADINGS)
    assert [row[:2] for row in document.sheets["Inputs"][1:]] == [["Danger_signs", "string"],
                                                                   ["Pallor_present", "boolean"]]
    counts = document.counts[0]
    assert (counts.rules, counts.condition_cells, counts.read, counts.dtrun_rules) == (1, 2, 2, 1)


@pytest.mark.parametrize("text", ['"Age" > 19 AND', '"A" = ', 'Has he ever beaten you?'])
def test_a_cell_that_cannot_be_read_is_counted_with_its_reason(tmp_path: Path, text: str) -> None:
    from engine.formats.dak.reader import read_dak

    path = _dak(tmp_path, [[text, None, "x", "y", None, None], ['"A" = TRUE', None, "x", "z", None, None]])
    document, model = read_dak(path, recover=True)
    counts = document.counts[0]
    assert (counts.condition_cells, counts.read, sum(counts.not_read.values())) == (2, 1, 1)
    assert [r.id for r in model.tables[0].rules] == ["R7"]
    assert [w.cell for w in model.warnings if w.code == "dak-syntax"] == ["B6"]


def test_a_dak_goes_through_the_safe_opening_of_any_workbook(tmp_path: Path) -> None:
    from engine._core.errors import WorkbookError
    from engine.formats.xlsx.limits import Limits

    path = _dak(tmp_path, [['"Danger signs" = "Fever"', None, "Refer", "Referral", None, None]])
    with pytest.raises(WorkbookError) as refused:
        read(path, Limits(max_rows=3), recover=True)
    assert refused.value.problems[0].code == "unreadable" and "rows" in refused.value.problems[0].message


def test_an_error_value_in_a_condition_cell_is_not_read_as_any_value(tmp_path: Path) -> None:
    import openpyxl

    path = _dak(tmp_path, [['"Danger signs" = "Fever"', None, "Refer", "Referral", None, None],
                           ['"Danger signs" = "Labour"', None, "Refer", "Referral", None, None]])
    book = openpyxl.load_workbook(path)
    cell = book[book.sheetnames[1]]["B7"]
    cell.value, cell.data_type = "#REF!", "e"
    book.save(path)
    model = read(path, recover=True)
    assert [r.id for r in model.tables[0].rules] == ["R6"]
    assert [(w.code, w.cell) for w in model.warnings] == [("dak-syntax", "B7")]


def test_the_dak_words_fill_in_the_same_placeholders_as_the_workbooks() -> None:
    from engine.formats.dak.words import DAK_WORDS
    from engine.formats.xlsx.words import WORKBOOK_WORDS
    from engine.model.source import Words

    assert Words.placeholders(DAK_WORDS) == Words.placeholders(WORKBOOK_WORDS)
