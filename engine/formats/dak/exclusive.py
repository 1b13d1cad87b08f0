"""The alternatives of one DAK row made exclusive, exactly, so that hit policy C gives the row's
outputs once (``docs/dak.md``).

A row whose cells hold OR across data elements becomes several alternatives, each an AND of
one test per data element (``engine.formats.dak.regroup``).  Alternative k is kept for the
records that no earlier alternative of the row matches: for an earlier alternative
A = A1 ∧ ... ∧ An, ¬A = ¬A1 ∨ (A1 ∧ ¬A2) ∨ ... ∨ (A1 ∧ ... ∧ ¬An), whose terms are disjoint;
so alternative k becomes several disjoint pieces (rules ``R12b1``, ``R12b2``), and a piece that
no record can meet is dropped.  The columns of A that alternative k tests alike come first
(their ¬ term is empty).  One dtrun cell holds each column's tests, so a conjunction or a
negation on a column must be one cell:

* scalar inputs: the cells as sets of values (``engine.feel.sets``, missing value included), so
  ``not(>= 140)``, which a missing value does not pass, is written ``< 140, null``, the exact
  complement;
* list inputs (``Select all that apply``): ``"a", "b"`` (holds one of them) and ``not("a", "b")``
  (holds none: also the empty and the missing list) are each other's complement; holding none
  of two sets is holding none of their union.  "Holds a but not b" has no one-cell form.

Where some piece has no one-cell form, or the pieces would be too many rules, the row keeps
its alternatives as written (``regroup`` says so with a ``dak-or`` warning).  Option labels and
their shorter values are one value here (``canonical``), numbers are in the element's common
unit (``regroup`` prepares both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from engine.feel.dak import ElementTest, unit_key
from engine.feel.sets import Domain, ValueSet
from engine.feel.syntax import Comparison, Literal, UnaryTests, parse_unary_tests
from engine.feel.unparse import unary_tests


@dataclass(frozen=True)
class RowTest:
    """One test of a rule: the data element (after pairing), its test, and the DAK cell."""

    element: str
    test: ElementTest
    ref: str


Alternative = dict[str, RowTest]
EMPTY = "empty"  # a conjunction no value meets


class NotExclusive(Exception):
    """Why the alternatives of a row are kept as written (for the ``dak-or`` warning)."""


def exclusive(alternatives: list[Alternative], is_list: Callable[[str], bool], limit: int
              ) -> list[list[Alternative]]:
    """Per alternative, its disjoint pieces (none when earlier alternatives cover it).  Raises
    NotExclusive when some piece cannot be written one cell per column, or when the pieces
    would be more than ``limit`` rules (n alternatives of two elements each can take 2**n - 1)."""
    result: list[list[Alternative]] = []
    total = 0
    for k, alternative in enumerate(alternatives):
        pieces = [alternative]
        for earlier in alternatives[:k]:
            cut: list[Alternative] = []
            for piece in pieces:
                found = _minus(piece, earlier, is_list)
                if found is None:
                    raise NotExclusive("dtrun cannot write them as exclusive rules with one cell per data element")
                cut += found
            pieces = cut
            if total + len(pieces) > limit:
                raise NotExclusive(f"as exclusive rules they would be more than {limit}")
        total += len(pieces)
        result.append(pieces)
    return result


def _minus(piece: Alternative, earlier: Alternative, is_list: Callable[[str], bool]) -> list[Alternative] | None:
    """``piece`` ∧ ¬``earlier`` as disjoint pieces, or None."""
    columns = sorted((e for e in earlier if not earlier[e].test.tests.any_value),
                     key=lambda e: e not in piece or piece[e].test.text != earlier[e].test.text)
    prefix = dict(piece)
    found: list[Alternative] = []
    for element in columns:
        test = earlier[element]
        negated = _negation(test, is_list(element))
        if negated is None:
            return None
        if negated is not EMPTY:
            term = _both(prefix.get(element), negated, is_list(element))  # type: ignore[arg-type]
            if term is None:
                return None
            if term is not EMPTY:
                found.append({**prefix, element: term})  # type: ignore[dict-item]
        kept = _both(prefix.get(element), test, is_list(element))
        if kept is None:
            return None
        if kept is EMPTY:
            return found  # the prefix meets the earlier alternative nowhere: the rest is empty
        prefix[element] = kept  # type: ignore[assignment]
    return found


def _with(test: RowTest, node: UnaryTests) -> RowTest:
    return replace(test, test=replace(test.test, tests=node))


# ---------------------------------------------------------------------- list inputs
def _literals(node: UnaryTests) -> frozenset[object] | None:
    """The values of ``"a", "b"`` or ``not("a", "b")``; None for any other shape."""
    if node.any_value or not node.tests:
        return None
    values = []
    for test in node.tests:
        if not (isinstance(test, Comparison) and test.op == "=" and isinstance(test.endpoint, Literal)
                and test.endpoint.value is not None):
            return None
        values.append(test.endpoint.value)
    return frozenset(values)


def _list_node(values: frozenset[object], negated: bool, like: UnaryTests) -> UnaryTests:
    ordered = sorted(values, key=lambda v: (type(v).__name__, str(v)))
    return UnaryTests(tuple(Comparison("=", Literal(v, like.span), like.span) for v in ordered), negated,
                      like.span)


def _list_negation(test: RowTest) -> RowTest | None:
    node = test.test.tests
    values = _literals(node)
    return None if values is None else _with(test, _list_node(values, not node.negated, node))


def _list_both(a: RowTest, b: RowTest) -> RowTest | str | None:
    x, y = a.test.tests, b.test.tests
    sx, sy = _literals(x), _literals(y)
    if sx is None or sy is None:
        return None
    if x.negated and y.negated:  # holds none of either: none of both
        return _with(a, _list_node(sx | sy, True, x))
    if x.negated != y.negated:
        some, none = (sy, sx) if x.negated else (sx, sy)
        return EMPTY if some <= none else None  # holds one of some, all of which it must not hold
    if sx <= sy:  # holds one of sx, so one of sy
        return a
    return b if sy <= sx else None


# ---------------------------------------------------------------------- scalar inputs
def _kind(*nodes: UnaryTests) -> str | None:
    kinds = set()
    for node in nodes:
        for test in node.tests:
            ends = [test.endpoint] if isinstance(test, Comparison) else [getattr(test, "low", None),
                                                                         getattr(test, "high", None)]
            for end in ends:
                if isinstance(end, Literal) and end.value is not None:
                    kinds.add("boolean" if isinstance(end.value, bool) else "number"
                              if isinstance(end.value, (int, float)) else type(end.value).__name__)
                elif end is not None and not isinstance(end, Literal):
                    return None  # a name or an expression: not a fixed set of values
    kinds = {"string" if k == "str" else k for k in kinds}
    if len(kinds) > 1 or not kinds <= {"boolean", "number", "string", "date"}:
        return None
    return kinds.pop() if kinds else "string"


def _set(node: UnaryTests, domain: Domain) -> ValueSet | None:
    from engine.feel.conditions import compile_unary_tests

    try:
        return compile_unary_tests(unary_tests(node)).to_set(domain)
    except Exception:  # a cell the set form does not model: no exact one-cell form here
        return None


def _scalar(test: RowTest, values: ValueSet) -> RowTest | str:
    if values.is_empty():
        return EMPTY
    return _with(test, parse_unary_tests(values.to_unary_tests()))


def _negation(test: RowTest, is_list: bool) -> RowTest | str | None:
    if test.test.tests.any_value:
        return EMPTY
    if is_list:
        return _list_negation(test)
    kind = _kind(test.test.tests)
    values = None if kind is None else _set(test.test.tests, Domain(kind))
    return None if values is None else _scalar(test, values.complement())


def _both(a: RowTest | None, b: RowTest, is_list: bool) -> RowTest | str | None:
    """The records both tests of one column pass, as one test (EMPTY: none; None: no one-cell form)."""
    if a is None or a.test.tests.any_value or a.test.text == b.test.text:
        return b if a is None or a.test.tests.any_value else a
    if b.test.tests.any_value:
        return a
    if a.test.unit and b.test.unit and unit_key(a.test.unit) != unit_key(b.test.unit):
        return None  # regroup writes an element's numbers in one unit; else no one-cell form
    if is_list:
        return _list_both(a, b)
    kind = _kind(a.test.tests, b.test.tests)
    if kind is None:
        return None
    sa, sb = _set(a.test.tests, Domain(kind)), _set(b.test.tests, Domain(kind))
    if sa is None or sb is None:
        return None
    if sa <= sb:
        return a
    if sb <= sa:
        return b
    return _scalar(b if b.test.unit else a, sa & sb)
