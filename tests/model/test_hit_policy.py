"""The eleven DMN hit policies: no match, one match, several matches that agree or conflict.

Three sources of expectations:
- the hit-policy tables of the DMN TCK (``shared/tck`` beside the checkout: 0004-0007, 0010, 0108-0119),
  rebuilt here as workbooks, with the TCK's own expected results.  The transcription is
  checked against the ``.dmn`` and ``*-test-01.xml`` files when they are present;
- tables after the examples in the DMN specification's hit-policy section;
- small tables whose answers were worked out by hand for every policy.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import pytest
from helpers import TCK, model_for, one_table

import engine

# ====================================================================== DMN TCK tables
LOAN_INPUTS = [("Age", "number", None, "no"), ("RiskCategory", "string", '"High", "Low", "Medium"', "no"),
               ("isAffordable", "boolean", None, "no")]
LOAN = ["Age", "RiskCategory", "isAffordable"]
STATUS = '"Approved", "Declined"'


@dataclass
class Tck:
    folder: str
    policy: str
    inputs: list
    headings: list  # inputs then outputs
    outputs: dict  # DMN output name (None for an unnamed single output) -> our output name
    allowed: list  # row 3, one entry per heading
    rules: list  # [id, cells...]
    cases: list = field(default_factory=list)  # (record, {output: expected}, fired rule ids)
    extra: list = field(default_factory=list)  # cases of ours on the same table (not in the TCK)

    def model(self) -> Any:
        roles = "i" * (len(self.headings) - len(self.outputs)) + "o" * len(self.outputs)
        return one_table(self.policy, self.inputs, self.headings, roles, self.rules, self.allowed)


def _rec(age: str, risk: str | None = None, affordable: str | None = None) -> dict[str, str]:
    record = {"Age": age}
    if risk is not None:
        record.update(RiskCategory=risk, isAffordable=affordable)
    return record


SIMPLE_RULES_A = [["r1", ">=18", '"Medium","Low"', "true", '"Approved"'], ["r2", "<18", "-", "-", '"Declined"'],
                  ["r3", "-", '"High"', "-", '"Declined"'], ["r4", "-", "-", "false", '"Declined"']]
APPROVAL_2OUT = [["r1", ">=18", '"Low"', "true", '"Approved"', '"Best"'],
                 ["r2", ">=18", '"Medium"', "true", '"Approved"', '"Standard"'],
                 ["r3", "<18", '"Medium","Low"', "true", '"Declined"', '"Standard"'],
                 ["r4", "-", '"High"', "true", '"Declined"', '"Standard"'],
                 ["r5", "-", "-", "false", '"Declined"', '"Standard"']]
FIRST_RULES = [["r1", ">=18", '"Medium"', "true", '"Approved"', '"Best"'],
               ["r2", ">=12", '"Medium"', "true", '"Approved"', '"Standard"'],
               ["r3", "<12", '"Low"', "true", '"Declined"', '"Standard"']]
ORDER_RULES = [["r1", ">=18", '"Medium","Low"', "true", '"Approved"', '"Basic"'],
               ["r2", "<18", "-", "-", '"Declined"', '"Standard"'],
               ["r3", "-", '"High"', "-", '"Approved"', '"Standard"']]
YEARS = [("NumOfYears", "number", None, "no")]
YEARS_RULES = [["r1", ">1", "100"], ["r2", ">2", "200"], ["r3", ">3", "300"], ["r4", ">5", "500"]]
TWO = {"Status": "Status", "Rate": "Rate"}
AD = {"Approved/Declined": "Approved_Declined", "Rate": "Rate"}

TCK_TABLES = [
    Tck("0004-simpletable-U", "U", LOAN_INPUTS, LOAN + ["result"], {None: "result"}, [None] * 3 + [STATUS],
        [["r1", ">=18", '"Medium","Low"', "true", '"Approved"'], ["r2", "<18", '"Medium","Low"', "true", '"Declined"'],
         ["r3", "-", '"High"', "true", '"Declined"'], ["r4", "-", "-", "false", '"Declined"']],
        [(_rec("18", "Medium", "true"), {"result": "Approved"}, ["r1"]),
         (_rec("17", "Medium", "true"), {"result": "Declined"}, ["r2"]),
         (_rec("18", "High", "true"), {"result": "Declined"}, ["r3"])],
        [(_rec("18", "Medium", "false"), {"result": "Declined"}, ["r4"])]),
    Tck("0005-simpletable-A", "A", LOAN_INPUTS, LOAN + ["result"], {None: "result"}, [None] * 3 + [STATUS],
        SIMPLE_RULES_A,
        [(_rec("18", "Medium", "true"), {"result": "Approved"}, ["r1"]),
         (_rec("17", "Medium", "true"), {"result": "Declined"}, ["r2"]),
         (_rec("18", "High", "true"), {"result": "Declined"}, ["r3"])],
        [(_rec("17", "High", "false"), {"result": "Declined"}, ["r2", "r3", "r4"])]),  # three agree
    Tck("0006-simpletable-P1", "P", LOAN_INPUTS, LOAN + ["result"], {None: "result"}, [None] * 3 + [STATUS],
        SIMPLE_RULES_A,
        [(_rec("18", "Medium", "true"), {"result": "Approved"}, ["r1"]),
         (_rec("17", "Medium", "true"), {"result": "Declined"}, ["r2"]),
         (_rec("18", "High", "true"), {"result": "Declined"}, ["r3"])],
        [(_rec("17", "High", "false"), {"result": "Declined"}, ["r2"])]),  # equal priority: first in rule order
    Tck("0007-simpletable-P2", "P", LOAN_INPUTS, LOAN + ["result"], {None: "result"}, [None] * 3 + [STATUS],
        [["r1", ">=18", '"Medium","Low"', "true", '"Approved"'], ["r2", "-", "-", "-", '"Declined"']],
        [(_rec("18", "Medium", "true"), {"result": "Approved"}, ["r1"]),  # r1 and r2 match: priority
         (_rec("17", "Medium", "true"), {"result": "Declined"}, ["r2"]),
         (_rec("18", "High", "true"), {"result": "Declined"}, ["r2"])]),
    Tck("0010-multi-output-U", "U", LOAN_INPUTS, LOAN + ["Status", "Rate"], TWO,
        [None] * 3 + [STATUS, '"Best", "Standard"'], APPROVAL_2OUT,
        [(_rec("18", "Medium", "true"), {"Status": "Approved", "Rate": "Standard"}, ["r2"]),
         (_rec("17", "Medium", "true"), {"Status": "Declined", "Rate": "Standard"}, ["r3"]),
         (_rec("18", "High", "true"), {"Status": "Declined", "Rate": "Standard"}, ["r4"])]),
    Tck("0108-first-hitpolicy", "F", LOAN_INPUTS, LOAN + ["Status", "Rate"], TWO,
        [None] * 3 + [STATUS, '"Best", "Standard"'], FIRST_RULES,
        [(_rec("19", "Medium", "true"), {"Status": "Approved", "Rate": "Best"}, ["r1"]),
         (_rec("13", "Medium", "true"), {"Status": "Approved", "Rate": "Standard"}, ["r2"]),
         (_rec("10", "Low", "true"), {"Status": "Declined", "Rate": "Standard"}, ["r3"])]),
    Tck("0109-ruleOrder-hitpolicy", "R", LOAN_INPUTS, LOAN + ["Status", "Rate"], TWO, [None] * 5, FIRST_RULES,
        [(_rec("19", "Medium", "true"), {"Status": ["Approved", "Approved"], "Rate": ["Best", "Standard"]},
          ["r1", "r2"]),
         (_rec("13", "Medium", "true"), {"Status": ["Approved"], "Rate": ["Standard"]}, ["r2"]),
         (_rec("10", "Low", "true"), {"Status": ["Declined"], "Rate": ["Standard"]}, ["r3"])]),
    Tck("0110-outputOrder-hitpolicy", "O", LOAN_INPUTS, LOAN + ["Approved_Declined", "Rate"], AD,
        [None] * 3 + [STATUS, None], ORDER_RULES,
        [(_rec("17", "High", "true"), {"Approved_Declined": ["Approved", "Declined"], "Rate": ["Standard", "Standard"]},
          ["r3", "r2"]),
         (_rec("19", "Low", "true"), {"Approved_Declined": ["Approved"], "Rate": ["Basic"]}, ["r1"]),
         (_rec("10", "Low", "true"), {"Approved_Declined": ["Declined"], "Rate": ["Standard"]}, ["r2"])]),
    Tck("0111-first-hitpolicy-singleoutputcol", "F", [("age", "number", None, "no")], ["age", "result"],
        {None: "result"}, [None, None],
        [["r1", ">18", '"Cars"'], ["r2", ">12", '"Videogames"'], ["r3", ">0", '"Toys"']],
        [({"age": "19"}, {"result": "Cars"}, ["r1"]), ({"age": "13"}, {"result": "Videogames"}, ["r2"]),
         ({"age": "5"}, {"result": "Toys"}, ["r3"])],
        [({"age": "0"}, {"result": None}, [])]),
    Tck("0112-ruleOrder-hitpolicy-singleinoutcol", "R", [("Age", "number", None, "no")], ["Age", "result"],
        {None: "result"}, [None, None], [["r1", ">=18", '"Best"'], ["r2", ">=12", '"Standard"'],
                                         ["r3", "<12", '"Standard"']],
        [(_rec("19"), {"result": ["Best", "Standard"]}, ["r1", "r2"]), (_rec("13"), {"result": ["Standard"]}, ["r2"]),
         (_rec("10"), {"result": ["Standard"]}, ["r3"])]),
    Tck("0113-outputOrder-hitpolicy-singleinoutcol", "O", [("Age", "number", None, "no")], ["Age", "result"],
        {None: "result"}, [None, '"Approved","Declined"'],
        [["r1", ">=18", '"Approved"'], ["r2", "<18", '"Declined"'], ["r3", ">=0", '"Approved"']],
        [(_rec("17"), {"result": ["Approved", "Declined"]}, ["r3", "r2"]),
         (_rec("19"), {"result": ["Approved", "Approved"]}, ["r1", "r3"]),
         (_rec("10"), {"result": ["Approved", "Declined"]}, ["r3", "r2"])],
        [(_rec("-1"), {"result": ["Declined"]}, ["r2"])]),
    Tck("0114-min-collect-hitpolicy", "C<", YEARS, ["NumOfYears", "result"], {None: "result"}, [None, None],
        [["r1", ">1", "98.83"], ["r2", ">2", "150.21"], ["r3", ">3", "205.43"], ["r4", ">4", "64.32"]],
        [({"NumOfYears": "5"}, {"result": 64.32}, ["r1", "r2", "r3", "r4"]),
         ({"NumOfYears": "3"}, {"result": 98.83}, ["r1", "r2"]),
         ({"NumOfYears": "4"}, {"result": 98.83}, ["r1", "r2", "r3"])],
        [({"NumOfYears": "1"}, {"result": None}, [])]),
    Tck("0115-sum-collect-hitpolicy", "C+", YEARS, ["NumOfYears", "result"], {None: "result"}, [None, None],
        YEARS_RULES,
        [({"NumOfYears": "6"}, {"result": 1100}, ["r1", "r2", "r3", "r4"]),
         ({"NumOfYears": "3"}, {"result": 300}, ["r1", "r2"]),
         ({"NumOfYears": "2"}, {"result": 100}, ["r1"])],
        [({"NumOfYears": "1"}, {"result": None}, [])]),
    Tck("0116-count-collect-hitpolicy", "C#", YEARS, ["NumOfYears", "result"], {None: "result"}, [None, None],
        YEARS_RULES,
        [({"NumOfYears": "6"}, {"result": 4}, ["r1", "r2", "r3", "r4"]),
         ({"NumOfYears": "2"}, {"result": 1}, ["r1"]),
         ({"NumOfYears": "3"}, {"result": 2}, ["r1", "r2"])],
        [({"NumOfYears": "1"}, {"result": 0}, [])]),
    Tck("0117-multi-any-hitpolicy", "A", LOAN_INPUTS, LOAN + ["Status", "Rate"], TWO,
        [None] * 3 + [STATUS, '"Best", "Standard"'],
        APPROVAL_2OUT + [["r6", ">=19", '"Low"', "true", '"Approved"', '"Best"']],
        [(_rec("19", "Low", "true"), {"Status": "Approved", "Rate": "Best"}, ["r1", "r6"]),
         (_rec("17", "High", "true"), {"Status": "Declined", "Rate": "Standard"}, ["r4"]),
         (_rec("19", "Medium", "true"), {"Status": "Approved", "Rate": "Standard"}, ["r2"])]),
    Tck("0118-multi-priority-hitpolicy", "P", LOAN_INPUTS, LOAN + ["Approved_Declined", "Rate"], AD,
        [None] * 3 + [STATUS, None], ORDER_RULES,
        [(_rec("17", "High", "true"), {"Approved_Declined": "Approved", "Rate": "Standard"}, ["r3"]),
         (_rec("19", "Low", "true"), {"Approved_Declined": "Approved", "Rate": "Basic"}, ["r1"]),
         (_rec("10", "Low", "true"), {"Approved_Declined": "Declined", "Rate": "Standard"}, ["r2"])]),
    Tck("0119-multi-collect-hitpolicy", "C", LOAN_INPUTS, LOAN + ["Approved_Declined", "Rate"], AD,
        [None] * 3 + [STATUS, None], ORDER_RULES,
        [(_rec("17", "High", "true"), {"Approved_Declined": ["Declined", "Approved"], "Rate": ["Standard", "Standard"]},
          ["r2", "r3"]),
         (_rec("19", "Low", "true"), {"Approved_Declined": ["Approved"], "Rate": ["Basic"]}, ["r1"]),
         (_rec("10", "Low", "true"), {"Approved_Declined": ["Declined"], "Rate": ["Standard"]}, ["r2"])]),
]
TCK_CASES = [(t, number, case) for t in TCK_TABLES for number, case in enumerate(t.cases + t.extra, start=1)]


@pytest.mark.parametrize("table, number, case", TCK_CASES,
                         ids=[f"{t.folder}-{'tck' if n <= len(t.cases) else 'ours'}{n:02d}" for t, n, _ in TCK_CASES])
def test_tck_decision_tables_give_the_tck_answers(table, number, case):
    record, expected, fired = case
    result = engine.evaluate(table.model(), record)
    assert {name: result[f"t.{name}"] for name in expected} == expected
    assert list(result.rules["t"]) == fired
    assert result.errors == ()
    single_hit_miss = table.policy in ("U", "A", "P", "F") and not fired
    assert result.warnings == (("t: no rule matched",) if single_hit_miss else ())


# ---------------------------------------------------------------- the transcription vs the TCK files
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name]


def _text(element: ET.Element) -> str:
    return next((e.text or "" for e in element.iter() if _local(e.tag) == "text"), "")


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
POLICIES = {("UNIQUE", None): "U", ("ANY", None): "A", ("PRIORITY", None): "P", ("FIRST", None): "F",
            ("RULE ORDER", None): "R", ("OUTPUT ORDER", None): "O", ("COLLECT", None): "C",
            ("COLLECT", "SUM"): "C+", ("COLLECT", "MIN"): "C<", ("COLLECT", "MAX"): "C>", ("COLLECT", "COUNT"): "C#"}


def _xml_value(element: ET.Element) -> Any:
    if element.get(NIL) == "true":
        return None
    kind = (element.get(XSI_TYPE) or "").split(":")[-1]
    text = element.text or ""
    if kind == "decimal":
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text


def _expected(expected: ET.Element, outputs: dict) -> dict[str, Any]:
    """A TCK <expected> as {our output: value, or list of values for a list result}."""
    components = _children(expected, "component")
    if components:
        return {outputs[c.get("name")]: _xml_value(_children(c, "value")[0]) for c in components}
    lists = _children(expected, "list")
    if lists:
        items = _children(lists[0], "item")
        if items and _children(items[0], "component"):
            return {ours: [_xml_value(_children(next(c for c in _children(i, "component") if c.get("name") == dmn),
                                                "value")[0]) for i in items] for dmn, ours in outputs.items()}
        return {outputs[None]: [_xml_value(_children(i, "value")[0]) for i in items]}
    return {outputs[None]: _xml_value(_children(expected, "value")[0])}


@pytest.mark.parametrize("table", TCK_TABLES, ids=[t.folder for t in TCK_TABLES])
def test_tck_transcription_matches_the_tck_files(table):
    folder = TCK / table.folder
    if not folder.is_dir():
        pytest.skip(f"{folder} is not available")
    root = ET.parse(folder / f"{table.folder}.dmn").getroot()
    (decision_table,) = [e for e in root.iter() if _local(e.tag) == "decisionTable"]
    assert POLICIES[decision_table.get("hitPolicy", "UNIQUE"), decision_table.get("aggregation")] == table.policy
    inputs = _children(decision_table, "input")
    assert [_text(_children(i, "inputExpression")[0]) for i in inputs] == table.headings[:len(inputs)]
    outputs = _children(decision_table, "output")
    assert [table.outputs[o.get("name")] for o in outputs] == table.headings[len(inputs):]
    values = [_squash(_text(_children(o, "outputValues")[0])) if _children(o, "outputValues") else ""
              for o in outputs]
    assert values == [_squash(v) for v in table.allowed[len(inputs):]]
    rules = [[_squash(_text(e)) for e in _children(r, "inputEntry") + _children(r, "outputEntry")]
             for r in _children(decision_table, "rule")]
    assert rules == [[_squash(c) for c in rule[1:]] for rule in table.rules]

    cases = ET.parse(folder / f"{table.folder}-test-01.xml").getroot()
    transcribed = []
    for case in _children(cases, "testCase"):
        record = {n.get("name"): _children(n, "value")[0].text for n in _children(case, "inputNode")}
        (result,) = _children(case, "resultNode")
        transcribed.append((record, _expected(_children(result, "expected")[0], table.outputs)))
    assert transcribed == [(record, expected) for record, expected, _ in table.cases]


# ====================================================================== after the DMN specification
RISK_RATING = [("Applicant_Age", "number", None, "yes"), ("Medical_History", "string", '"good","bad"', "yes")]


def test_unique_applicant_risk_rating():
    model = one_table("U", RISK_RATING, ["Applicant_Age", "Medical_History", "Applicant_Risk_Rating"], "iio", [
        ["1", ">60", '"good"', '"Medium"'], ["2", ">60", '"bad"', '"High"'], ["3", "[25..60]", "-", '"Medium"'],
        ["4", "<25", '"good"', '"Low"'], ["5", "<25", '"bad"', '"Medium"']],
        allowed=[None, None, '"Low","Medium","High"'])
    expected = {(61, "good"): ("Medium", "1"), (61, "bad"): ("High", "2"), (60, "bad"): ("Medium", "3"),
                (25, "good"): ("Medium", "3"), (24.5, "good"): ("Low", "4"), (18, "bad"): ("Medium", "5")}
    for (age, history), (rating, rule) in expected.items():
        result = engine.evaluate(model, {"Applicant_Age": age, "Medical_History": history})
        assert (result["t.Applicant_Risk_Rating"], result.rules["t"]) == (rating, (rule,)), (age, history)


def test_any_person_loan_compliance_agreeing_matches():
    model = one_table("A", [("rating", "string", '"A","B","C"', "yes"), ("card_balance", "number", None, "yes"),
                            ("education_loan_balance", "number", None, "yes")],
                      ["rating", "card_balance", "education_loan_balance", "compliance"], "iiio", [
                          ["1", '"A"', "<10000", "<60000", '"Compliant"'],
                          ["2", 'not("A")', "-", "-", '"Not Compliant"'],
                          ["3", "-", ">=10000", "-", '"Not Compliant"'],
                          ["4", "-", "-", ">=60000", '"Not Compliant"']])
    cases = [(("A", 9999, 59999), "Compliant", ("1",)), (("B", 100, 100), "Not Compliant", ("2",)),
             (("A", 10000, 0), "Not Compliant", ("3",)),
             (("C", 20000, 70000), "Not Compliant", ("2", "3", "4"))]  # three rules agree
    for (rating, card, loan), compliance, rules in cases:
        result = engine.evaluate(model, {"rating": rating, "card_balance": card, "education_loan_balance": loan})
        assert (result["t.compliance"], result.rules["t"], result.errors) == (compliance, rules, ())


# ====================================================================== every policy, worked by hand
N = [("n", "number", None, "no")]
TEXT_RULES = [["r1", ">= 1", '"routine"'], ["r2", ">= 2", '"urgent"'], ["r3", ">= 3", '"routine"']]
NUMBER_RULES = [["r1", ">= 1", "10"], ["r2", ">= 2", "5"], ["r3", ">= 3", "20"]]
NO_MATCH = "t: no rule matched"
# policy -> {n: (output, fired rule ids, error or None)}; n=0: no match, 1: r1, 2: r1+r2 (conflict), 3: all
EXPECTED = {
    "U": {0: (None, (), None), 1: ("routine", ("r1",), None),
          2: (None, (), "t: rules r1 and r2 both match under hit policy U"),
          3: (None, (), "t: rules r1, r2 and r3 all match under hit policy U")},
    "A": {0: (None, (), None), 1: ("routine", ("r1",), None),
          2: (None, (), "t: rules r1 and r2 both match under hit policy A but give different outputs"),
          3: (None, (), "t: rules r1, r2 and r3 all match under hit policy A but give different outputs")},
    "P": {0: (None, (), None), 1: ("routine", ("r1",), None), 2: ("urgent", ("r2",), None),
          3: ("urgent", ("r2",), None)},
    "F": {0: (None, (), None), 1: ("routine", ("r1",), None), 2: ("routine", ("r1",), None),
          3: ("routine", ("r1",), None)},
    "R": {0: ([], (), None), 1: (["routine"], ("r1",), None), 2: (["routine", "urgent"], ("r1", "r2"), None),
          3: (["routine", "urgent", "routine"], ("r1", "r2", "r3"), None)},
    "O": {0: ([], (), None), 1: (["routine"], ("r1",), None), 2: (["urgent", "routine"], ("r2", "r1"), None),
          3: (["urgent", "routine", "routine"], ("r2", "r1", "r3"), None)},
    "C": {0: ([], (), None), 1: (["routine"], ("r1",), None), 2: (["routine", "urgent"], ("r1", "r2"), None),
          3: (["routine", "urgent", "routine"], ("r1", "r2", "r3"), None)},
    "C+": {0: (None, (), None), 1: (10, ("r1",), None), 2: (15, ("r1", "r2"), None),
           3: (35, ("r1", "r2", "r3"), None)},
    "C<": {0: (None, (), None), 1: (10, ("r1",), None), 2: (5, ("r1", "r2"), None), 3: (5, ("r1", "r2", "r3"), None)},
    "C>": {0: (None, (), None), 1: (10, ("r1",), None), 2: (10, ("r1", "r2"), None),
           3: (20, ("r1", "r2", "r3"), None)},
    "C#": {0: (0, (), None), 1: (1, ("r1",), None), 2: (2, ("r1", "r2"), None), 3: (3, ("r1", "r2", "r3"), None)},
}
MATRIX = [(policy, n) for policy in EXPECTED for n in range(4)]


@pytest.mark.parametrize("policy, n", MATRIX, ids=[f"{p}-{['none', 'one', 'two', 'three'][n]}" for p, n in MATRIX])
def test_every_policy_with_zero_one_and_several_matches(policy, n):
    rules = NUMBER_RULES if policy in ("C+", "C<", "C>", "C#") else TEXT_RULES
    model = one_table(policy, N, ["n", "out"], "io", rules, allowed=[None, '"urgent","routine"'])
    output, fired, error = EXPECTED[policy][n]
    result = engine.evaluate(model, {"n": n})
    assert result["t.out"] == output
    assert type(result["t.out"]) is type(output)
    assert result.rules["t"] == fired
    assert result.errors == ((error,) if error else ())
    assert result.warnings == ((NO_MATCH,) if n == 0 and policy in "UAPF" else ())


@pytest.mark.parametrize("policy, expected, fired", [
    ("U", None, ()), ("A", "routine", ("r1", "r2")), ("P", "routine", ("r1",)), ("F", "routine", ("r1",)),
    ("R", ["routine", "routine"], ("r1", "r2")), ("O", ["routine", "routine"], ("r1", "r2")),
    ("C", ["routine", "routine"], ("r1", "r2")), ("C#", 2, ("r1", "r2")),
])
def test_several_agreeing_matches(policy, expected, fired):
    model = one_table(policy, N, ["n", "out"], "io", [["r1", ">= 1", '"routine"'], ["r2", ">= 2", '"routine"']],
                      allowed=[None, '"urgent","routine"'])
    result = engine.evaluate(model, {"n": 5})
    assert (result["t.out"], result.rules["t"]) == (expected, fired)
    assert bool(result.errors) is (policy == "U")  # U forbids overlap even when the outputs agree


def test_priority_compares_outputs_in_order_and_breaks_ties_by_the_next_output():
    model = one_table("P", N, ["n", "level", "where"], "ioo", [
        ["r1", "-", '"routine"', '"clinic"'], ["r2", ">= 1", '"urgent"', '"clinic"'],
        ["r3", ">= 2", '"urgent"', '"ward"']], allowed=[None, '"urgent","routine"', '"ward","clinic"'])
    assert engine.evaluate(model, {"n": 0}).rules["t"] == ("r1",)
    assert engine.evaluate(model, {"n": 1}).rules["t"] == ("r2",)
    result = engine.evaluate(model, {"n": 2})
    assert (result["t.level"], result["t.where"], result.rules["t"]) == ("urgent", "ward", ("r3",))


def test_output_order_sorts_by_priority_and_keeps_rule_order_among_equals():
    model = one_table("O", N, ["n", "level"], "io", [
        ["r1", "-", '"low"'], ["r2", "-", '"high"'], ["r3", "-", '"mid"'], ["r4", "-", '"high"'], ["r5", "-", '"low"']],
        allowed=[None, '"high","mid","low"'])
    result = engine.evaluate(model, {"n": 1})
    assert result["t.level"] == ["high", "high", "mid", "low", "low"]
    assert result.rules["t"] == ("r2", "r4", "r3", "r1", "r5")


# ---------------------------------------------------------------- aggregations over kinds of values
@pytest.mark.parametrize("cells, minimum, maximum", [
    (["2.5", "-1", "10"], -1, 10),
    (['"beta"', '"alpha"', '"gamma"'], "alpha", "gamma"),
    (['date("2024-03-01")', 'date("2023-12-31")', 'date("2024-01-15")'], dt.date(2023, 12, 31), dt.date(2024, 3, 1)),
])
def test_collect_min_and_max_order_numbers_strings_and_dates(cells, minimum, maximum):
    rules = [[f"r{i}", "-", cell] for i, cell in enumerate(cells, start=1)]
    for policy, expected in (("C<", minimum), ("C>", maximum)):
        result = engine.evaluate(one_table(policy, N, ["n", "out"], "io", rules), {"n": 1})
        assert (result["t.out"], result.errors) == (expected, ())
        assert result.rules["t"] == ("r1", "r2", "r3")


@pytest.mark.parametrize("policy, cells, shown", [
    ("C+", ['"a"', '"b"'], '"a", "b"'),
    ("C+", ["true", "false"], "True, False"),
    ("C+", ['date("2024-01-01")', "1"], "2024-01-01, 1"),
    ("C+", ["1", "null"], "1, null"),
    ("C<", ["1", '"a"'], '1, "a"'),
    ("C>", ["true", "false"], "True, False"),
])
def test_aggregation_over_values_it_cannot_add_or_order_is_a_row_error(policy, cells, shown):
    rules = [[f"r{i}", "-", cell] for i, cell in enumerate(cells, start=1)]
    model = model_for(inputs=N, tables={
        "t": (policy, ["n", "out"], "io", None, rules),
        "after": ("U", ["t.out", "x"], "io", None, [["a1", "-", '"ran"']]),
    })
    result = engine.evaluate(model, {"n": 1})
    assert result["t.out"] is None and result["after.x"] is None
    what = "add" if policy == "C+" else "order"
    assert result.errors[0] == f"t: hit policy {policy} cannot {what} the values {shown} of rules r1 and r2"
    assert result.errors[1] == "after: not evaluated because t.out has no usable value"


def test_collect_count_counts_values_of_any_kind_including_null_and_repeats():
    rules = [["r1", "-", '"a"'], ["r2", "-", "null"], ["r3", "-", "true"], ["r4", "-", '"a"'],
             ["r5", "< 0", "1"]]
    result = engine.evaluate(one_table("C#", N, ["n", "out"], "io", rules), {"n": 1})
    assert (result["t.out"], result.rules["t"]) == (4, ("r1", "r2", "r3", "r4"))


def test_collect_sum_of_computed_outputs():
    model = one_table("C+", [("n", "number", None, "no"), ("w", "number", None, "no")], ["n", "w", "out"], "iio",
                      [["r1", ">= 1", "-", "w * 2"], ["r2", ">= 2", "-", "0.5"], ["r3", ">= 3", "-", "-w"]])
    assert engine.evaluate(model, {"n": 2, "w": "10"})["t.out"] == 20.5
    assert engine.evaluate(model, {"n": 3, "w": "10"})["t.out"] == 10.5
    assert engine.evaluate(model, {"n": 1, "w": "2.25"})["t.out"] == 4.5


def test_empty_results_by_policy_in_a_result_row():
    """What a table gives when nothing matches: null, [] or 0, and a warning only for single hit."""
    tables = {f"t{i}": (policy, ["n", "o"], "io", [None, '"x"'], [["r1", "< 0", '"x"' if policy[0] != "C" or
                                                                      len(policy) == 1 else "1"]])
              for i, policy in enumerate(EXPECTED)}
    model = model_for(inputs=N, tables=tables)
    result = engine.evaluate(model, {"n": 1})
    empties = {policy: result[f"t{i}.o"] for i, policy in enumerate(EXPECTED)}
    assert empties == {"U": None, "A": None, "P": None, "F": None, "R": [], "O": [], "C": [],
                       "C+": None, "C<": None, "C>": None, "C#": 0}
    assert result.warnings == tuple(f"t{i}: no rule matched" for i in range(4))
    row = result.row()
    assert [row[f"t{i}.rules"] for i in range(len(EXPECTED))] == [""] * len(EXPECTED)
