"""Names in other scripts (issue 17, item 11): letters of any script are kept in identifiers
and column names; only characters that cannot be in a name are replaced.  A DMN model named
in French or Russian, its workbook, and a workbook written so by hand all load and run."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import dmn, make_workbook, write

import engine
from engine.analysis.lint import lint_workbook
from engine.feel.conditions import compile_unary_tests
from engine.feel.syntax import IDENTIFIER, identifier
from engine.formats import convert


@pytest.mark.parametrize("text, name", [
    ("Logique de décision 1", "Logique_de_décision_1"),
    ("страна", "страна"),
    ("体重 (kg)", "体重_kg"),
    ("COVID-19", "COVID_19"),
    ("Approved/Declined", "Approved_Declined"),
    ("1st line", "x_1st_line"),
    ("not", "not_"),
    ("e\u0301tat", "état"),  # a decomposed é, as some tools write it: one letter
    ("¿?", "x"),
])
def test_identifier_keeps_letters_of_every_script(text, name):
    assert identifier(text) == name and IDENTIFIER.fullmatch(name)


def test_cells_name_inputs_in_other_scripts():
    test = compile_unary_tests("> âge_minimum, < страна.возраст", {"âge_minimum", "страна.возраст"})
    assert test.names == {"âge_minimum", "страна.возраст"}
    assert test.matches(30, {"âge_minimum": 18, "страна.возраст": 65})
    assert not compile_unary_tests("-").names  # keywords still are keywords
    with pytest.raises(engine.ConditionError):
        compile_unary_tests("> 1âge", {"âge"})  # a name still does not start with a digit


MODEL = dmn(
    '<inputData id="i1" name="страна"><variable name="страна" typeRef="string"/></inputData>'
    '<inputData id="i2" name="âge"><variable name="âge" typeRef="number"/></inputData>'
    '<decision id="d1" name="Logique de décision 1"><decisionTable id="t1" hitPolicy="UNIQUE">'
    '<input id="c1"><inputExpression typeRef="string"><text>страна</text></inputExpression></input>'
    '<input id="c2"><inputExpression typeRef="number"><text>âge</text></inputExpression></input>'
    '<output id="o1" name="résultat" typeRef="string"/>'
    '<rule id="r1"><inputEntry><text>"FR"</text></inputEntry><inputEntry><text>&gt;= 18</text></inputEntry>'
    '<outputEntry><text>"majeur"</text></outputEntry></rule>'
    '<rule id="r2"><inputEntry><text>"FR"</text></inputEntry><inputEntry><text>&lt; 18</text></inputEntry>'
    '<outputEntry><text>"mineur"</text></outputEntry></rule></decisionTable></decision>')


def test_a_dmn_model_named_in_other_scripts_keeps_its_names_through_a_workbook(tmp_path: Path):
    model = engine.load(write(tmp_path, MODEL))
    assert set(model.inputs) == {"страна", "âge"} and model.tables[0].name == "Logique_de_décision_1"
    result = engine.evaluate(model, {"страна": "FR", "âge": "30"})
    assert result["Logique_de_décision_1.résultat"] == "majeur"
    convert(tmp_path / "model.dmn", tmp_path / "model.xlsx")
    again = engine.load(tmp_path / "model.xlsx")  # the workbook convert writes loads as it is
    assert set(again.inputs) == {"страна", "âge"} and [t.name for t in again.tables] == ["Logique_de_décision_1"]
    assert engine.evaluate(again, {"страна": "FR", "âge": 12})["Logique_de_décision_1.résultat"] == "mineur"
    convert(tmp_path / "model.xlsx", tmp_path / "back.dmn")
    assert 'name="Logique de décision 1"' in (tmp_path / "back.dmn").read_text(encoding="utf-8")


def test_a_workbook_named_in_other_scripts_lints_and_evaluates(tmp_path: Path):
    from click.testing import CliRunner

    from engine.cli import main

    path = make_workbook(tmp_path, inputs=[("страна", "string"), ("âge", "number")],
                         tables={"décision": ("U", ["страна", "âge", "résultat"], "iio", None,
                                              [["R1", '"FR"', ">= 18", '"majeur"'], ["R2", '"FR"', "< 18", '"mineur"']])})
    findings = lint_workbook(path)
    assert {f.code for f in findings} == {"gap"}  # countries other than FR, and missing values: nothing else
    patients = tmp_path / "p.csv"
    patients.write_text("страна,âge\nFR,40\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(path), str(patients), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    header, row = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert "décision.résultat" in header and "majeur" in row


def test_characters_that_cannot_be_in_a_name_are_still_refused(tmp_path: Path):
    path = make_workbook(tmp_path, inputs=[("poids (kg)", "number")],
                         tables={"t": ("U", ["poids (kg)", "o"], "io", None, [["R1", "-", '"x"']])})
    with pytest.raises(engine.WorkbookError) as error:
        engine.load(path)
    assert any("e.g. poids_kg" in p.hint for p in error.value.problems)
