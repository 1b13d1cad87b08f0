"""Text → AST for the condition language: decision-table cells (S-FEEL) and FEEL expressions.

Owns the Lark parser (built once, from ``grammar.lark``: one grammar, entry points
``unary_tests`` and ``expression``), the entry points of both dialects (``parse_unary_tests``
and ``parse_expression`` for cells, which refuse what is beyond S-FEEL with the hints cells
always had; ``parse_feel_expression`` and ``parse_feel_unary_tests`` for all of FEEL, names
with spaces read whole where the caller knows them), the nesting limit, and the fast paths
for the commonest cells.  The AST nodes live in ``engine.feel.nodes`` (re-exported here), the
Transformer in ``engine.feel.transform``.  Every failure becomes one
:class:`~engine.errors.ConditionError` with a 1-based column; ``engine.feel.hints`` words the
message and the hint for the common mistakes.  Nothing here evaluates anything: see
``engine.feel.scalar``, ``engine.feel.vectorized`` and ``engine.feel.set_form`` for the compiled
forms of cells, ``engine.feel.interpret`` for FEEL expressions.
"""

from __future__ import annotations

import pathlib
import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from lark import Lark, Tree
from lark.exceptions import UnexpectedInput, VisitError

from engine._core.errors import ConditionError
from engine.feel import hints, simple_cells
from engine.feel.literals import SemanticError
from engine.feel.nodes import (  # noqa: F401  (re-exported: the engine imports the nodes from here)
    SFEEL_EXPRESSIONS,
    AnyValue,
    Arithmetic,
    Between,
    Call,
    Compare,
    Comparison,
    ContextOf,
    Endpoint,
    Expr,
    ExpressionTest,
    Filter,
    For,
    FunctionDef,
    If,
    In,
    InstanceOf,
    Interval,
    Invoke,
    Iteration,
    ListOf,
    Literal,
    Logical,
    Name,
    Negative,
    Not,
    Path,
    PositiveTest,
    Quantified,
    Span,
    Tuple,
    TypeRef,
    UnaryTests,
)
from engine.feel.temporal import Unsupported
from engine.feel.transform import ToAst

# ------------------------------------------------------------------ names
# A name, as the grammar's NAME token reads it: a letter of any script or _, then letters,
# digits and _ (``age``, ``décision``, ``страна``).  Inputs, tables and outputs are named so.
IDENTIFIER = re.compile(r"[^\W\d]\w*")
KEYWORDS = frozenset({"true", "false", "null", "not", "and", "or", "date"})


def identifier(text: str) -> str:
    """The name nearest to ``text``: runs of characters that cannot be in a name become ``_``
    (``Logique de décision 1`` → ``Logique_de_décision_1``, ``COVID-19`` → ``COVID_19``); a
    leading digit gets ``x_``, a keyword a trailing ``_``."""
    cleaned = re.sub(r"\W+", "_", unicodedata.normalize("NFC", text).strip()).strip("_") or "x"
    if cleaned[0].isdigit():
        cleaned = f"x_{cleaned}"
    return f"{cleaned}_" if cleaned.lower() in KEYWORDS else cleaned


