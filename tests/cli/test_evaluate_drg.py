"""``dtrun evaluate MODEL.dmn PATIENTS`` for a DMN model the decision tables refuse (a BKM, a
boxed context): each record runs through the whole model on the DRG evaluator; a column per
decision, a context's entries as ``decision.entry``, lists as JSON, each row's errors in
``_errors``.  Expected values worked out by hand."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from engine.cli import main

NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"
MODEL = f"""<definitions xmlns="{NS}" name="dose" namespace="urn:dose">
  <itemDefinition name="tPatient">
    <itemComponent name="weight"><typeRef>number</typeRef></itemComponent>
    <itemComponent name="born"><typeRef>date</typeRef></itemComponent>
  </itemDefinition>
  <inputData id="p" name="Patient"><variable name="Patient" typeRef="tPatient"/></inputData>
  <inputData id="s" name="Symptoms"><variable name="Symptoms" typeRef="Any"/></inputData>
  <businessKnowledgeModel id="k" name="Dose">
    <variable name="Dose"/>
    <encapsulatedLogic><formalParameter name="kg" typeRef="number"/>
      <literalExpression><text>round half up(8 * kg, 0)</text></literalExpression>
    </encapsulatedLogic>
  </businessKnowledgeModel>
  <decision id="d" name="Plan">
    <variable name="Plan"/>
    <informationRequirement><requiredInput href="#p"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="#k"/></knowledgeRequirement>
    <context>
      <contextEntry><variable name="dose mg"/><literalExpression><text>Dose(Patient.weight)</text></literalExpression></contextEntry>
      <contextEntry><variable name="age"/><literalExpression><text>years and months duration(Patient.born, date("2025-01-01")).years</text></literalExpression></contextEntry>
    </context>
  </decision>
  <decision id="l" name="Doses">
    <variable name="Doses"/>
    <knowledgeRequirement><requiredKnowledge href="#k"/></knowledgeRequirement>
    <literalExpression><text>[Dose(1), Dose(2)]</text></literalExpression>
  </decision>
