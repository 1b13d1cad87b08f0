"""FEEL cells beyond S-FEEL (``?``, functions) as sets of a column's values, for the verifier.

Owns which FEEL unary tests mean exactly a set of the values of one column, and that set as a
:class:`~engine.feel.trisets.TriSet` (``translate``): ``? op c`` and ``c op ?`` for the six
comparisons, ``? in [a..b]``, ``? in (1, > 5)``, ``? in [1, 2]``, ``? between a and b``,
``? = null`` / ``? != null``, ``and`` / ``or`` / ``not`` of such tests, ``?`` itself and
``? = true`` over booleans, ``date(?)`` over dates, plain tests whose ends are calculations without ``?``
(``> abs(-3)``, ``< date("2020-01-01") + duration("P1D")``), each with FEEL's null meaning as
the reference evaluator (``engine.feel.unary``) gives it: a comparison with null is null, not
false; ``? in [1, 2]`` is false, not null, for a missing value.  Where a test does not
translate, ``translate`` says why in an author's words ("calls the function before()").

A column whose values are finitely many needs no translation: ``values_in`` then runs the
cell on each of them (``engine.feel.feel_runs``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.feel import semantics
from engine.feel.feel_runs import by_values, changing, mentions_question
from engine.feel.nodes import (
    Arithmetic,
    Between,
    Call,
    Compare,
    Comparison,
    ExpressionTest,
    Filter,
    For,
    If,
    In,
    InstanceOf,
    Interval,
    Logical,
    Name,
    Negative,
    Not,
    Path,
    Quantified,
    UnaryTests,
    walk,
)
from engine.feel.sets import Domain, ValueSet
from engine.feel.trisets import TriSet, tri_and, tri_any, tri_compare, tri_equal, tri_not, tri_or

_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_KINDS = {"number": semantics.NUMBER, "integer": semantics.NUMBER, "string": semantics.STRING,
          "boolean": semantics.BOOLEAN, "date": semantics.DATE}
_MISMATCH = object()  # a constant of another kind than the column's: no value of the column equals it


class _Refused(Exception):
    """The test does not mean exactly a set; ``args[0]``: why, in an author's words."""


class _Question:
    """``?``: the value tested."""


_Q = _Question()


class _Const:
    """A value that does not depend on ``?``, evaluated once."""

    def __init__(self, value: Any) -> None:
        self.value = value


def translate(node: UnaryTests, domain: Domain, text: str = "") -> TriSet | str:
    """The three-valued outcome of the FEEL unary tests ``node`` (read from ``text``) over
    ``domain`` (a column whose cells read no other input), or why it has none: "calls the
    function before()"."""
    try:
        return _Translation(domain, text).tests(node)
    except _Refused as refused:
        return str(refused.args[0])


def values_in(node: UnaryTests, text: str, full: ValueSet, test: Callable[[Any], bool]) -> ValueSet | str:
    """The members of ``full`` that the cell (``node`` read from ``text``; ``test``: its
    scalar test) matches: by its translation, else by running ``test`` on each value of a
    finite ``full``; else why neither can be done."""
    found = translate(node, full.domain, text)
    if not isinstance(found, str):
        return full & found.matches()
    why = changing(node)
    if why:
        return why
    listed = by_values(test, full)
    return listed if listed is not None else found


