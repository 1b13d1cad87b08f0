"""The DMN import's tables answer as the DRG evaluator does (engine.formats.dmn.typed): a
decision result that does not conform to its typeRef is null with an error naming the
decision, the rule and what was expected (DMN 1.5 §10.3.2.9.4), on the record and on the
frame path alike; ``instance of`` an item definition of the model resolves it, and a type
that cannot be resolved is refused at load.  Values worked out by hand, and checked against
the DRG evaluator (the reference for DMN models)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers.dmn import dmn, write

import engine
from engine._core.errors import WorkbookError
from engine.cli import main
from engine.evaluation.drg import evaluate_drg
from engine.formats.dmn.drg_read import read_drg
from engine.formats.dmn.importer import load_dmn

TYPES = """
<itemDefinition name="tDose"><typeRef>number</typeRef><allowedValues><text>[0..100]</text></allowedValues>
</itemDefinition>
<itemDefinition name="tLevel"><typeRef>string</typeRef><allowedValues><text>"low","high"</text></allowedValues>
</itemDefinition>
<inputData id="i_w" name="Weight"><variable name="Weight" typeRef="number"/></inputData>"""

DOSE = """
<decision id="d_dose" name="Dose"><variable name="Dose" typeRef="tDose"/>
  <informationRequirement><requiredInput href="#i_w"/></informationRequirement>
  <decisionTable id="dt_dose" hitPolicy="UNIQUE">
    <input id="c1"><inputExpression typeRef="number"><text>Weight</text></inputExpression></input>
    <output id="o1"/>
    <rule id="r1"><inputEntry><text>&lt; 50</text></inputEntry><outputEntry><text>Weight * 2</text></outputEntry></rule>
    <rule id="r2"><inputEntry><text>[50..80]</text></inputEntry><outputEntry><text>"see chart"</text></outputEntry></rule>
    <rule id="r3"><inputEntry><text>&gt; 80</text></inputEntry><outputEntry><text>Weight * 2</text></outputEntry></rule>
  </decisionTable>
</decision>"""


def literal(name: str, text: str, type_ref: str = "boolean") -> str:
    return (f'<decision id="d_{name}" name="{name}"><variable name="{name}" typeRef="{type_ref}"/>'
            '<informationRequirement><requiredInput href="#i_w"/></informationRequirement>'
            f'<literalExpression><text>{text}</text></literalExpression></decision>')


@pytest.fixture
def model_path(tmp_path):
    return write(tmp_path, dmn(TYPES + DOSE + literal("Is dose", "Weight instance of tDose")
                              + literal("Is level", "Weight instance of tLevel")))


# Weight → (Dose, the error's words), by hand: r1 and r3 give Weight * 2, r2 a text; tDose is
# a number in [0..100].
BY_HAND = {10: (20, None), 45: (90, None), 60: (None, '"see chart", which is not a number allowed by tDose'),
           90: (None, "180, which is not a number allowed by tDose")}


@pytest.mark.parametrize("weight", sorted(BY_HAND))
def test_a_result_not_conforming_to_its_typeref_is_null_with_the_decision_and_rule_named(model_path, weight):
    dose, words = BY_HAND[weight]
    result = engine.evaluate(load_dmn(model_path), {"Weight": weight})
    assert result["Dose.Dose"] == dose
    own = [e for e in result.errors if e.startswith("Dose: ")]
    if words is None:
        assert own == []
    else:
        rule = "rule 2:" if weight == 60 else "rule 3:"
        assert len(own) == 1 and rule in own[0] and words in own[0] and "(typeRef tDose)" in own[0], own
        assert "the result is null" in own[0]
    drg = evaluate_drg(read_drg(model_path), {"Weight": weight}, ["Dose"])
    assert drg.values["Dose"] == (None if dose is None else dose)  # the reference agrees


def test_the_frame_path_gives_the_record_path_answers(model_path):
    model = load_dmn(model_path)
    weights = [10, 45, 60, 90, 10, 60, 90, 45] * 3
    frame = engine.evaluate_frame(model, pd.DataFrame({"Weight": weights}))
    for row, weight in enumerate(weights):
        record = engine.evaluate(model, {"Weight": weight})
        value = frame["Dose.Dose"][row]
        assert (None if pd.isna(value) else value) == record["Dose.Dose"], weight
        assert (BY_HAND[weight][1] is None) == ("Dose" not in str(frame["_errors"][row] or "")), weight


def test_instance_of_an_item_definition_resolves_it(model_path):
    """`10 instance of tDose` is true (instance of does not test allowed values, TCK 0070
    number_013), `10 instance of tLevel` false (a string type); before, both were false."""
    model = load_dmn(model_path)
    for weight in (10, 500):
        result = engine.evaluate(model, {"Weight": weight})
        assert result["Is_dose.Is_dose"] is True and result["Is_level.Is_level"] is False
        drg = evaluate_drg(read_drg(model_path), {"Weight": weight}, ["Is dose", "Is level"])
        assert drg.values == {"Is dose": True, "Is level": False}


def test_instance_of_a_type_no_one_defines_is_refused_at_its_place(tmp_path):
    path = write(tmp_path, dmn(TYPES + literal("Odd", "Weight instance of tNowhere")))
    with pytest.raises(WorkbookError) as caught:
        load_dmn(path)
    text = str(caught.value)
    assert 'decision "Odd"' in text and "tNowhere" in text and "neither a FEEL type nor an itemDefinition" in text


def test_instance_of_a_model_type_in_an_input_entry_is_refused(tmp_path):
    table = DOSE.replace("&lt; 50", "? instance of tDose and ? &lt; 50")
    path = write(tmp_path, dmn(TYPES + table))
    with pytest.raises(WorkbookError) as caught:
        load_dmn(path)
    text = str(caught.value)
    assert 'decision "Dose"' in text and "inputEntry 1" in text and "output entries only" in text


def test_feel_types_in_instance_of_load_as_before(tmp_path):
    path = write(tmp_path, dmn(TYPES + literal("Is number", "Weight instance of number")))
    assert engine.evaluate(load_dmn(path), {"Weight": 3})["Is_number.Is_number"] is True


def test_an_output_without_a_typeref_is_not_checked(tmp_path):
    path = write(tmp_path, dmn(TYPES + DOSE.replace('<variable name="Dose" typeRef="tDose"/>', "")))
    result = engine.evaluate(load_dmn(path), {"Weight": 90})
    assert result["Dose.Dose"] == 180 and result.errors == ()


def test_dtrun_evaluate_gives_null_and_says_why(model_path, tmp_path):
    patients, out = tmp_path / "patients.csv", tmp_path / "out.csv"
    patients.write_text("Weight\n10\n60\n90\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["evaluate", str(model_path), str(patients), "-o", str(out)])
    assert done.exit_code in (0, 1), done.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["Dose.Dose"] for r in rows] == ["20", "", ""]
    assert [r["Is_dose.Is_dose"] for r in rows] == ["true", "true", "true"]
    assert "see chart" in rows[1]["_errors"] and "rule 2" in rows[1]["_errors"]
    assert "180" in rows[2]["_errors"] and "tDose" in rows[2]["_errors"]
