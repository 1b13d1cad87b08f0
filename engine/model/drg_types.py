"""A DMN model's types at evaluation: whether a value conforms to a typeRef, and the
coercion of DMN 1.5 §10.3.2.9.4 (a value that does not conform to its declared type is null;
a list of one item stands for the item, an item for the list of it).

Owns the meaning of ``typeRef`` for the DRG evaluator: FEEL's built-in type names, the model's
item definitions (components, collections, allowed values, functions), the types of imported
models (``myimport.tPerson``), and the model's types as ``engine.feel.nodes.TypeRef`` for
``instance of`` (``types_for_instance_of``).  A name that is neither a FEEL type nor an item
definition is not checked (the value is kept).
"""

from __future__ import annotations

from typing import Any

from engine.feel import semantics
from engine.feel.nodes import TypeRef
from engine.feel.unary import unary_tests
from engine.model.drg import Drg, ItemDefinition

_BUILTIN = {
    "number": semantics.NUMBER, "string": semantics.STRING, "boolean": semantics.BOOLEAN, "date": semantics.DATE,
    "time": semantics.TIME, "date and time": semantics.DATETIME, "dateTime": semantics.DATETIME,
    "days and time duration": semantics.DT_DURATION, "dayTimeDuration": semantics.DT_DURATION,
    "years and months duration": semantics.YM_DURATION, "yearMonthDuration": semantics.YM_DURATION,
    "context": semantics.CONTEXT, "list": semantics.LIST, "function": semantics.FUNCTION, "range": semantics.RANGE,
}
MAX_DEPTH = 30


def resolve(graph: Drg, ref: str) -> tuple[Drg, Any]:
    """The item definition (or FEEL kind name, or None) that ``ref`` names, and the model it is in."""
    seen = 0
    while ref and seen < MAX_DEPTH:
        seen += 1
        if ref in graph.types:
            return graph, graph.types[ref]
        head, dot, rest = ref.partition(".")
        if dot and head in graph.imports:
            graph, ref = graph.imports[head], rest
            continue
        return graph, _BUILTIN.get(ref)
    return graph, None


def conforms(value: Any, ref: str, graph: Drg, depth: int = 0) -> bool:
    """Whether ``value`` (not null) conforms to the type ``ref`` names; True for a name not known."""
    if value is None or not ref or ref == "Any" or depth > MAX_DEPTH:
        return True
    graph, found = resolve(graph, ref)
    if found is None:
        return True
    if isinstance(found, str):
        return semantics.kind(value) == found
    return conforms_item(value, found, graph, depth + 1)


def conforms_item(value: Any, item: ItemDefinition, graph: Drg, depth: int = 0) -> bool:
    if value is None:
        return True
    if item.collection:
        if not isinstance(value, list):
            return False
        single = ItemDefinition(item.name, item.type_ref, False, item.components, item.allowed, item.function)
        return all(conforms_item(v, single, graph, depth + 1) for v in value)
    if item.function:
        return isinstance(value, semantics.Function)
    if item.components:
        if not isinstance(value, dict):
            return False
        return all(c.name in value and conforms_item(value[c.name], c, graph, depth + 1) for c in item.components)
    if not conforms(value, item.type_ref, graph, depth + 1):
        return False
    return item.allowed is None or unary_tests(item.allowed, value, {}) is True


def coerce(value: Any, ref: str, graph: Drg) -> tuple[Any, bool]:
    """``value`` made a value of type ``ref``: (value, True), or (None, False) where it does not conform."""
    if value is None or conforms(value, ref, graph):
        return value, True
    if isinstance(value, list) and len(value) == 1 and conforms(value[0], ref, graph):
        return value[0], True
    if not isinstance(value, list) and _is_collection(graph, ref) and conforms([value], ref, graph):
        return [value], True
    return None, False


def returns(graph: Drg, ref: str) -> str:
    """The output type of a function type ``ref`` (a functionItem's outputTypeRef), "" if none."""
    _, found = resolve(graph, ref)
    return found.returns if isinstance(found, ItemDefinition) and found.function else ""


def _is_collection(graph: Drg, ref: str) -> bool:
    graph, found = resolve(graph, ref)
    return isinstance(found, ItemDefinition) and found.collection or found == semantics.LIST


def types_for_instance_of(graph: Drg) -> dict[str, TypeRef]:
    """The model's item definitions (and its imports', by ``prefix.name``) as FEEL types."""
    result: dict[str, TypeRef] = {}
    for name, item in graph.types.items():
        result[name] = _type_ref(item)
    for prefix, model in graph.imports.items():
        for name, item in model.types.items():
            result[f"{prefix}.{name}" if prefix else name] = _type_ref(item)
    return result


def _type_ref(item: ItemDefinition) -> TypeRef:
    if item.collection:
        single = ItemDefinition(item.name, item.type_ref, False, item.components, item.allowed, item.function)
        return TypeRef(semantics.LIST, (_type_ref(single),))
    if item.function:
        return TypeRef(semantics.FUNCTION)
    if item.components:
        return TypeRef(semantics.CONTEXT, tuple(_type_ref(c) for c in item.components),
                       tuple(c.name for c in item.components))
    return TypeRef(item.type_ref or "Any")
