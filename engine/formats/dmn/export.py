"""Model → DMN XML (DMN 1.3 by default, 1.4 and 1.5 on request).

Owns how a dtrun model is written as a DMN ``definitions`` document that DMN engines and
modelers read (see ``docs/dmn.md`` for the full mapping):

* one ``inputData`` per input, typed by an ``itemDefinition`` that carries its FEEL type
  and allowed values; what DMN has no place for (integer, Required, Unit, Code) goes into
  dtrun's ``extensionElements``, the Description into ``description``;
* one ``decision`` per table with its ``informationRequirement``s and ``decisionTable``
  (hit policy and aggregation, ``input``s with ``inputExpression`` and ``inputValues``,
  ``output``s with name, type and ``outputValues``, annotation columns, and ``rule``s whose
  ids are the rule ids and whose entries are standard FEEL, see ``engine.feel.unparse``);
* the About sheet as dtrun ``extensionElements`` of ``definitions`` (its Title is the
  model's name, its Source the description);
* a minimal DMNDI diagram (a shape per element, an edge per requirement).

A cell that standard FEEL cannot express is a :class:`~engine.errors.WorkbookError`
naming the cell.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine._core.errors import Problem, WorkbookError
from engine._core.version import __version__
from engine.feel import values
from engine.feel.syntax import identifier
from engine.feel.unparse import FeelWriteError, expression, rename_names, unary_tests
from engine.formats.dmn import lists
from engine.formats.dmn.names import (
    DEFAULT_VERSION,
    DTRUN_NAMESPACE,
    FEEL_TYPE,
    VERSIONS,
    XmlIds,
    dmn_hit_policy,
)
from engine.formats.dmn.required import with_null
from engine.formats.dmn.structures import structure_input, structure_items
from engine.model.types import InputDef, Model, Table, element_type, is_list

Element = ET.Element
DECISION_SIZE, INPUT_SIZE = (180, 80), (125, 45)


def export_dmn(model: Model, version: str = DEFAULT_VERSION, names: Mapping[str, str] | None = None) -> bytes:
    """The DMN XML document of ``model``.  ``names`` maps dtrun names (inputs, tables and
    ``table.output``) to the DMN names to write, e.g. the original names of an imported model."""
    if version not in VERSIONS:
        raise ValueError(f"DMN version {version} is not supported; use one of {', '.join(VERSIONS)}")
    writer = _Writer(model, version, dict(names or {}))
    root = writer.definitions()
    if writer.problems:
        raise WorkbookError(writer.problems)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def write_dmn(model: Model, path: str | Path, version: str = DEFAULT_VERSION,
              names: Mapping[str, str] | None = None) -> Path:
    """Write ``export_dmn(model, version)`` to ``path``, atomically."""
    from engine._core.atomic import atomic_path

    data = export_dmn(model, version, names)
    target = Path(path)
    with atomic_path(target) as temporary:
        Path(temporary).write_bytes(data)
    return target


def _literal(table: Table) -> bool:
    """A table as the DMN reader makes a literal-expression decision: no inputs, one output
    (no allowed values, no default), one rule with the id ``literal``."""
    return (not table.inputs and len(table.outputs) == 1 and len(table.rules) == 1 and table.rules[0].id == "literal"
            and table.outputs[0].allowed is None and table.outputs[0].default is None and not table.annotations)


def _sub(parent: Element, tag: str, attributes: Mapping[str, Any] | None = None, text: str | None = None
         ) -> Element:
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in (attributes or {}).items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _text(parent: Element, tag: str, text: str, attributes: Mapping[str, Any] | None = None) -> Element:
    element = _sub(parent, tag, attributes)
    _sub(element, "text", text=text)
    return element


class _Writer:
    """Builds the document; collects the cells that cannot be written."""

    def __init__(self, model: Model, version: str, names: dict[str, str]) -> None:
        self.model, self.version, self.names = model, VERSIONS[version], names
        self.ids = XmlIds()
        self.problems: list[Problem] = []
        self.element_ids: dict[str, str] = {}  # input or table name → XML id
        self.edges: list[tuple[str, str, str]] = []  # (requirement id, source id, target id)

    # ------------------------------------------------------------------ names
    def dmn_name(self, name: str) -> str:
        return self.names.get(name, name)

    def reference(self, name: str) -> str:
        """How FEEL in the DMN model refers to dtrun name ``name``."""
        name = self.model.aliases.get(name, name)
        if name in self.model.inputs or "." not in name:
            return self.dmn_name(name)
        table_name, _, output = name.partition(".")
        table = self.model.table(table_name)
        decision = self.dmn_name(table_name)
        return decision if len(table.outputs) == 1 else f"{decision}.{self.names.get(name, output)}"

    # ------------------------------------------------------------------ document
    def definitions(self) -> Element:
        model, about = self.model, self.model.about
        stem = Path(model.workbook).stem
        root = Element("definitions", {
            "xmlns": self.version.model, "xmlns:dmndi": self.version.dmndi, "xmlns:dc": self.version.dc,
            "xmlns:di": self.version.di, "xmlns:dtrun": DTRUN_NAMESPACE,
            "id": self.ids.id("definitions_" + identifier(stem)), "name": about.get("Title") or stem,
            "namespace": f"urn:dtrun:{identifier(stem)}", "exporter": "dtrun", "exporterVersion": __version__})
        if about.get("Source"):
            _sub(root, "description", text=about["Source"])
        if about:
            extensions = _sub(root, "extensionElements")
            for key, value in about.items():
                _sub(extensions, "dtrun:about", {"key": key, "value": value})
        parts = {c: s.name for s in model.structures.values() for c in s.components}  # component → structure
        plain = [d for d in model.inputs.values() if d.expression is None and d.name not in parts]  # computed: in
        for definition in plain:                                                   # inputExpressions
            self.element_ids[definition.name] = self.ids.id(f"inputData_{definition.name}")
        for structure in model.structures.values():
            self.element_ids[structure.name] = self.ids.id(f"inputData_{structure.name}")
        for table in model.tables:
            self.element_ids[table.name] = self.ids.id(f"decision_{table.name}")
        for definition in plain:
            self.item_definition(root, definition)
        for structure in model.structures.values():
            structure_items(self, root, structure)
        for table in model.tables:
            self.decision(root, table)
        for definition in plain:
            self.input_data(root, definition)
        for structure in model.structures.values():
            structure_input(self, root, structure)
        self.diagram(root)
        return root

    def item_definition(self, root: Element, definition: InputDef) -> None:
        """The input's type; of a list, a collection of the type of its elements (their own
        itemDefinition, with the allowed values, which constrain each element)."""
        listed = is_list(definition.type)
        name = self.type_name(definition) + ("_element" if listed else "")
        item = _sub(root, "itemDefinition", {"id": self.ids.id(f"itemDefinition_{name}"), "name": name})
        _sub(item, "typeRef", text=FEEL_TYPE.get(element_type(definition.type), "Any"))
        if definition.allowed is not None:
            allowed = self.tests_text(definition.allowed, "Inputs", definition.location.cell)
            allowed = allowed if listed else with_null(allowed, definition.allowed, not definition.required)
            _text(item, "allowedValues", allowed, {"id": self.ids.id(f"allowedValues_{definition.name}")})
        if listed:
            collection = _sub(root, "itemDefinition", {"id": self.ids.id(f"itemDefinition_{definition.name}"),
                                                       "name": self.type_name(definition), "isCollection": "true"})
            _sub(collection, "typeRef", text=name)

    def type_name(self, definition: InputDef) -> str:
        return f"t_{definition.name.replace('.', '_')}"  # a component's (applicant.age): t_applicant_age

    def input_data(self, root: Element, definition: InputDef) -> None:
        element = _sub(root, "inputData", {"id": self.element_ids[definition.name],
                                           "name": self.dmn_name(definition.name)})
        if definition.description:
            _sub(element, "description", text=definition.description)
        extra = {"type": definition.type, "required": "true" if definition.required else "false",
                 "unit": definition.unit or None, "code": definition.code or None}
        _sub(_sub(element, "extensionElements"), "dtrun:input", extra)
        _sub(element, "variable", {"id": self.ids.id(f"variable_{definition.name}"),
                                   "name": self.dmn_name(definition.name), "typeRef": self.type_name(definition)})

    # ------------------------------------------------------------------ decisions
    def decision(self, root: Element, table: Table) -> None:
        element = _sub(root, "decision", {"id": self.element_ids[table.name], "name": self.dmn_name(table.name)})
        hit_policy, aggregation = dmn_hit_policy(table.hit_policy)
        listed = hit_policy in ("COLLECT", "RULE ORDER", "OUTPUT ORDER") and not aggregation  # a list of them
        single = self.output_type(table, 0) if len(table.outputs) == 1 and not listed else None
        _sub(element, "variable", {"id": self.ids.id(f"variable_{table.name}"), "name": self.dmn_name(table.name),
                                   "typeRef": single})
        for source in self.requirements(table):
            requirement_id = self.ids.id(f"informationRequirement_{table.name}_{source}")
            requirement = _sub(element, "informationRequirement", {"id": requirement_id})
            kind = "requiredInput" if source in self.model.inputs or source in self.model.structures else \
                "requiredDecision"
            _sub(requirement, kind, {"href": f"#{self.element_ids[source]}"})
            self.edges.append((requirement_id, self.element_ids[source], self.element_ids[table.name]))
        if _literal(table):  # a literal-expression decision read from DMN: written back as one
            rule = table.rules[0]
            _text(element, "literalExpression",
                  self.expression_text(rule.outputs[0], table.name, table.cell(rule, table.outputs[0])),
                  {"id": self.ids.id(f"literalExpression_{table.name}")})
            return
        self.decision_table(element, table)

    def requirements(self, table: Table) -> list[str]:
        """The inputs and upstream tables that ``table`` reads, in first-use order."""
        used = [c.name for c in table.inputs]
        for rule in table.rules:
            for compiled in (*rule.inputs, *rule.outputs):
                used += sorted(compiled.names)
        used = [n for name in used for n in self.read_through(name)]
        found: list[str] = []
        for name in used:
            name = self.model.aliases.get(name, name)
            source = name if name in self.model.inputs else name.partition(".")[0]
            source = name.partition(".")[0] if name in self.model.inputs and "." in name else source  # a component
            if source in self.element_ids and source != table.name and source not in found:
                found.append(source)
        return found

    def read_through(self, name: str) -> list[str]:
        """``name``, or the inputs a computed input ``name`` reads (through other computed ones)."""
        definition = self.model.inputs.get(name)
        if definition is None or definition.expression is None:
            return [name]
        return [n for read in definition.expression.names for n in self.read_through(read)]

    def input_expression(self, name: str) -> str:
        """An input column's inputExpression: the name it reads, or a computed input's expression."""
        definition = self.model.inputs.get(name)
        if definition is None or definition.expression is None:
            return self.reference(name)
        return rename_names(definition.expression.text, {n: self.reference(n) for n in self.model.inputs})

    def computed_extension(self, clause: Element, name: str) -> None:
        """A computed input's Inputs row beside its expression (``dtrun:computed``), for the way back."""
        definition = self.model.inputs.get(name)
        if definition is None or definition.expression is None:
            return
        allowed = definition.allowed.text if definition.allowed is not None else None
        _sub(_sub(clause, "extensionElements"), "dtrun:computed", {
            "type": definition.type, "allowed": allowed, "required": "yes" if definition.required else None,
            "unit": definition.unit or None, "code": definition.code or None,
            "description": definition.description or None})

    def decision_table(self, parent: Element, table: Table) -> None:
        hit_policy, aggregation = dmn_hit_policy(table.hit_policy)
        element = _sub(parent, "decisionTable", {"id": self.ids.id(f"decisionTable_{table.name}"),
                                                 "hitPolicy": hit_policy, "aggregation": aggregation,
                                                 "outputLabel": self.dmn_name(table.name)})
        for number, column in enumerate(table.inputs, start=1):
            clause = _sub(element, "input", {"id": self.ids.id(f"input_{table.name}_{number}"),
                                             "label": column.heading})
            self.computed_extension(clause, column.name)
            _text(clause, "inputExpression", self.input_expression(column.name),
                  {"id": self.ids.id(f"inputExpression_{table.name}_{number}"),
                   "typeRef": self.input_type(column.name)})
            if column.allowed is not None:
                reads = self.model.inputs.get(self.model.aliases.get(column.name, column.name))
                nullable = not column.required and not (reads is not None and reads.required)
                text = with_null(self.tests_text(column.allowed, table.name, f"{column.column}3"), column.allowed,
                                 nullable)
                if column.allowed.each:  # a list's: every element
                    text = lists.allowed_text(column.allowed, self.reference)
                    text = text if nullable else text.replace("? = null or", "? != null and", 1)
                _text(clause, "inputValues", text, {"id": self.ids.id(f"inputValues_{table.name}_{number}")})
        for index, output in enumerate(table.outputs):
            clause = _sub(element, "output", {"id": self.ids.id(f"output_{table.name}_{output.name}"),
                                              "name": self.output_name(table, output),
                                              "typeRef": self.output_type(table, index)})
            if output.allowed is not None:
                _text(clause, "outputValues", self.tests_text(output.allowed, table.name, f"{output.column}3"),
                      {"id": self.ids.id(f"outputValues_{table.name}_{output.name}")})
            if output.default is not None:
                _text(clause, "defaultOutputEntry", self.expression_text(output.default, table.name, ""),
                      {"id": self.ids.id(f"defaultOutputEntry_{table.name}_{output.name}")})
        for column in table.annotations:
            _sub(element, "annotation", {"name": column.name})
        for rule in table.rules:
            self.rule(element, table, rule)

    def rule(self, parent: Element, table: Table, rule: Any) -> None:
        rule_id = self.ids.id(rule.id)
        element = _sub(parent, "rule", {"id": rule_id, "label": rule.id if rule_id != rule.id else None})
        for number, (column, cell) in enumerate(zip(table.inputs, rule.inputs), start=1):
            _text(element, "inputEntry", self.tests_text(cell, table.name, table.cell(rule, column)),
                  {"id": self.ids.id(f"{rule_id}_i{number}")})
        for number, (column, cell) in enumerate(zip(table.outputs, rule.outputs), start=1):
            _text(element, "outputEntry", self.expression_text(cell, table.name, table.cell(rule, column)),
                  {"id": self.ids.id(f"{rule_id}_o{number}")})
        for text in rule.annotations:
            _text(element, "annotationEntry", text)

    def output_name(self, table: Table, output: Any) -> str | None:
        """The output's DMN name; none for the single output of an imported decision that had none."""
        unnamed = table.name in self.names and table.qualified(output) not in self.names and len(table.outputs) == 1
        return None if unnamed else self.names.get(table.qualified(output), output.name)

    # ------------------------------------------------------------------ cells
    def tests_text(self, compiled: Any, sheet: str, cell: str) -> str:
        if compiled.feel:  # FEEL unary tests (?, functions): standard FEEL, written as they are
            return self._as_written(compiled, sheet, cell)
        try:
            if compiled.each == "any":  # a cell over a list input
                return lists.cell_text(compiled, self.reference)
            return unary_tests(compiled.node, self.reference)
        except FeelWriteError as error:
            self.problems.append(Problem("dmn-export", f"cannot write {compiled.text!r} in DMN: {error.message}",
                                         self.model.workbook, sheet, cell, error.hint))
            return compiled.text

    def expression_text(self, compiled: Any, sheet: str, cell: str) -> str:
        if compiled.feel:  # an output cell in the full FEEL language: standard FEEL, its names in DMN's words
            return rename_names(compiled.text, {n: self.reference(n) for n in compiled.names if self.reference(n) != n})
        return expression(compiled.node, self.reference)

    def _as_written(self, compiled: Any, sheet: str, cell: str) -> str:
        renamed = sorted(n for n in compiled.names if self.reference(n) != n)
        if renamed:
            self.problems.append(Problem(
                "dmn-export", f"cannot write {compiled.text!r} in DMN: {renamed[0]} is called "
                f"{self.reference(renamed[0])} there, and a FEEL cell is written as it is", self.model.workbook,
                sheet, cell, f"compare with {renamed[0]} in a plain test (e.g. > {renamed[0]}), or rename it"))
        return compiled.text

    # ------------------------------------------------------------------ types
    def input_type(self, name: str) -> str | None:
        name = self.model.aliases.get(name, name)
        if name in self.model.inputs:
            definition = self.model.inputs[name]
            return self.type_name(definition) if is_list(definition.type) else FEEL_TYPE.get(definition.type)
        table_name, _, output = name.partition(".")
        table = self.model.table(table_name)
        index = next(i for i, o in enumerate(table.outputs) if o.name == output)
        return self.output_type(table, index)

    def output_type(self, table: Table, index: int) -> str | None:
        """The FEEL type of an output when every value it can take is a literal of one kind."""
        found: list[Any] = list(table.outputs[index].values)
        for rule in table.rules:
            constant, value = rule.outputs[index].constant
            if not constant:
                return None
            found.append(value)
        kinds = {values.kind_of(v) for v in found} - {values.NULL}
        names = {values.NUMBER: "number", values.STRING: "string", values.BOOLEAN: "boolean", values.DATE: "date"}
        return names.get(kinds.pop()) if len(kinds) == 1 else None

    # ------------------------------------------------------------------ DMNDI
    def diagram(self, root: Element) -> None:
        levels = self.levels()
        top = max(levels.values(), default=0)
        by_level: dict[int, list[str]] = {}
        for name, level in levels.items():
            by_level.setdefault(level, []).append(name)
        bounds: dict[str, tuple[int, int, int, int]] = {}
        for level, names in by_level.items():
            for position, name in enumerate(names):
                width, height = INPUT_SIZE if level == 0 else DECISION_SIZE
                bounds[self.element_ids[name]] = (40 + position * 220, 40 + (top - level) * 160, width, height)
        dmndi = _sub(root, "dmndi:DMNDI")
        diagram = _sub(dmndi, "dmndi:DMNDiagram", {"id": self.ids.id("diagram"), "name": "dtrun"})
        for element_id, (x, y, width, height) in bounds.items():
            shape = _sub(diagram, "dmndi:DMNShape", {"id": self.ids.id(f"shape_{element_id}"),
                                                     "dmnElementRef": element_id})
            _sub(shape, "dc:Bounds", {"x": x, "y": y, "width": width, "height": height})
        for requirement_id, source, target in self.edges:
            edge = _sub(diagram, "dmndi:DMNEdge", {"id": self.ids.id(f"edge_{requirement_id}"),
                                                   "dmnElementRef": requirement_id})
            sx, sy, sw, _ = bounds[source]
            tx, ty, tw, th = bounds[target]
            _sub(edge, "di:waypoint", {"x": sx + sw // 2, "y": sy})
            _sub(edge, "di:waypoint", {"x": tx + tw // 2, "y": ty + th})

    def levels(self) -> dict[str, int]:
        """Inputs on level 0; a table one level above the highest table it reads."""
        levels = dict.fromkeys((n for n in (*self.model.inputs, *self.model.structures) if n in self.element_ids), 0)
        for table in self.model.tables:  # in evaluation order: upstream tables come first
            levels[table.name] = 1 + max((levels[d] for d in table.depends_on if d in levels), default=0)
        return levels
