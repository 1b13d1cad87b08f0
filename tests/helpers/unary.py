"""Random cells of S-FEEL unary tests built from given literals (hypothesis strategies), for the
properties that hold a cell's compiled forms to the scalar reference: comparisons, intervals
with every kind of end, lists of them, ``not(...)`` and ``-``; and the property of the set
form, checked against the scalar test on probe values."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from engine.feel import temporal_keys
from engine.feel.conditions import compile_unary_tests
from engine.feel.sets import Domain


def positive_tests(literals: Sequence[str]) -> st.SearchStrategy[str]:
    """A literal, a comparison with one, or an interval between two, of ``literals``."""
    literal = st.sampled_from(list(literals))
    comparison = st.builds(lambda op, v: f"{op} {v}", st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), literal)
    interval = st.builds(lambda a, lo, hi, b: f"{a}{lo}..{hi}{b}", st.sampled_from("[(]"), literal, literal,
                         st.sampled_from("])["))
    return st.one_of(literal, comparison, interval)


def unary_tests(literals: Sequence[str]) -> st.SearchStrategy[str]:
    """A cell: ``-``, one to three positive tests, or their ``not(...)``."""
    listed = st.lists(positive_tests(literals), min_size=1, max_size=3).map(", ".join)
    return st.one_of(st.just("-"), listed, listed.map(lambda t: f"not({t})"))


def check_set_form(text: str, kind: str, nullable: bool, probes: Sequence[object]) -> None:
    """The set form of cell ``text`` over ``kind`` holds exactly the probes (and null, if
    ``nullable``) that the scalar test matches; temporal probes by their keys."""
    test = compile_unary_tests(text)
    found = test.to_set(Domain(kind, nullable=nullable))
    for probe in [*probes, *([None] if nullable else [])]:
        at = temporal_keys.key(kind, probe) if kind in temporal_keys.KINDS and probe is not None else probe
        assert found.contains(at) == test.matches(probe), (text, probe, found)
