"""``engine.formats.xlsx.new`` and ``dtrun new``: the starter workbook passes lint and its own tests
under every hit policy, carries drop-down lists, frozen headers, widths and help comments
that the loader never reads, and an existing file is only replaced with --force."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import engine
from engine.analysis.lint import lint_workbook
from engine.cli import main
from engine.formats.xlsx.build import load_workbook
from engine.formats.xlsx.new import EXAMPLE_RULES, HELP, AuthoringError, new_workbook
from engine.formats.xlsx.safety import read_workbook
from engine.model.hit_policy import CODES
from engine.review.testing import run_tests


@pytest.mark.parametrize("policy", CODES)
def test_the_starter_passes_lint_and_its_tests_under_every_hit_policy(tmp_path: Path, policy: str):
    path = new_workbook(tmp_path / "guide.xlsx", table="first_step", hit_policy=policy)
    assert lint_workbook(path) == []  # no error, warning or note
    model = load_workbook(path)
    report = run_tests(model, list(model.tests))
    assert (report.passed, report.failed, report.uncovered) == (len(EXAMPLE_RULES), 0, {})
    (table,) = model.tables
    assert (table.name, str(table.hit_policy), model.version) == ("first_step", policy, "0.1.0")


def test_each_test_record_fires_only_its_own_rule(tmp_path: Path):
    model = load_workbook(new_workbook(tmp_path / "guide.xlsx", hit_policy="C"))
    for case, rule in zip(model.tests, EXAMPLE_RULES):
        assert list(engine.evaluate(model, case.inputs).rules["recommendation"]) == [rule.id]


def test_excel_aids(tmp_path: Path):
    book = openpyxl.load_workbook(new_workbook(tmp_path / "guide.xlsx"))
    assert book.sheetnames == ["About", "Inputs", "recommendation", "Tests", "_dtrun_lists"]  # its lists: hidden
    table, inputs, tests = book["recommendation"], book["Inputs"], book["Tests"]
    assert (table.freeze_panes, inputs.freeze_panes, tests.freeze_panes) == ("B4", "B2", "B3")
    lists = {(sheet.title, str(v.sqref)): v.formula1 for sheet in book for v in sheet.data_validations.dataValidation}
    assert lists[("recommendation", "A1")].startswith('"U,A,P,F,R,O,C,C+,C<,C>,C#')
    assert lists[("recommendation", "B2:AY2")] == '"input,output,annotation"'
    assert lists[("Inputs", "B2:B500")] == ('"number,integer,string,boolean,date,date and time,time,days and time '
                                            'duration,years and months duration,structure,list of number,list of '
                                            'integer,list of string,list of boolean,list of date"')
    assert lists[("Inputs", "D2:D500")] == '"yes,no"'
    assert table["A1"].comment is not None and "Hit policy" in table["A1"].comment.text
    assert all(cell.comment is not None for cell in inputs[1])
    assert inputs.column_dimensions["G"].width >= 40


def test_help_texts_are_comments_never_cells_the_loader_reads(tmp_path: Path):
    loaded = read_workbook(new_workbook(tmp_path / "guide.xlsx"))
    texts = {str(value) for rows in loaded.sheets.values() for row in rows for value in row if value is not None}
    assert not texts & set(HELP.values())


def test_an_existing_file_is_replaced_only_with_force(tmp_path: Path):
    path = tmp_path / "guide.xlsx"
    path.write_bytes(b"my work")
    with pytest.raises(AuthoringError, match="exists already"):
        new_workbook(path)
    assert path.read_bytes() == b"my work"
    new_workbook(path, force=True)
    assert load_workbook(path).tables


@pytest.mark.parametrize("name, table, policy, message", [
    ("guide.xls", "t", "U", "must end in .xlsx"),
    ("guide.xlsx", "first line", "U", "cannot be a table name"),
    ("guide.xlsx", "_notes", "U", "cannot be a table name"),
    ("guide.xlsx", "Inputs", "U", "cannot be a table name"),
    ("guide.xlsx", "t" * 32, "U", "cannot be a table name"),
    ("guide.xlsx", "t", "UNIQ", "not a hit policy"),
    ("missing/guide.xlsx", "t", "U", "does not exist"),
])
def test_bad_requests_are_refused(tmp_path: Path, name: str, table: str, policy: str, message: str):
    with pytest.raises(AuthoringError, match=message):
        new_workbook(tmp_path / name, table=table, hit_policy=policy)
    assert not (tmp_path / name).exists()


def test_long_hit_policy_names_are_accepted(tmp_path: Path):
    model = load_workbook(new_workbook(tmp_path / "guide.xlsx", hit_policy="collect sum"))
    assert str(model.tables[0].hit_policy) == "C+"


def test_new_command_then_lint_and_test_pass(tmp_path: Path):
    path = str(tmp_path / "guide.xlsx")
    runner = CliRunner()
    created = runner.invoke(main, ["new", path, "--table", "dose", "--hit-policy", "F"])
    assert created.exit_code == 0 and "dtrun lint" in created.output
    assert runner.invoke(main, ["lint", path]).exit_code == 0
    tested = runner.invoke(main, ["test", path])
    assert tested.exit_code == 0 and "5 passed, 0 failed" in tested.output
    again = runner.invoke(main, ["new", path])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(main, ["new", path, "--force"]).exit_code == 0
    assert runner.invoke(main, ["new", str(tmp_path / "x.xlsx"), "--hit-policy", "Q"]).exit_code == 2
