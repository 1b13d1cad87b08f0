"""``dtrun lint`` and ``dtrun evaluate`` on DMN files, in DMN terms (engine.formats.dmn.words, engine.evaluation.binding).

The DMN documents are written here in code.  Each finding of a DMN file must point at a DMN
element (decision, rule, inputEntry/outputEntry, input clause, inputData) and speak DMN; the
checks themselves are those of workbooks (tests/test_lint.py), so the findings of the file
are compared with the findings ``lint_model`` makes of the same model at sheet cells.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ITEMS, clause, decision, dmn, rule, write

import engine
from engine._core.errors import InputDataError
from engine.analysis.findings import Finding
from engine.analysis.lint import lint_model, lint_workbook
from engine.cli import main
from engine.evaluation.binding import as_input_names, input_columns
from engine.formats.dmn.importer import build_dmn_model, read_dmn
from engine.formats.dmn.workbook import write_workbook
from engine.review.report import render

AGE_BAND = decision(
    "d_band", "Age Band", 'hitPolicy="UNIQUE"', clause("c_age", "Person age"),
    '<output id="o_band" name="band"><outputValues><text>"child","adult"</text></outputValues></output>',
    rule("r1", ["&lt; 18"], ['"child"']) + rule("r2", ["&gt;= 16"], ['"adult"']) + rule("r3", ["150"], ['"adult"'])
    + rule("r4", ["&gt;= 20"], ['"senior"']))
BLOOD = decision(
    "d_blood", "Blood Group", 'hitPolicy="FIRST"', clause("c_blood", "Blood type", "Blood"),
    '<output id="o_g" name="group" typeRef="string"/>',
    rule("b1", ['"A","B"'], ['"x"']) + rule("b2", ['"A"'], ['"x"']) + rule("b3", ['"Q"'], ['"y"'])
    + rule("b4", ["true"], ['"z"']))
SCORE = decision(
    "d_sum", "Score", 'hitPolicy="COLLECT" aggregation="SUM"', clause("c_s", "Person age") + clause("c_m", "Min age"),
    '<output id="o_s" name="points"/>', rule("s1", ["&gt;= Min age", "-"], ['"many"']))
NEXT = decision(
    "d_next", "Next Step", 'hitPolicy="UNIQUE"', clause("c_n", "Age Band"), '<output id="o_n" name="step"/>',
    rule("n1", ['"child"'], ['"paediatrics"']) + rule("n2", ['"adult"'], ['"clinic"']))
MODEL = dmn(ITEMS + AGE_BAND + BLOOD + SCORE + NEXT)

# (code, DMN element, its parts) of every finding: worked out by hand from the tables above
# (Blood type is required: its allowedValues do not allow null)
EXPECTED = {
    ("gap", 'decision "Age Band" (id d_band)', ('input 1 "Person age" (id c_age)',)),
    ("overlap", 'decision "Age Band" (id d_band)', ("rule 1 (id r1)", "rule 2 (id r2)")),
    ("overlap", 'decision "Age Band" (id d_band)', ("rule 2 (id r2)", "rule 4 (id r4)")),
    ("value-not-allowed", 'decision "Age Band" (id d_band)', ("rule 3 (id r3), inputEntry 1",)),
    ("value-not-allowed", 'decision "Age Band" (id d_band)', ("rule 4 (id r4), outputEntry 1",)),
    ("gap", 'decision "Blood Group" (id d_blood)', ('input 1 "Blood" (id c_blood)',)),
    ("mergeable-rules", 'decision "Blood Group" (id d_blood)', ("rule 1 (id b1)", "rule 2 (id b2)")),
    ("gap", 'decision "Next Step" (id d_next)', ('input 1 "Age Band" (id c_n)',)),
    ("masked-rule", 'decision "Blood Group" (id d_blood)', ("rule 2 (id b2)", "rule 1 (id b1)")),
    ("value-not-allowed", 'decision "Blood Group" (id d_blood)', ("rule 3 (id b3), inputEntry 1",)),
    ("type-mismatch", 'decision "Blood Group" (id d_blood)', ("rule 4 (id b4), inputEntry 1",)),
    ("not-analysed", 'decision "Score" (id d_sum)', ("rule 1 (id s1), inputEntry 1",)),
    ("type-mismatch", 'decision "Score" (id d_sum)', ("rule 1 (id s1), outputEntry 1",)),
    ("unused-input", 'inputData "Unused thing" (id i_unused)', ()),
}
WORKBOOK_WORDS = re.compile(r"\brow \d|\bsheet\b|\bInputs\b|\bcell\b|\b[A-Z]{1,3}[0-9]+\b")
IDENTIFIERS = ("Person_age", "Min_age", "Blood_type", "Unused_thing", "Age_Band", "Blood_Group", "Next_Step")


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    return write(tmp_path, MODEL)


def test_every_finding_points_at_a_dmn_element(model_path):
    found = {(f.code, f.sheet, f.cells) for f in lint_workbook(model_path)}
    assert found == EXPECTED


def test_the_same_findings_as_the_workbook_it_converts_to(model_path, tmp_path):
    """The checks are the workbook's: the DMN file and the workbook dtrun convert makes of it
    give the same findings (code, rules, severity), each at its own kind of place."""
    workbook = tmp_path / "model.xlsx"
    write_workbook(read_dmn(model_path), workbook)  # as dtrun convert would, were it not refused
    at_cells = lint_workbook(workbook)
    at_elements = lint_workbook(model_path)
    assert at_elements == lint_model(build_dmn_model(read_dmn(model_path)))
    assert sorted((f.code, f.rules, f.severity) for f in at_cells) == sorted(
        (f.code, f.rules, f.severity) for f in at_elements)
    assert {f.sheet for f in at_cells} == {"Age_Band", "Blood_Group", "Score", "Next_Step", "Inputs"}


@pytest.mark.parametrize("field", ["message", "hint", "cells", "sheet"])
def test_no_finding_speaks_of_sheets_rows_cells_or_dtrun_identifiers(model_path, field):
    for finding in lint_workbook(model_path):
        text = " ".join(getattr(finding, field)) if field == "cells" else getattr(finding, field)
        text = re.sub(r'"[^"]*"', '""', text)  # the DMN names and values quoted in the text
        assert not WORKBOOK_WORDS.search(text), (finding.code, text)
        assert not any(name in getattr(finding, field) for name in IDENTIFIERS), (finding.code, text)


@pytest.mark.parametrize("code, cells, words", [
    ("overlap", ("rule 1 (id r1)", "rule 2 (id r2)"), ["rules 1 and 2 can both", "hit policy UNIQUE",
                                                     "Person age [16..18)"]),
    ("masked-rule", ("rule 2 (id b2)", "rule 1 (id b1)"), ["rule 2 can never", "earlier rule 1 matches"]),
    ("value-not-allowed", ("rule 3 (id r3), inputEntry 1",), ["the input's allowed values (inputValues)",
                                                              "itemDefinition allowedValues", "Person age"]),
    ("value-not-allowed", ("rule 4 (id r4), outputEntry 1",), ["the output's allowed values (outputValues)"]),
    ("type-mismatch", ("rule 1 (id s1), outputEntry 1",), ["hit policy COLLECT SUM cannot add",
                                                           "COLLECT MIN and COLLECT MAX"]),
    ("not-analysed", ("rule 1 (id s1), inputEntry 1",), ["'>= Min age'"]),
    ("unused-input", (), ['inputData "Unused thing" is declared', "delete the inputData"]),
])
def test_messages_and_hints_speak_dmn(model_path, code, cells, words):
    (finding,) = [f for f in lint_workbook(model_path) if f.code == code and f.cells == cells]
    for word in words:
        assert word in finding.advice, (word, finding.advice)


def test_examples_and_boxes_are_keyed_by_dmn_names(model_path):
    gaps = [f for f in lint_workbook(model_path) if f.code == "gap"]
    assert {key for f in gaps for key in f.example} == {"Person age", "Blood type", "Age Band"}
    assert {key for f in gaps for key in f.box} == {"Person age", "Blood type", "Age Band"}


def test_the_text_report_names_file_decision_and_entry(model_path):
    report = render(lint_workbook(model_path), "text")
    assert f'{model_path}:decision "Age Band" (id d_band)!rule 3 (id r3), inputEntry 1: error[value-not-allowed]' \
        in report
    assert f'{model_path}:inputData "Unused thing" (id i_unused): warning[unused-input]' in report


def test_json_keeps_its_keys_and_sarif_names_elements(model_path, tmp_path):
    findings = lint_workbook(model_path)
    workbook_keys = set(Finding("error", "gap", "x.xlsx", "t", "m").as_json())
    assert all(set(entry) == workbook_keys for entry in json.loads(render(findings, "json")))
    results = json.loads(render(findings, "sarif"))["runs"][0]["results"]
    logical = [location for r in results for location in r["locations"][0]["logicalLocations"]]
    assert {location["kind"] for location in logical} == {"element", "table"}
    assert 'decision "Age Band" (id d_band)!rule 1 (id r1)' in {location["name"] for location in logical}
    tables = {location["name"] for location in logical if location["kind"] == "table"}
    assert "Age Band" in tables  # the decision's name
    assert {f.table for f in findings if f.sheet == 'decision "Age Band" (id d_band)'} == {"Age Band"}


def test_rules_are_sorted_by_their_number(tmp_path):
    rules = "".join(rule(f"r{n}", [f"{n}"], ['"x"']) for n in range(1, 12)) + rule("r12", ["11"], ['"y"'])
    path = write(tmp_path, dmn(ITEMS + decision("d", "Many", 'hitPolicy="UNIQUE"', clause("c", "Person age"),
                                                '<output id="o" name="out"/>', rules)))
    overlaps = [f for f in lint_workbook(path) if f.code == "overlap"]
    assert [f.cells for f in overlaps] == [("rule 11 (id r11)", "rule 12 (id r12)")]
    order = [f.cells[0] for f in lint_workbook(path) if f.sheet.startswith("decision") and f.cells]
    numbers = [int(re.match(r"(?:rule|input) (\d+)", c)[1]) + (100 if c.startswith("rule") else 0) for c in order]
    assert numbers == sorted(numbers)


def test_a_model_that_cannot_be_loaded_gives_its_problems_at_dmn_elements_then_the_rest(tmp_path):
    """Issue 21: the DMN reader recovers as the workbook reader does: the unreadable entry
    first, then what the rest of the model shows."""
    path = write(tmp_path, dmn(ITEMS + AGE_BAND.replace("&lt; 18", "=&lt; 18")))
    finding, *rest = [f for f in lint_workbook(path) if f.severity == "error"]
    assert (finding.code, finding.sheet, finding.cells) == ("syntax", 'decision "Age Band" (id d_band)',
                                                           ("rule 1 (id r1), inputEntry 1",))
    assert {f.code for f in rest} == {"overlap", "value-not-allowed"}
    assert all("rule 1 (id r1)" not in f.cells[0] for f in rest)  # the rule that cannot be read is in no overlap


def test_a_decision_table_without_rules_is_named_as_such(tmp_path):
    empty = decision("d_e", "Empty One", 'hitPolicy="UNIQUE"', clause("c", "Person age"), '<output id="o" name="out"/>',
                     "")
    (finding,) = [f for f in lint_workbook(write(tmp_path, dmn(ITEMS + empty))) if f.code == "empty-table"]
    assert (finding.sheet, finding.cells) == ('decision "Empty One" (id d_e)', ("decisionTable",))
    assert finding.advice == 'decision "Empty One" has a decision table without rules. Add rules to the decision table'


def test_rule_labels_name_the_rules(tmp_path):
    rules = rule("_1", ["&lt; 18"], ['"child"'], label="1") + rule("_2", ["&lt; 1000"], ['"adult"'], label="2")
    path = write(tmp_path, dmn(ITEMS + decision("d", "Labelled", 'hitPolicy="UNIQUE"', clause("c", "Person age"),
                                                '<output id="o" name="out"/>', rules)))
    (overlap,) = [f for f in lint_workbook(path) if f.code == "overlap"]
    assert overlap.cells == ("rule 1 (label 1)", "rule 2 (label 2)") and overlap.rules == ("1", "2")
    assert overlap.message.startswith("rules 1 and 2 can both match")  # numbers in sentences, labels in cells


def test_lint_cli_on_a_dmn_file(model_path):
    done = CliRunner().invoke(main, ["lint", "--format", "github", str(model_path)])
    assert done.exit_code == 1
    assert "::error file=" in done.output and "decision \"Age Band\" (id d_band)!rule 1 (id r1)" in done.output


# ---------------------------------------------------------------------- evaluate: DMN column names
@pytest.mark.parametrize("header", ["Person age,Blood type", "Person_age,Blood_type", "Person age,Blood_type"])
def test_evaluate_reads_columns_named_with_dmn_names_or_identifiers(tmp_path, header):
    band = decision("d_band", "Age Band", 'hitPolicy="FIRST"', clause("c_age", "Person age") + clause("c_b", "Blood type"),
                    '<output id="o_band" name="band"/>', rule("r1", ["&lt; 18", '"A"'], ['"child"'])
                    + rule("r2", ["&gt;= 18", '"B"'], ['"adult"']))
    source = write(tmp_path, dmn(ITEMS + band + NEXT))
    patients = tmp_path / "p.csv"
    patients.write_text(f"{header}\n5,A\n40,B\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    done = CliRunner().invoke(main, ["evaluate", str(source), str(patients), "-o", str(out)])
    assert done.exit_code == 0, done.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(",".join(f'"{h}"' for h in header.split(",")))  # the user's names are kept
    assert '"paediatrics"' in lines[1] and '"clinic"' not in lines[1]
    assert "has no column" not in done.output


def test_a_file_with_both_names_of_one_input_is_refused(model_path):
    model = build_dmn_model(read_dmn(model_path))
    with pytest.raises(InputDataError, match="two columns for input 'Person age'"):
        input_columns(model, ["Person age", "Person_age"])


def test_columns_are_found_under_either_name(model_path):
    model = build_dmn_model(read_dmn(model_path))
    found = input_columns(model, ["Person age", "Min_age", "other"])
    assert found == {"Person_age": "Person age", "Min_age": "Min_age"}
    assert as_input_names(["Person age", "Min_age", "other"], found) == ["Person_age", "Min_age", "other"]


def test_evaluate_frame_reads_dmn_named_columns_too(model_path):
    model = build_dmn_model(read_dmn(model_path))
    by_dmn_name = pd.DataFrame({"Person age": [5, 40], "Min_age": [18, 18], "Blood type": ["A", "O"]})
    by_identifier = by_dmn_name.rename(columns={"Person age": "Person_age"})
    a, b = engine.evaluate_frame(model, by_dmn_name), engine.evaluate_frame(model, by_identifier)
    assert list(a.columns[:3]) == ["Person age", "Min_age", "Blood type"]  # the caller's names are kept
    results = [c for c in b.columns if c not in by_identifier.columns]
    assert a[results].astype(str).equals(b[results].astype(str))
    assert not b["_errors"].astype(str).str.contains("Person_age: a value is required").any()
