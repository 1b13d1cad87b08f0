"""The commands on a workbook with a list input (``list of string``): ``show`` names the type,
``lint`` finds the gap of a list column (and says a list without allowed values is not
analysed), ``explain`` shows the list as a list, ``test`` reads a list from the Tests sheet,
and an unknown Type cell suggests the list spellings."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from helpers import make_workbook

from engine.cli import main

INPUTS = [("signs", "list of string", '"Fever","Cough","Rash"', "no"), ("age", "number", None, "no")]
TABLES = {"t": ("U", ["signs", "out"], "io", None, [["R1", '"Fever"', '"a"'], ["R2", 'not("Fever", "Cough")', '"b"']])}
TESTS = [["case", "signs", "t.out"], [None, "input", "expected"], ["fever", "Fever; Cough", "a"],
         ["none", "[]", "b"], ["rash", '["Rash"]', "b"]]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_show_names_the_list_type(tmp_path: Path) -> None:
    code, out = _run("show", str(make_workbook(tmp_path, inputs=INPUTS, tables=TABLES)))
    assert code == 0 and "│ signs │ list of string │" in out


def test_lint_finds_the_gap_of_a_list_column(tmp_path: Path) -> None:
    code, out = _run("lint", str(make_workbook(tmp_path, inputs=INPUTS, tables=TABLES)))
    assert 'error[gap]: no rule matches records with signs holds "Cough" and holds none of "Fever"' in out
    assert code == 1


def test_lint_says_a_list_without_allowed_values_is_not_analysed(tmp_path: Path) -> None:
    inputs = [("signs", "list of string", None, "no"), ("age", "number", None, "no")]
    code, out = _run("lint", str(make_workbook(tmp_path, inputs=inputs, tables=TABLES)))
    assert "info[not-analysed]: overlap and gap checks skip column signs: it holds lists" in out
    assert "gap" not in out.replace("overlap and gap checks", "").replace("overlaps and gaps", "")


def test_explain_shows_the_list(tmp_path: Path) -> None:
    code, out = _run("explain", str(make_workbook(tmp_path, inputs=INPUTS, tables=TABLES)), "--set",
                     "signs=Fever; Rash")
    assert code == 0 and 'signs = ["Fever", "Rash"]' in out and "matched: rule R1" in out


def test_the_tests_sheet_gives_lists(tmp_path: Path) -> None:
    code, out = _run("test", str(make_workbook(tmp_path, inputs=INPUTS, tables=TABLES, tests=TESTS)))
    assert code == 0, out


def test_an_unknown_type_suggests_the_list_spellings(tmp_path: Path) -> None:
    inputs = [("signs", "list of strings", None, "no")]
    code, out = _run("lint", str(make_workbook(tmp_path, inputs=inputs, tables=TABLES)))
    assert "input signs has unknown type 'list of strings'" in out and "or list of one of the first five" in out
