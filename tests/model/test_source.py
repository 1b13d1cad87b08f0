"""A model's source: how places and things are named, per format (engine.model.source and
the Words of engine/formats/xlsx/words.py and engine/formats/dmn/words.py)."""

from __future__ import annotations

from dataclasses import fields

import pytest
from helpers import clause, decision, dmn, model_for, rule, write

from engine.formats import load
from engine.formats.dmn.words import DMN_WORDS, TABLE_PART
from engine.formats.xlsx.words import WORKBOOK_WORDS
from engine.model.hit_policy import HitPolicy
from engine.model.source import Words

FORMATS = {"workbook": WORKBOOK_WORDS, "dmn": DMN_WORDS}


@pytest.mark.parametrize("field", [f.name for f in fields(Words)])
def test_every_format_fills_in_the_same_placeholders(field):
    placeholders = {kind: Words.placeholders(words)[field] for kind, words in FORMATS.items()}
    assert placeholders["workbook"] == placeholders["dmn"], (field, placeholders)


def test_the_placeholder_check_sees_them():
    assert Words.placeholders(WORKBOOK_WORDS)["one_output"] == {"policy", "count"}
    assert Words.placeholders(DMN_WORDS)["table"] == {"table"}


def test_no_dmn_phrase_speaks_of_sheets_rows_or_cells():
    for field in fields(Words):
        text = getattr(DMN_WORDS, field.name)
        if field.name == "no_tests":  # it sends the user to a workbook's Tests sheet, on purpose
            continue
        text = text.replace("--input-types cells", "")  # the name of the option
        assert not any(word in text for word in ("row ", "sheet", " cell", "Inputs")), (field.name, text)


def test_a_workbook_names_everything_as_it_is():
    model = model_for(inputs=[("age", "number", None, "yes")],
                      tables={"band": ("U", ["age", "band"], "io", None, [["R1", "-", '"a"']])})
    source = model.source
    assert source.kind == "workbook" and source.words is WORKBOOK_WORDS
    assert source.place("band", "B4") == ("band", "B4") and source.table_place("band") == ("band", "A1")
    assert source.name("band.band") == "band.band" and source.rule("band", "R1") == source.rule_label("band", "R1") == "R1"
    assert source.policy(HitPolicy("C+")) == "C+" and source.column("band", "D") == "column D"
    assert source.row("band", 5) == 5 and source.text("band", "B4", "x") == "x"
    assert source.places("band", ("A4", "A4", "B4")) == ("band", ("A4", "B4"))


@pytest.fixture
def dmn_model(tmp_path):
    body = ('<inputData id="i_age" name="Person age"><variable name="Person age" typeRef="number"/></inputData>'
            + decision("d_band", "Age Band", 'hitPolicy="COLLECT" aggregation="SUM"', clause("c_age", "Person age"),
                       '<output id="o_band" name="points"/>',
                       rule("r1", ["&gt;= Person age"], ["1"]) + rule("r2", ["-"], ["2"], label="second")))
    return load(write(tmp_path, dmn(body)))


def test_a_dmn_model_names_places_and_things_as_dmn_does(dmn_model):
    source = dmn_model.source
    table = dmn_model.tables[0]
    assert source.kind == "dmn" and source.words is DMN_WORDS
    element = 'decision "Age Band" (id d_band)'
    assert source.place(table.name) == (element, "")
    assert source.place(table.name, "A1") == (element, "hitPolicy")
    assert source.place(table.name, "B1") == (element, 'input 1 "Person age" (id c_age)')
    assert source.place(table.name, "B4") == (element, "rule 1 (id r1), inputEntry 1")
    assert source.place(table.name, "A99") == (element, TABLE_PART)  # a cell of no element of its own
    assert source.table_place(table.name) == (element, TABLE_PART)
    assert source.place("Inputs", "A2") == ('inputData "Person age" (id i_age)', "")
    assert source.place("elsewhere", "B4") == ("elsewhere", "B4")  # not a grid of this model
    assert source.name("Person_age") == "Person age" and source.name("Age_Band.points") == "Age Band"
    assert source.rule(table.name, "r1") == "1" and source.rule(table.name, "second") == "2"  # in sentences
    assert source.rule_label(table.name, "r1") == "1 (id r1)"  # in listings
    assert source.rule_label(table.name, "second") == "2 (label second)"
    assert source.policy(table.hit_policy) == "COLLECT SUM" and source.policy(HitPolicy("P")) == "PRIORITY"
    assert source.text(table.name, "B4", table.rules[0].inputs[0].text) == ">= Person age"
    assert table.rules[0].inputs[0].text == ">= Person_age"  # the model holds dtrun's names
    assert source.row(table.name, 4) is None and source.column(table.name, "B") == 'input 1 "Person age" (id c_age)'


def test_dmn_labels_name_rules_only_where_unique(tmp_path):
    rules = (rule("a", ["&lt; 1"], ['"x"'], label="same") + rule("b", ["&gt;= 1"], ['"y"'], label="same")
             + rule("c", ["-"], ['"z"'], label="has space"))
    body = ('<inputData id="i" name="n"><variable name="n" typeRef="number"/></inputData>'
            + decision("d", "T", 'hitPolicy="FIRST"', clause("c1", "n"), '<output id="o" name="out"/>', rules))
    model = load(write(tmp_path, dmn(body)))
    assert model.tables[0].rule_ids == ("a", "b", "c")  # a shared label and one with a space: the XML ids
