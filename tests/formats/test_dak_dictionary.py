"""A DAK read with its data dictionary (``--dictionary``): types and allowed values from the
Data Type and the input options (an option's label and its shorter value both match), Select
all that apply elements as lists ("contains"), names paired with the dictionary's labels
(every pairing that is not exact reported), a patient file's columns under the label, the
name or the Data Element ID.  Expected results worked out by hand from the tables below."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.dak import block, element, write_dak, write_dictionary

from engine.analysis.lint import lint_workbook
from engine.evaluation.binding import input_columns
from engine.evaluation.record import evaluate_record
from engine.formats import load, read
from engine.formats.dak.dictionary import dtrun_type, read_dictionary

SHEET = "ANC.DT.01 Test"
RULES = [
    ['"Danger signs" = "Fever"', None, "Refer for fever"],
    ['"Danger signs" = "Labour"', None, "Refer for labour"],
    ['"HIV status" = "HIV positive"', '"Blood haemoglobin test result" < 110 g/L', "Treat anaemia"],
    ['"HIV status" = "Unknown"', None, "Test"],  # a value the dictionary lists in neither form
    ['"pallor  Present" = TRUE', None, "Check pallor"],  # case and spaces differ from the label
    ['"Foo bar" = TRUE', None, "Nothing"],  # no such data element
]


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    dak = write_dak(tmp_path / "dak.xlsx", {SHEET: [[None], *block("ANC.DT.01 Test", ["Input(s)", None, "Output"],
                                                                   RULES)]})
    dictionary = write_dictionary(tmp_path / "dictionary.xlsx", [
        element("ANC.B5.DE48", "Danger signs", "Coding", "Select all that apply",
                [("No danger signs", ""), ("Fever", ""), ("Labour", "")]),
        element("ANC.B9.DE45", "HIV status", "Coding", "Select one",
                [("HIV positive", "Positive"), ("HIV negative", "Negative")]),
        element("ANC.B9.DE186", "Blood haemoglobin test result", "Quantity", unit="g/L"),
        element("ANC.B8.DE3", "Pallor present", "Boolean"),
        element("ANC.B9.DE4", "Ultrasound scan date", "Date"),
    ])
    return dak, dictionary


def test_the_dictionary_is_read_with_its_options(files: tuple[Path, Path]) -> None:
    found = read_dictionary(files[1])
    hiv = found.elements["HIV status"]
    assert (hiv.id, hiv.data_type, hiv.choice) == ("ANC.B9.DE45", "Coding", "Select one")
    assert [(o.label, o.value) for o in hiv.options] == [("HIV positive", "Positive"), ("HIV negative", "Negative")]
    assert [dtrun_type(found.elements[k], True) for k in ("Danger signs", "HIV status", "Blood haemoglobin test result",
                                                          "Pallor present", "Ultrasound scan date")] == [
        "list of string", "string", "number", "boolean", "date"]
    assert dtrun_type(found.elements["Danger signs"], False) == "string"  # without list inputs


def test_types_and_allowed_values_come_from_the_dictionary(files: tuple[Path, Path]) -> None:
    model = read(files[0], recover=True, dictionary=files[1])
    types = {model.source.name(n): (i.type, i.unit, i.code) for n, i in model.inputs.items()}
    assert types["Danger signs"] == ("list of string", "", "ANC.B5.DE48")
    assert types["HIV status"] == ("string", "", "ANC.B9.DE45")
    assert types["Blood haemoglobin test result"] == ("number", "g/L", "ANC.B9.DE186")
    assert types["Pallor present"] == ("boolean", "", "ANC.B8.DE3")
    assert model.inputs["HIV_status"].allowed.text == '"HIV positive","Positive","HIV negative","Negative"'
    # the table's "HIV positive" matches the option's shorter value too
    assert model.tables[0].rules[2].inputs[1].text == '"HIV positive","Positive"'


def test_every_pairing_that_is_not_exact_is_reported(files: tuple[Path, Path]) -> None:
    findings = lint_workbook(files[0], dictionary=files[1])
    pairing = next(f for f in findings if f.code == "dak-pairing")
    assert (pairing.severity, pairing.sheet, pairing.cells, pairing.table) == ("info", SHEET, ("B10",), "ANC.DT.01")
    assert '"pallor Present"' in pairing.message and '"Pallor present"' in pairing.message
    assert "case" in pairing.message
    name = next(f for f in findings if f.code == "dak-name")
    assert (name.severity, name.cells) == ("warning", ("B11",)) and '"Foo bar"' in name.message
    not_allowed = next(f for f in findings if f.code == "value-not-allowed")
    assert (not_allowed.sheet, not_allowed.cells) == (SHEET, ("B9",)) and "Unknown" in not_allowed.message


def test_a_list_input_matches_when_it_holds_the_value_and_c_gives_every_match(files: tuple[Path, Path]) -> None:
    model = load(files[0], dictionary=files[1])
    table = model.tables[0].name
    result = evaluate_record(model, {"Danger_signs": "Fever; Labour", "HIV_status": "Positive",
                                     "Blood_haemoglobin_test_result": "100"})
    assert result.outputs[f"{table}.Output"] == ["Refer for fever", "Refer for labour", "Treat anaemia"]
    result = evaluate_record(model, {"Danger_signs": "No danger signs", "HIV_status": "HIV positive",
                                     "Blood_haemoglobin_test_result": "120", "Pallor_present": "true"})
    assert result.outputs[f"{table}.Output"] == ["Check pallor"]


def test_a_patient_file_may_head_a_column_with_the_label_the_name_or_the_id(files: tuple[Path, Path]) -> None:
    model = load(files[0], dictionary=files[1])
    assert input_columns(model, ["Danger signs", "HIV_status", "ANC.B9.DE186"]) == {
        "Danger_signs": "Danger signs", "HIV_status": "HIV_status", "Blood_haemoglobin_test_result": "ANC.B9.DE186"}
    from engine._core.errors import InputDataError

    with pytest.raises(InputDataError, match="two columns"):
        input_columns(model, ["HIV status", "ANC.B9.DE45"])


def test_without_a_dictionary_the_cells_give_the_types_and_a_name_spelt_two_ways_is_one_element(
        tmp_path: Path) -> None:
    rules = [['"Persistent behaviours" = "Tobacco use"', "a"], ['"Persistent behaviours" = "Alcohol"', "b"],
             ['"Persistant behaviours" = "Caffeine"', "c"], ['"Hepatitis C test result" = "Positive"', "d"],
             ['"Hepatitis B test result" = "Positive"', "e"]]
    dak = write_dak(tmp_path / "dak.xlsx", {SHEET: [[None], *block("ANC.DT.15 X", ["Input(s)", "Output"], rules)]})
    model = read(dak, recover=True)
    assert [model.source.name(c.name) for c in model.tables[0].inputs] == [
        "Persistent behaviours", "Hepatitis C test result", "Hepatitis B test result"]
    (name,) = [w for w in model.warnings if w.code == "dak-name"]
    assert name.cell == "B8" and '"Persistant behaviours"' in name.message and '"Persistent behaviours"' in name.message
