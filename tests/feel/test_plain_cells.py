"""The parser's fast path for the commonest cells (plain texts, ``-``) gives exactly the
nodes the Lark parser gives, and never accepts a text the parser refuses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._core.errors import ConditionError
from engine.feel import syntax

PIECES = ['"', "'", "-", " ", "a", "é", "1", ",", "\\", "\u200b", "\u00a0", "“", "”", "\n", "\t", "..", "<", "not("]


def by_parser(text: str, start: str):
    """The node (or the refusal) of the parser itself, the fast path switched off."""
    original = syntax._plain
    syntax._plain = lambda source, start: None
    try:
        return syntax._parse(text, start)
    except ConditionError as error:
        return ("refused", error.message)
    finally:
        syntax._plain = original


def check(text: str) -> None:
    for start in ("unary_tests", "expression"):
        fast = syntax._plain(syntax.normalize(text), start)
        if fast is not None:
            assert fast == by_parser(text, start), (text, start)


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
