"""FEEL cells (``?``, functions) judged by running them, for the verifier: exact where the
values that matter are finitely many.

Owns ``by_values`` (a column whose values are finitely many: booleans, allowed values that
list them, whole numbers or dates in a range, up to ``MAX_VALUES``: the scalar test run on
each value and on null, the reference meaning, so exact) and ``element_tests`` (a cell over
a list input, ``?`` the whole list, whose answer hangs only on which values the list holds:
``list contains(?, "x")``, ``some``/``every e in ? satisfies ...``: the tests of one element
that tell values apart, for ``engine.analysis.list_atoms``), and which cells may be run at
all (``changing``: ``today()``, ``now()``).  Cells that mean a set whatever the column's
values are translated instead (``engine.feel.feel_sets``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from engine.feel import semantics
from engine.feel.nodes import Call, ExpressionTest, Iteration, Name, Quantified, UnaryTests, walk
from engine.feel.sets import ValueSet

CHANGING = ("today", "now")  # functions whose value changes from one run to the next
MAX_VALUES = 4096  # the most values ``by_values`` runs a test on


def element_tests(node: UnaryTests) -> list[Callable[[Any], Any]] | str:
    """For a FEEL cell over a list input (``?`` the whole list), one test of a single element
    per use of ``?`` (``list contains(?, c)``: the element equals c; ``some x in ? satisfies
    P``: P holds; ``every x in ? satisfies P``: P does not hold), when the cell's answer for a
    list depends only on which of these tests its elements pass (not on their order or number):
    each test gives False where an element changes nothing, else a value that tells apart the
    elements that change the answer differently.  Else why not ("calls the function count()")."""
    from engine.feel.feel_cells import feel_input
    from engine.feel.interpret import evaluate

    why = changing(node)
    if why:
        return why
    for test in node.tests:
        if not isinstance(test, ExpressionTest) or not mentions_question(test.expr):
            return "compares the whole list with a value"
    found: list[Callable[[Any], Any]] = []
    for parent, child in _parents(node):
        if not (isinstance(child, Name) and child.name == "?"):
            continue
        if isinstance(parent, Call) and parent.name == "list contains" and len(parent.args) == 2 \
                and parent.args[0] is child and not any(isinstance(n, Name) for n in walk(parent.args[1])):
            try:
                wanted = evaluate(parent.args[1], {})
            except (semantics.FeelError, RecursionError, ArithmeticError, ValueError):
                return "calls the function list contains() with a value that gives an error"
            found.append(lambda v, wanted=wanted: semantics.equal(feel_input(v), wanted) is True)
        elif isinstance(parent, Iteration) and parent.end is None and parent.source is child:
            quantified = next((q for q, c in _parents(node) if isinstance(q, Quantified) and parent in q.iterations),
                              None)
            free = {n.name for n in walk(quantified.condition) if isinstance(n, Name)} if quantified else {"?"}
            if quantified is None or len(quantified.iterations) != 1 or not free <= {parent.name}:
                return "iterates over ? together with another list or name"
            found.append(_quantifier_test(quantified, parent.name, evaluate, feel_input))
        else:
            return (f"calls the function {parent.name}() on the whole list" if isinstance(parent, Call) else
                    "uses the whole list ?")
    return found


def _quantifier_test(node: Quantified, name: str, evaluate: Any, feel_input: Any) -> Callable[[Any], Any]:
    """``some``: True where the condition holds for the element; ``every``: True where it does
    not; an element on which the condition stops with an error: "error"."""
    from engine.feel.temporal import Unsupported

    def test(value: Any) -> Any:
        try:
            holds = evaluate(node.condition, {name: feel_input(value)}) is True
        except (semantics.FeelError, Unsupported, RecursionError, ArithmeticError, ValueError):
            return "error"
        return holds if node.quantifier == "some" else not holds

    return test


def _parents(node: Any) -> Any:
    """(parent, child) for every node below ``node``, tuples (and tuples in tuples) looked through."""
    stack = [node]
    while stack:
        item = stack.pop()
        children = [getattr(item, field) for field in item.__dataclass_fields__]
        while children:
            child = children.pop()
            if isinstance(child, tuple):
                children.extend(child)
            elif hasattr(child, "__dataclass_fields__"):
                yield item, child
                stack.append(child)


def changing(node: Any) -> str:
    """Why ``node``'s answer may change from day to day ("calls today()"), or ""."""
    for call in walk(node):
        if isinstance(call, Call) and call.name in CHANGING:
            return f"calls {call.name}(), whose value changes with the day"
    return ""


def by_values(test: Callable[[Any], bool], full: ValueSet) -> ValueSet | None:
    """The members of ``full`` (null included) for which ``test`` is true, each run once;
    None when ``full`` is not a list of at most ``MAX_VALUES`` values."""
    members = finite_members(full)
    if members is None:
        return None
    d = full.domain
    found = ValueSet.points(d, [v for v in members if test(v)])
    return found | ValueSet.null_only(d) if full.null and test(None) else found


def finite_members(full: ValueSet) -> list[Any] | None:
    """The non-null values of ``full`` when they are at most ``MAX_VALUES``; else None."""
    d, members = full.domain, []
    for iv in full.intervals:
        if iv.low is None or iv.high is None:
            return None
        if iv.low == iv.high:
            members.append(iv.low)
        elif d.kind == "integer":
            if int(iv.high) - int(iv.low) + len(members) >= MAX_VALUES:
                return None
            members += range(int(iv.low), int(iv.high) + 1)
        elif d.kind == "date":
            if (iv.high - iv.low).days + len(members) >= MAX_VALUES:
                return None
            members += [iv.low + dt.timedelta(days=k) for k in range((iv.high - iv.low).days + 1)]
        elif d.kind == "boolean":
            members += [False, True]
        else:
            return None
        if len(members) > MAX_VALUES:
            return None
    return members


def mentions_question(node: Any) -> bool:
    """Whether ``?`` occurs in ``node``."""
    return any(isinstance(n, Name) and n.name == "?" for n in walk(node))


