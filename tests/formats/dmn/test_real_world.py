"""DMN as other tools write it (issue 17): one small model per construct, written here in the
style of Camunda 7 and 8, KIE/Drools, Flowable and Trisotech; each either runs with the
meaning its authors' engine gives it, or is refused with a message that names the element
and the place, never run with another meaning.

``CASES`` is also the table "what real DMN models use, and what dtrun does with it" of
docs/dmn.md: a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ROOT, write

import engine
from engine._core.errors import WorkbookError

CAMUNDA_7 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
CAMUNDA_7_TESTS = "http://www.omg.org/spec/DMN/20151101/dmn11.xsd"
FLOWABLE = "http://www.omg.org/spec/DMN/20151101"
KIE = "http://www.omg.org/spec/DMN/20180521/MODEL/"
CAMUNDA_8 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
TRISOTECH = "https://www.omg.org/spec/DMN/20240513/MODEL/"


def model(namespace: str, body: str, attributes: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{namespace}" id="defs" name="Model" '
            f'namespace="urn:test" {attributes}>{body}</definitions>')


STRING_AGE = ('<inputData id="i_age" name="age"><variable name="age" typeRef="string"/></inputData>'
              '<inputData id="i_ok" name="consent"><variable name="consent" typeRef="string"/></inputData>')
AGE = '<inputData id="i_age" name="age"><variable name="age" typeRef="number"/></inputData>'


def band(rules: str, outputs: str = '<output id="o1" name="band" typeRef="string"/>',
         inputs: str = '<input id="c1"><inputExpression id="e1" typeRef="number"><text>age</text>'
                       '</inputExpression></input>', policy: str = "UNIQUE", extra: str = "",
         decision_id: str = "d_band", name: str = "Band") -> str:
    return (f'<decision id="{decision_id}" name="{name}">{extra}<decisionTable id="t_{decision_id}" '
            f'hitPolicy="{policy}">{inputs}{outputs}{rules}</decisionTable></decision>')


def rule(rule_id: str, entries: list[str], outputs: list[str]) -> str:
    return (f'<rule id="{rule_id}">' + "".join(f"<inputEntry><text>{e}</text></inputEntry>" for e in entries)
            + "".join(f"<outputEntry><text>{o}</text></outputEntry>" for o in outputs) + "</rule>")


TWO_RULES = rule("r1", ["&lt; 18"], ['"child"']) + rule("r2", ["&gt;= 18"], ['"adult"'])


@dataclass(frozen=True)
class Case:
    """A construct of real DMN models, a model using it, and what dtrun does with it."""

    construct: str  # as docs/dmn.md's table names it
    tool: str  # the tool whose style the model imitates
    xml: str
    outcome: str  # runs | refused
    says: str = ""  # a phrase of the message (refused) or of a warning (runs)
    where: str = ""  # the place of the problem: element, or element!part
    check: tuple[tuple[dict, str, object], ...] = ()  # (record, output, expected) when it runs
    cells: tuple[tuple[dict, str, object], ...] = ()  # the same, refused but run with --input-types cells
    errors: tuple[tuple[dict, str], ...] = ()  # (record, an error it gets) when it runs


CASES = [
    Case("DMN 1.1 namespace as Camunda 7 writes it (`.../20151101/dmn.xsd`)", "Camunda 7",
         model(CAMUNDA_7, AGE + band(TWO_RULES)), "runs", check=(({"age": 4}, "Band.band", "child"),)),
    Case("DMN 1.1 namespace of older Camunda tests (`.../20151101/dmn11.xsd`)", "Camunda 7",
         model(CAMUNDA_7_TESTS, AGE + band(TWO_RULES)), "runs", check=(({"age": 40}, "Band.band", "adult"),)),
    Case("DMN 1.1 namespace as Flowable writes it (`.../20151101`)", "Flowable",
         model(FLOWABLE, AGE + band(TWO_RULES)), "runs", check=(({"age": 40}, "Band.band", "adult"),)),
    Case("a namespace that is not DMN", "–", model("http://example.com/not-dmn", AGE + band(TWO_RULES)),
         "refused", "is not a DMN 1.1 to 1.6 model"),
    Case("a rule with fewer outputEntry elements than outputs", "KIE",
         model(KIE, AGE + band(rule("r1", ["&lt; 18"], ['"child"']),
                               outputs='<output id="o1" name="band"/><output id="o2" name="status"/>')),
         "refused", "the rule has 1 outputEntry elements for 2 outputs", 'decision "Band" (id d_band)!rule 1 (id r1)'),
    Case("a FEEL constant as input expression (`true`)", "Camunda 8",
         model(CAMUNDA_8, AGE + band(rule("r1", ["true"], ['"x"']), inputs='<input id="c1"><inputExpression '
                                     'typeRef="boolean"><text>true</text></inputExpression></input>')),
         "refused", "input expression 'true' is a FEEL constant or keyword",
         'decision "Band" (id d_band)!input 1 "true" (id c1)'),
    Case("`expressionLanguage` JUEL on `definitions`", "Camunda 7",
         model(CAMUNDA_7, AGE + band(TWO_RULES), 'expressionLanguage="juel"'),
         "refused", "the model's expression language is juel", 'definitions "Model" (id defs)'),
    Case("`expressionLanguage` Groovy on an `inputExpression`", "Camunda 7",
         model(CAMUNDA_7, AGE + band(TWO_RULES, inputs='<input id="c1"><inputExpression typeRef="number" '
                                     'expressionLanguage="groovy"><text>age</text></inputExpression></input>')),
         "refused", "the expression language of its inputExpression is groovy",
         'decision "Band" (id d_band)!input 1 "age" (id c1)'),
    Case("`expressionLanguage` JavaScript on an entry", "Camunda 7",
         model(CAMUNDA_7, AGE + band(rule("r1", ["&lt; 18"], ['"child"']).replace(
             "<inputEntry>", '<inputEntry expressionLanguage="javascript">'))),
         "refused", "the expression language is javascript", 'decision "Band" (id d_band)!rule 1 (id r1), inputEntry 1'),
    Case("an output entry that is not of its decision's declared typeRef (Camunda Modeler's default string)",
         "Camunda 7", model(CAMUNDA_7, AGE + band(rule("r1", ["&lt; 18"], ["12"]) + rule("r2", ["&gt;= 18"], ["30"]),
                                               outputs='<output id="o1" name="fee" typeRef="string"/>')),
         "runs", "the output fee is declared string (typeRef), but the entry 12 is a number",
         # null, as DMN 1.5 §10.3.2.9.4 and the DRG evaluator say (engine.formats.dmn.typed)
         errors=(({"age": 4}, "Band: rule 1: gives 12, which is not a string (typeRef string): the result is null; "
                  "correct the output entry or the typeRef"),)),
    Case("FEEL lists of numbers without spaces (`1,2,3`, `18,120`)", "KIE",
         model(KIE, AGE + band(rule("r1", ["1,2,3"], ['"a"']) + rule("r2", ["18,120"], ['"b"'])
                               + rule("r3", ["not(1,2,3,18,120)"], ['"c"']), policy="FIRST")), "runs",
         check=(({"age": 2}, "Band.band", "a"), ({"age": 120}, "Band.band", "b"), ({"age": 12}, "Band.band", "c"))),
    Case("a DMN list that looks like a decimal comma (`1,5`)", "–",
         model(KIE, AGE + band(rule("r1", ["1,5"], ['"a"']) + rule("r2", ["-"], ['"b"']), policy="FIRST")), "runs",
         "1,5 is read as a list of two numbers (1, 5)", check=(({"age": 5}, "Band.band", "a"),)),
    Case("an input expression without typeRef, no inputData", "Camunda 7",
         model(CAMUNDA_7, band(TWO_RULES, inputs='<input id="c1"><inputExpression><text>age</text>'
                                                  '</inputExpression></input>')), "runs",
         "dtrun takes it as number, as its entries test numbers", check=(({"age": "7"}, "Band.band", "child"),)),
    Case("an inputData of type `Any`", "KIE",
         model(KIE, '<inputData id="i_age" name="age"><variable name="age" typeRef="Any"/></inputData>'
               + band(TWO_RULES, inputs='<input id="c1"><inputExpression><text>age</text></inputExpression></input>')),
         "runs", "the inputData has no type; dtrun takes it as number", check=(({"age": "30"}, "Band.band", "adult"),)),
    Case("`defaultOutputEntry` (the value when no rule matches)", "KIE",
         model(KIE, AGE + band(rule("r1", ["&lt; 18"], ['"child"']), outputs='<output id="o1" name="band">'
                               '<defaultOutputEntry><text>"unknown"</text></defaultOutputEntry></output>')),
         "runs", check=(({"age": 4}, "Band.band", "child"), ({"age": 40}, "Band.band", "unknown"))),
    Case("an empty `defaultOutputEntry` (`<text/>`: null)", "Camunda 8",
         model(CAMUNDA_8, AGE + band(rule("r1", ["&lt; 18"], ['"child"']), outputs='<output id="o1" name="band">'
                                     '<defaultOutputEntry><text/></defaultOutputEntry></output>')),
         "runs", check=(({"age": 4}, "Band.band", "child"),)),
    Case("an input declared `string` (Camunda Modeler's default typeRef) whose entries test numbers or booleans",
         "Camunda 7", model(CAMUNDA_7, STRING_AGE + band(
             rule("r1", ["&lt; 18", "true"], ['"child"']) + rule("r2", ["[18..120]", "true"], ['"adult"'])
             + rule("r3", ["-", "false"], ['"no consent"']), policy="FIRST",
             inputs='<input id="c1"><inputExpression typeRef="string"><text>age</text></inputExpression></input>'
                    '<input id="c2"><inputExpression typeRef="string"><text>consent</text></inputExpression></input>')),
         "refused", "age holds texts, but the entry < 18 tests a number with < or >",
         'decision "Band" (id d_band)!rule 1 (id r1), inputEntry 1',
         cells=(({"age": "7", "consent": "true"}, "Band.band", "child"),
                ({"age": 40, "consent": True}, "Band.band", "adult"),
                ({"age": 40, "consent": False}, "Band.band", "no consent"))),
    Case("allowed values without `null` (itemDefinition allowedValues, inputValues)", "KIE",
         model(KIE, '<itemDefinition id="t_a" name="t_age"><typeRef>number</typeRef><allowedValues><text>[0..120]'
               '</text></allowedValues></itemDefinition><inputData id="i_age" name="age"><variable name="age" '
               'typeRef="t_age"/></inputData>' + band(TWO_RULES)), "runs",
         check=(({"age": 4}, "Band.band", "child"),), errors=(({"age": None}, "age: a value is required"),)),
    Case("an inputData of a structured itemDefinition (`tApplicant` with itemComponents `age`, `sex`) read by "
         "path input expressions (`Applicant.age`)", "KIE",
         model(KIE, '<itemDefinition id="tA" name="tApplicant"><itemComponent id="ca" name="age"><typeRef>number'
               '</typeRef></itemComponent><itemComponent id="cs" name="sex"><typeRef>string</typeRef>'
               '</itemComponent></itemDefinition><inputData id="i_a" name="Applicant"><variable name="Applicant" '
               'typeRef="tApplicant"/></inputData>'
               + band(rule("r1", ["&lt; 18", "-"], ['"child"']) + rule("r2", ["&gt;= 18", '"f"'], ['"woman"'])
                      + rule("r3", ["&gt;= 18", '"m"'], ['"man"']),
                      inputs='<input id="c1"><inputExpression typeRef="number"><text>Applicant.age</text>'
                      '</inputExpression></input><input id="c2"><inputExpression typeRef="string"><text>'
                      'Applicant.sex</text></inputExpression></input>')), "runs",
         check=(({"Applicant.age": 4, "Applicant.sex": "f"}, "Band.band", "child"),
                ({"Applicant.age": 40, "Applicant.sex": "f"}, "Band.band", "woman"),
                ({"Applicant.age": 40, "Applicant.sex": "m"}, "Band.band", "man"))),
    Case("a list of structures (an itemDefinition with itemComponents and `isCollection`)", "KIE",
         model(KIE, '<itemDefinition id="tA" name="tApplicants" isCollection="true"><itemComponent id="ca" '
               'name="age"><typeRef>number</typeRef></itemComponent></itemDefinition><inputData id="i_a" '
               'name="Applicants"><variable name="Applicants" typeRef="tApplicants"/></inputData>'
               + band(TWO_RULES, inputs='<input id="c1"><inputExpression typeRef="number"><text>count(Applicants)'
                      '</text></inputExpression></input>')),
         "refused", "is a list of structures", 'inputData "Applicants" (id i_a)'),
    Case("names in other scripts (`Logique de décision 1`, `страна`)", "Camunda 8",
         model(CAMUNDA_8, '<inputData id="i_c" name="страна"><variable name="страна" typeRef="string"/></inputData>'
               + band(rule("r1", ['"FR"'], ['"oui"']), name="Logique de décision 1", inputs='<input id="c1">'
                      '<inputExpression typeRef="string"><text>страна</text></inputExpression></input>')),
         "runs", check=(({"страна": "FR"}, "Logique_de_décision_1.band", "oui"),)),
    Case("an inputEntry that uses `?` or calls a FEEL function (`before(?, 26)`, `string length(?) > 3`, "
         "`count(?) >= 2`, `> abs(-3)`)", "Trisotech, KIE",
         model(TRISOTECH, AGE + band(rule("r1", ["before(?, 18)"], ['"child"'])
                                     + rule("r2", ["? &gt;= 18 and odd(?)"], ['"odd adult"'])
                                     + rule("r3", ["&gt; abs(-17)"], ['"adult"']), policy="FIRST")), "runs",
         check=(({"age": 4}, "Band.band", "child"), ({"age": 41}, "Band.band", "odd adult"),
                ({"age": 40}, "Band.band", "adult"))),
    Case("decisions that require each other (informationRequirement) in a cycle", "Trisotech",
         model(TRISOTECH, AGE + band(TWO_RULES, extra='<informationRequirement id="q1"><requiredDecision '
                                     'href="#d_other"/></informationRequirement>')
               + band(TWO_RULES, decision_id="d_other", name="Other", extra='<informationRequirement id="q2">'
                      '<requiredDecision href="#d_band"/></informationRequirement>')),
         "refused", "decisions require each other in a cycle: Band → Other → Band", 'decision "Band" (id d_band)'),
]


def outcome(case: Case, tmp_path: Path) -> tuple[str, list, object]:
    path = write(tmp_path, case.xml)
    try:
        return "runs", [], engine.load(path)
    except WorkbookError as error:
        return "refused", list(error.problems), None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.construct[:60])
def test_each_construct_runs_with_its_meaning_or_is_refused_at_its_place(case: Case, tmp_path: Path) -> None:
    found, problems, loaded = outcome(case, tmp_path)
    assert found == case.outcome, problems
    if found == "refused":
        matching = [p for p in problems if case.says in p.message]
        assert matching, [p.message for p in problems]
        where = matching[0].sheet + (f"!{matching[0].cell}" if matching[0].cell else "")
        assert not case.where or where == case.where, where
        if case.cells:
            taken = engine.load(write(tmp_path, case.xml, "cells.dmn"), input_types="cells")
            for record, output, expected in case.cells:
                result = engine.evaluate(taken, record)
                assert result[output] == expected and not result.errors, (record, result)
            assert any(w.code == "input-type" for w in taken.warnings), taken.warnings
        return
    for record, output, expected in case.check:
        result = engine.evaluate(loaded, record)
        assert result[output] == expected and not result.errors, (record, result)
    if case.says:
        assert any(case.says in w.message for w in loaded.warnings), loaded.warnings
    for record, error in case.errors:
        result = engine.evaluate(loaded, record)
        assert error in result.errors, (record, result.errors)
        assert all(v is None for v in result.outputs.values()) if "the result is null" in error else True


def test_a_rule_with_too_few_output_entries_gave_shifted_outputs_before():
    """Why the count matters: the one entry of a two-output rule was band's value and status null."""
    case = next(c for c in CASES if c.construct.startswith("a rule with fewer outputEntry"))
    assert case.outcome == "refused"


