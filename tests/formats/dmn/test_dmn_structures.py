"""Structured input data in DMN (engine.formats.dmn.structures), in the Camunda/KIE style: an
inputData ``applicant`` of type ``tApplicant`` with itemComponents, read by input expressions
that are paths (``applicant.age``).  Oracle: records whose results are worked out by hand from
the rules; the model exported and imported again evaluates the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import clause, decision, dmn, rule, write

from engine.evaluation.record import evaluate_record
from engine.formats import convert, load

STRUCTURED = """
<itemDefinition id="tApplicant" name="tApplicant">
  <itemComponent id="c_age" name="age"><typeRef>number</typeRef>
    <allowedValues><text>[0..130]</text></allowedValues></itemComponent>
  <itemComponent id="c_sex" name="sex"><typeRef>string</typeRef></itemComponent>
  <itemComponent id="c_income" name="monthly income"><typeRef>number</typeRef></itemComponent>
</itemDefinition>
<inputData id="i_applicant" name="applicant"><variable name="applicant" typeRef="tApplicant"/></inputData>
""" + decision("d_band", "Band", 'hitPolicy="FIRST"',
               clause("in1", "applicant.age") + clause("in2", "applicant.sex")
               + clause("in3", "applicant.monthly income"),
               '<output id="o1" name="band" typeRef="string"/>',
               rule("r1", ["&lt; 18", "-", "-"], ['"minor"']) + rule("r2", ["&gt;= 65", '"f"', "-"], ['"senior f"'])
               + rule("r3", ["-", "-", "&lt; 1000"], ['"low"']) + rule("r4", ["-", "-", "-"], ['"other"']))

# (record in dtrun's names, the band worked out by hand)
RECORDS = [({"applicant.age": 10, "applicant.sex": "m", "applicant.monthly_income": 0}, "minor"),
           ({"applicant.age": 70, "applicant.sex": "f", "applicant.monthly_income": 500}, "senior f"),
           ({"applicant.age": 70, "applicant.sex": "m", "applicant.monthly_income": 500}, "low"),
           ({"applicant.age": 40, "applicant.sex": "m", "applicant.monthly_income": 5000}, "other"),
           ({"applicant.age": 40}, "other")]


def test_a_structured_input_data_imports_as_its_components(tmp_path: Path) -> None:
    model = load(write(tmp_path, dmn(STRUCTURED)))
    assert list(model.inputs) == ["applicant.age", "applicant.sex", "applicant.monthly_income"]
    assert model.structures["applicant"].components == tuple(model.inputs)
    assert [c.name for c in model.tables[0].inputs] == list(model.inputs)
    assert model.inputs["applicant.age"].allowed.text == "[0..130]"
    for record, band in RECORDS:
        assert evaluate_record(model, record).outputs["Band.band"] == band, record
    bad = evaluate_record(model, {"applicant.age": 200})
    assert bad.outputs["Band.band"] is None and bad.errors[0].startswith("applicant.age: 200 is not an allowed")


@pytest.mark.parametrize("version", ["1.3", "1.4"])
def test_export_writes_the_structure_and_reads_back_the_same(tmp_path: Path, version: str) -> None:
    source = write(tmp_path, dmn(STRUCTURED, version))
    workbook = tmp_path / "m.xlsx"
    convert(source, workbook)
    again = tmp_path / "again.dmn"
    convert(workbook, again)
    text = again.read_text(encoding="utf-8")
    assert 'isCollection' not in text and "<itemComponent" in text and ">applicant.age</text>" in text
    for path in (workbook, again):
        model = load(path)
        assert list(model.inputs) == ["applicant.age", "applicant.sex", "applicant.monthly_income"], path
        assert model.structures["applicant"].components == tuple(model.inputs)
        for record, band in RECORDS:
            outputs = evaluate_record(model, record).outputs
            assert next(iter(outputs.values())) == band, (path, record)


def test_a_structure_of_structures_is_still_refused(tmp_path: Path) -> None:
    from engine._core.errors import WorkbookError

    nested = ('<itemDefinition id="tKin" name="tKin"><itemComponent id="k" name="age"><typeRef>number</typeRef>'
              '</itemComponent></itemDefinition>'
              '<itemDefinition id="tP" name="tP"><itemComponent id="c" name="kin"><typeRef>tKin</typeRef>'
              '</itemComponent></itemDefinition><inputData id="i3" name="P"><variable name="P" typeRef="tP"/>'
              '</inputData>' + decision("d", "D", 'hitPolicy="FIRST"', clause("in1", "P.kin.age"),
                                        '<output id="o1" name="x" typeRef="string"/>', rule("r1", ["-"], ['"a"'])))
    with pytest.raises(WorkbookError) as caught:
        load(write(tmp_path, dmn(nested)))
    assert "inputData \"P\" (id i3)" in str(caught.value) and "is a structure of structures" in str(caught.value)


def test_required_of_structure_and_components_survive_a_round_trip(tmp_path: Path) -> None:
    from helpers import make_workbook

    workbook = make_workbook(tmp_path, inputs=[("applicant", "structure", None, "no"),
                                               ("applicant.age", "number", "[0..130]", "yes"),
                                               ("applicant.sex", "string", '"f","m"', "no")],
                             tables={"t": ("U", ["applicant.age", "applicant.sex", "band"], "iio", None,
                                           [["R1", "< 65", "-", '"young"'], ["R2", ">= 65", "-", '"old"']])})
    convert(workbook, tmp_path / "s.dmn")
    convert(tmp_path / "s.dmn", tmp_path / "back.xlsx")
    for path in (tmp_path / "s.dmn", tmp_path / "back.xlsx"):
        structure = load(path).structures["applicant"]
        assert not structure.required and structure.component_required == ("applicant.age",), path
        result = evaluate_record(load(path), {"applicant.sex": "f"})
        assert result.errors[0] == "applicant.age: a value is required when applicant is given", path
