"""DMN decisions whose logic is a literal expression: read as a one-rule table whose one output
cell is the expression (FEEL), evaluated in the order of the requirements with the decision
tables that read them."""

from __future__ import annotations

import pytest
from helpers.dmn import dmn, write

import engine
from engine.formats.dmn.importer import load_dmn

BODY = """
<inputData id="i_w" name="weight kg"><variable name="weight kg" typeRef="number"/></inputData>
<decision id="d_lb" name="Weight lb">
  <variable name="Weight lb" typeRef="number"/>
  <informationRequirement><requiredInput href="#i_w"/></informationRequirement>
  <literalExpression><text>decimal(weight kg / 0.45359237, 1)</text></literalExpression>
</decision>
<decision id="d_band" name="Band">
  <variable name="Band" typeRef="string"/>
  <informationRequirement><requiredDecision href="#d_lb"/></informationRequirement>
  <decisionTable hitPolicy="FIRST">
    <input id="c1" label="Weight lb"><inputExpression typeRef="number"><text>Weight lb</text></inputExpression></input>
    <output id="o1" name="band" typeRef="string"/>
    <rule id="r1"><inputEntry><text>&gt; 220</text></inputEntry><outputEntry><text>"heavy"</text></outputEntry></rule>
    <rule id="r2"><inputEntry><text>-</text></inputEntry><outputEntry><text>"other"</text></outputEntry></rule>
  </decisionTable>
</decision>
<decision id="d_note" name="Note">
  <variable name="Note" typeRef="string"/>
  <informationRequirement><requiredDecision href="#d_band"/></informationRequirement>
  <literalExpression><text>if Band = "heavy" then "review dose" else "standard dose"</text></literalExpression>
</decision>"""


@pytest.mark.parametrize(("weight", "pounds", "band", "note"), [
    (120, 264.6, "heavy", "review dose"),  # 120 / 0.45359237 = 264.554...
    (50, 110.2, "other", "standard dose"),
])
def test_literal_decisions_run_in_the_graph_order(tmp_path, weight: float, pounds: float, band: str,
                                                  note: str) -> None:
    model = load_dmn(write(tmp_path, dmn(BODY)))
    result = engine.evaluate(model, {"weight_kg": weight}).row()
    values = {k: v for k, v in result.items() if not k.startswith("_") and not k.endswith(".rules")}
    assert sorted(values.values(), key=str) == sorted([pounds, band, note], key=str), result


def test_a_literal_decision_that_cannot_be_read_is_refused_at_the_decision(tmp_path) -> None:
    from engine._core.errors import WorkbookError

    broken = BODY.replace("decimal(weight kg / 0.45359237, 1)", "decimal(weight kgg / 0.45359237, 1)")
    with pytest.raises(WorkbookError) as caught:
        load_dmn(write(tmp_path, dmn(broken)))
    assert "Weight lb" in str(caught.value) and "literalExpression" in str(caught.value)


def test_export_writes_a_literal_decision_back_as_one(tmp_path) -> None:
    from engine.formats.dmn.export import export_dmn

    model = load_dmn(write(tmp_path, dmn(BODY)))
    written = export_dmn(model).decode()
    assert written.count("<literalExpression") == 2 and written.count("<decisionTable") == 1
    assert "<text>decimal(weight_kg / 0.45359237, 1)</text>" in written and "<text>if Band = " in written
    again = load_dmn(write(tmp_path, written, "again.dmn"))
    assert engine.evaluate(again, {"weight_kg": 120}).row() == engine.evaluate(model, {"weight_kg": 120}).row() | {
        "_model": "again.dmn"}
