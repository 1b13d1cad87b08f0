"""The public API of the condition language: compile a cell's text once, use it three ways.

    >>> t = compile_unary_tests('[1..4], > 10')
    >>> t.matches(3)
    True
    >>> compile_expression('8 * weight_kg').evaluate({'weight_kg': 70})
    560

Stages: text → AST (``engine.feel.syntax``) → name check (here) → compiled forms: scalar
(``engine.feel.scalar``), vectorized over pandas (``engine.feel.vectorized``) and the set form
for static analysis (``engine.feel.set_form``).  Every problem with the text is a
:class:`~engine.errors.ConditionError` carrying the 1-based column and a hint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine._core.errors import ConditionError
from engine.feel import hints, scalar, values
from engine.feel.nodes import walk
from engine.feel.syntax import (
    Arithmetic,
    Call,
    Compare,
    Comparison,
    Expr,
    Interval,
    Literal,
    Logical,
    Name,
    Negative,
    Not,
    UnaryTests,
    parse_expression,
    parse_unary_tests,
)
from engine.feel.temporal import YearsMonths

if TYPE_CHECKING:  # pragma: no cover - imported lazily where used
    import numpy
    import pandas

    from engine.feel.sets import Domain, ValueSet
    from engine.feel.trisets import TriSet

_EMPTY: Mapping[str, Any] = {}
_GENERIC_TESTS = hints.GENERIC["unary_tests"]
KIND_NAMES = {values.NUMBER: "number", values.STRING: "string", values.BOOLEAN: "boolean", values.DATE: "date",
              values.DATETIME: "date and time", values.TIME: "time", values.DT_DURATION: "days and time duration",
              values.YM_DURATION: "years and months duration"}
# The hint for a name that names nothing, in a workbook's words; a loader of another format
# gives its own (engine.formats.xlsx.build).
ISO_DURATION = re.compile(r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")
UNKNOWN_NAME_HINT = "use the name of an input from the Inputs sheet or an output of another table"


@dataclass(frozen=True)
class CompiledUnaryTests:
    """An input cell, compiled: ``-``, ``>= 12``, ``"a", "b"``, ``not([1..4])``, ..."""

    text: str
    node: UnaryTests
    names: frozenset[str]
    _test: scalar.TestFn = field(repr=False, compare=False)
    each: str = ""  # "any": a cell over a list input; "all": its allowed values (scalar.compile_list_tests)
    # What makes the cell FEEL beyond S-FEEL ("use ?", "call a function": engine.feel.feel_cells);
    # "" for an S-FEEL cell.  A FEEL cell runs on the FEEL interpreter; the checks skip it.
    feel: str = ""

    def over_lists(self, each: str = "any") -> CompiledUnaryTests:
        """The same text over list values: ``any`` for a rule's cell (the list holds an element
        the tests accept), ``all`` for allowed values (every element is accepted).  A FEEL cell
        is unchanged: its ``?`` is the whole list, as in DMN."""
        if self.feel:
            return self
        return CompiledUnaryTests(self.text, self.node, self.names, scalar.compile_list_tests(self.node, each), each)

    @property
    def element_tests(self) -> CompiledUnaryTests:
        """The same text over single values (a list cell's tests of one element)."""
        return self if not self.each else compile_unary_tests_node(self.text, self.node, self.names)

    @property
    def is_any(self) -> bool:
        """True for ``-`` (or a blank cell): the test matches every value."""
        return self.node.any_value

    def result(self, value: Any, context: Mapping[str, Any] | None = None) -> bool | None:
        """FEEL's three-valued answer: True, False or None (null, which is not a match)."""
        return self._test(value, context or _EMPTY)

    def matches(self, value: Any, context: Mapping[str, Any] | None = None) -> bool:
        return self._test(value, context or _EMPTY) is True

    def mask(self, series: pandas.Series, frame: pandas.DataFrame | None = None) -> numpy.ndarray:
        """Vectorized ``matches`` over a Series; ``frame`` supplies columns for name endpoints."""
        from engine.feel import feel_cells, lists, vectorized

        if self.feel:
            return feel_cells.mask(self._test, self.names, series, frame, self.node)
        if self.each:
            return lists.list_tests_mask(self.node, self.each, series, frame)
        return vectorized.unary_tests_mask(self.node, series, frame)

    @property
    def literal_kinds(self) -> frozenset[str]:
        """The kinds of value its literals are (``< 18``: number; ``"a","b"``: string), null left out."""
        kinds: set[str] = set()
        if self.feel:  # what a FEEL test compares with is not known without running it
            return frozenset(kinds)
        for test in self.node.tests:
            for endpoint in (test.endpoint,) if isinstance(test, Comparison) else (test.low, test.high):
                if isinstance(endpoint, Literal) and values.kind_of(endpoint.value) in KIND_NAMES:
                    kinds.add(KIND_NAMES[values.kind_of(endpoint.value)])
        return frozenset(kinds)

    def tri_set(self, domain: Domain) -> TriSet | None:
        """The three-valued set form over ``domain``; None when the test names another input,
        tests lists (``engine.analysis`` treats those by their ``element_tests``) or is FEEL
        that means no set the verifier can write (``engine.feel.feel_sets``)."""
        from engine.feel import feel_sets, set_form

        if self.names or self.each:
            return None
        if self.feel:
            found = feel_sets.translate(self.node, domain, self.text)
            return found if not isinstance(found, str) else None
        return set_form.unary_tests_set(self.node, domain)

    def set_in(self, full: ValueSet) -> ValueSet | str:
        """The values of ``full`` (null included) the cell matches; for a cell whose matches
        are not known without the record, why, in an author's words ("reads limit", "calls the
        function before()").  A FEEL cell over finitely many values is run on each of them."""
        if self.names:
            return "reads " + ", ".join(sorted(self.names))
        if not self.feel:
            return full & self.to_set(full.domain)  # type: ignore[operator]
        from engine.feel import feel_sets

        return feel_sets.values_in(self.node, self.text, full, self.matches)

    def to_set(self, domain: Domain) -> ValueSet | None:
        """The values of ``domain`` (and null) that match; None when not statically known."""
        tri = self.tri_set(domain)
        return None if tri is None else tri.matches()


@dataclass(frozen=True)
class CompiledExpression:
    """An output cell, compiled: ``"first_line"``, ``840``, ``8 * weight_kg``, ``null``."""

    text: str
    node: Expr
    names: frozenset[str]
    _evaluate: scalar.ExpressionFn = field(repr=False, compare=False)
    # "FEEL" for a cell in the full expression language (``engine.feel.feel_outputs``): it runs
    # on the FEEL interpreter, and its ``evaluate`` raises OutputError where it gives no value.
    feel: str = ""
    # False where ``_evaluate`` means more than ``node`` (a DMN output checked against its
    # typeRef, engine.formats.dmn.typed): the cell is then never computed from the node over
    # whole columns, only through ``_evaluate``.
    node_is_meaning: bool = True

    def evaluate(self, context: Mapping[str, Any] | None = None) -> Any:
        return self._evaluate(context or _EMPTY)

    def evaluate_frame(self, frame: pandas.DataFrame) -> pandas.Series:
        """Vectorized ``evaluate`` over every row of ``frame`` (a FEEL cell: null where it gives no value)."""
        return self.evaluate_rows(frame)[0]

    def evaluate_rows(self, frame: pandas.DataFrame) -> tuple[pandas.Series, numpy.ndarray]:
        """(values, rows where the cell gives no value): only a FEEL cell has such rows."""
        import numpy as np

        from engine.feel import feel_outputs, vectorized

        if self.feel:
            return feel_outputs.evaluate_rows(self._evaluate, self.names, frame,
                                              self.node if self.node_is_meaning else None)
        return vectorized.expression_series(self.node, frame), np.zeros(len(frame), dtype=bool)

    @property
    def constant(self) -> tuple[bool, Any]:
        """(True, value) when the expression names nothing and so always gives one value."""
        if self.names:
            return False, None
        if self.feel:
            from engine.feel.feel_outputs import OutputError

            try:
                return True, self.evaluate()
            except OutputError:  # e.g. decimal(1, 10000): each record that chooses it says why
                return False, None
        return True, self.evaluate()


def compile_unary_tests(text: str, names: Collection[str] | None = None, feel: bool = False) -> CompiledUnaryTests:
    """Compile an input cell.  ``names``: the inputs a test may refer to (``> other_input``);
    with None, names may be used as endpoints but a bare word is taken for a missing quote.
    ``feel``: a rule's cell that S-FEEL cannot read but that is clearly FEEL (it uses ``?`` or
    calls a function of FEEL's library) is read as FEEL unary tests (``engine.feel.feel_cells``);
    S-FEEL cells keep their AST and compiled forms, and other texts S-FEEL's message and hint."""
    try:
        node = parse_unary_tests(str(text))
    except ConditionError as error:
        if not feel:
            raise
        return _compile_feel(str(text), names, error)
    used = _check_names(node, str(text), names, unary=True)
    return CompiledUnaryTests(str(text), node, used, scalar.compile_unary_tests(node))


# S-FEEL's refusals that say "this is FEEL" rather than name an author's mistake: a clearly
# FEEL text that FEEL cannot read either gets FEEL's message instead.
_FEEL_REFUSALS = ("cannot hold yet", "an input cell cannot call", "is not a function dtrun knows")


def _compile_feel(text: str, names: Collection[str] | None, sfeel: ConditionError) -> CompiledUnaryTests:
    from engine.feel import feel_cells

    why = feel_cells.clearly_feel(text)
    if not why:
        raise sfeel
    try:
        node, used = feel_cells.parse(text, names)
    except ConditionError as error:
        if any(part in sfeel.message for part in _FEEL_REFUSALS) or sfeel.hint == _GENERIC_TESTS:
            raise error from None
        raise sfeel from None
    return CompiledUnaryTests(text, node, used, feel_cells.compile_test(node, used), feel=why)


def compile_unary_tests_node(text: str, node: UnaryTests, names: frozenset[str]) -> CompiledUnaryTests:
    """A cell already parsed and checked, compiled over single values."""
    return CompiledUnaryTests(text, node, names, scalar.compile_unary_tests(node))


def compile_expression(text: str, names: Collection[str] | None = None, feel: bool = False) -> CompiledExpression:
    """Compile an output cell.  ``names``: the inputs it may use; None allows any name.
    ``feel``: a rule's cell that S-FEEL cannot read is read in the full FEEL expression
    language (``engine.feel.feel_outputs``); where FEEL cannot read it either, S-FEEL's
    message and hint stand (unless S-FEEL's only says "this is FEEL")."""
    try:
        node = parse_expression(str(text))
    except ConditionError as error:
        if not feel:
            raise
        return _compile_feel_output(str(text), names, error)
    used = _check_names(node, str(text), names, unary=False)
    if feel and _temporal_arithmetic(node):
        # S-FEEL computes on numbers only (a date minus a date is null there); FEEL's meaning
        # stands: a date, or a duration that no output holds, said as the record's error.
        from engine.feel import feel_outputs

        node, used = feel_outputs.parse(str(text), names)
        return CompiledExpression(str(text), node, used, feel_outputs.compile_output(str(text), node, used),
                                  feel="FEEL")
    return CompiledExpression(str(text), node, used, scalar.compile_expression(node))


def _temporal_arithmetic(node: Any) -> bool:
    """Whether ``node`` adds, subtracts, multiplies or divides a date or time literal, anywhere."""
    return any(isinstance(found, Arithmetic) and any(
        isinstance(side, Literal) and isinstance(side.value, (dt.date, dt.time, dt.timedelta, YearsMonths))
        for side in (found.left, found.right)) for found in walk(node))


def _compile_feel_output(text: str, names: Collection[str] | None, sfeel: ConditionError) -> CompiledExpression:
    from engine.feel import feel_outputs

    try:
        node, used = feel_outputs.parse(text, names)
    except ConditionError as error:  # FEEL reads it but a name is unknown: FEEL's error, at the name
        if error.unknown is not None or any(part in sfeel.message for part in _FEEL_REFUSALS):
            raise error from None
        raise sfeel from None
    if isinstance(node, Interval):  # a range, which no output holds: S-FEEL says so
        raise sfeel
    return CompiledExpression(text, node, used, feel_outputs.compile_output(text, node, used), feel="FEEL")


def _check_names(node: Any, text: str, names: Collection[str] | None, unary: bool) -> frozenset[str]:
    used = set()
    for name, bare in _names_in(node):
        known = names is not None and name.name in names
        if not known and (names is not None or (unary and bare)):
            raise _unknown_name(name, text, names, quoted=(unary and bare) or not unary)
        used.add(name.name)
    return frozenset(used)


def _names_in(node: Any) -> Iterator[tuple[Name, bool]]:
    """Every name in an AST, and whether it stands alone as a test (as ``positive`` would)."""
    if isinstance(node, Name):
        yield node, False
    elif isinstance(node, UnaryTests):
        for test in node.tests:
            yield from _names_in(test)
    elif isinstance(node, Comparison):
        if isinstance(node.endpoint, Name):
            yield node.endpoint, node.op == "=" and node.span == node.endpoint.span
    elif isinstance(node, Interval):
        yield from _names_in(node.low)
        yield from _names_in(node.high)
    elif isinstance(node, (Negative, Not)):
        yield from _names_in(node.operand)
    elif isinstance(node, (Arithmetic, Compare, Logical)):
        yield from _names_in(node.left)
        yield from _names_in(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from _names_in(arg)


def _unknown_name(name: Name, text: str, names: Collection[str] | None, quoted: bool) -> ConditionError:
    close = difflib.get_close_matches(name.name, list(names or ()), n=1)
    unknown = (name.name, close[0] if close else None, quoted)
    error = ConditionError(f"{name.name} is not a known input", text, name.span.column, unknown_name_hint(unknown),
                           end_column=name.span.end)
    error.unknown = unknown
    return error


def unknown_name_hint(unknown: tuple[str, str | None, bool], shown: Callable[[str], str] = str,
                      fallback: str = UNKNOWN_NAME_HINT) -> str:
    """How to fix a name that names nothing (``ConditionError.unknown``): the closest known
    name as ``shown`` names it, or the text in quotes, or ``fallback``."""
    name, close, quoted = unknown
    if ISO_DURATION.fullmatch(name):  # > PT12H: a duration without @"..."
        return f'for a duration, write @"{name}"'
    if close:
        hint = f"did you mean {shown(close)}?"
        return hint + f' If you meant the text, write "{name}"' if quoted else hint
    if quoted:
        return f'if you meant the text, write "{name}" (with double quotes)'
    return fallback