def documented_rows() -> dict[str, str]:
    text = (ROOT / "docs" / "dmn.md").read_text(encoding="utf-8")
    section = text.split("## What real DMN models use", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] not in ("construct", "---"):
            rows[cells[0]] = cells[2]
    return rows


def test_the_table_in_docs_dmn_md_is_these_cases() -> None:
    rows = documented_rows()
    assert set(rows) == {c.construct for c in CASES}, set(rows) ^ {c.construct for c in CASES}
    for case in CASES:
        assert re.match(rf"^(\*\*)?{case.outcome}\b", rows[case.construct]), (case.construct, rows[case.construct])


@pytest.mark.parametrize("text, spaced, looks", [
    ("1,2,3", "1, 2, 3", []),
    ("18,120", "18, 120", []),
    ("1,5", "1, 5", ["1,5"]),
    ('"1,2", 3,40', '"1,2", 3, 40', ["3,40"]),  # inside a string nothing changes
    ("[1..2], 1.5,2", "[1..2], 1.5,2", []),  # 1.5,2: not a packed whole-number list; the parser decides
    ("not(10,20)", "not(10, 20)", ["10,20"]),
])
def test_spaced_lists(text, spaced, looks):
    from engine.formats.dmn.support import spaced_lists

    assert spaced_lists(text) == (spaced, looks)


def test_a_default_output_fills_the_gap_on_every_path(tmp_path: Path) -> None:
    """The record evaluator (the reference), evaluate_frame, lint, show and the DMN written
    back all see the default."""
    import pandas as pd

    from engine.analysis.lint import lint_model
    from engine.formats.dmn.export import write_dmn
    from engine.review.show import render

    case = next(c for c in CASES if c.construct.startswith("`defaultOutputEntry`"))
    loaded = engine.load(write(tmp_path, case.xml))
    records = [{"age": 4}, {"age": 40}, {"age": None}]
    frame = engine.evaluate_frame(loaded, pd.DataFrame(records))
    assert frame["Band.band"].tolist() == [engine.evaluate(loaded, r)["Band.band"] for r in records] == \
        ["child", "unknown", "unknown"]
    assert frame["_warnings"].tolist() == ["", "", ""]  # the default is meant: no 'no rule matched'
    codes = {f.code for f in lint_model(loaded)}
    assert "gap" not in codes and "default-output" in codes
    assert 'when no rule matches: band = "unknown"' in render(loaded)
    write_dmn(loaded, tmp_path / "back.dmn")
    assert engine.evaluate(engine.load(tmp_path / "back.dmn"), {"age": 40})["Band.band"] == "unknown"
