"""List inputs in DMN: a collection itemDefinition of a simple type is a ``list of <type>`` input;
cells over it are written as standard FEEL with ``?`` (``list contains(?, "x")``, ``some e in ?
satisfies ...``) and read back; a workbook exported and read back gives the same results on
every list of the allowed values; such an entry over an input that is no list is refused."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from helpers import clause, decision, dmn, make_workbook, rule, write

import engine
from engine._core.errors import WorkbookError
from engine.formats import load
from engine.formats.dmn.export import write_dmn
from engine.formats.dmn.lists import plain_cell

CELLS = ['"Fever"', '"Fever", "Rash"', 'not("Cough")', 'not("Cough", "Rash")', "-", "null", "not(null)",
         '"Rash", null', 'not("Fever", null)', ">= \"D\"", '[\"A\"..\"F\"]']
VALUES = ("Fever", "Cough", "Rash")


@pytest.mark.parametrize("allowed", ['"Fever", "Cough", "Rash"', None])
@pytest.mark.parametrize("required", ["yes", "no"])
def test_exported_and_read_back_the_cells_mean_the_same(tmp_path: Path, allowed, required) -> None:
    workbook = make_workbook(tmp_path, inputs=[("signs", "list of string", allowed, required)],
                             tables={"t": ("C", ["signs", "o"], "io", ['"Fever", "Cough", "Rash"', None],
                                           [[f"R{i}", cell, str(i)] for i, cell in enumerate(CELLS, 1)])})
    model = engine.load_workbook(workbook)
    path = tmp_path / "w.dmn"
    write_dmn(model, path)
    back = load(path)
    assert back.inputs["signs"].type == "list of string"
    assert back.inputs["signs"].required == (required == "yes")
    lists = [tuple(s) for k in range(4) for s in itertools.combinations(VALUES, k)] + [None]
    for value in lists:
        want = engine.evaluate(model, {"signs": value}).row()
        got = engine.evaluate(back, {"signs": value}).row()
        assert (got["t.o"], got["_errors"] == "") == (want["t.o"], want["_errors"] == ""), value


@pytest.mark.parametrize(("text", "expected"), [
    ('list contains(?, "Fever")', ('"Fever"', False, "any")),
    ('? != null and (some e in ? satisfies e in ("a", "b"))', ('"a", "b"', False, "any")),
    ('? = null or (every e in ? satisfies not(e in ("a")))', ('not("a")', True, "any")),
    ('every e in ? satisfies not(e in (>= 3))', ("not(>= 3)", None, "any")),
    ('? = null or (every e in ? satisfies e in ("a"))', ('"a", null', True, "all")),
    ('? != null or (some e in ? satisfies e in ("a"))', None),  # a guard that guards nothing
    ("? > 3", None),
    ('"Fever"', None),
])
def test_the_shapes_read_back(text, expected) -> None:
    assert plain_cell(text) == expected


ITEMS = """<itemDefinition name="tSign"><typeRef>string</typeRef>
  <allowedValues><text>"Fever","Cough"</text></allowedValues></itemDefinition>
<itemDefinition name="tSigns" isCollection="true"><typeRef>tSign</typeRef></itemDefinition>
<inputData id="i_signs" name="Danger signs"><variable name="Danger signs" typeRef="tSigns"/></inputData>
<inputData id="i_age" name="Age"><variable name="Age" typeRef="number"/></inputData>"""


def _model(tmp_path: Path, entry: str, expression: str = "Danger signs") -> Path:
    table = decision("d", "Triage", 'hitPolicy="FIRST"', clause("c1", expression),
                     '<output id="o1" name="level" typeRef="string"/>',
                     rule("r1", [entry], ['"urgent"']) + rule("r2", ["-"], ['"routine"']))
    req = "".join(f'<informationRequirement><requiredInput href="#{i}"/></informationRequirement>'
                  for i in ("i_signs", "i_age"))
    return write(tmp_path, dmn(ITEMS + table.replace("<decisionTable", req + "<decisionTable", 1)))


def test_a_collection_item_definition_is_a_list_input(tmp_path: Path) -> None:
    model = load(_model(tmp_path, 'list contains(?, "Fever")'))
    signs = model.inputs[next(n for n in model.inputs if "signs" in n.lower())]
    assert signs.type == "list of string" and signs.allowed.text.replace(" ", "") == '"Fever","Cough"'
    name = signs.name
    assert engine.evaluate(model, {name: ["Cough", "Fever"]}).row()["Triage.level"] == "urgent"
    assert engine.evaluate(model, {name: ["Cough"]}).row()["Triage.level"] == "routine"
    assert engine.evaluate(model, {name: []}).row()["Triage.level"] == "routine"


def test_a_list_entry_over_an_input_that_is_no_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError) as error:
        load(_model(tmp_path, "list contains(?, 3)", "Age"))
    assert "tests a list, but Age is not a list" in str(error.value)


def test_a_guard_that_contradicts_the_tests_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError) as error:
        load(_model(tmp_path, '? = null or (some e in ? satisfies e in ("Fever"))'))
    assert "cannot be read as dtrun's tests of a list" in str(error.value)


def test_a_cell_that_dmn_cannot_say_is_refused_on_export(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, inputs=[("signs", "list of string", None, "no")],
                             tables={"t": ("C", ["signs", "o"], "io", None, [["R1", '!= "Fever"', "1"]])})
    with pytest.raises(WorkbookError) as error:
        write_dmn(engine.load_workbook(workbook), tmp_path / "w.dmn")
    assert "cannot write '!= \"Fever\"' in DMN: a test of a list's elements cannot use '!='" in str(error.value)


def test_feel_entries_over_a_list_input_test_the_whole_list(tmp_path) -> None:
    """An entry with ? that is not one of dtrun's list shapes runs as FEEL, ? being the whole
    list; list contains(?, ...) on an input that is not a list stays refused."""
    signs = ('<itemDefinition id="t_s" name="t_signs" isCollection="true"><typeRef>string</typeRef>'
             '</itemDefinition><inputData id="i_s" name="signs"><variable name="signs" typeRef="t_signs"/>'
             '</inputData><inputData id="i_a" name="age"><variable name="age" typeRef="number"/></inputData>')
    table = decision("d", "Triage", 'hitPolicy="FIRST"', clause("c1", "signs"), '<output id="o" name="level"/>',
                     rule("r1", ["count(?) &gt;= 2"], ['"many"']) + rule("r2", ['list contains(?, "Fever")'],
                                                                         ['"fever"']) + rule("r3", ["-"], ['"none"']))
    model = engine.load(write(tmp_path, dmn(signs + table)))
    assert engine.evaluate(model, {"signs": ["Fever", "Cough"]})["Triage.level"] == "many"
    assert engine.evaluate(model, {"signs": ["Fever"]})["Triage.level"] == "fever"
    assert engine.evaluate(model, {"signs": []})["Triage.level"] == "none"
    wrong = decision("d", "Triage", 'hitPolicy="FIRST"', clause("c1", "age"), '<output id="o" name="level"/>',
                     rule("r1", ['list contains(?, "Fever")'], ['"fever"']))
    with pytest.raises(WorkbookError, match="tests a list, but age is not a list"):
        engine.load(write(tmp_path, dmn(signs + wrong), "wrong.dmn"))