class _Translation:
    """One cell's translation over ``domain``."""

    def __init__(self, domain: Domain, text: str) -> None:
        self.d, self.text = domain, text

    def shown(self, node: Any) -> str:
        """The part of the cell's text that ``node`` was read from."""
        span = getattr(node, "span", None)
        return self.text[span.start:span.end] if span is not None and self.text else type(node).__name__

    # -- the cell
    def tests(self, node: UnaryTests) -> TriSet:
        if node.any_value:
            return tri_any(self.d)
        found = None
        for test in node.tests:
            one = self.positive(test)
            found = one if found is None else tri_or(found, one)
        assert found is not None
        return tri_not(found) if node.negated else found

    def positive(self, test: Any) -> TriSet:
        """As ``engine.feel.unary._positive`` gives it for each value."""
        if isinstance(test, Comparison):
            return self.test(test.op, self.constant(test.endpoint))
        if isinstance(test, Interval):
            return self.in_interval(self.constant(test.low), self.constant(test.high), test.low_closed,
                                    test.high_closed)
        assert isinstance(test, ExpressionTest)
        if mentions_question(test.expr):
            return self.boolean(self.value(test.expr))
        value = self.constant(test.expr)
        if isinstance(value, bool):  # a yes/no test: its answer for a value that is no boolean
            if self.d.kind != "boolean":
                return self.constant_set(value)
            return TriSet(self.equal(value).true, ValueSet.empty(self.d), value)
        return self.contains(value)

    # -- expressions: ``?``, a constant, or a yes/no answer per value
    def value(self, node: Any) -> _Question | _Const | TriSet:
        if isinstance(node, Name) and node.name == "?":
            return _Q
        if isinstance(node, Call) and node.name == "date" and len(node.args) == 1 and self.d.kind == "date" \
                and not node.names and isinstance(node.args[0], Name) and node.args[0].name == "?":
            return _Q  # date(?) of a date is the date (and of null, null)
        if not mentions_question(node):
            return _Const(self.constant(node))
        if isinstance(node, Compare):
            return self.compare(node.op, self.value(node.left), self.value(node.right), node)
        if isinstance(node, Logical):
            left, right = self.boolean(self.value(node.left)), self.boolean(self.value(node.right))
            return tri_and(left, right) if node.op == "and" else tri_or(left, right)
        if isinstance(node, Not) or (isinstance(node, Call) and node.name == "not" and len(node.args) == 1):
            return tri_not(self.boolean(self.value(node.operand if isinstance(node, Not) else node.args[0])))
        if isinstance(node, Between):
            value, low, high = (self.value(n) for n in (node.value, node.low, node.high))
            return tri_and(self.order(">=", value, low, node), self.order("<=", value, high, node))
        if isinstance(node, In):
            return self.within(self.value(node.value), node)
        raise _Refused(_why(node, self.shown(node)))

    def compare(self, op: str, left: Any, right: Any, node: Any) -> TriSet:
        return self.test(*self._of_q(op, left, right, node))

    def order(self, op: str, left: Any, right: Any, node: Any) -> TriSet:
        """``semantics.compare``: no equality, null for null."""
        return self.ordered(*self._of_q(op, left, right, node))

    def _of_q(self, op: str, left: Any, right: Any, node: Any) -> tuple[str, Any]:
        """``? op value`` that a comparison of ``?`` with a constant means, either way round."""
        if left is _Q and isinstance(right, _Const):
            return op, right.value
        if right is _Q and isinstance(left, _Const):
            return _FLIP[op], left.value
        raise _Refused(f"compares {self.shown(node)}, which the checks cannot reason about")

    def within(self, value: Any, node: In) -> TriSet:
        """``? in (...)``: ``interpret._in``, item by item, three-valued or."""
        if value is not _Q:
            raise _Refused(f"tests {self.shown(node.value)} with in, which the checks cannot reason about")
        found = None
        for item in node.tests:
            if isinstance(item, Comparison):
                one = self.test(item.op, self.constant(item.endpoint))
            elif isinstance(item, Interval):
                one = self.in_interval(self.constant(item.low), self.constant(item.high), item.low_closed,
                                       item.high_closed)
            else:
                one = self.contains(self.constant(item))
            found = one if found is None else tri_or(found, one)
        return found if found is not None else self.constant_set(False)

    def boolean(self, value: Any) -> TriSet:
        """A value used as yes/no: anything but true or false is null."""
        if isinstance(value, TriSet):
            return value
        if isinstance(value, _Const):
            return self.constant_set(value.value if isinstance(value.value, bool) else None)
        if self.d.kind == "boolean":  # ? itself
            return TriSet(ValueSet.point(self.d, True), ValueSet.empty(self.d), None)
        return self.constant_set(None)

    def constant(self, node: Any) -> Any:
        """The value of an expression without ``?`` (refused where it reads a name, changes
        with the day, or gives an error, which stops the whole test)."""
        from engine.feel.interpret import evaluate
        from engine.feel.temporal import Unsupported

        for item in walk(node):
            if isinstance(item, Name):
                raise _Refused(f"reads {item.name}" if item.name != "?" else f"computes with ? ({self.shown(node)})")
        why = changing(node)
        if why:
            raise _Refused(why)
        try:
            return evaluate(node, {})
        except (semantics.FeelError, Unsupported, RecursionError, ArithmeticError, ValueError):
            raise _Refused(f"calculates {self.shown(node)}, which gives an error") from None

    # -- the meaning of one test against a constant
    def constant_set(self, answer: bool | None) -> TriSet:
        d, nothing = self.d, ValueSet.empty(self.d)
        everything = ValueSet(d, ValueSet.full(Domain(d.kind, nullable=False)).intervals)
        if answer is True:
            return TriSet(everything, nothing, True)
        if answer is False:
            return TriSet(nothing, nothing, False)
        return TriSet(nothing, everything, None)

    def test(self, op: str, constant: Any) -> TriSet:
        """``semantics.test(op, ?, constant)``."""
        if op == "=":
            return self.equal(constant)
        if op == "!=":
            return tri_not(self.equal(constant))
        return self.ordered(op, constant)

    def equal(self, constant: Any) -> TriSet:
        """``semantics.equal``: null = null; null against a value false; other kinds null."""
        return tri_equal(self.d, None if constant is None else self.literal(constant))

    def ordered(self, op: str, constant: Any) -> TriSet:
        """``semantics.compare``: null unless both are of one ordered kind."""
        return tri_compare(self.d, op, None if constant is None else self.literal(constant))

    def in_interval(self, low: Any, high: Any, low_closed: bool, high_closed: bool) -> TriSet:
        """``interpret.in_interval``: null when an end is null."""
        if low is None or high is None:
            return self.constant_set(None)
        return self.in_range(low, high, low_closed, high_closed)

    def in_range(self, low: Any, high: Any, low_closed: bool, high_closed: bool) -> TriSet:
        """``semantics.in_range``: an end that is None is open."""
        lower = tri_any(self.d) if low is None else self.ordered(">=" if low_closed else ">", low)
        upper = tri_any(self.d) if high is None else self.ordered("<=" if high_closed else "<", high)
        return tri_and(lower, upper)

    def contains(self, container: Any) -> TriSet:
        """``semantics.contains(container, ?)``."""
        if isinstance(container, semantics.Range):
            return self.in_range(container.low, container.high, container.low_closed, container.high_closed)
        if not isinstance(container, list):
            return self.equal(container)
        true, on_null = ValueSet.empty(self.d), False  # a list: true or false, never null
        for item in container:
            one = self.contains(item) if isinstance(item, semantics.Range) else self.equal(item)
            true, on_null = true | one.true, on_null or one.on_null is True
        return TriSet(true, ValueSet.empty(self.d), on_null)

    def literal(self, constant: Any) -> Any:
        """A FEEL constant as a value of the column's kind (numbers: the float or int whose
        FEEL number it is, so that order and equality are the same); ``_MISMATCH`` for a value
        of another kind."""
        kind = semantics.kind(constant)
        if kind != _KINDS[self.d.kind]:
            return _MISMATCH
        if kind != semantics.NUMBER:
            return constant
        if constant == constant.to_integral_value() and abs(constant) < 2 ** 53:
            return int(constant)
        near = float(constant)
        if Decimal(repr(near)) != constant:
            raise _Refused(f"compares with {constant}, a number with more digits than a value of the column holds")
        return near


def _why(node: Any, shown: str) -> str:
    """Why an expression with ``?`` has no set, in an author's words."""
    if isinstance(node, Call):
        return f"calls the function {node.name}()"
    if isinstance(node, (Arithmetic, Negative)):
        return f"computes with ? ({shown})"
    if isinstance(node, (Quantified, For, Filter)):
        return f"iterates over a list ({shown})"
    if isinstance(node, Path):
        return f"reads a part of ? ({shown})"
    if isinstance(node, If):
        return "chooses with if ... then ... else"
    if isinstance(node, InstanceOf):
        return "tests the type of ? (instance of)"
    return f"uses ? in {shown}"
