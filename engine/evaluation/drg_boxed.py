"""The meaning of DMN boxed expressions on the DRG evaluator's reference path: literal
expressions (the FEEL interpreter), contexts, invocations, function definitions (closures),
lists, relations, conditionals, filters, iterators; decision tables in ``drg_tables``.

Owns ``value(node, scope, session)``: the FEEL value of an ``engine.model.boxed`` node (or of a
FEEL AST) in a scope.  A construct that cannot run raises :class:`CannotRun` (the decision is
null and says why); an evaluation error (no rule matches a unique table, ...) is recorded on the
run and gives null, as FEEL does.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, Sequence
from typing import Any

from engine.evaluation.drg_tables import CannotRun, evaluate_table
from engine.feel import semantics, temporal
from engine.feel.interpret import ExternalFunction, run
from engine.model import boxed
from engine.model.drg_types import coerce


def value(node: Any, scope: Mapping[str, Any], session: Any) -> Any:
    if node is None:
        return None
    handler = _HANDLERS.get(type(node))
    if handler is None:  # a FEEL AST
        return _feel(node, scope)
    result = handler(node, scope, session)
    ref = getattr(node, "type_ref", "")
    if ref and not isinstance(node, boxed.FunctionDefinition):  # a function's typeRef is its result's
        result = _typed(result, ref, session, str(node.place))
    return result


def _feel(node: Any, scope: Mapping[str, Any]) -> Any:
    try:
        return run(node, scope)
    except ExternalFunction as error:
        raise CannotRun(str(error)) from None
    except temporal.Unsupported as error:
        raise CannotRun(f"a value dtrun cannot hold: {error}") from None


def _broken(node: boxed.Broken, scope: Mapping[str, Any], session: Any) -> Any:
    raise CannotRun(node.reason)


def _literal(node: boxed.Literal, scope: Mapping[str, Any], session: Any) -> Any:
    return None if node.ast is None else _feel(node.ast, scope)


def _typed(result: Any, ref: str, session: Any, what: str) -> Any:
    coerced, fits = coerce(result, ref, session.graph)
    if not fits:
        session.run.fail(f"{what}: the value does not conform to its type {ref}: it is null")
    return coerced


def _context(node: boxed.Context, scope: Mapping[str, Any], session: Any) -> Any:
    result: dict[str, Any] = {}
    inner = ChainMap(result, scope)  # type: ignore[arg-type]
    for entry in node.entries:
        found = _typed(value(entry.expression, inner, session), entry.type_ref, session,
                       f'context entry "{entry.name}"' if entry.name else "the context's result")
        if entry.name is None:
            return found
        result[entry.name] = found
    return result


def _invocation(node: boxed.Invocation, scope: Mapping[str, Any], session: Any) -> Any:
    function = value(node.function, scope, session)
    if not isinstance(function, semantics.Function):
        session.run.fail(f"{node.place}: the invoked name is not a function")
        return None
    names = [name for name, _ in node.bindings]
    args = [value(expression, scope, session) for _, expression in node.bindings]
    return semantics.call(function, args, names)


class BoxedFunction(semantics.Function):
    """A function definition closed over its scope; its parameters coerced to their types."""

    def __init__(self, node: boxed.FunctionDefinition, scope: Mapping[str, Any], session: Any) -> None:
        self.node, self.scope, self.session = node, scope, session
        self.parameters = [p.name for p in node.parameters]
        self.label, self.result_type = "function", ""

    def call(self, args: Sequence[Any], names: Sequence[str] = ()) -> Any:
        parameters = self.node.parameters
        if names:
            if not set(names) <= set(self.parameters):
                self.session.run.fail(f"{self.label} has no parameter {sorted(set(names) - set(self.parameters))[0]}")
                return None
            given = dict(zip(names, args))
        else:
            if len(args) != len(parameters):
                self.session.run.fail(f"{self.label} takes {len(parameters)} arguments, not {len(args)}")
                return None
            given = dict(zip(self.parameters, args))
        bound = {}
        for parameter in parameters:
            found = semantics.feel_value(given.get(parameter.name))
            bound[parameter.name], fits = coerce(found, parameter.type_ref, self.session.graph)
            if not fits:  # DMN 1.5 §10.3.2.9.4: the invocation's result is null
                self.session.run.fail(f"{self.label}: the argument {parameter.name} is not a {parameter.type_ref}: "
                                      "the result is null")
                return None
        result = value(self.node.body, ChainMap(bound, self.scope), self.session)  # type: ignore[arg-type]
        for ref in (self.node.type_ref, self.result_type):
            if ref:
                result = _typed(result, ref, self.session, self.label)
        return result


def _function(node: boxed.FunctionDefinition, scope: Mapping[str, Any], session: Any) -> Any:
    return BoxedFunction(node, scope, session)


def _list(node: boxed.ListOf, scope: Mapping[str, Any], session: Any) -> Any:
    return [value(item, scope, session) for item in node.items]


def _relation(node: boxed.Relation, scope: Mapping[str, Any], session: Any) -> Any:
    return [{column: value(cell, scope, session) for column, cell in zip(node.columns, row)} for row in node.rows]


def _conditional(node: boxed.Conditional, scope: Mapping[str, Any], session: Any) -> Any:
    condition = value(node.condition, scope, session)
    if condition is not None and not isinstance(condition, bool):
        session.run.fail(f"{node.place}: the condition gives {semantics.to_text(condition)}, not a boolean")
        return None
    return value(node.then if condition is True else node.otherwise, scope, session)


def _items(source: Any) -> list[Any] | None:
    if source is None:
        return None
    return source if isinstance(source, list) else [source]


def _filter(node: boxed.FilterOf, scope: Mapping[str, Any], session: Any) -> Any:
    items = _items(value(node.source, scope, session))
    if items is None:
        return None
    kept = []
    for item in items:
        inner = {"item": item, **(item if isinstance(item, dict) else {})}
        match = value(node.match, ChainMap(inner, scope), session)  # type: ignore[arg-type]
        if match is not None and not isinstance(match, bool):
            session.run.fail(f"{node.place}: the match gives {semantics.to_text(match)}, not a boolean")
            return None
        if match is True:
            kept.append(item)
    return kept


def _iterator(node: boxed.Iterator, scope: Mapping[str, Any], session: Any) -> Any:
    items = _items(value(node.source, scope, session))
    if items is None:
        return None
    results = [value(node.body, ChainMap({node.variable: item}, scope), session)  # type: ignore[arg-type]
               for item in items]
    if node.kind == "for":
        return results
    if any(r is not None and not isinstance(r, bool) for r in results):
        session.run.fail(f"{node.place}: satisfies gives a value that is not a boolean")
        return None
    if node.kind == "some":
        return any(r is True for r in results)
    return all(r is True for r in results)


def _table(node: boxed.DecisionTable, scope: Mapping[str, Any], session: Any) -> Any:
    return evaluate_table(node, scope, session, value)


_HANDLERS: dict[type, Any] = {
    boxed.Broken: _broken, boxed.Literal: _literal, boxed.Context: _context, boxed.Invocation: _invocation,
    boxed.FunctionDefinition: _function, boxed.ListOf: _list, boxed.Relation: _relation,
    boxed.Conditional: _conditional, boxed.FilterOf: _filter, boxed.Iterator: _iterator, boxed.DecisionTable: _table,
}