</definitions>"""


def test_a_model_the_tables_refuse_runs_record_by_record(tmp_path):
    (tmp_path / "dose.dmn").write_text(MODEL, encoding="utf-8")
    (tmp_path / "patients.csv").write_text("Patient.weight,Patient.born\n50.475,2000-06-30\nheavy,2020-01-01\n",
                                           encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(tmp_path / "dose.dmn"), str(tmp_path / "patients.csv"),
                                     "-o", str(tmp_path / "out.csv")])
    assert done.exit_code == 0, done.output
    assert "DRG evaluator" in done.output and "the decision tables cannot run this model" in done.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert [r["Plan.dose mg"] for r in rows] == ["404", ""]  # 8 * 50.475 = 403.8, rounded half up
    assert [r["Plan.age"] for r in rows] == ["24", "5"]
    assert rows[0]["Doses"] == "[8, 16]"
    assert rows[0]["_errors"] == ""
    assert rows[1]["_errors"].startswith("column Patient.weight: 'heavy' is not a number")


def test_other_formats_are_refused_for_the_drg_evaluator(tmp_path):
    (tmp_path / "dose.dmn").write_text(MODEL, encoding="utf-8")
    (tmp_path / "patients.csv").write_text("Patient.weight\n50\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(tmp_path / "dose.dmn"), str(tmp_path / "patients.csv"),
                                     "-o", str(tmp_path / "out.parquet")])
    assert done.exit_code == 2 and "writes CSV results only" in done.output


def test_a_model_neither_path_reads_is_refused_as_before(tmp_path):
    (tmp_path / "bad.dmn").write_text(MODEL.replace("round half up(8 * kg, 0)", "8 *+ kg"), encoding="utf-8")
    (tmp_path / "patients.csv").write_text("Patient.weight\n50\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(tmp_path / "bad.dmn"), str(tmp_path / "patients.csv")])
    assert done.exit_code == 3 and "each record runs through the whole model" not in done.output
    # the model's real mistake, at its element, not only the table path's 'does not run BKMs'
    assert ('bad.dmn: error: the DRG evaluator cannot run this model either: business knowledge model "Dose": '
            "literalExpression: cannot read '8 *+ kg': unexpected '+'") in done.output


def test_an_authors_error_is_told_as_always_not_run_on_the_drg_evaluator(tmp_path):
    """A boolean test on a text input: the table path's type-mismatch refusal stands, although
    the DRG evaluator could run the model (it would test true against texts: no rule matches)."""
    table = (f'<definitions xmlns="{NS}" name="t" namespace="urn:t">'
             '<inputData id="b" name="Blood"><variable name="Blood" typeRef="string"/></inputData>'
             '<decision id="d" name="Group"><variable name="Group" typeRef="string"/>'
             '<informationRequirement><requiredInput href="#b"/></informationRequirement>'
             '<decisionTable><input><inputExpression typeRef="string"><text>Blood</text></inputExpression></input>'
             '<output name="g" typeRef="string"/><rule><inputEntry><text>true</text></inputEntry>'
             '<outputEntry><text>"x"</text></outputEntry></rule></decisionTable></decision></definitions>')
    (tmp_path / "t.dmn").write_text(table, encoding="utf-8")
    (tmp_path / "patients.csv").write_text("Blood\nA\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(tmp_path / "t.dmn"), str(tmp_path / "patients.csv")])
    assert done.exit_code == 3 and "type-mismatch" in done.output and "DRG evaluator" not in done.output


def _run(tmp_path, patients: str, *options: str):
    (tmp_path / "dose.dmn").write_text(MODEL, encoding="utf-8")
    (tmp_path / "patients.csv").write_text(patients, encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(tmp_path / "dose.dmn"), str(tmp_path / "patients.csv"),
                                     "-o", str(tmp_path / "out.csv"), *options])
    assert done.exit_code == 0, done.output
    return list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))


def test_a_text_excel_would_run_as_a_formula_is_escaped_as_on_the_table_path(tmp_path):
    rows = _run(tmp_path, "Patient.weight,Patient.born,note\n=1+2,2000-06-30,@SUM(A1)\n")
    assert rows[0]["Patient.weight"] == "'=1+2" and rows[0]["note"] == "'@SUM(A1)"
    assert rows[0]["_errors"].startswith("column Patient.weight: '=1+2' is not a number")
    kept = _run(tmp_path, "Patient.weight,note\n50,=1+2\n", "--no-escape-formulas")
    assert kept[0]["note"] == "=1+2"


def test_nan_and_infinity_are_no_numbers(tmp_path):
    rows = _run(tmp_path, "Patient.weight,Patient.born\nNaN,2000-06-30\nInfinity,2000-06-30\n-inf,2000-06-30\n")
    assert [r["Plan.dose mg"] for r in rows] == ["", "", ""]
    assert [r["_errors"] for r in rows] == [
        "column Patient.weight: 'NaN' is not a number; write e.g. 42 or 1.5",
        "column Patient.weight: 'Infinity' is not a number; write e.g. 42 or 1.5",
        "column Patient.weight: '-inf' is not a number; write e.g. 42 or 1.5"]


def test_na_values_mean_missing_on_the_drg_evaluator_too(tmp_path):
    rows = _run(tmp_path, "Patient.weight,Patient.born\nNA,2000-06-30\n", "--na-values", "NA")
    assert rows[0]["Plan.dose mg"] == "" and rows[0]["_errors"] == "" and rows[0]["Plan.age"] == "24"


def test_sheet_chooses_the_sheet_of_an_excel_patient_file_on_the_drg_evaluator_too(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("Patients")
    sheet.append(["Patient.weight", "Patient.born"])
    sheet.append(["50.475", "2000-06-30"])
    book.save(tmp_path / "patients.xlsx")
    (tmp_path / "dose.dmn").write_text(MODEL, encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(tmp_path / "dose.dmn"), str(tmp_path / "patients.xlsx"),
                                     "--sheet", "Patients", "-o", str(tmp_path / "out.csv")])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert [(r["Plan.dose mg"], r["Plan.age"]) for r in rows] == [("404", "24")]


def test_evaluate_help_tells_of_the_drg_evaluator():
    text = " ".join(CliRunner().invoke(main, ["evaluate", "--help"]).output.split())
    assert "runs record by record on the DRG evaluator" in text and "CSV output only" in text


def test_lint_of_a_model_only_the_drg_evaluator_runs_points_to_dtrun_evaluate(tmp_path):
    """lint said 'dtrun does not run businessKnowledgeModel elements' and 'put the logic in the
    decision's own decision table', while dtrun evaluate runs the same model as it is."""
    (tmp_path / "dose.dmn").write_text(MODEL, encoding="utf-8")
    text = " ".join(CliRunner().invoke(main, ["lint", str(tmp_path / "dose.dmn")]).output.split())
    assert "dtrun does not run" not in text
    assert 'businessKnowledgeModel "Dose" (id k): error[dmn-unsupported]: dtrun\'s decision tables do not run' in text
    assert text.count("Run the model as it is with dtrun evaluate (on the DRG evaluator, record by record); "
                      "for lint, show, diff and convert, ") >= 3  # the BKM, the context, the invocation


FLAGS = f"""<definitions xmlns="{NS}" name="flags" namespace="urn:flags">
  <inputData id="a" name="Smoker"><variable name="Smoker" typeRef="boolean"/></inputData>
  <inputData id="n" name="Packs"><variable name="Packs" typeRef="number"/></inputData>
  <decision id="d" name="Risk"><variable name="Risk"/>
    <informationRequirement><requiredInput href="#a"/></informationRequirement>
    <informationRequirement><requiredInput href="#n"/></informationRequirement>
    <context>
      <contextEntry><variable name="smokes"/><literalExpression><text>Smoker = true</text></literalExpression></contextEntry>
      <contextEntry><variable name="packs"/><literalExpression><text>Packs * 2</text></literalExpression></contextEntry>
    </context>
  </decision>
