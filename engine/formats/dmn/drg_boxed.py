"""DMN boxed expressions (XML) → ``engine.model.boxed`` nodes, their FEEL texts compiled.

Owns the reading of a decision's, a BKM's or a context entry's logic for the DRG evaluator:
literal expressions, decision tables, contexts, invocations, function definitions, lists,
relations and the DMN 1.5 conditional, filter and iterators.  A FEEL text that does not parse,
or a construct dtrun cannot run (a Java or PMML function), becomes a ``Broken`` node with the
reason, naming the element, so that the rest of the model still runs.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from engine.model import boxed

KINDS = ("literalExpression", "decisionTable", "context", "invocation", "functionDefinition", "list", "relation",
         "conditional", "filter", "for", "some", "every")


def local(element: Any) -> str:
    return element.tag.rpartition("}")[2]


def children(element: Any, name: str) -> list[Any]:
    return [c for c in element if local(c) == name]


def child(element: Any, name: str) -> Any:
    found = children(element, name)
    return found[0] if found else None


def text_of(element: Any) -> str:
    found = child(element, "text") if element is not None else None
    return (found.text or "") if found is not None else ""


def type_ref(text: str | None) -> str:
    """A typeRef as the model names it: ``feel:string`` → ``string``; ``""`` for none."""
    text = (text or "").strip()
    prefix, colon, rest = text.partition(":")
    return rest if colon and prefix in ("feel", "FEEL", "xsd", "dmn") or colon and "." not in prefix else text


class Reader:
    """Reads boxed expressions with the model's names in scope (for names with spaces)."""

    def __init__(self, names: Collection[str]) -> None:
        self.names = frozenset(names)

    # ------------------------------------------------------------------ FEEL texts
    def feel(self, text: str, place: boxed.Place) -> Any:
        from engine.feel.syntax import parse_feel_expression

        try:
            return parse_feel_expression(text, self.names)
        except Exception as error:  # noqa: BLE001 - any text that cannot be read is reported, not raised
            return boxed.Broken(f"{place}: cannot read {text.strip()!r}: {error}", place)

    def tests(self, text: str, place: boxed.Place) -> Any:
        from engine.feel.syntax import parse_feel_unary_tests

        try:
            return parse_feel_unary_tests(text, self.names)
        except Exception as error:  # noqa: BLE001
            return boxed.Broken(f"{place}: cannot read the unary tests {text.strip()!r}: {error}", place)

    # ------------------------------------------------------------------ boxed expressions
    def logic(self, element: Any) -> Any:
        """The boxed expression among ``element``'s children (None if it has none)."""
        for item in element:
            if local(item) in KINDS:
                return self.expression(item)
        return None

    def expression(self, element: Any) -> Any:
        kind = local(element)
        place = boxed.Place(kind, element.get("id", ""))
        method = getattr(self, "_" + kind.replace("E", "_e").replace("T", "_t").replace("D", "_d").lower(), None)
        if method is None:
            return boxed.Broken(f"{place}: dtrun cannot run a {kind}", place)
        return method(element, place, type_ref(element.get("typeRef")))

    def _child_expression(self, element: Any, name: str) -> Any:
        """The expression inside a DMN 1.5 ChildExpression (``<if>``, ``<in>``, ``<return>`` ...)."""
        holder = child(element, name)
        if holder is None:
            return None
        return self.logic(holder)

    def _literal_expression(self, element: Any, place: boxed.Place, ref: str) -> Any:
        if child(element, "importedValues") is not None:
            return boxed.Broken(f"{place}: imported values are not supported", place)
        text = text_of(element)
        if not text.strip():
            return boxed.Literal(text, None, ref, place)
        ast = self.feel(text, place)
        return ast if isinstance(ast, boxed.Broken) else boxed.Literal(text, ast, ref, place)

    def _context(self, element: Any, place: boxed.Place, ref: str) -> Any:
        entries = []
        for entry in children(element, "contextEntry"):
            variable = child(entry, "variable")
            name = variable.get("name") if variable is not None else None
            entries.append(boxed.Entry(name, type_ref(variable.get("typeRef")) if variable is not None else "",
                                       self.logic(entry)))
        return boxed.Context(tuple(entries), ref, place)

    def _invocation(self, element: Any, place: boxed.Place, ref: str) -> Any:
        function = self.logic(element)
        if isinstance(function, boxed.Literal):
            function = function.ast
        bindings = []
        for binding in children(element, "binding"):
            parameter = child(binding, "parameter")
            bindings.append((parameter.get("name", "") if parameter is not None else "", self.logic(binding)))
        return boxed.Invocation(function, tuple(bindings), ref, place)

    def _function_definition(self, element: Any, place: boxed.Place, ref: str) -> Any:
        kind = (element.get("kind") or "FEEL").upper()
        if kind not in ("FEEL", "F"):
            return boxed.Broken(f"{place}: a function of kind {kind} (Java or PMML) cannot run in dtrun", place)
        parameters = tuple(boxed.Parameter(p.get("name", ""), type_ref(p.get("typeRef")))
                           for p in children(element, "formalParameter"))
        return boxed.FunctionDefinition(parameters, self.logic(element), "FEEL", ref, place)

    def _list(self, element: Any, place: boxed.Place, ref: str) -> Any:
        return boxed.ListOf(tuple(self.expression(item) for item in element if local(item) in KINDS), ref, place)

    def _relation(self, element: Any, place: boxed.Place, ref: str) -> Any:
        columns = tuple(c.get("name", "") for c in children(element, "column"))
        rows = []
        for row in children(element, "row"):
            rows.append(tuple(self.expression(item) for item in row if local(item) in KINDS))
        return boxed.Relation(columns, tuple(rows), ref, place)

    def _conditional(self, element: Any, place: boxed.Place, ref: str) -> Any:
        return boxed.Conditional(self._child_expression(element, "if"), self._child_expression(element, "then"),
                                 self._child_expression(element, "else"), ref, place)

    def _filter(self, element: Any, place: boxed.Place, ref: str) -> Any:
        return boxed.FilterOf(self._child_expression(element, "in"), self._child_expression(element, "match"),
                              ref, place)

    def _iterator(self, element: Any, place: boxed.Place, ref: str, kind: str, body: str) -> Any:
        return boxed.Iterator(kind, element.get("iteratorVariable", ""), self._child_expression(element, "in"),
                              self._child_expression(element, body), ref, place)

    def _for(self, element: Any, place: boxed.Place, ref: str) -> Any:
        return self._iterator(element, place, ref, "for", "return")

    def _some(self, element: Any, place: boxed.Place, ref: str) -> Any:
        return self._iterator(element, place, ref, "some", "satisfies")

    def _every(self, element: Any, place: boxed.Place, ref: str) -> Any:
        return self._iterator(element, place, ref, "every", "satisfies")

    def _decision_table(self, element: Any, place: boxed.Place, ref: str) -> Any:
        inputs, allowed, types = [], [], []
        for number, column in enumerate(children(element, "input"), 1):
            expression = child(column, "inputExpression")
            at = boxed.Place(f"input {number}", column.get("id", ""))
            inputs.append(self.feel(text_of(expression), at) if expression is not None and text_of(expression).strip()
                          else boxed.Broken(f"{at}: the input has no inputExpression", at))
            types.append(type_ref(expression.get("typeRef")) if expression is not None else "")
            values = child(column, "inputValues")
            allowed.append(self.tests(text_of(values), at) if values is not None and text_of(values).strip() else None)
        outputs = []
        for number, column in enumerate(children(element, "output"), 1):
            at = boxed.Place(f"output {number}", column.get("id", ""))
            values = child(column, "outputValues")
            order = self.tests(text_of(values), at) if values is not None and text_of(values).strip() else None
            default = child(column, "defaultOutputEntry")
            outputs.append(boxed.Output(
                column.get("name") or "", type_ref(column.get("typeRef")),
                tuple(order.tests) if order is not None and hasattr(order, "tests") else (),
                self.feel(text_of(default), at) if default is not None and text_of(default).strip() else None))
        rules = []
        for number, rule in enumerate(children(element, "rule"), 1):
            rid = rule.get("id", "")
            tests = tuple(self.tests(text_of(entry), boxed.Place(f"rule {number}, inputEntry {i}", rid))
                          for i, entry in enumerate(children(rule, "inputEntry"), 1))
            results = tuple(self.feel(text_of(entry), boxed.Place(f"rule {number}, outputEntry {i}", rid))
                            if text_of(entry).strip() else None
                            for i, entry in enumerate(children(rule, "outputEntry"), 1))
            if len(tests) != len(inputs) or len(results) != len(outputs):
                at = boxed.Place(f"rule {number}", rid)
                broken = boxed.Broken(f"{at}: the rule has {len(tests)} inputEntry and {len(results)} outputEntry "
                                      f"elements for {len(inputs)} inputs and {len(outputs)} outputs", at)
                tests, results = (broken,) * len(inputs), (broken,) * len(outputs)
            rules.append(boxed.Rule(rid or str(number), tests, results,
                                    tuple(text_of(e) for e in children(rule, "inputEntry"))))
        policy = (element.get("hitPolicy") or "UNIQUE").upper().replace("_", " ")
        return boxed.DecisionTable(tuple(inputs), tuple(allowed), tuple(types), tuple(outputs), tuple(rules), policy,
                                   (element.get("aggregation") or "").upper(), ref, place)
