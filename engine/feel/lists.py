"""Cells over columns of lists (inputs of type ``list of <type>``): the vectorized form of
``engine.feel.scalar.compile_list_tests``.

A column of lists holds tuples (None for null).  Without name endpoints, each distinct list
is judged once: the distinct lists' elements are tested together as one column by
``engine.feel.vectorized`` and counted per list, and rows take their list's answer; what a
column's cells share (its distinct lists, their elements as one typed column) is made once
per column (``prepared``).  A cell
naming another input tests every row's elements against that row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from engine.feel.syntax import Name, UnaryTests
from engine.feel.vectorized import unary_tests_mask


def list_tests_mask(node: UnaryTests, each: str, series: pd.Series, frame: pd.DataFrame | None) -> np.ndarray:
    """True exactly where ``scalar.compile_list_tests(node, each)(value, row) is True``, for a
    column of lists (tuples; None for null).  Without name endpoints, each distinct list is
    judged once (``Lists.table``); with them, every row's elements against its own row."""
    n = len(series)
    if node.any_value:
        return np.ones(n, dtype=bool)
    names = any(isinstance(getattr(t, k, None), Name) for t in node.tests for k in ("endpoint", "low", "high"))
    if names and frame is not None:
        return _lists_by_row(node, each, series.to_numpy(dtype=object), frame)
    found = prepared(series)
    return found.table(node, each)[found.codes]  # code -1: the null's answer, last


class Lists:
    """A column of lists made ready for many cells: per row the position of its list among the
    distinct lists (-1: null), and the distinct lists' elements as one typed column (texts as
    a categorical, numbers as float64), so that each cell costs numpy's time."""

    def __init__(self, series: pd.Series) -> None:
        self.series = series
        self.codes, self.lists = factorized_lists(series.to_numpy(dtype=object))
        self.lengths = np.fromiter((len(v) for v in self.lists), dtype=np.int64, count=len(self.lists))
        self.flat = _typed([e for v in self.lists for e in v])

    def table(self, node: UnaryTests, each: str) -> np.ndarray:
        """Per distinct list, then for null: does the cell match?"""
        inner = node if each == "all" else UnaryTests(node.tests, False, node.span)
        found = _per_list(_element_mask(inner, self.flat, None), self.lengths, each, node.negated)
        return np.append(found, unary_tests_mask(node, pd.Series([None], dtype=object), None))


def _typed(elements: list[Any]) -> pd.Series:
    """Elements as the vectorized form tests them fastest: texts as a categorical, numbers
    (no booleans) as float64 where exact, anything else as objects."""
    kinds = {type(e) for e in elements}
    if kinds == {str}:
        return pd.Series(pd.Categorical(elements))
    if kinds <= {int, float} and kinds and all(abs(e) < 2**53 for e in elements if type(e) is int):
        return pd.Series(np.array(elements, dtype=np.float64))
    return pd.Series(elements, dtype=object)


_PREPARED: dict[int, Lists] = {}  # by id; each holds its series, so the id stays its own


def prepared(series: pd.Series) -> Lists:
    """``Lists`` of ``series``, made once for the many cells that test one column."""
    found = _PREPARED.get(id(series))
    if found is None or found.series is not series:
        if len(_PREPARED) >= 4:  # a few columns of the block being matched; old blocks let go
            _PREPARED.clear()
        found = _PREPARED[id(series)] = Lists(series)
    return found


def factorized_lists(objects: np.ndarray) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """Per row, the position of its list among the distinct lists (-1: null), and those lists."""
    try:
        codes, uniques = pd.factorize(objects)
    except TypeError:  # lists or arrays rather than tuples: made tuples first
        objects = np.fromiter((_as_list(v) for v in objects), dtype=object, count=len(objects))
        codes, uniques = pd.factorize(objects)
    lists = [_as_list(v) for v in uniques]
    kinds = {type(e) for v in lists if v is not None for e in v}
    if kinds & {bool, int, float}:  # (True,) == (1,), so either may hide the other: told apart by kind
        keys = np.fromiter((None if v is None else tuple((type(e) is bool, e) for e in v)
                            for v in map(_as_list, objects)), dtype=object, count=len(objects))
        codes, uniques = pd.factorize(keys)
        lists = [tuple(e for _, e in v) for v in uniques]
    return codes, lists


def _as_list(value: Any) -> tuple[Any, ...] | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, tuple):
        return value
    return tuple(value.tolist() if isinstance(value, np.ndarray) else value) if isinstance(
        value, (list, np.ndarray)) else (value,)


def _element_mask(node: UnaryTests, flat: pd.Series, frame: pd.DataFrame | None) -> np.ndarray:
    return unary_tests_mask(node, flat, frame) if len(flat) else np.zeros(0, dtype=bool)


def _per_list(hits: np.ndarray, lengths: np.ndarray, each: str, negated: bool) -> np.ndarray:
    """From each element's answer, each list's: any element (negated: none), or all."""
    ends = np.cumsum(lengths)
    running = np.concatenate(([0], np.cumsum(hits, dtype=np.int64)))
    counts = running[ends] - running[ends - lengths]
    if each == "all":
        return counts == lengths
    return (counts == 0) if negated else (counts > 0)


def _lists_by_row(node: UnaryTests, each: str, objects: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """Each row's list against its own row of ``frame`` (a cell naming another input)."""
    lists = [_as_list(v) for v in objects]
    null = np.array([v is None for v in lists], dtype=bool)
    lengths = np.fromiter((0 if v is None else len(v) for v in lists), dtype=np.int64, count=len(lists))
    flat = pd.Series([e for v in lists if v is not None for e in v], dtype=object)
    rows = frame.iloc[np.repeat(np.arange(len(lists)), lengths)].reset_index(drop=True)
    inner = node if each == "all" else UnaryTests(node.tests, False, node.span)
    result = _per_list(_element_mask(inner, flat, rows), lengths, each, node.negated)
    if null.any():
        at = np.flatnonzero(null)
        result[at] = unary_tests_mask(node, pd.Series([None] * len(at), dtype=object),
                                      frame.iloc[at].reset_index(drop=True))
    return result
