"""A WHO SMART Guidelines DAK condition cell → dtrun's AST, per data element.

Owns the meaning of the DAK pseudo-code (docs/dak.md, "Reading the pseudo-code"): ``read_condition``
turns one cell (``"Danger signs" = "Central cyanosis"``, ``90 mmHg ≤ "Diastolic blood pressure" <
110 mmHg``, ``"X" ≠ "a" OR "b"``, ``IF "Tobacco use" = TRUE ON MORE THAN ONE CONTACT``, ...) into a
:class:`DakCondition`: an OR of ANDs of :class:`ElementTest` (one data element, its unary tests in the
cell language's AST, the unit written with the numbers), the reasons an alternative can match no
value, and what the reading assumed.  The text is parsed by ``engine.feel.dak_parse`` (grammar
``dak.lark``); what cannot be read raises :class:`DakSyntaxError` with the column and a likely fix.
The tests of one element joined by AND are merged through the set form (``engine.feel.sets``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from engine.feel import unparse
from engine.feel.dak_names import suggest_name
from engine.feel.dak_parse import DakSyntaxError, Operand, Parsed, Term, Value, parse, spaces
from engine.feel.syntax import Comparison, Interval, Literal, Span, UnaryTests, normalize, parse_unary_tests

__all__ = ["DakCondition", "DakSyntaxError", "ElementTest", "read_condition", "suggest_name"]

ANY = frozenset({"", "-", "–", "—", "−"})


@dataclass(frozen=True)
class ElementTest:
    """What one cell says about one data element: ``tests`` in dtrun's AST (``"Central cyanosis"``,
    ``>= 140``, ``[90..110)``, ``not("a","b")``, ``true``), the ``unit`` written with the numbers."""

    element: str
    tests: UnaryTests
    unit: str | None
    span: Span

    @property
    def text(self) -> str:
        """The tests as standard S-FEEL cell text, which dtrun's cell grammar parses to the same AST."""
        return unparse.unary_tests(self.tests)


@dataclass(frozen=True)
class DakCondition:
    """A cell read: ``alternatives`` is an OR of ANDs, each AND at most one test per element; ``()``
    means any value (a blank cell, -, IS OPTIONAL).  ``unsatisfiable``: why an alternative can match
    no value; ``notes``: what the reading assumed; ``mentioned``: every data-element name the cell
    names (also inside a computed value and in IS OPTIONAL), for the dictionary's check."""

    text: str
    alternatives: tuple[tuple[ElementTest, ...], ...]
    unsatisfiable: tuple[str, ...]
    notes: tuple[str, ...]
    mentioned: tuple[str, ...] = ()


@lru_cache(maxsize=4096)  # the result is immutable: a text that recurs down a column is read once
def read_condition(text: str) -> DakCondition:
    """Read one DAK condition cell; raises :class:`DakSyntaxError` for a cell that cannot be read."""
    source = normalize(text)
    if source.strip() in ANY:
        return DakCondition(text, (), (), ())
    parsed = parse(text, source)
    reading = _Reading(text, source)
    conjunctions = reading.attach_values(parsed)
    alternatives = [reading.conjunction(terms) for terms in conjunctions]
    if parsed.qualifier:
        alternatives = [reading.qualified(parsed)]
    result = reading.merge_alternatives(alternatives)
    return DakCondition(text, result, tuple(reading.reasons), tuple(dict.fromkeys(reading.notes)),
                        tuple(dict.fromkeys(reading.mentioned)))


def _error(text: str, message: str, at: int, hint: str) -> DakSyntaxError:
    return DakSyntaxError(message, text, at + 1, hint)


def _shown(operand: Operand) -> str:
    return f'"{operand.name}"' if operand.kind == "quoted" else operand.name


def _written(value: Value) -> str:
    if value.value is None:
        return "NULL"
    if isinstance(value.value, bool):
        return "TRUE" if value.value else "FALSE"
    if isinstance(value.value, str):
        return f'"{value.value}"'
    return unparse.literal(value.value) + (f" {value.unit}" if value.unit else "")


def unit_key(unit: str) -> str:
    """Spellings of one unit made equal: ``mm Hg`` = ``mmHg``, ``week`` = ``weeks``, ``μg`` = ``µg``."""
    key = unit.lower().replace(" ", "").replace("μ", "µ")
    return key[:-1] if key in ("days", "weeks", "months", "years", "hours", "minutes") else key


def respan(node: Any, span: Span) -> Any:
    """``node`` with every position set to ``span`` (an AST made from other text, placed in the cell)."""
    if isinstance(node, Span):
        return span
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return dataclasses.replace(node, **{f.name: respan(getattr(node, f.name), span)
                                            for f in dataclasses.fields(node)})
    if isinstance(node, tuple):
        return tuple(respan(item, span) for item in node)
    return node


