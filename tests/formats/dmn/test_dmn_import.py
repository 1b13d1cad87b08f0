"""engine.formats.dmn.importer and ``dtrun convert``: DMN models read as workbooks, with DMN locations.

The DMN documents are written here in code (small, one feature each); the TCK files are
used in tests/test_tck.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import dmn, write

import engine
from engine import load_workbook
from engine._core.errors import WorkbookError
from engine.cli import main
from engine.formats.dmn.importer import read_dmn
from engine.formats.dmn.names import VERSIONS

AGE = '<inputData id="i_age" name="Age"><variable name="Age" typeRef="number"/></inputData>'
RULES = """
  <rule id="r1"><inputEntry><text>&gt;= 18</text></inputEntry><outputEntry><text>"adult"</text></outputEntry></rule>
  <rule id="r2"><inputEntry><text>&lt; 18</text></inputEntry><outputEntry><text>"child"</text></outputEntry></rule>"""



def table(name: str = "Age Band", rules: str = RULES, policy: str = 'hitPolicy="UNIQUE"', inputs: str = "",
          output: str = '<output id="o1" name="band" typeRef="string"/>', extra: str = "") -> str:
    inputs = inputs or '<input id="c1" label="Age"><inputExpression typeRef="number"><text>Age</text>' \
                       '</inputExpression></input>'
    return (f'<decision id="d_{name.replace(" ", "_")}" name="{name}">{extra}<decisionTable {policy}>{inputs}{output}'
            f'{rules}</decisionTable></decision>')



def problems(path: Path) -> list:
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path)
    return list(caught.value.problems)


# ---------------------------------------------------------------------- what is read
@pytest.mark.parametrize("version", ["1.3", "1.4", "1.5"])
def test_each_dmn_version_is_read_through_load_workbook(tmp_path, version):
    model = load_workbook(write(tmp_path, dmn(AGE + table(), version)))
    assert [t.name for t in model.tables] == ["Age_Band"]
    assert engine.evaluate(model, {"Age": "20"})["Age_Band.band"] == "adult"
    assert model.about["Title"] == "Test model"


def test_names_with_spaces_become_identifiers_in_headings_and_cells(tmp_path):
    chained = table("Ticket", rules='<rule id="t1"><inputEntry><text>"child"</text></inputEntry><outputEntry>'
                    '<text>5</text></outputEntry></rule>', inputs='<input id="c2" label="Age Band"><inputExpression>'
                    '<text>Age Band</text></inputExpression></input>', output='<output id="o2" name="price"/>')
    document = read_dmn(write(tmp_path, dmn(AGE + table() + chained)))
    assert document.decisions == {"Age Band": "Age_Band", "Ticket": "Ticket"}
    assert document.sheets["Ticket"][0] == ["U", "Age_Band.band", "price"]
    model = load_workbook(document.path)
    assert engine.evaluate(model, {"Age": "7"})["Ticket.price"] == 5


def test_a_single_unnamed_output_takes_the_decision_name(tmp_path):
    model = load_workbook(write(tmp_path, dmn(AGE + table(output='<output id="o1"/>'))))
    assert model.table("Age_Band").outputs[0].name == "Age_Band"


@pytest.mark.parametrize("policy, code", [('hitPolicy="FIRST"', "F"), ('hitPolicy="COLLECT" aggregation="SUM"', "C+"),
                                          ("", "U"), ('hitPolicy="RULE ORDER"', "R")])
def test_hit_policies_and_aggregations(tmp_path, policy, code):
    model = load_workbook(write(tmp_path, dmn(AGE + table(policy=policy, rules=RULES.replace('"adult"', "1").replace(
        '"child"', "2")))))
    assert model.table("Age_Band").hit_policy.code == code


def test_item_definitions_give_type_and_allowed_values(tmp_path):
    body = ('<itemDefinition name="tAge"><typeRef>number</typeRef><allowedValues><text>[0..120]</text>'
            '</allowedValues></itemDefinition>' + AGE.replace('typeRef="number"', 'typeRef="tAge"') + table())
    model = load_workbook(write(tmp_path, dmn(body)))
    assert (model.inputs["Age"].type, model.inputs["Age"].allowed.text) == ("number", "[0..120]")


# ---------------------------------------------------------------------- what is refused, and where
def test_a_syntax_error_names_the_rule_and_entry(tmp_path):
    path = write(tmp_path, dmn(AGE + table(rules=RULES.replace("&gt;= 18", "=&gt; 18"))))
    (problem,) = problems(path)
    assert (problem.code, problem.sheet, problem.cell) == ("syntax", 'decision "Age Band" (id d_Age_Band)',
                                                           "rule 1 (id r1), inputEntry 1")
    assert str(problem).startswith(
        f'{path}:decision "Age Band" (id d_Age_Band)!rule 1 (id r1), inputEntry 1: error[syntax]')


@pytest.mark.parametrize("body, element, what", [
    ('<businessKnowledgeModel id="b1" name="Fee table"/>', 'businessKnowledgeModel "Fee table" (id b1)',
     "businessKnowledgeModel"),
    ('<decisionService id="s1" name="Service"/>', 'decisionService "Service" (id s1)', "decisionService"),
    ('<decision id="d2" name="Total"><context/></decision>', 'decision "Total" (id d2)', "its logic is a context"),
    ('<decision id="d5" name="Blank"><literalExpression/></decision>', 'decision "Blank" (id d5)',
     "literal expression is empty"),
    ('<decision id="d3" name="Empty"/>', 'decision "Empty" (id d3)', "no decision logic"),
    (('<decision id="d4" name="Call"><knowledgeRequirement id="k1"><requiredKnowledge href="#b"/>'
      '</knowledgeRequirement><decisionTable/></decision>'), 'decision "Call" (id d4)', "business knowledge model"),
    ('<inputData id="i2" name="When"><variable name="When" typeRef="duration"/></inputData>',
     'inputData "When" (id i2)', "'duration'"),
    (('<itemDefinition name="tP" isCollection="true"><itemComponent name="x"><typeRef>number</typeRef>'
      '</itemComponent></itemDefinition>'  # a list of structures (one structure: structured inputs)
      '<inputData id="i3" name="P"><variable name="P" typeRef="tP"/></inputData>'), 'inputData "P" (id i3)',
     "is a list of structures"),
])
def test_unsupported_elements_are_errors_naming_id_and_name(tmp_path, body, element, what):
    found = [p for p in problems(write(tmp_path, dmn(AGE + table() + body))) if p.code == "dmn-unsupported"]
    assert [(p.sheet, what in p.message) for p in found] == [(element, True)]
    assert found[0].hint


# Adapted from real files: camunda/camunda-bpm-examples (dinnerDecisions.dmn, DMN 1.1), the KIE editor's
# airmiles tutorial (DMN 1.2), apache/incubator-kie-drools Dinner.dmn (Trisotech, DMN 1.2) and
# "Decide with symbols.dmn" (Trisotech, DMN 1.6).
@pytest.mark.parametrize("namespace", ["http://www.omg.org/spec/DMN/20151101/dmn.xsd",
                                       "http://www.omg.org/spec/DMN/20180521/MODEL/",
                                       "https://www.omg.org/spec/DMN/20240513/MODEL/"])
def test_dmn_1_1_1_2_and_1_6_files_are_read_too(tmp_path, namespace):
    text = dmn(AGE + table()).replace(VERSIONS["1.3"].model, namespace)
    model = load_workbook(write(tmp_path, text))
    assert engine.evaluate(model, {"Age": "20"})["Age_Band.band"] == "adult"


def test_an_untyped_input_data_takes_the_type_the_tables_read_it_with(tmp_path):
    untyped = '<inputData id="i_age" name="Age"><variable name="Age"/></inputData>'  # as Trisotech writes it
    model = load_workbook(write(tmp_path, dmn(untyped + table())))
    assert model.inputs["Age"].type == "number"
    assert engine.evaluate(model, {"Age": "7"})["Age_Band.band"] == "child"


def test_an_untyped_input_data_read_with_two_types_is_an_error_naming_it(tmp_path):
    untyped = '<inputData id="i_age" name="Age"><variable name="Age"/></inputData>'
    inputs = ('<input id="c1"><inputExpression typeRef="number"><text>Age</text></inputExpression></input>'
              '<input id="c2"><inputExpression typeRef="string"><text>Age</text></inputExpression></input>')
    rules = '<rule id="r1"><inputEntry><text>-</text></inputEntry><inputEntry><text>-</text></inputEntry>' \
            '<outputEntry><text>"x"</text></outputEntry></rule>'
    found = problems(write(tmp_path, dmn(untyped + table(inputs=inputs, rules=rules))))
    assert [(p.code, p.sheet) for p in found] == [("dmn-unsupported", 'inputData "Age" (id i_age)')]
    assert "number and string" in found[0].message and "typeRef" in found[0].hint


def test_an_untyped_input_data_no_table_reads_is_left_out_with_a_warning(tmp_path):
    shape = '<inputData id="i_s" name="Season"/>'  # Camunda Modeler: a shape on the diagram only
    model = load_workbook(write(tmp_path, dmn(AGE + table() + shape)))
    assert "Season" not in model.inputs
    assert [(w.code, w.sheet) for w in model.warnings] == [("dmn-ignored", 'inputData "Season" (id i_s)')]


def test_a_required_decisions_output_name_reads_its_result_as_camunda_does(tmp_path):
    # camunda-bpm-examples dinnerDecisions.dmn: Beverages reads desiredDish, the output of the required Dish
    dish = table("Dish", output='<output id="o1" name="desiredDish" typeRef="string"/>').replace(
        '"adult"', '"Stew"').replace('"child"', '"Steak"').replace('id="d_Dish"', 'id="dish"')
    drinks = table("Beverages", inputs='<input id="c1"><inputExpression typeRef="string"><text>desiredDish</text>'
                   '</inputExpression></input>', output='<output id="o2" name="beverages" typeRef="string"/>',
                   rules='<rule id="b1"><inputEntry><text>"Stew"</text></inputEntry><outputEntry><text>"Guiness"'
                         '</text></outputEntry></rule>',
                   extra='<informationRequirement><requiredDecision href="#dish"/></informationRequirement>')
    model = load_workbook(write(tmp_path, dmn(AGE + dish + drinks)))
    assert "desiredDish" not in model.inputs
    assert engine.evaluate(model, {"Age": "30"})["Beverages.beverages"] == "Guiness"


def test_an_empty_input_expression_says_so_and_names_the_camunda_input_variable(tmp_path):
    # Camunda Modeler 5 writes camunda:inputVariable beside an empty inputExpression
    inputs = ('<input id="c7" camunda:inputVariable="age"><inputExpression typeRef="number"><text></text>'
              '</inputExpression></input>')
    text = dmn(AGE + table(inputs=inputs), extra_ns='xmlns:camunda="http://camunda.org/schema/1.0/dmn"')
    (found,) = problems(write(tmp_path, text))
    assert (found.code, found.cell) == ("dmn-unsupported", "input 1 (id c7)")
    assert "no input expression" in found.message and "'age'" in found.message


def test_a_model_whose_decisions_are_all_refused_lists_only_why(tmp_path):
    bkm = ('<decision id="d1" name="Call"><knowledgeRequirement><requiredKnowledge href="#b1"/>'
           '</knowledgeRequirement><literalExpression><text>Fee(1)</text></literalExpression></decision>'
           '<businessKnowledgeModel id="b1" name="Fee"/>')
    found = problems(write(tmp_path, dmn(AGE + bkm)))
    assert sorted(p.code for p in found) == ["dmn-unsupported", "dmn-unsupported"]
    assert any("knowledgeRequirement of b1" in p.message for p in found)


def test_an_input_expression_that_is_not_a_name_is_an_error(tmp_path):
    """Unless it is an expression over input data (``Age * 2``: a computed input, test_dmn_computed.py)."""
    inputs = '<input id="c9" label="x"><inputExpression><text>Weight * 2</text></inputExpression></input>'
    found = problems(write(tmp_path, dmn(AGE + table(inputs=inputs))))
    assert [(p.code, p.cell) for p in found] == [("dmn-unsupported", 'input 1 "x" (id c9)')]


@pytest.mark.parametrize("text, message", [
    ("<definitions/>", "not a DMN 1.1 to 1.6 model"),
    ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "not a DMN 1.1 to 1.6 model"),
    ("<definitions", "not well-formed"),
    ('<!DOCTYPE d [<!ENTITY e "x">]><definitions/>', "DTD"),
])
def test_files_that_are_not_dmn_models_are_refused(tmp_path, text, message):
    (problem,) = problems(write(tmp_path, text))
    assert problem.code == "dmn" and message in problem.message


def test_documentation_elements_are_warnings_and_default_outputs_are_applied(tmp_path):
    output = '<output id="o1" name="band"><defaultOutputEntry><text>"unknown"</text></defaultOutputEntry></output>'
    body = AGE + table(output=output) + '<knowledgeSource id="k1" name="WHO"/>'
    model = load_workbook(write(tmp_path, dmn(body)))
    assert [(w.code, w.severity, w.sheet) for w in model.warnings] == [
        ("dmn-ignored", "warning", 'knowledgeSource "WHO" (id k1)')]
    assert model.tables[0].outputs[0].default.text == '"unknown"'


def test_an_input_without_input_data_is_taken_from_the_input_expression_with_a_warning(tmp_path):
    model = load_workbook(write(tmp_path, dmn(table())))
    assert model.inputs["Age"].type == "number"
    assert "has no inputData" in model.warnings[0].message


def test_rule_descriptions_and_annotation_entries_become_annotation_columns(tmp_path):
    rules = RULES.replace('<rule id="r1">', '<rule id="r1"><description>grown-up</description>').replace(
        "</outputEntry></rule>", '</outputEntry><annotationEntry><text>WHO</text></annotationEntry></rule>')
    model = load_workbook(write(tmp_path, dmn(AGE + table(rules=rules, output='<output name="band"/>'
                                                          '<annotation name="Reference"/>'))))
    band = model.table("Age_Band")
    assert [a.name for a in band.annotations] == ["Reference", "Description"]
    assert [r.annotations for r in band.rules] == [("WHO", "grown-up"), ("WHO", "")]


# ---------------------------------------------------------------------- dtrun convert
def test_convert_dmn_to_workbook_and_back(tmp_path):
    source = write(tmp_path, dmn(AGE + table()))
    runner = CliRunner()
    done = runner.invoke(main, ["convert", str(source), str(tmp_path / "out.xlsx")])
    assert done.exit_code == 0, done.output
    model = load_workbook(tmp_path / "out.xlsx")
    assert engine.evaluate(model, {"Age": 3})["Age_Band.band"] == "child"
    back = runner.invoke(main, ["convert", str(tmp_path / "out.xlsx"), str(tmp_path / "back.dmn")])
    assert back.exit_code == 0, back.output
    assert 'name="Age Band"' in (tmp_path / "back.dmn").read_text(encoding="utf-8")  # the _dmn sheet keeps names


@pytest.mark.parametrize("names, status", [(["a.xlsx", "b.csv"], 2), (["a.dmn", "b.dmn"], 2), (["a.csv", "b.dmn"], 2)])
def test_convert_needs_xlsx_to_dmn_or_dmn_to_xlsx(tmp_path, names, status):
    done = CliRunner().invoke(main, ["convert", *(str(tmp_path / n) for n in names)])
    assert done.exit_code == status and "dtrun convert turns" in done.output


def test_convert_of_a_broken_model_lists_its_problems_and_writes_nothing(tmp_path):
    source = write(tmp_path, dmn(AGE + table() + '<businessKnowledgeModel id="b1" name="Fees"/>'))
    done = CliRunner().invoke(main, ["convert", str(source), str(tmp_path / "out.xlsx")])
    assert done.exit_code == 3 and 'businessKnowledgeModel "Fees" (id b1)' in done.output
    assert not (tmp_path / "out.xlsx").exists()


def test_evaluate_lint_and_test_run_on_a_dmn_file(tmp_path):
    source = write(tmp_path, dmn(AGE + table()))
    patients = tmp_path / "p.csv"
    patients.write_text("Age\n5\n40\n", encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(main, ["evaluate", str(source), str(patients), "-o", str(tmp_path / "r.csv")])
    assert done.exit_code == 0, done.output
    assert "child" in (tmp_path / "r.csv").read_text(encoding="utf-8")
    tested = runner.invoke(main, ["test", str(source), "--allow-empty"])
    assert tested.exit_code == 0 and tested.output.splitlines()[0].endswith(
        "no test cases (a DMN model has no place for them: convert it to a workbook with dtrun convert and add a "
        "Tests sheet)")
    assert runner.invoke(main, ["test", str(source)]).exit_code == 1  # no case ran
    linted = runner.invoke(main, ["lint", str(source)])
    assert linted.exit_code in (0, 1) and "model.dmn" in linted.output


def test_an_unknown_name_in_an_entry_is_suggested_by_its_dmn_name(tmp_path):
    """The closest known name is the inputData's DMN name, and the entry is shown as written."""
    body = ('<inputData id="i_min" name="Min age"><variable name="Min age" typeRef="number"/></inputData>'
            '<inputData id="i_age" name="Age"><variable name="Age" typeRef="number"/></inputData>'
            + table(rules='<rule id="r1"><inputEntry><text>&gt;= Min_ag</text></inputEntry>'
                          '<outputEntry><text>"adult"</text></outputEntry></rule>'))
    (problem,) = problems(write(tmp_path, dmn(body)))
    assert problem.code == "syntax" and problem.cell == "rule 1 (id r1), inputEntry 1"
    assert "Min_age" not in problem.hint and "did you mean Min age?" in problem.hint, problem.hint
