"""The alternatives of a DAK row with OR across data elements are exclusive rules, exactly
(``engine.formats.dak.exclusive``): against brute force over every record (each value of each
element, the missing value too, every list of a Select all that apply element), with the
scalar evaluator as the oracle: a row's output comes once iff its condition (the OR) holds,
where dtrun can write the pieces one cell per element; otherwise (a ``dak-or`` warning) at
least once iff it holds.  And ``not(t)`` of the set algebra is the exact complement of ``t``."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest
from helpers.dak import block, element, write_dak, write_dictionary

from engine.analysis.lint import lint_workbook
from engine.evaluation.record import evaluate_record
from engine.feel.conditions import compile_unary_tests
from engine.feel.dak import read_condition
from engine.feel.sets import Domain
from engine.formats import load
from engine.formats.dak.exclusive import EMPTY, RowTest, _negation

TESTS = {  # DAK pseudo-code per data element
    "Flag": ['"Flag" = TRUE', '"Flag" = FALSE'],
    "Count": ['"Count" > 5', '"Count" ≤ 3', '2 ≤ "Count" < 7', '"Count" ≥ 4'],
    "Colour": ['"Colour" = "Red"', '"Colour" ≠ "Green"', '"Colour" = "Blue"'],
    "Signs": ['"Signs" = "a"', '"Signs" = "b"', '"Signs" ≠ "c"', '"Signs" = "a" OR "Signs" = "c"'],
}
SIGNS = ("a", "b", "c")
VALUES = {
    "Flag": (True, False, None),
    "Count": (1, 2, 3, 4, 5, 6, 7, 8, None),
    "Colour": ("Red", "Green", "Blue", None),
    "Signs": (None, *([list(s) for n in range(4) for s in itertools.combinations(SIGNS, n)])),
}
SHEET = "ANC.DT.09 Random"


def _row(rnd: random.Random) -> list[str | None]:
    """One or two condition cells, each an OR across 1 to 3 elements; the two cells test
    disjoint elements, or (a third of the rows) any, so that alternatives share columns."""
    elements = rnd.sample(sorted(TESTS), rnd.choice((2, 3, 4)))
    cut = rnd.randint(1, len(elements) - 1) if len(elements) > 2 and rnd.random() < 0.5 else len(elements)
    groups = [elements[:cut], elements[cut:]]
    if rnd.random() < 0.35:
        groups = [elements[:3], rnd.sample(sorted(TESTS), rnd.choice((1, 2)))]
    cells: list[str | None] = [" OR ".join(rnd.choice(TESTS[e]) for e in group[:3]) for group in groups if group]
    return cells + [None] * (2 - len(cells))


def _rows_with(code: str, dak: Path, dictionary: Path) -> set[int]:
    """The DAK rows (0 for the first rule) that have a finding of ``code``."""
    return {int(re.search(r"rule R(\d+)", f.message).group(1)) - 6  # type: ignore[union-attr]
            for f in lint_workbook(dak, dictionary=dictionary) if f.code == code}


@pytest.fixture(scope="module")
def dictionary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dictionary(tmp_path_factory.mktemp("dict") / "dictionary.xlsx", [
        element("X.1", "Flag", "Boolean"), element("X.2", "Count", "Quantity"),
        element("X.3", "Colour", "Coding", "Select one", [("Red", ""), ("Green", ""), ("Blue", "")]),
        element("X.4", "Signs", "Coding", "Select all that apply", [(s, "") for s in SIGNS])])


def _holds(cells: list[str | None], record: dict[str, object]) -> bool:
    """The row's condition as written, each test by the scalar evaluator (the oracle)."""
    for text in (c for c in cells if c):
        alternatives = read_condition(text).alternatives
        if alternatives and not any(all(_matches(t.element, t.text, record[t.element]) for t in alternative)
                                    for alternative in alternatives):
            return False
    return True


def _matches(name: str, text: str, value: object) -> bool:
    compiled = compile_unary_tests(text)
    return (compiled.over_lists() if name == "Signs" else compiled).matches(value)


@pytest.mark.parametrize("seed", range(8))
def test_each_rows_output_comes_once_iff_its_or_holds(tmp_path: Path, dictionary: Path, seed: int) -> None:
    rnd = random.Random(seed)
    rows = [_row(rnd) for _ in range(6)]
    dak = write_dak(tmp_path / "dak.xlsx", {SHEET: [[None], *block("ANC.DT.09", ["Input(s)", None, "Output"], [
        [*cells, f"Row {k}"] for k, cells in enumerate(rows)])]})
    model = load(dak, dictionary=dictionary)
    table = model.tables[0]
    inexact, unread = _rows_with("dak-or", dak, dictionary), _rows_with("dak-syntax", dak, dictionary)
    assert len(unread) < len(rows)
    names = sorted(VALUES)
    for values in itertools.product(*(VALUES[n] for n in names)):
        record = dict(zip(names, values))
        outputs = evaluate_record(model, record).outputs[f"{table.name}.Output"]
        for k, cells in enumerate(rows):
            if k in unread:  # an element tested twice in a way one cell cannot hold: left out, with its finding
                continue
            times, holds = outputs.count(f"Row {k}"), _holds(cells, record)
            assert (times >= 1) == holds, (cells, record, outputs)
            if k not in inexact:
                assert times == int(holds), (cells, record, outputs)