</definitions>"""


def test_patient_values_are_read_as_on_the_table_path(tmp_path):
    """yes/no and 1/0 are booleans and 1_000 no number, as the table path reads a patient file
    (docs/workbook-format.md), so one file means the same on both paths."""
    (tmp_path / "flags.dmn").write_text(FLAGS, encoding="utf-8")
    (tmp_path / "patients.csv").write_text("Smoker,Packs\nyes,1e1\nNo,1_000\n1,2\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(tmp_path / "flags.dmn"), str(tmp_path / "patients.csv")])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["Risk.smokes"], r["Risk.packs"]) for r in rows] == [("true", "20"), ("false", ""), ("true", "4")]
    assert rows[1]["_errors"] == "column Packs: '1_000' is not a number; write e.g. 42 or 1.5"


def test_every_row_of_a_patient_file_larger_than_one_read_block_is_evaluated(tmp_path):
    # The CSV reader gives a file in blocks of about 1 MB; the fallback read the first only.
    (tmp_path / "dose.dmn").write_text(MODEL, encoding="utf-8")
    note = "x" * 300
    weights = [10 + i % 50 for i in range(6000)]  # about 1.9 MB
    (tmp_path / "patients.csv").write_text(
        "Patient.weight,Patient.born,note\n" + "".join(f"{w},2000-06-30,{note}\n" for w in weights), encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(tmp_path / "dose.dmn"), str(tmp_path / "patients.csv"),
                                     "-o", str(tmp_path / "out.csv")])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert [r["Plan.dose mg"] for r in rows] == [str(8 * w) for w in weights]