_PHRASES = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "=": "", "!=": "other than"}


def _atoms(term: Term) -> list[str]:
    """What each comparison of a term asks, in words: ``below 60 bpm``, ``"a"``, ``missing``."""
    if term.kind == "chain":
        return [f"{_PHRASES[op]} {_written(v)}".strip() for op, v in zip(term.ops, term.values, strict=True)]
    op, values = term.ops[0], term.values
    if values[0].value is None:
        return ["missing" if op == "=" else "given"]
    listed = " or ".join(_written(v) for v in values)
    return [f"{_PHRASES[op]} {listed}".strip() if len(values) == 1 or op != "!=" else f"none of {listed}"]


def _chain_advice(shown: str, term: Term) -> str:
    """What an empty range was likely meant to say: outside it (``60 > X > 100``) or between its
    ends written the wrong way round (``5 < X < 3``)."""
    low, high = sorted(term.values, key=lambda v: v.value)
    if term.ops[0] in ("<", "<="):  # written a > X > b
        return f" (for a value outside that range write {shown} < {_written(low)} OR {shown} > {_written(high)})"
    return f" (for a value between them write {_written(low)} < {shown} < {_written(high)})"


def _both(name: str, atoms: list[str]) -> str:
    if len(atoms) == 2:
        return f"no {name} is both {atoms[0]} and {atoms[1]}"
    return f"no {name} is at once {', '.join(atoms[:-1])} and {atoms[-1]}"


