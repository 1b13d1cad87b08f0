"""The set form of a unary test holds exactly the values the scalar form matches."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers.unary import check_set_form
from helpers.unary import unary_tests as cells
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.feel.conditions import compile_unary_tests
from engine.feel.sets import Domain
from engine.feel.temporal import YearsMonths

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
# The temporal types hold keys in their sets (engine.feel.temporal_keys): probes are their values.
_UTC = dt.UTC
PROBES |= {
    "date and time": [dt.datetime(2025, 1, 1, h, 0, s, u, tzinfo=z) for h in (9, 10, 11) for s, u in ((0, 0), (0, 1), (1, 0))
                      for z in (None, _UTC)],
    "time": [dt.time(h, 0, s, u, tzinfo=z) for h in (9, 10, 11) for s, u in ((0, 0), (0, 500000), (1, 0))
             for z in (None, _UTC)],
    "days and time duration": [dt.timedelta(hours=h, microseconds=u) for h in (-1, 0, 1, 2, 24) for u in (0, 1)],
    "years and months duration": [YearsMonths(m) for m in (-1, 0, 1, 2, 3, 12, 13)],
}
LITERALS |= {
    "date and time": ['@"2025-01-01T10:00:00"', '@"2025-01-01T10:00:00Z"', 'date and time("2025-01-01T11:00:00+01:00")'],
    "time": ['@"10:00:00"', '@"10:00:00Z"', 'time("10:00:00.5")'],
    "days and time duration": ['@"PT1H"', '@"P1D"', 'duration("PT0S")'],
    "years and months duration": ['@"P1M"', '@"P1Y"', 'duration("P0M")'],
}
OTHER_KIND |= {"date and time": '@"PT1H"', "time": "1", "days and time duration": '@"P1M"',
               "years and months duration": '@"PT1H"'}


def unary_tests(kind: str) -> st.SearchStrategy[str]:
    return cells(LITERALS[kind] + ["null", OTHER_KIND[kind]])


@pytest.mark.parametrize("kind", sorted(PROBES))
@pytest.mark.parametrize("nullable", [True, False])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_set_form_holds_exactly_the_matching_values(kind: str, nullable: bool, data: st.DataObject) -> None:
    check_set_form(data.draw(unary_tests(kind)), kind, nullable, PROBES[kind])


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
