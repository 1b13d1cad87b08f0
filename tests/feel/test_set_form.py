"""The set form of a unary test holds exactly the values the scalar form matches."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.feel.conditions import compile_unary_tests
from engine.feel.sets import Domain

# For each kind: literals to build tests from, and probe values that fall on, between and
# beyond them (every piece the literals cut the line into).
PROBES = {
    "number": [-10, -1.5, -1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 10.25, 100],
    "integer": [-3, -1, 0, 1, 2, 3, 4, 5, 9],
    "string": ["", "a", "aa", "b", "ba", "c", "zz"],
    "boolean": [False, True],
    "date": [dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2025, 6, 1)],
}
LITERALS = {
    "number": ["-1", "0", "1", "1.5", "2.5", "3"],
    "integer": ["-1", "0", "1", "2", "4"],
    "string": ['""', '"a"', '"b"', '"ba"'],
    "boolean": ["true", "false"],
    "date": ['date("2025-01-01")', 'date("2025-01-02")'],
}
OTHER_KIND = {"number": '"a"', "integer": '"a"', "string": "1", "boolean": "1", "date": '"a"'}


def positive_tests(kind: str) -> st.SearchStrategy[str]:
    literal = st.sampled_from(LITERALS[kind] + ["null", OTHER_KIND[kind]])
    comparison = st.builds(lambda op, v: f"{op} {v}", st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), literal)
    interval = st.builds(lambda a, lo, hi, b: f"{a}{lo}..{hi}{b}", st.sampled_from("[(]"), literal, literal,
                         st.sampled_from("])["))
    return st.one_of(literal, comparison, interval)


def unary_tests(kind: str) -> st.SearchStrategy[str]:
    listed = st.lists(positive_tests(kind), min_size=1, max_size=3).map(", ".join)
    return st.one_of(st.just("-"), listed, listed.map(lambda t: f"not({t})"))


@pytest.mark.parametrize("kind", sorted(PROBES))
@pytest.mark.parametrize("nullable", [True, False])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_set_form_holds_exactly_the_matching_values(kind: str, nullable: bool, data: st.DataObject) -> None:
    text = data.draw(unary_tests(kind))
    test = compile_unary_tests(text)
    domain = Domain(kind, nullable=nullable)
    values = test.to_set(domain)
    for probe in PROBES[kind] + ([None] if nullable else []):
        assert values.contains(probe) == test.matches(probe), (text, probe, values)


@pytest.mark.parametrize("text, kind, expected", [
    ("[1..4], > 10", "integer", "[1..4], >= 11"),
    ("not(< 10)", "number", ">= 10"),
    ('not("a")', "number", "null"),  # a number is never "a", so not(...) is null for it; a missing value matches
    ('"a", "b"', "string", '"a", "b"'),
    ("null", "boolean", "null"),
    ("-", "boolean", "-"),
])
def test_set_form_is_written_back_in_table_notation(text: str, kind: str, expected: str) -> None:
    assert compile_unary_tests(text).to_set(Domain(kind)).to_unary_tests() == expected


def test_a_test_naming_another_input_has_no_static_set() -> None:
    assert compile_unary_tests("> other", names={"other"}).to_set(Domain("number")) is None
