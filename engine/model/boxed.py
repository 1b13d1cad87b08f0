"""The boxed expressions of DMN 1.5 (chapter 7 and §8, §10.2) as frozen data: what a decision,
a business knowledge model or a context entry computes.

Owns the shapes only (``engine.evaluation.drg_boxed`` gives them their meaning): a literal
expression holds its compiled FEEL AST, a decision table its compiled unary tests and
output entries; every node carries the DMN element id and a label for messages
(:class:`Place`).  A FEEL text that could not be read is a :class:`Broken` node holding the
reason, so that the rest of the model still runs and the decision that uses it says why it
has no value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Place:
    """Where a boxed expression is in the DMN file: its element's kind and id."""

    element: str  # literalExpression, decisionTable, context, ...
    id: str = ""

    def __str__(self) -> str:
        return f"{self.element} (id {self.id})" if self.id else self.element


@dataclass(frozen=True)
class Broken:
    """An expression that cannot run: a FEEL text that does not parse, or a construct refused."""

    reason: str
    place: Place


@dataclass(frozen=True)
class Literal:
    text: str
    ast: Any  # engine.feel.nodes expression
    type_ref: str
    place: Place


@dataclass(frozen=True)
class Rule:
    id: str
    tests: tuple[Any, ...]  # engine.feel.nodes.UnaryTests per input (or Broken)
    outputs: tuple[Any, ...]  # an expression AST per output (or Broken)
    texts: tuple[str, ...] = ()  # the input entries as written


@dataclass(frozen=True)
class Output:
    name: str
    type_ref: str
    values: tuple[Any, ...]  # outputValues as expressions (priority order), () if none
    default: Any = None  # defaultOutputEntry's expression, or None


@dataclass(frozen=True)
class DecisionTable:
    inputs: tuple[Any, ...]  # inputExpression ASTs (or Broken)
    input_values: tuple[Any, ...]  # an input's allowed values (UnaryTests) or None
    input_types: tuple[str, ...]
    outputs: tuple[Output, ...]
    rules: tuple[Rule, ...]
    hit_policy: str  # UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER, OUTPUT ORDER
    aggregation: str  # SUM, COUNT, MIN, MAX or ""
    type_ref: str
    place: Place


@dataclass(frozen=True)
class Entry:
    name: str | None  # None: the context's final result
    type_ref: str
    expression: Any


@dataclass(frozen=True)
class Context:
    entries: tuple[Entry, ...]
    type_ref: str
    place: Place


@dataclass(frozen=True)
class Invocation:
    function: Any  # an expression giving the function (usually a name)
    bindings: tuple[tuple[str, Any], ...]  # parameter name → expression (None: null)
    type_ref: str
    place: Place


@dataclass(frozen=True)
class Parameter:
    name: str
    type_ref: str


@dataclass(frozen=True)
class FunctionDefinition:
    parameters: tuple[Parameter, ...]
    body: Any
    kind: str  # FEEL (Java and PMML are Broken when read)
    type_ref: str
    place: Place


@dataclass(frozen=True)
class ListOf:
    items: tuple[Any, ...]
    type_ref: str
    place: Place


@dataclass(frozen=True)
class Relation:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    type_ref: str
    place: Place


@dataclass(frozen=True)
class Conditional:
    condition: Any
    then: Any
    otherwise: Any
    type_ref: str
    place: Place


@dataclass(frozen=True)
class FilterOf:
    source: Any
    match: Any
    type_ref: str
    place: Place


@dataclass(frozen=True)
class Iterator:
    kind: str  # for, some, every
    variable: str
    source: Any
    body: Any  # return / satisfies
    type_ref: str
    place: Place
