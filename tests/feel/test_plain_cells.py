"""The parser's fast path for the commonest cells (plain texts, ``-``) gives exactly the
nodes the Lark parser gives, and never accepts a text the parser refuses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._core.errors import ConditionError
from engine.feel import hints, syntax

NUMBERS = ["1", "12", "-3", "2.5", ".5", "1e3", "1E-2", "007", "1" * 16, "x", "age", "a.b", "TRUE", "null",
           "not", "date", "if", "in", "é", "1.", " ", ",", "..", "[", "]", "(", ")", "<", ">=", "!=", "=", "-", "+"]
PIECES = ['"', "'", "-", " ", "a", "é", "1", ",", "\\", "\u200b", "\u00a0", "“", "”", "\n", "\t", "..", "<", "not("]


def by_parser(text: str, start: str):
    """The node (or the refusal) of the parser itself, the fast path switched off."""
    original, simple = syntax._plain, syntax._simple
    syntax._plain = syntax._simple = lambda source, start: None
    try:
        return syntax._parse(text, start)
    except ConditionError as error:
        return ("refused", error.message)
    finally:
        syntax._plain, syntax._simple = original, simple


def check(text: str) -> None:
    for start in ("unary_tests", "expression"):
        fast = syntax._plain(syntax.normalize(text), start)
        if fast is not None:
            assert fast == by_parser(text, start), (text, start)
        if fast is None and not hints.refuse_valid_but_misleading(syntax.normalize(text), start):
            quick = syntax._simple(syntax.normalize(text), start)
            if quick is not None:
                assert quick == by_parser(text, start), (text, start)


@pytest.mark.parametrize("text", ['"positive"', ' "a b" ', '-', '  -  ', '""', '"a""b"', '"a\\"b"', '"été"',
                                  '"\u200bx"', '"x"\u00a0', '“x”', '"1,5"', '"date"', '"-"', '- -', '"a",',
                                  '"a","b"', ' "a" , "b" ', '"a",,"b"', '"a", "b",', '"a" "b"', '"date", "x"'])
def test_the_fast_path_gives_the_parsers_nodes(text):
    check(text)


def test_the_fast_path_takes_the_common_cells():
    assert syntax._plain('"positive"', "unary_tests") is not None
    assert syntax._plain("-", "unary_tests") is not None
    assert syntax._plain('"a", "b"', "unary_tests") is not None  # lists of texts: the long ones
    assert syntax._plain('"a", 1', "unary_tests") is None
    assert syntax._plain('"a", "b"', "expression") is None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
def test_the_fast_path_agrees_with_the_parser_on_any_text(text):
    check(text)


@pytest.mark.parametrize("text", ["12", ">= 12", "< 5, > 10", "[1..4]", "(2.5..10]", "]1..5[", "x", "a.b", "true",
                                  "FALSE", "null", "-3", "- 3", "[-1..x]", "1, 2, 3", "= 4", "!= y", "1.", ".5",
                                  "1e3", "1" * 16, "if", "in", "date", "not", "x.date", "[1 .. 2]", "1,2", "1, 2,"])
def test_the_simple_path_gives_the_parsers_nodes(text):
    check(text)
    assert syntax._simple("[1..4], >= 12, x", "unary_tests") is not None


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(NUMBERS), max_size=7).map("".join))
def test_the_simple_path_agrees_with_the_parser_on_any_text(text):
    check(text)
