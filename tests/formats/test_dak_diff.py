"""``dtrun diff`` of a DAK against its own conversion: no change in behaviour, found quickly even
where the rules cut the input space into millions of pieces (a "refer if any sign" table: one
rule per data element); a real change is still found exactly; a search that reaches its bound
says "not compared", never "no change".  The WHO ANC DAK against its conversion too (skipped
without ../shared/dak)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.dak import ANC, ANC_DICTIONARY, block, write_dak

from engine.analysis import behaviour
from engine.cli import main
from engine.evaluation.record import evaluate_record
from engine.feel.conditions import compile_unary_tests
from engine.formats import convert, read
from engine.review.diff import compare

SIGNS = 14  # 3 values each (true, false, missing): 3**14 = 4.8 million pieces of the input space


def _dak(path: Path, changed: bool = False, signs: int = SIGNS) -> Path:
    rules = [[f'"Sign {k}" = TRUE', f"Refer {k}", "Refer", None, None] for k in range(signs)]
    if changed:  # one rule now also asks for a second sign
        rules[3][0] = '"Sign 3" = TRUE AND "Sign 4" = TRUE'
    rows = [[None], *block("ANC.DT.06", ["Input(s)", "Output", "Action", "Annotations", "Reference(s)"], rules)]
    return write_dak(path, {"COVER": [["Digital adaptation kit"]], "ANC.DT.06 Refer": rows})


@pytest.fixture()
def converted(tmp_path: Path) -> tuple[Path, Path]:
    dak = _dak(tmp_path / "dak.xlsx")
    convert(dak, tmp_path / "out.xlsx")
    return dak, tmp_path / "out.xlsx"


def test_a_dak_and_its_conversion_behave_alike_without_cutting_every_piece(
        converted: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(behaviour, "MAX_REGIONS", 1_000)  # before: all 4.8 million pieces were visited
    result = compare(read(converted[0], recover=True), read(converted[1], recover=True))
    assert result.behaviour == () and not result.changes_behaviour
    assert not result.changed  # the DAK's texts against the workbook's FEEL: compared as the model holds them


def test_a_real_change_is_found_exactly(tmp_path: Path) -> None:
    old = convert(_dak(tmp_path / "old.xlsx", signs=6), tmp_path / "old-out.xlsx")
    new = convert(_dak(tmp_path / "new.xlsx", changed=True, signs=6), tmp_path / "new-out.xlsx")
    found = compare(old, new).behaviour
    assert found and all(c.old != "(not compared)" for c in found)
    names = [c.name for c in old.tables[0].inputs]
    named = {new.source.name(n): n for n in names}  # the box names the DAK's data elements
    boxes = [{named[k]: compile_unary_tests(v) for k, v in c.box.items()} for c in found]
    for values in itertools.product((True, False, None), repeat=len(names)):  # the oracle: every record
        record = dict(zip(names, values))
        before, after = (evaluate_record(m, record).outputs[f"{m.tables[0].name}.Output"] for m in (old, new))
        inside = sum(all(t.matches(record[k]) for k, t in box.items()) for box in boxes)
        assert inside == (before != after), record  # in exactly one reported region iff the outcome changed
        assert (before != after) == (record["Sign_3"] is True and record["Sign_4"] is not True)  # by hand


def test_a_search_that_reaches_its_bound_is_not_compared_never_unchanged(
        tmp_path: Path, converted: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(behaviour, "MAX_REGIONS", 3)
    changed = read(_dak(tmp_path / "changed.xlsx", changed=True), recover=True)
    result = compare(read(converted[0], recover=True), changed)
    assert [c.old for c in result.behaviour] == ["(not compared)"]
    assert "not decided" in result.behaviour[0].new and result.changes_behaviour


def test_dtrun_diff_of_a_dak_and_its_conversion_says_no_change(converted: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(main, ["diff", str(converted[0]), str(converted[1])])
    assert result.exit_code == 0, result.output
    assert "same content" in result.output and "no change in behaviour" in result.output


@pytest.mark.skipif(not (ANC.is_file() and ANC_DICTIONARY.is_file()),
                    reason="../shared/dak/anc (WHO DAK material) is not here")
def test_the_anc_dak_and_its_conversion_behave_alike(tmp_path: Path) -> None:
    convert(ANC, tmp_path / "anc.xlsx")
    result = compare(read(ANC, recover=True), read(tmp_path / "anc.xlsx", recover=True))
    assert result.behaviour == () and not result.changes_behaviour and not result.changed
    dictionary = ["--dictionary", str(ANC_DICTIONARY), "--input-types", "cells"]  # as convert needs it
    CliRunner().invoke(main, ["convert", str(ANC), str(tmp_path / "anc-d.xlsx"), *dictionary])
    found = CliRunner().invoke(main, ["diff", str(ANC), str(tmp_path / "anc-d.xlsx"), *dictionary])
    assert found.exit_code == 0 and "no change in behaviour" in found.output, found.output[-2000:]