# ------------------------------------------------------------------ parsing
@lru_cache(maxsize=1)
def _parser() -> Lark:
    """The one LALR parser, built on first use and shared (it holds no per-call state)."""
    from engine.feel import builtins

    grammar = (pathlib.Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    grammar = grammar.replace("@BUILTIN_NAMES@", builtins.names_pattern())
    return Lark(
        grammar,
        parser="lalr",
        start=["unary_tests", "expression"],
        propagate_positions=True,
        maybe_placeholders=False,
    )


MAX_DEPTH = 100  # operators, minus signs and not() within one another; docs/condition-language.md


def _check_depth(tree: Tree, text: str) -> None:
    """Refuse a cell nested deeper than MAX_DEPTH, measured without recursion, so that every
    later walk of its nodes (compile, evaluate, unparse, lint) stays far inside Python's limit."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ConditionError(
                f"the calculation is nested more than {MAX_DEPTH} levels deep (each operator, minus sign and "
                "not( ) inside another counts)", text, node.meta.column if not node.meta.empty else 1,
                "split it over several output columns or tables, or write it more simply")
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


_INVISIBLE = re.compile("[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]")


def normalize(text: str) -> str:
    """Every kind of space (non-breaking, thin, zero-width) becomes a plain space; the
    length is kept, so columns stay true."""
    return _INVISIBLE.sub(" ", text)


@lru_cache(maxsize=65536)  # the nodes are immutable: a text that recurs down a column is parsed once
def parse_unary_tests(text: str) -> UnaryTests:
    """Parse an input cell (S-FEEL).  A blank cell means ``-``."""
    if not normalize(text).strip():
        return UnaryTests((), False, Span(0, len(text)), any_value=True)
    return _parse(text, "unary_tests")


@lru_cache(maxsize=65536)
def parse_expression(text: str) -> Expr:
    """Parse an output cell or computed value (S-FEEL and the cell built-ins)."""
    if not normalize(text).strip():
        raise ConditionError("the cell is empty", text, 1, "write a value, e.g. \"yes\", 42 or null")
    return _parse(text, "expression")


def parse_feel_expression(text: str, names: Collection[str] = ()) -> Expr:
    """Parse a FEEL expression (DMN 1.5 chapter 10; ``engine.feel.interpret`` evaluates it).
    ``names``: the names in scope; those with spaces or other characters (``Date of birth``,
    ``Person's age``) are read as one name where they occur whole."""
    if not normalize(text).strip():
        raise ConditionError("the expression is empty", text, 1, "write an expression, e.g. 1 + 1")
    return _parse_feel(text, "expression", _special(names))


def parse_feel_unary_tests(text: str, names: Collection[str] = ()) -> UnaryTests:
    """Parse FEEL unary tests: S-FEEL's and any expression as a test (``? > 3``, ``before(?, 26)``)."""
    if not normalize(text).strip():
        return UnaryTests((), False, Span(0, len(text)), any_value=True)
    return _parse_feel(text, "unary_tests", _special(names))


def _special(names: Collection[str]) -> tuple[str, ...]:
    """The names the grammar would not read whole (spaces, ``'``, ``-`` ...): all the parse depends on."""
    return tuple(sorted(n for n in names if not _PLAIN_NAME.fullmatch(n)))


# The commonest cells of all: plain texts ("positive", or "a", "b", ...) or -.  Read without
# the parser (a thousandth of its time); tests/feel/test_plain_cells.py checks that the nodes
# are the parser's.
_TEXT = r'"[^"\\\n“”„‘’‚]*"'
_PLAIN_TEXTS = re.compile(rf"\s*{_TEXT}\s*(?:,\s*{_TEXT}\s*)*")
_ONE_TEXT = re.compile(_TEXT)
_ANY = re.compile(r"(\s*)-\s*")


def _plain(source: str, start: str) -> Any:
    """The node of a cell of plain texts or ``-``, as the parser makes it; None for any other."""
    if _PLAIN_TEXTS.fullmatch(source):
        literals = [Literal(m[0][1:-1], Span(m.start(), m.end())) for m in _ONE_TEXT.finditer(source)]
        if start == "expression":
            return literals[0] if len(literals) == 1 else None
        tests = tuple(Comparison("=", literal, literal.span) for literal in literals)
        return UnaryTests(tests, False, Span(literals[0].span.start, literals[-1].span.end))
    found = _ANY.fullmatch(source) if start == "unary_tests" else None
    if found:
        return UnaryTests((), False, Span(found.end(1), found.end(1) + 1), any_value=True)
    return None


_simple = simple_cells.simple


def _parse(text: str, start: str) -> Any:
    source = normalize(text)
    plain = _plain(source, start)
    if plain is not None:
        return plain
    refused = hints.refuse_valid_but_misleading(source, start)
    if refused:
        message, at, hint = refused
        raise ConditionError(message, text, at + 1, hint)
    quick = _simple(source, start)
    if quick is not None:
        return quick
    comment = hints.comment_in_cell(text, source, start)
    if comment is not None:
        raise comment
    try:
        tree = _parser().parse(source, start=start)
    except UnexpectedInput as error:
        raise hints.parse_error(text, source, start, error) from None
    node = _transform(tree, text, ToAst(text=source))
    beyond = beyond_sfeel(node)
    if beyond is not None:
        inner = beyond.expr if isinstance(beyond, ExpressionTest) and type(beyond.expr) in _DESCRIPTIONS else beyond
        after = _operator_after_first_value(beyond)
        question = _first_value(beyond.expr) if isinstance(beyond, ExpressionTest) else None
        if isinstance(question, Name) and question.name == "?":  # ? > 3: the ? is what a cell cannot hold
            inner, after, beyond = question, None, question
        raise hints.beyond_cells(text, source, start, beyond.span.start, _DESCRIPTIONS.get(type(inner), "this"),
                                 after)
    return node


@lru_cache(maxsize=4096)  # the nodes are immutable; the cache key holds only the names that matter
def _parse_feel(text: str, start: str, names: tuple[str, ...]) -> Any:
    source, placeholders = mask(normalize(text), names)
    try:
        try:
            tree = _parser().parse(source, start=start)
        except UnexpectedInput as error:
            raise hints.feel_parse_error(text, source, start, error) from None
        return _transform(tree, text, ToAst(feel=True, names=placeholders))
    except ConditionError as error:
        if "\n" in text.strip():  # a literal expression of several lines: say which line
            line, column = line_and_column(text, error.column)
            error.message = f"{error.message} (line {line}, column {column})"
            error.args = (str(error),)
        raise


def line_and_column(text: str, column: int) -> tuple[int, int]:
    """The 1-based line and column in it of 1-based ``column`` of ``text``."""
    before = text[:column - 1]
    return before.count("\n") + 1, column - 1 - (before.rfind("\n") + 1) + 1


def _transform(tree: Tree, text: str, transformer: ToAst) -> Any:
    _check_depth(tree, text)
    try:
        return transformer.transform(tree)
    except VisitError as error:
        inner = error.orig_exc
        if isinstance(inner, SemanticError):
            raise ConditionError(inner.message, text, inner.offset + 1, inner.hint) from None
        if isinstance(inner, Unsupported):
            raise inner from None
        raise


_PLAIN_NAME = re.compile(r"[^\W\d]\w*(\.[^\W\d]\w*)*")
_QUOTED = re.compile(r'"(\\.|[^"\\])*"')


def mask(source: str, names: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """The text with each name that the grammar would not read as one (``Date of birth``,
    ``Person's age``, ``feel-decimal-function_001``) replaced, outside quoted texts, by a
    placeholder name of the same length (so columns stay true); placeholder → name."""
    special = sorted((n for n in names if not _PLAIN_NAME.fullmatch(n) and len(n) >= 3), key=len, reverse=True)
    if not special:
        return source, {}
    quoted = [m.span() for m in _QUOTED.finditer(source)]
    placeholders: dict[str, str] = {}
    for index, name in enumerate(special):
        tag = f"ǂ{index}"
        if len(tag) > len(name):
            continue
        holder = tag + "ǂ" * (len(name) - len(tag))
        pattern = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])")
        pieces, at = [], 0
        for found in pattern.finditer(source):
            if any(a <= found.start() < b for a, b in quoted):
                continue
            pieces += [source[at:found.start()], holder]
            at = found.end()
        if pieces:
            source = "".join(pieces) + source[at:]
            placeholders[holder] = name
    return source, placeholders


def _operator_after_first_value(node: Any) -> int | None:
    """Where an input cell's test written as an expression (``weight_kg >= 70``) stops being
    S-FEEL: the end of its first value, where S-FEEL expected a comma (the column the message
    has always named).  None for any other node."""
    if not isinstance(node, ExpressionTest) or not isinstance(node.expr, (Arithmetic, Compare, Logical, Between, In)):
        return None
    return _first_value(node.expr).span.end


def _first_value(node: Any) -> Any:
    """The leftmost operand of a chain of operators."""
    while isinstance(node, (Arithmetic, Compare, Logical, Between, In)):
        node = node.left if not isinstance(node, (Between, In)) else node.value
    return node


_DESCRIPTIONS: dict[type, str] = {
    If: "if ... then ... else", For: "a for loop", Quantified: "some/every ... satisfies", FunctionDef: "a function",
    Between: "'between ... and ...'", In: "'in'", InstanceOf: "'instance of'", Path: "a path (x.y)", Filter: "a filter",
    Invoke: "a function call", ListOf: "a list", ContextOf: "a context", Tuple: "a list of tests",
    Interval: "a range", ExpressionTest: "a test written as an expression", Call: "this function",
    Name: "?", Literal: "this value",
}


# The types of value a decision-table cell's literal may be; an input cell's (and allowed
# values') also FEEL's temporal values (``@"2025-01-15T08:30:00"``, ``time("08:30:00")``,
# ``duration("P3M")``), which an output holds only through FEEL (engine.feel.feel_outputs).
_OUTPUT_LITERALS = frozenset({"bool", "int", "float", "str", "date"})
_TEST_LITERALS = _OUTPUT_LITERALS | {"datetime", "time", "timedelta", "YearsMonths"}


def beyond_sfeel(node: Any) -> Any:
    """The first node of a cell's AST that is not S-FEEL (what decision-table cells run:
    literals, names, arithmetic, comparisons, and/or, not(), the cell built-ins, intervals of
    literals and names); None when all of it is."""
    from engine.feel import builtins

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, UnaryTests):
            stack.extend(item.tests)
        elif isinstance(item, Comparison):
            stack.append(item.endpoint)
        elif isinstance(item, Interval) and isinstance(node, UnaryTests) and item in node.tests:
            stack.extend((item.low, item.high))
        elif isinstance(item, Literal):
            if item.value is not None and type(item.value).__name__ not in (
                    _TEST_LITERALS if isinstance(node, UnaryTests) else _OUTPUT_LITERALS):
                return item
        elif isinstance(item, Name):
            if item.name == "?":
                return item
        elif isinstance(item, Call):
            found = builtins.BUILTINS.get(item.name)
            if found is None or found.vectorized is None or item.names or isinstance(node, UnaryTests):
                return item
            stack.extend(item.args)
        elif isinstance(item, (Negative, Not)):
            stack.append(item.operand)
        elif isinstance(item, (Arithmetic, Compare, Logical)):
            stack.extend((item.right, item.left))
        else:
            return item
    return None