class _Reading:
    """The state of reading one cell: its notes, reasons and names, gathered as the terms are met."""

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.notes: list[str] = []
        self.reasons: list[str] = []
        self.mentioned: list[str] = []

    # -------------------------------------------------------------- lone values after OR
    def attach_values(self, parsed: Parsed) -> list[list[Term]]:
        """``"X" = "a" OR "b"``: a lone value after OR is one more value of the comparison before it."""
        if "AND/OR" in parsed.joins:
            self.notes.append("AND/OR read as OR: any of them (both included)")
        result: list[list[Term]] = []
        for terms in parsed.conjunctions:
            lone = [t for t in terms if t.kind == "value"]
            if not lone:
                result.append(list(terms))
                continue
            first = lone[0].values[0]
            previous = result[-1][-1] if result else None
            if len(terms) > 1:
                at = terms.index(lone[0])
                self._lone(first, terms[at - 1] if at else previous, True)
            if previous is None:
                self._lone(first, previous, False)
            assert previous is not None
            if previous.kind != "compare" or previous.ops[0] not in ("=", "!=") or previous.values[0].value is None:
                raise _error(self.text, f"{_written(first)} after OR has no comparison of its own",
                             first.span.start, f"write the data element again: {_shown(previous.operand)} "  # type: ignore[union-attr]
                             f"{_operator(previous)} {_written(first)}")
            result[-1][-1] = dataclasses.replace(previous, values=(*previous.values, first),
                                                 span=Span(previous.span.start, first.span.end))
        return result

    def _lone(self, value: Value, previous: Term | None, with_and: bool) -> None:
        if previous is None and isinstance(value.value, str) and not with_and:
            name = spaces(value.value)
            raise _error(self.text, f'"{name}" is not compared with anything', value.span.start,
                         f'compare it with a value, e.g. "{name}" = TRUE, or write "{name}" IS OPTIONAL')
        if previous is None:
            raise _error(self.text, f"{_written(value)} has no data element before it", value.span.start,
                         'name the data element, e.g. "Gestational age" ≥ 20 weeks')
        raise _error(self.text, f"{_written(value)} is joined by AND to the values before it", value.span.start,
                     f"write the data element again: {_shown(previous.operand)} {_operator(previous)} "  # type: ignore[union-attr]
                     f"{_written(value)}, or OR for either value")

    # -------------------------------------------------------------- one AND
    def conjunction(self, terms: list[Term]) -> tuple[ElementTest, ...] | None:
        """The tests of one alternative, one per element (None: it holds for any value)."""
        by_element: dict[str, list[Term]] = {}
        for term in terms:
            assert term.operand is not None
            self._operand(term.operand)
            if term.kind == "optional":
                self.notes.append(f"{_shown(term.operand)} IS OPTIONAL read as any value")
                by_element.setdefault(term.operand.name, [])
                continue
            by_element.setdefault(term.operand.name, []).append(term)
        tests = [self._element(name, group) for name, group in by_element.items() if group]
        return tuple(tests) if tests else None

    def _operand(self, operand: Operand) -> None:
        self.mentioned.extend((operand.name,) if operand.kind != "computed" else ())
        self.mentioned.extend(operand.mentioned)
        if operand.kind == "unquoted":
            self.notes.append(f'{operand.name} has no quotes: read as the data element "{operand.name}"')
        elif operand.kind == "computed":
            self.notes.append(f"{operand.name} read as a data element of its own, whose value the patient file gives")

    def _element(self, name: str, terms: list[Term]) -> ElementTest:
        values = [v for t in terms for v in t.values]
        unit = self._unit(terms[0].operand, values)  # type: ignore[arg-type]
        for term in terms:
            self._value_notes(term)
        span = Span(terms[0].span.start, terms[-1].span.end)
        if len(terms) == 1:
            tests, empty = _single(self.text, terms[0])
        else:
            tests, empty = _merged(self.text, terms, span)
        if empty:
            shown = _shown(terms[0].operand)  # type: ignore[arg-type]
            reason = _both(shown, [a for t in terms for a in _atoms(t)])
            if len(terms) == 1 and terms[0].kind == "chain":
                reason += _chain_advice(shown, terms[0])
            self.reasons.append(reason)
        return ElementTest(name, tests, unit, span)

    def _unit(self, operand: Operand, values: list[Value]) -> str | None:
        units = [v for v in values if v.unit]
        for value in units[1:]:
            if unit_key(value.unit) != unit_key(units[0].unit):  # type: ignore[arg-type]
                raise _error(self.text, f"{_shown(operand)} is written in two units, {units[0].unit} and {value.unit}",
                             value.span.start, "write every value of it in one unit (dtrun does not convert units)")
        return units[0].unit if units else None

    def _value_notes(self, term: Term) -> None:
        for value in term.values:
            written = self.source[value.span.start:value.span.end]
            if isinstance(value.value, str) and value.value.strip().upper() in ("TRUE", "FALSE"):
                self.notes.append(f"{written} in quotes read as the text {value.value}, not the value "
                                  f"{value.value.strip().upper()}")
            grouped = re.match(r"\d{1,3}(?: \d{3})+(?!\d)", written)
            if grouped:
                self.notes.append(f"{grouped.group()} read as {value.value}")
            if re.match(r"(?i)IS\s+(?:NOT\s+)?EMPTY", written):
                self.notes.append(f"{spaces(written)} read as {spaces(written).upper().replace('EMPTY', 'NULL')}")
        if term.kind == "compare" and term.ops[0] == "!=" and len(term.values) > 1:
            listed = [_written(v) for v in term.values]
            self.notes.append(f"{_shown(term.operand)} ≠ {' OR '.join(listed)} read as: "  # type: ignore[arg-type]
                              f"none of {', '.join(listed)}")

    # -------------------------------------------------------------- IF ... ON MORE THAN ONE CONTACT
    def qualified(self, parsed: Parsed) -> tuple[ElementTest, ...]:
        name = spaces(self.source[parsed.body.start:parsed.body.end])
        for quote in "“”„":
            name = name.replace(quote, '"')
        self.notes.append(f"{name} read as a data element of its own, TRUE when the test held "
                          f"{parsed.qualifier.lower()}; the patient file gives its value")  # type: ignore[union-attr]
        span = parsed.body
        tests = UnaryTests((Comparison("=", Literal(True, span), span),), False, span)
        return (ElementTest(name, tests, None, span),)

    # -------------------------------------------------------------- the OR
    def merge_alternatives(self, alternatives: list[tuple[ElementTest, ...] | None]
                           ) -> tuple[tuple[ElementTest, ...], ...]:
        if any(alternative is None for alternative in alternatives):
            if len(alternatives) > 1:
                self.notes.append("one alternative holds for any value, so the whole condition does")
            return ()
        alts: list[tuple[ElementTest, ...]] = [a for a in alternatives if a is not None]
        if len(alts) < 2 or self.reasons:
            return tuple(alts)
        singles: dict[str, list[ElementTest]] = {}
        for alternative in alts:
            if len(alternative) == 1:
                singles.setdefault(alternative[0].element, []).append(alternative[0])
        result: list[tuple[ElementTest, ...]] = []
        for alternative in alts:
            if len(alternative) != 1:
                result.append(alternative)
            elif singles[alternative[0].element][0] is alternative[0]:
                result.append((self._either(singles[alternative[0].element]),))
        return tuple(result)

    def _either(self, tests: list[ElementTest]) -> ElementTest:
        """The alternatives that test only one element, joined: ``"X" = "a" OR "X" = "b"`` → ``"a", "b"``."""
        if len(tests) == 1:
            return tests[0]
        units = [t for t in tests if t.unit]
        for test in units[1:]:
            if unit_key(test.unit) != unit_key(units[0].unit):  # type: ignore[arg-type]
                raise _error(self.text, f"{test.element} is written in two units, {units[0].unit} and {test.unit}",
                             test.span.start, "write every value of it in one unit (dtrun does not convert units)")
        span = Span(tests[0].span.start, tests[-1].span.end)
        if not any(t.tests.negated or t.tests.any_value for t in tests):
            joined = UnaryTests(tuple(x for t in tests for x in t.tests.tests), False, span)
        else:
            joined = _union(self.text, tests, span)
        return ElementTest(tests[0].element, joined, units[0].unit if units else None, span)

