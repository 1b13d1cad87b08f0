"""A DMN decision requirements graph (DRG) as frozen data: the model's types (item
definitions), input data, decisions, business knowledge models, decision services and the
models it imports.

Owns the shapes of a whole DMN model for the reference DRG evaluator
(``engine.evaluation.drg``), beside the decision-table model of ``engine.model.types`` that the
vectorized path runs.  ``engine.formats.dmn.drg_read`` makes them; every element carries its
DMN id and name for messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ItemDefinition:
    """A model type: a FEEL type named by ``type_ref``, or components; ``collection``: a list of it."""

    name: str
    type_ref: str = ""  # "" for a structure (components) or a function item
    collection: bool = False
    components: tuple[ItemDefinition, ...] = ()
    allowed: Any = None  # engine.feel.nodes.UnaryTests or None
    function: bool = False  # a functionItem
    returns: str = ""  # a functionItem's outputTypeRef


@dataclass(frozen=True)
class InputData:
    id: str
    name: str
    type_ref: str


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    type_ref: str
    expression: Any  # an engine.model.boxed node, or None (a decision without logic)
    requires: tuple[str, ...] = ()  # names of required decisions and input data
    knowledge: tuple[str, ...] = ()  # names of required BKMs and decision services


@dataclass(frozen=True)
class Knowledge:
    """A business knowledge model: its encapsulated logic is a function definition."""

    id: str
    name: str
    type_ref: str
    function: Any  # engine.model.boxed.FunctionDefinition (or Broken)
    knowledge: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    type_ref: str
    outputs: tuple[str, ...]  # output decisions (names)
    encapsulated: tuple[str, ...]
    input_decisions: tuple[str, ...]
    input_data: tuple[str, ...]


@dataclass(frozen=True)
class Drg:
    """One DMN model.  Names are as the model writes them; ``imports``: import name → model."""

    path: str
    name: str
    namespace: str
    types: dict[str, ItemDefinition] = field(default_factory=dict)
    inputs: dict[str, InputData] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    knowledge: dict[str, Knowledge] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    imports: dict[str, Drg] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # what could not be read, each naming its element

    def element(self, name: str) -> Any:
        """The input data, decision, BKM or service called ``name`` (None if none)."""
        for table in (self.decisions, self.inputs, self.knowledge, self.services):
            if name in table:
                return table[name]
        return None