def test_most_random_rows_are_made_exclusive(tmp_path: Path, dictionary: Path) -> None:
    rnd = random.Random(99)
    rows = [_row(rnd) for _ in range(40)]
    dak = write_dak(tmp_path / "dak.xlsx", {SHEET: [[None], *block("ANC.DT.09", ["Input(s)", None, "Output"], [
        [*cells, f"Row {k}"] for k, cells in enumerate(rows)])]})
    warned = _rows_with("dak-or", dak, dictionary)
    several = [k for k, cells in enumerate(rows) if " OR " in " ".join(c for c in cells if c)]
    assert len(warned) < len(several) // 4, warned  # only "holds a but not b" on the list element
    assert all("Signs" in " ".join(c for c in rows[k] if c) for k in warned)


@pytest.mark.parametrize("text", ["true", "false", "> 5", "<= 3", "[2..7)", "\"Red\"", "not(\"Green\")",
                                  "\"Red\", \"Blue\"", "null", ">= 4, null"])
def test_the_negation_of_a_scalar_test_is_its_exact_complement(text: str) -> None:
    from engine.feel.syntax import parse_unary_tests

    test = RowTest("X", read_condition('"X" = 1').alternatives[0][0], "B6")
    test = RowTest("X", test.test.__class__("X", parse_unary_tests(text), None, test.test.span), "B6")
    negated = _negation(test, False)
    assert negated is not EMPTY and negated is not None
    for value in (True, False, None, 0, 2, 3, 4, 5, 6, 7, 8, "Red", "Green", "Blue"):
        kind = "boolean" if isinstance(value, bool) else "number" if isinstance(value, int) else "string"
        if value is not None and not Domain(kind).accepts(value):
            continue
        if value is not None and kind != _kind_of(text):
            continue
        assert compile_unary_tests(text).matches(value) != compile_unary_tests(negated.test.text).matches(value), (
            text, negated.test.text, value)


def _kind_of(text: str) -> str:
    return "boolean" if text in ("true", "false") else "string" if '"' in text else "number"


@pytest.mark.parametrize("text", ['"a"', '"a", "b"', 'not("c")', 'not("a", "b")'])
def test_the_negation_of_a_list_test_is_its_exact_complement(text: str) -> None:
    from engine.feel.syntax import parse_unary_tests

    test = RowTest("L", read_condition('"L" = 1').alternatives[0][0], "B6")
    test = RowTest("L", test.test.__class__("L", parse_unary_tests(text), None, test.test.span), "B6")
    negated = _negation(test, True)
    assert negated is not EMPTY and negated is not None
    for value in VALUES["Signs"]:
        assert compile_unary_tests(text).over_lists().matches(value) != \
            compile_unary_tests(negated.test.text).over_lists().matches(value), (text, negated.test.text, value)


def test_a_list_that_must_hold_one_value_but_not_another_keeps_the_row_as_written(tmp_path: Path,
                                                                                   dictionary: Path) -> None:
    cell = '"Signs" = "a" AND "Flag" = TRUE OR "Signs" = "b"'  # R6b would be: holds b, and not a or not Flag
    dak = write_dak(tmp_path / "dak.xlsx", {SHEET: [[None], *block("ANC.DT.09", ["Input(s)", None, "Output"], [
        [cell, None, "Row 0"]])]})
    findings = lint_workbook(dak, dictionary=dictionary)
    found = [f for f in findings if f.code == "dak-or"]
    assert not [f for f in findings if f.code in ("overlap", "conflict")]  # said once, by dak-or
    assert [(f.severity, f.sheet, f.cells) for f in found] == [("warning", SHEET, ("B6",))]
    assert "R6 of ANC.DT.09" in found[0].message
    model = load(dak, dictionary=dictionary)
    assert [r.id for r in model.tables[0].rules] == ["R6a", "R6b"]
    record = {"Signs": ["a", "b"], "Flag": True, "Count": None, "Colour": None}
    assert evaluate_record(model, record).outputs[f"{model.tables[0].name}.Output"] == ["Row 0", "Row 0"]


def test_a_row_whose_exclusive_rules_would_be_too_many_keeps_its_alternatives(tmp_path: Path) -> None:
    cell = " OR ".join(f'"A{i}" = TRUE AND "B{i}" > {i}' for i in range(7))  # exclusive: 2**7 - 1 rules
    dak = write_dak(tmp_path / "dak.xlsx", {SHEET: [[None], *block("ANC.DT.09", ["Input(s)", "Output"], [
        [cell, "Row 0"]])]})
    found = [f.message for f in lint_workbook(dak) if f.code == "dak-or"]
    assert len(found) == 1 and "more than 64" in found[0]
    assert [r.id for r in load(dak).tables[0].rules] == [f"R6{letter}" for letter in "abcdefg"]
    few = write_dak(tmp_path / "few.xlsx", {SHEET: [[None], *block("ANC.DT.09", ["Input(s)", "Output"], [
        [" OR ".join(f'"A{i}" = TRUE AND "B{i}" > {i}' for i in range(4)), "Row 0"]])]})
    assert len(load(few).tables[0].rules) == 2 ** 4 - 1  # by hand: 1 + 2 + 4 + 8 pieces
