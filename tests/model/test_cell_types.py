"""Declared input types against the types the cells test (issue 17, item 4): a model whose
cells contradict their input's type is refused by evaluate, test and convert with lint's own
``type-mismatch`` errors, and runs with ``--input-types cells`` as dmn-scala and Camunda 8
run it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_workbook

import engine
from engine._core.errors import WorkbookError
from engine.analysis.lint import lint_workbook
from engine.cli import main
from engine.formats import read
from engine.model.cell_types import cell_kinds, contradictions, retyped

RULES = [["R1", "< 18", "true", '"child"'], ["R2", ">= 18", "true", '"adult"'], ["R3", "-", "false", '"none"']]


def book(tmp_path: Path, age: str = "string", consent: str = "string", rules=RULES, name="m.xlsx") -> Path:
    return make_workbook(tmp_path, name, inputs=[("age", age, None, "yes"), ("consent", consent, None, "yes")],
                         tables={"band": ("F", ["age", "consent", "band"], "iio", None, rules)},
                         tests=[["case", "age", "consent", "band.band"], [None, "input", "input", "expected"],
                                ["T1", 7, True, "child"]])


def test_the_refusal_is_exactly_lints_type_mismatch_errors(tmp_path: Path) -> None:
    path = book(tmp_path)
    with pytest.raises(WorkbookError) as refused:
        engine.load(path)
    lint = [(f.sheet, f.cells, f.message, f.hint) for f in lint_workbook(path) if f.code == "type-mismatch"]
    problems = [(p.sheet, (p.cell,), p.message, p.hint.split(", or correct the declared type")[0])
                for p in refused.value.problems]
    assert all(p.hint.endswith("(--input-types cells takes the type that the tests compare with)")
               for p in refused.value.problems)
    assert sorted(problems) == sorted(lint) and len(lint) == 5  # B4, B5 (numbers), C4, C5, C6 (booleans)
    assert {p.code for p in refused.value.problems} == {"type-mismatch"}
    assert [p[1][0] for p in problems] == ["B4", "C4", "B5", "C5", "C6"]  # in reading order
    assert problems[0][2] == ("age holds texts, but the cell < 18 tests a number with < or >, which no value of "
                              "the column can pass")


def test_cells_takes_the_one_type_each_input_cells_test(tmp_path: Path) -> None:
    model = engine.load(book(tmp_path), input_types="cells")
    assert model.inputs["age"].type == "number" and model.inputs["consent"].type == "boolean"
    warnings = [w for w in model.warnings if w.code == "input-type"]
    assert [(w.sheet, w.cell) for w in warnings] == [("Inputs", "B2"), ("Inputs", "B3")]  # the types
    assert "input age is declared string in the Inputs sheet, but its cells test number values" in warnings[0].message
    records = [{"age": "7", "consent": "true"}, {"age": 40, "consent": True}, {"age": 40, "consent": False}]
    assert [engine.evaluate(model, r)["band.band"] for r in records] == ["child", "adult", "none"]


def test_a_model_whose_types_fit_is_not_changed(tmp_path: Path) -> None:
    path = book(tmp_path, "number", "boolean")
    declared = engine.load(path)
    taken = engine.load(path, input_types="cells")
    assert (taken.inputs, taken.tables, taken.warnings) == (declared.inputs, declared.tables, declared.warnings)
    assert not contradictions(declared)


def test_an_input_whose_cells_mix_types_keeps_its_type_and_its_errors(tmp_path: Path) -> None:
    rules = [["R1", '< 18, "unknown"', "true", '"child"'], ["R2", "-", "-", '"other"']]
    model = read(book(tmp_path, rules=rules))
    assert cell_kinds(model)["age"] == {"number", "string"}
    kept = retyped(model)
    assert kept.inputs["age"].type == "string" and kept.inputs["consent"].type == "boolean"
    assert [p.cell for p in contradictions(kept)] == ["B4"]


@pytest.mark.parametrize("command", ["evaluate", "test", "convert"])
def test_the_commands_refuse_with_exit_3_and_run_with_the_flag(tmp_path: Path, command: str) -> None:
    path = book(tmp_path)
    patients = tmp_path / "p.csv"
    patients.write_text("age,consent\n7,true\n40,false\n", encoding="utf-8")
    args = {"evaluate": ["evaluate", str(path), str(patients), "-o", str(tmp_path / "out.csv")],
            "test": ["test", str(path)], "convert": ["convert", str(path), str(tmp_path / "out.dmn")]}[command]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 3, refused.output
    assert "m.xlsx:band!B4: error[type-mismatch]: age holds texts" in refused.output
    assert not any(p.exists() for p in (tmp_path / "out.csv", tmp_path / "out.dmn"))
    taken = CliRunner().invoke(main, [*args, "--input-types", "cells"])
    assert taken.exit_code == 0, taken.output
    assert "warning[input-type]" in taken.output
    if command == "evaluate":
        assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1].startswith("7,True,child") or \
            "child" in (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1]
    if command == "test":
        assert "1 passed, 0 failed" in taken.output
    if command == "convert":  # the file written declares the types taken, and needs no flag
        converted = engine.load(tmp_path / "out.dmn")
        assert converted.inputs["age"].type == "number" and converted.inputs["consent"].type == "boolean"


def test_a_dmn_model_converted_with_cells_gives_a_workbook_that_loads_as_declared(tmp_path: Path) -> None:
    dmn = tmp_path / "m.dmn"
    assert CliRunner().invoke(main, ["convert", str(book(tmp_path)), str(dmn), "--input-types", "cells"]).exit_code == 0
    # make the DMN contradict again: string inputs, as Camunda Modeler writes them
    text = dmn.read_text(encoding="utf-8")
    dmn.write_text(re.sub(r'(typeRef="|type="|>)number\b', r'\1string', text),
                   encoding="utf-8")
    with pytest.raises(WorkbookError):
        engine.load(dmn)
    result = CliRunner().invoke(main, ["convert", str(dmn), str(tmp_path / "back.xlsx"), "--input-types", "cells"])
    assert result.exit_code == 0, result.output
    assert engine.load(tmp_path / "back.xlsx").inputs["age"].type == "number"


def test_lint_reports_and_the_flag_silences_the_mismatches(tmp_path: Path) -> None:
    path = book(tmp_path)
    declared = CliRunner().invoke(main, ["lint", str(path), "--format", "json"])
    cells = CliRunner().invoke(main, ["lint", str(path), "--format", "json", "--input-types", "cells"])
    codes = lambda result: [f["code"] for f in json.loads(result.output)]  # noqa: E731
    assert declared.exit_code == 1 and codes(declared).count("type-mismatch") == 5
    assert "type-mismatch" not in codes(cells) and codes(cells).count("input-type") == 2


def test_a_bad_choice_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="input_types must be one of declared, cells"):
        engine.load(book(tmp_path), input_types="guess")
    assert CliRunner().invoke(main, ["test", str(book(tmp_path, name="x.xlsx")), "--input-types", "x"]).exit_code == 2
