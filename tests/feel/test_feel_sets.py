"""FEEL cells beyond S-FEEL as sets (``engine.feel.feel_sets``) against the reference.

The oracle is the scalar FEEL evaluator of rule cells (``engine.feel.feel_cells.compile_test``,
on ``engine.feel.unary``): for random cells of the forms that translate, over small domains,
the set form's answer (true / null / false) equals the evaluator's for every value of the
domain and for a missing value.  Cells that do not translate say why, and ``by_values`` runs
any cell over a finite domain.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.feel import feel_cells, feel_runs, feel_sets
from engine.feel.sets import Domain, ValueSet
from engine.feel.trisets import TriSet

# per kind: literals as FEEL writes them, and the values a column of that kind holds
NUMBER_LITERALS = ["0", "1", "2", "2.5", "-1", "0.1", "3"]
NUMBER_VALUES = [-2, -1, -0.5, 0, 0.1, 0.5, 1, 1.5, 2, 2.5, 2.75, 3, 4, 0.30000000000000004]
STRING_LITERALS = ['""', '"a"', '"ab"', '"b"', '"c"']
STRING_VALUES = ["", "a", "aa", "ab", "b", "ba", "c", "d"]
DATE_LITERALS = ['date("2020-01-01")', 'date("2020-01-03")', '@"2020-01-05"']
DATE_VALUES = [dt.date(2019, 12, 31) + dt.timedelta(days=k) for k in range(8)]
KINDS = {
    "number": (NUMBER_LITERALS, NUMBER_VALUES),
    "integer": (NUMBER_LITERALS, [-2, -1, 0, 1, 2, 3, 4]),
    "string": (STRING_LITERALS, STRING_VALUES),
    "date": (DATE_LITERALS, DATE_VALUES),
    "boolean": (["true", "false"], [True, False]),
}
OPS = ["=", "!=", "<", "<=", ">", ">="]


def _reference(text: str, value: object) -> bool | None:
    node, names = feel_cells.parse(text, frozenset())
    return feel_cells.compile_test(node, names)(value, {})


def _answer(tri: TriSet, value: object) -> bool | None:
    if value is None:
        return tri.on_null
    if value in tri.true:
        return True
    return None if value in tri.unknown else False


def _boolean_tests(literals: list[str]) -> st.SearchStrategy[str]:
    lit = st.sampled_from(literals + ["null", '"x"', "1"])  # other kinds and null too
    atoms = st.one_of(
        st.builds(lambda op, a: f"? {op} {a}", st.sampled_from(OPS), lit),
        st.builds(lambda op, a: f"{a} {op} ?", st.sampled_from(OPS), lit),
        st.builds(lambda lo, hi, o, c: f"? in {o}{lo}..{hi}{c}", lit, lit, st.sampled_from("[(]"),
                  st.sampled_from("])[")),
        st.builds(lambda a, b: f"? in ({a}, > {b})", lit, lit),
        st.builds(lambda a, b: f"? in [{a}, {b}]", lit, lit),
        st.builds(lambda a, b: f"? between {a} and {b}", lit, lit),
        st.sampled_from(["? = null", "? != null", "?", "? = true", "true", "false"]),
        *([st.builds(lambda op, a: f"date(?) {op} {a}", st.sampled_from(OPS), lit)] if literals is DATE_LITERALS else []),
    )
    return st.recursive(atoms, lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda a: f"not({a})", inner),
    ), max_leaves=4)


def _cells(literals: list[str]) -> st.SearchStrategy[str]:
    plain = st.one_of(st.builds(lambda op, a: f"{op} {a}", st.sampled_from(["<", "<=", ">", ">=", "!="]),
                                st.sampled_from(literals)),
                      st.sampled_from(literals), st.builds(lambda a, b: f"[{a}..{b}]", st.sampled_from(literals),
                                                           st.sampled_from(literals)))
    positives = st.lists(st.one_of(_boolean_tests(literals), _boolean_tests(literals), plain), min_size=1, max_size=3)
    return st.builds(lambda tests, negated: f"not({', '.join(tests)})" if negated else ", ".join(tests),
                     positives, st.booleans())


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_set_form_answers_as_the_evaluator_does(kind: str, data: st.DataObject) -> None:
    literals, values = KINDS[kind]
    text = data.draw(_cells(literals), label="cell")
    node, names = feel_cells.parse(text, frozenset())
    tri = feel_sets.translate(node, Domain(kind), text)
    assert isinstance(tri, TriSet), (text, tri)
    for value in [*values, None]:
        assert _answer(tri, value) == _reference(text, value), (text, value)
        assert (value in tri.matches()) == (_reference(text, value) is True), (text, value)


@pytest.mark.parametrize(("text", "kind", "matched"), [  # hand-checked
    ("? > 5 and ? < 10", "integer", [6, 7, 8, 9]),
    ("? in [1..3]", "integer", [1, 2, 3]),
    ("? in (1, > 8)", "integer", [1, 9, 10]),
    ("? between 2 and 4", "integer", [2, 3, 4]),
    ("? = null", "integer", [None]),
    ("? != null", "integer", list(range(11))),
    ("not(? > 3)", "integer", [0, 1, 2, 3]),  # a missing value: not(null) is null, no match
    ("? in [2, 4]", "integer", [2, 4]),
    ("not(? in [2, 4])", "integer", [0, 1, 3, 5, 6, 7, 8, 9, 10, None]),  # in a list: false, not null, for null
    ("?", "boolean", [True]),
    ("not(?)", "boolean", [False]),
    ("> abs(-8)", "integer", [9, 10]),
    ('? < date("2020-01-03")', "date", [dt.date(2020, 1, 1), dt.date(2020, 1, 2)]),
    ('? >= "b"', "string", ["b", "c"]),
])
def test_hand_checked_cells(text: str, kind: str, matched: list) -> None:
    values = {"integer": list(range(11)), "boolean": [True, False],
              "date": [dt.date(2020, 1, d) for d in range(1, 5)], "string": ["a", "b", "c"]}[kind]
    node, _ = feel_cells.parse(text, frozenset())
    tri = feel_sets.translate(node, Domain(kind), text)
    assert isinstance(tri, TriSet), tri
    assert [v for v in [*values, None] if v in tri.matches()] == matched


@pytest.mark.parametrize(("text", "why"), [
    ("before(?, 26)", "calls the function before()"),
    ("odd(?)", "calls the function odd()"),
    ("string length(?) > 3", "calls the function string length()"),
    ("? + 1 > 3", "computes with ? (? + 1)"),
    ("? < today()", "calls today(), whose value changes with the day"),
    ("some e in [1, 2] satisfies e = ?", "iterates over a list (some e in [1, 2] satisfies e = ?)"),
    ("? > 3 and ? < 5.00000000000000000001", "a number with more digits than a value of the column holds"),
    ("if ? > 3 then true else false", "chooses with if ... then ... else"),
])
def test_cells_that_do_not_translate_say_why(text: str, why: str) -> None:
    node, _ = feel_cells.parse(text, frozenset())
    found = feel_sets.translate(node, Domain("number"), text)
    assert isinstance(found, str) and why in found, found


@given(st.sampled_from(["odd(?)", "even(?) or ? = 1", "string length(string(?)) = 1", "abs(?) > 2", "? = null"]))
def test_by_values_runs_the_evaluator_on_each_value(text: str) -> None:
    domain = Domain("integer")
    full = ValueSet.interval(domain, -3, 12) | ValueSet.null_only(domain)
    node, names = feel_cells.parse(text, frozenset())
    test = feel_cells.compile_test(node, names)
    found = feel_runs.by_values(lambda v: test(v, {}) is True, full)
    assert found is not None
    assert [v for v in [*range(-5, 15), None] if v in found] == \
        [v for v in [*range(-3, 13), None] if test(v, {}) is True]


def test_by_values_needs_finitely_many_values() -> None:
    assert feel_runs.by_values(lambda v: True, ValueSet.full(Domain("number"))) is None
    assert feel_runs.by_values(lambda v: True, ValueSet.interval(Domain("integer"), 0, 10 ** 6)) is None
    booleans = feel_runs.by_values(lambda v: v is True, ValueSet.full(Domain("boolean")))
    assert booleans == ValueSet.point(Domain("boolean"), True)


@pytest.mark.parametrize(("feel", "plain", "kind"), [  # the table of docs/lint.md#feel-cells
    ("? < 18", "< 18", "number"), ("18 > ?", "< 18", "number"), ("? != 3", "!= 3", "number"),
    ("? >= 18 and ? < 65", "[18..65)", "number"), ("? < 2 or ? > 9", "< 2, > 9", "number"),
    ("not(? > 3)", "not(> 3)", "number"), ("? in [1..5]", "[1..5]", "number"), ("? in (1, > 5)", "1, > 5", "number"),
    ("? in [1, 2]", "1, 2", "number"), ("? between 1 and 5", "[1..5]", "number"), ("? = null", "null", "number"),
    ("? != null", "not(null)", "number"), ("?", "true", "boolean"), ("? = true", "true", "boolean"),
    ('date(?) > date("2020-01-01")', '> date("2020-01-01")', "date"), ("> abs(-3)", "> 3", "number"), ('? < date("2020-01-01") + duration("P1D")', '< date("2020-01-02")', "date"),
])
def test_the_documented_meanings(feel: str, plain: str, kind: str) -> None:
    from engine.feel.conditions import compile_unary_tests

    node, _ = feel_cells.parse(feel, frozenset())
    tri = feel_sets.translate(node, Domain(kind), feel)
    assert isinstance(tri, TriSet) and tri.matches() == compile_unary_tests(plain).to_set(Domain(kind))