def _operator(term: Term) -> str:
    return {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}[term.ops[0]]


def _literal(value: Value) -> Literal:
    return Literal(value.value, value.span)


def _single(text: str, term: Term) -> tuple[UnaryTests, bool]:
    """The tests of one term, in the form the cell grammar gives for their S-FEEL text; True when
    they match no value."""
    if term.kind == "chain":
        (op_a, op_b), (a, b) = term.ops, term.values
        lower = {">": False, ">=": True}
        upper = {"<": False, "<=": True}
        if op_a in lower and op_b in upper or op_a in upper and op_b in lower:
            (low_op, low), (high_op, high) = sorted(((op_a, a), (op_b, b)), key=lambda p: p[0] in upper)
            node = Interval(_literal(low), _literal(high), lower[low_op], upper[high_op], term.span)
            empty = low.value > high.value or (low.value == high.value and not (lower[low_op] and upper[high_op]))
            return UnaryTests((node,), False, term.span), empty
        halves = [Term("compare", term.operand, (op,), (v,), v.span)
                  for op, v in zip(term.ops, term.values, strict=True)]
        return _merged(text, halves, term.span)
    op = term.ops[0]
    if op in ("=", "!="):
        tests = tuple(Comparison("=", _literal(v), v.span) for v in term.values)
        return UnaryTests(tests, op == "!=", term.span), False
    value = term.values[0]
    if value.value is None:
        raise _error(text, f"NULL cannot be {_PHRASES[op]} anything", value.span.start,
                     f"write {_shown(term.operand)} IS NULL or IS NOT NULL")  # type: ignore[arg-type]
    return UnaryTests((Comparison(op, _literal(value), Span(term.span.start, value.span.end)),), False,
                      term.span), False


def _kind(text: str, values: Iterable[Value], name: str) -> str:
    kinds = {"boolean" if isinstance(v.value, bool) else "string" if isinstance(v.value, str) else "number"
             for v in values if v.value is not None}
    if len(kinds) > 1:
        first = next(v for v in values if v.value is not None)
        raise _error(text, f"{name} is compared with values of different kinds ({', '.join(sorted(kinds))})",
                     first.span.start, "compare each data element with one kind of value")
    return kinds.pop() if kinds else "string"


def _sets(text: str, tests: list[UnaryTests], values: list[Value], name: str) -> list[Any]:
    from engine.feel.set_form import unary_tests_set
    from engine.feel.sets import Domain

    domain = Domain(_kind(text, values, name))
    return [unary_tests_set(node, domain).matches() for node in tests]


def _merged(text: str, terms: list[Term], span: Span) -> tuple[UnaryTests, bool]:
    """The tests of one element joined by AND, as one set: ``> 1`` and ``< 5`` give ``(1..5)``."""
    values = [v for t in terms for v in t.values]
    singles = [_single(text, t)[0] for t in terms]
    sets = _sets(text, singles, values, _shown(terms[0].operand))  # type: ignore[arg-type]
    common = sets[0]
    for other in sets[1:]:
        common = common & other
    if common.is_empty():
        first = next((v for v in values if v.value is not None), values[0])
        return UnaryTests((Interval(_literal(first), _literal(first), False, False, span),), False, span), True
    return respan(parse_unary_tests(common.to_unary_tests()), span), False


def _union(text: str, tests: list[ElementTest], span: Span) -> UnaryTests:
    values = [Value(t.endpoint.value, None, t.span) for e in tests for t in e.tests.tests
              if isinstance(t, Comparison)]
    sets = _sets(text, [t.tests for t in tests], values, tests[0].element)
    union = sets[0]
    for other in sets[1:]:
        union = union | other
    if union.is_full():
        listed = " OR ".join(dict.fromkeys(unparse.literal(v.value) for v in values))
        raise _error(text, f"these alternatives together hold for every value of {tests[0].element}",
                     tests[1].span.start, f'for "none of them" write "{tests[0].element}" ≠ {listed}')
    return respan(parse_unary_tests(union.to_unary_tests()), span)


def elements(condition: DakCondition) -> tuple[str, ...]:
    """The data elements the alternatives test, in order of first appearance."""
    return tuple(dict.fromkeys(t.element for alternative in condition.alternatives for t in alternative))

