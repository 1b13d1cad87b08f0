"""engine.formats.dmn.export and engine.feel.unparse: workbooks written as DMN XML, cells as standard FEEL.

The oracle for the FEEL texts is dtrun's own parser: a written text must parse back to the
same AST (positions aside) as the author's text, and must be spelt in standard FEEL only.
The exported HER2 model is also read by dmn-moddle, the reader of Camunda Modeler and dmn-js.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLE_WORKBOOK, TESTS, model_for, one_table, without_spans

from engine._core.errors import WorkbookError
from engine.feel.syntax import parse_expression, parse_unary_tests
from engine.feel.unparse import FeelWriteError, expression, rename_names, unary_tests
from engine.formats.dmn.export import export_dmn
from engine.formats.dmn.names import VERSIONS

MODELER = TESTS / "dmn_moddle"



# ---------------------------------------------------------------------- FEEL texts
@pytest.mark.parametrize("cell, feel", [
    ("-", "-"), ("", "-"), ("≥ 18", ">= 18"), ("≤18", "<= 18"), (">=18", ">= 18"), ("< 2.5", "< 2.5"),
    ('“positive”', '"positive"'), ("‘a’", '"a"'), ('"a","b"', '"a", "b"'), ("]1..5]", "(1..5]"),
    ("[1..5[", "[1..5)"), ("(1..5)", "(1..5)"), ("TRUE", "true"), ("False", "false"), ("NULL", "null"),
    ("!= 5", "not(5)"), ('≠ "x"', 'not("x")'), ('not("a", "b")', 'not("a", "b")'), ("= 3", "3"),
    ('date("2025-01-31")', 'date("2025-01-31")'), ("1e3", "1000.0"), ("0.0000001", "0.0000001"),
    ("-0.5", "-0.5"), ('"say \\"hi\\""', '"say \\"hi\\""'), ("> other", "> other"),
    ("[low..high]", "[low..high]"), ("−3", "-3"),
])
def test_unary_tests_are_written_in_standard_feel(cell, feel):
    node = parse_unary_tests(cell)
    assert unary_tests(node) == feel
    assert without_spans(parse_unary_tests(feel)) == without_spans(node) or cell.replace(" ", "").startswith(
        ("!=", "≠"))


@pytest.mark.parametrize("cell", ['!= 1, 2', 'not(!= 1)', '"a", ≠ "b"'])
def test_a_not_equal_test_inside_a_list_cannot_be_written(cell):
    with pytest.raises(FeelWriteError, match="'!='"):
        unary_tests(parse_unary_tests(cell))


@pytest.mark.parametrize("cell", [
    "8 * weight_kg", "(a + b) * c", "a - (b - c)", "a - b - c", "a / (b * c)", "-(a + b)", "-a ** 2", "(-a) ** 2",
    "a ** b ** c", "(a ** b) ** c", "2 ** -1", "not(a > 1 and b < 2)", "a > 1 or b < 2 and c = 3",
    "(a or b) and c", "(a < b) = true", "a × 2 − 1", "null", '"first_line"', "1e20", "TRUE",
])
def test_expressions_keep_their_meaning_when_written(cell):
    written = expression(parse_expression(cell))
    assert without_spans(parse_expression(written)) == without_spans(parse_expression(cell))
    assert not set(written) & set("×−≥≤≠“”")


@pytest.mark.parametrize("text, expected", [
    ("Approval Status", "Approval_Status.Approval_Status"),
    ('"Approval Status"', '"Approval Status"'),
    ("> Approval Status", "> Approval_Status.Approval_Status"),
    ("Approval.Approved/Declined", "Approval.Approved_Declined"),
    ("Approval Statuses", "Approval Statuses"),  # a longer name that is not known stays as written
    ("[Age..Max Age]", "[Age..Max_Age]"),
    ("odd(?)", "odd(?)"),  # a function call, not the decision odd (convert wrote odd.odd(?))
    ("odd (Age) and odd", "odd (Age) and odd.flag"),
])
def test_dmn_names_in_feel_texts_become_dtrun_names(text, expected):
    names = {"Approval Status": "Approval_Status.Approval_Status", "Approval": "Approval", "Age": "Age",
             "Max Age": "Max_Age", "odd": "odd.flag"}
    assert rename_names(text, names, {"Approval": {"Approved/Declined": "Approved_Declined"}}) == expected


# ---------------------------------------------------------------------- documents
NS = {v: VERSIONS[v].model for v in VERSIONS}
INPUTS = [("age", "integer", "[0..120]", "yes"), ("sex", "string", '"f","m"', "no")]
CHAINED = {
    "band": ("F", ["age", "band"], "io", None, [["1", "< 18", '"child"'], ["B.2", "-", '"adult"']]),
    "dose": ("C+", ["band", "sex", "mg", "Reference"], "iioa", None,
             [["d1", '"child"', "-", "10", "WHO 2024"], ["d2", '"adult"', '≠ "f"', "age * 2", ""]]),
}


def _root(model: Any, version: str = "1.3") -> ET.Element:
    return ET.fromstring(export_dmn(model, version))


def _all(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.tag.rpartition("}")[2] == name]


@pytest.mark.parametrize("version", ["1.3", "1.4", "1.5"])
def test_each_version_is_written_in_its_own_namespace(version):
    root = _root(model_for(inputs=INPUTS, tables=CHAINED), version)
    assert root.tag == f"{{{NS[version]}}}definitions"
    assert {e.tag.partition("}")[0][1:] for e in root.iter() if e.tag.endswith("DMNShape")} == {
        VERSIONS[version].dmndi}


def test_the_default_version_is_dmn_1_3():
    assert ET.fromstring(export_dmn(model_for(inputs=INPUTS, tables=CHAINED))).tag == f"{{{NS['1.3']}}}definitions"


def test_inputs_become_input_data_with_item_definitions_and_extensions():
    root = _root(model_for(inputs=INPUTS, tables=CHAINED))
    items = {e.get("name"): e for e in _all(root, "itemDefinition")}
    assert [(n, _all(e, "typeRef")[0].text) for n, e in items.items()] == [("t_age", "number"), ("t_sex", "string")]
    # sex is not Required: a missing value is allowed, which DMN says with null (KIE refuses a null not listed)
    assert [t.text for t in _all(items["t_sex"], "text")] == ['"f", "m", null']
    data = {e.get("name"): e for e in _all(root, "inputData")}
    assert [_all(e, "variable")[0].get("typeRef") for e in data.values()] == ["t_age", "t_sex"]
    extension = _all(data["age"], "input")[0]
    assert (extension.get("type"), extension.get("required")) == ("integer", "true")


def test_decisions_carry_policy_requirements_clauses_rules_and_annotations():
    root = _root(model_for(inputs=INPUTS, tables=CHAINED))
    decisions = {e.get("name"): e for e in _all(root, "decision")}
    band, dose = decisions["band"], decisions["dose"]
    assert (_all(band, "decisionTable")[0].get("hitPolicy"), _all(band, "decisionTable")[0].get("aggregation")) == (
        "FIRST", None)
    assert (_all(dose, "decisionTable")[0].get("hitPolicy"), _all(dose, "decisionTable")[0].get("aggregation")) == (
        "COLLECT", "SUM")
    hrefs = [r.get("href") for r in dose.iter() if r.tag.endswith(("requiredInput", "requiredDecision"))]
    assert hrefs == ["#decision_band", "#inputData_sex", "#inputData_age"]
    # a single-output table's result is the decision itself in FEEL
    assert [_all(i, "text")[0].text for i in _all(dose, "inputExpression")] == ["band", "sex"]
    assert [a.get("name") for a in _all(dose, "annotation")] == ["Reference"]
    rules = _all(dose, "rule")
    assert [[t.text or "" for t in _all(r, "text")] for r in rules] == [
        ['"child"', "-", "10", "WHO 2024"], ['"adult"', 'not("f")', "age * 2", ""]]
    assert [o.get("typeRef") for o in _all(dose, "output")] == [None]  # age * 2 has no literal type
    assert [o.get("typeRef") for o in _all(band, "output")] == ["string"]


def test_rule_ids_that_are_not_xml_ids_keep_the_id_as_label():
    root = _root(model_for(inputs=INPUTS, tables=CHAINED))
    rules = [(r.get("id"), r.get("label")) for r in _all(root, "rule")]
    assert rules == [("_1", "1"), ("B.2", None), ("d1", None), ("d2", None)]
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_about_metadata_goes_to_the_definitions():
    model = model_for(inputs=INPUTS, tables=CHAINED, about={"Title": "Dosing", "Version": "2.1", "Source": "WHO"})
    root = _root(model)
    assert (root.get("name"), _all(root, "description")[0].text) == ("Dosing", "WHO")
    assert {e.get("key"): e.get("value") for e in _all(root, "about")} == {"Title": "Dosing", "Version": "2.1",
                                                                           "Source": "WHO"}


def test_a_diagram_has_a_shape_per_element_and_an_edge_per_requirement():
    root = _root(model_for(inputs=INPUTS, tables=CHAINED))
    shapes = {s.get("dmnElementRef") for s in _all(root, "DMNShape")}
    assert shapes == {e.get("id") for e in (*_all(root, "decision"), *_all(root, "inputData"))}
    assert len(_all(root, "DMNEdge")) == len(_all(root, "informationRequirement")) == 4


def test_a_cell_standard_feel_cannot_hold_is_an_error_at_that_cell():
    model = one_table("U", [("n", "number")], ["n", "out"], "io", [["r1", "!= 1, 2", '"x"']])
    with pytest.raises(WorkbookError) as caught:
        export_dmn(model)
    (problem,) = caught.value.problems
    assert (problem.code, problem.sheet, problem.cell) == ("dmn-export", "t", "B4")
    assert "not(" in problem.hint


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="1.2"):
        export_dmn(model_for(inputs=INPUTS, tables=CHAINED), "1.2")


# ---------------------------------------------------------------------- read by dmn-moddle
def _modeler() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed: the dmn-moddle check needs them")
    if not (MODELER / "node_modules" / "dmn-moddle").is_dir():
        command = ["npm", "ci"] if (MODELER / "package-lock.json").exists() else ["npm", "install"]
        done = subprocess.run([*command, "--no-audit", "--no-fund"], cwd=MODELER, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            pytest.skip(f"npm could not install dmn-moddle (no registry?): {done.stderr.strip()[-300:]}")
    return MODELER


def _read_with_moddle(path: Path) -> dict[str, Any]:
    done = subprocess.run(["node", "read_dmn.mjs", str(path)], cwd=_modeler(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_dmn_moddle_reads_the_exported_her2_model_without_warnings(tmp_path):
    if not EXAMPLE_WORKBOOK.exists():
        pytest.skip("decision_tables/her2_mbc_brain_mets.xlsx is not in this checkout")
    from engine import load_workbook

    model = load_workbook(EXAMPLE_WORKBOOK)
    path = tmp_path / "her2.dmn"
    path.write_bytes(export_dmn(model, "1.3"))
    seen = _read_with_moddle(path)
    assert seen["warnings"] == []
    assert {name: d["rules"] for name, d in seen["decisions"].items()} == {
        t.name: list(t.rule_ids) for t in model.tables}
    assert sorted(seen["inputData"]) == sorted(model.inputs)
    assert seen["shapes"] == len(model.tables) + len(model.inputs) + sum(
        d["requirements"] for d in seen["decisions"].values())


def test_dmn_moddle_warns_about_what_it_cannot_read(tmp_path):
    """The check above can fail: an element dmn-moddle does not know gives a warning."""
    model = model_for(inputs=INPUTS, tables=CHAINED)
    text = export_dmn(model).decode().replace("<decisionTable ", '<decisionTable bogus="1" ', 1).replace(
        "</decision>", "<unknownThing/></decision>", 1)
    path = tmp_path / "broken.dmn"
    path.write_text(text, encoding="utf-8")
    assert _read_with_moddle(path)["warnings"]
