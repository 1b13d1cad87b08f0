"""The decisions of a DMN model read into sheet grids: one decision table per sheet.

Owns how a ``decision`` with a ``decisionTable`` becomes the grid of a workbook's table sheet
(hit policy, headings, roles, allowed values, one row per rule) and where each grid cell came
from (the decision, its input and output clauses, its rules and entries), the checks that
belong to one table (languages, entry counts, literal input expressions, declared output
types: ``engine.formats.dmn.support``), and how input expressions name the values they read.
A mixin of the reader (``engine.formats.dmn.importer``), which holds the document's state.
"""

from __future__ import annotations

from typing import Any

from engine._core.cells import cell_ref, column_letter
from engine.feel.syntax import IDENTIFIER
from engine.feel.unparse import rename_names
from engine.formats.dmn.computed import computed_input
from engine.formats.dmn.drg_boxed import type_ref
from engine.formats.dmn.lists import plain_cell
from engine.formats.dmn.names import (
    DOCUMENTATION,
    IGNORED,
    INPUT_TYPE_OF,
    RESERVED_SHEETS,
    Namer,
    plain_type,
    policy_code,
    rule_ids,
)
from engine.formats.dmn.names import describe as _what
from engine.formats.dmn.names import local_name as _local
from engine.formats.dmn.read import Grid
from engine.formats.dmn.required import null_stance
from engine.formats.dmn.support import (
    DRG_RUNS,
    foreign_languages,
    is_feel,
    keyword_expression,
    literal_kind,
    same_kind,
    spaced_lists,
)
from engine.formats.dmn.words import TABLE_PART

CAMUNDA_INPUT_VARIABLE = "{http://camunda.org/schema/1.0/dmn}inputVariable"
KIND_WORDS = {"number": "a number", "string": "a text", "boolean": "true/false", "date": "a date"}


class DecisionTables:
    """The decision tables of the reader's document, read into its sheets."""

    doc: Any
    items: dict[str, Any]
    rename: dict[str, str]
    members: dict[str, dict[str, str]]
    undeclared: dict[str, tuple[str, str]]
    inferred: Any
    cyclic: set[str]
    by_id: dict[str, Any]
    children: Any
    text: Any
    description: Any
    unsupported: Any
    literals: set[str]

    def supported(self, element: Any) -> bool:
        logic = [c for c in self.children(element) if _local(c) not in DOCUMENTATION | IGNORED]
        for extra in [c for c in logic if _local(c) == "knowledgeRequirement"]:
            required = [r.get("href", "").lstrip("#") for r in self.children(extra, "requiredKnowledge")]
            self.unsupported(element, "it invokes a business knowledge model (knowledgeRequirement of "
                             f"{', '.join(required) or extra.get('id') or 'an unnamed model'})",
                             f"{DRG_RUNS}put the logic in the decision's own decision table")
            return False
        for ignored in [c for c in self.children(element) if _local(c) in IGNORED]:
            self.doc.problem("dmn-ignored", f"its {_local(ignored)} is documentation only; "
                             "dtrun ignores it", _what(element), severity="warning")
        if not logic:
            self.unsupported(element, "it has no decision logic", "give it a decision table")
            return False
        if _local(logic[0]) == "literalExpression":
            return self.literal_decision(element, logic[0])
        if _local(logic[0]) != "decisionTable":
            self.unsupported(element, f"its logic is a {_local(logic[0])}; dtrun's decision tables run decision "
                             "tables and literal expressions only",
                             f"{DRG_RUNS}rewrite the logic as a decision table or a literal expression")
            return False
        return True

    def literal_decision(self, element: Any, literal: Any) -> bool:
        """A decision whose logic is a literalExpression becomes a one-rule decision table in
        the tree (no inputs; one output, the decision's, whose only cell is the expression, read
        as FEEL: ``engine.feel.feel_outputs``), so that it is named, placed and ordered as any
        decision; ``literals`` remembers which, for the places that name it."""
        text = self.text(literal)
        language = literal.get("expressionLanguage")
        if not text or not is_feel(language):
            self.unsupported(element, "its literal expression is empty" if not text else
                             f"the expression language of its literal expression is {language}",
                             "write a FEEL expression", "literalExpression")
            return False
        variables = self.children(element, "variable")
        type_ref = literal.get("typeRef") or (variables[0].get("typeRef") if variables else None)
        if type_ref and plain_type(type_ref) not in ("Any", "") and self.declared_kind(type_ref) is None:
            self.unsupported(element, f"its literal expression gives a {plain_type(type_ref)} (typeRef), a type "
                             "dtrun's outputs cannot hold yet (a list, a structure, a time or duration)",
                             "give the decision a number, string, boolean or date value", "literalExpression")
            return False
        tag = literal.tag[: -len("literalExpression")]
        table = element.makeelement(tag + "decisionTable", {"hitPolicy": "UNIQUE"})
        table.append(element.makeelement(tag + "output", {"typeRef": type_ref} if type_ref else {}))
        rule = element.makeelement(tag + "rule", {"id": "literal"})
        entry = element.makeelement(tag + "outputEntry", {})
        body = element.makeelement(tag + "text", {})
        body.text = text
        entry.append(body)
        rule.append(entry)
        table.append(rule)
        element.insert(list(element).index(literal), table)
        element.remove(literal)
        self.literals.add(element.get("name", ""))
        return True

    def name_decision(self, element: Any) -> None:
        dmn_name = element.get("name", "")
        table = self.namer.name(dmn_name, RESERVED_SHEETS)
        self.doc.decisions[dmn_name] = table
        outputs = self.children(self.children(element, "decisionTable")[0], "output")
        namer, mapping = Namer(), {}
        for output in outputs:
            wanted = output.get("name") or (dmn_name if len(outputs) == 1 else "output")
            mapping[output.get("name")] = namer.name(wanted)
        self.doc.outputs[table] = mapping
        self.declare_types(element, table, outputs, mapping)
        if len(outputs) == 1:
            self.rename[dmn_name] = f"{table}.{next(iter(mapping.values()))}"
        else:
            self.rename[dmn_name] = table
            self.members[dmn_name] = {k: v for k, v in mapping.items() if k}

    def renamed(self, text: str) -> str:
        return rename_names(text, {**self.rename, **self.doc.inputs}, self.members)

    def decision(self, element: Any) -> None:
        table = self.doc.decisions[element.get("name", "")]
        logic = self.children(element, "decisionTable")[0]
        where = _what(element)
        self.doc.places[(table, "")] = (where, "")
        code = policy_code(logic.get("hitPolicy"), logic.get("aggregation"))
        if code is None:
            self.unsupported(element, f"hit policy {logic.get('hitPolicy')} {logic.get('aggregation') or ''} is not "
                             "a DMN hit policy", "use UNIQUE, ANY, PRIORITY, FIRST, RULE ORDER, OUTPUT ORDER or "
                             "COLLECT (with SUM, MIN, MAX or COUNT)", "hitPolicy")
        self.doc.places[(table, "A1")] = (where, "hitPolicy")
        if logic.get("preferredOrientation") == "CrossTable":
            self.unsupported(element, "crosstab decision tables are not supported", "lay the table out rule-as-row",
                             "preferredOrientation")
        inputs, outputs = self.children(logic, "input"), self.children(logic, "output")
        if element.get("id") in self.cyclic:  # said at the decision: not again at its table
            self.doc.covered.append((where, TABLE_PART))
        for clause_kind, clauses in (("input", inputs), ("output", outputs)):
            for number, clause in enumerate(clauses, start=1):
                for found, language in foreign_languages(clause):
                    if _local(found) in ("inputEntry", "outputEntry"):
                        continue  # said with their rule
                    self.unsupported(element, f"the expression language of its {_local(found)} is {language}; "
                                     "dtrun runs FEEL only", "write it in FEEL",
                                     self.clause_part(element, clause_kind, clause, number, len(outputs)))
        notes = [a.get("name") or "annotation" for a in self.children(logic, "annotation")]
        rules = self.children(logic, "rule")
        described = any(self.description(r) for r in rules)
        headings = [self.input_heading(element, i, n) for n, i in enumerate(inputs, 1)]
        headings += [*self.doc.outputs[table].values(), *notes, *(["Description"] if described else [])]
        roles = ["input"] * len(inputs) + ["output"] * len(outputs) + ["annotation"] * (len(headings) - len(inputs)
                                                                                       - len(outputs))
        allowed: list[str | None] = []
        for n, clause in enumerate(inputs, start=1):
            values = self.children(clause, "inputValues")
            text = self.renamed(self.unary_text(values[0], where, f"{self.clause_part(element, 'input', clause, n)}, "
                                                "inputValues")) if values else ""
            text, refuses = null_stance(text) if text else (text, False)
            allowed.append(text or None)
            if refuses:
                self.doc.required_columns.add((table, n - 1))
        allowed += [self.renamed(self.text(self.children(o, "outputValues")[0])) if self.children(o, "outputValues")
                    else None for o in outputs]
        clauses = [("input", i, n) for n, i in enumerate(inputs, 1)] + [("output", o, n) for n, o in
                                                                        enumerate(outputs, 1)]
        for column, (kind, clause, number) in enumerate(clauses, start=2):
            part = self.clause_part(element, kind, clause, number, len(outputs))
            for row, cell_part in ((1, part), (2, part),
                                   (3, f"{part}, {'inputValues' if kind == 'input' else 'outputValues'}")):
                self.doc.places[(table, cell_ref(row, column))] = (where, cell_part)
            default = self.text(self.children(clause, "defaultOutputEntry")[0]) \
                if kind == "output" and self.children(clause, "defaultOutputEntry") else ""
            if default:  # an empty one (<text/>) means null: as if there were none
                output = list(self.doc.outputs[table].values())[number - 1]
                self.doc.defaults[(table, output)] = (self.renamed(default), f"{part}, defaultOutputEntry")
        self.check_output_types(element, outputs, rules, table)
        grid: Grid = [[code, *headings], [None, *roles], [None, *allowed]]
        for position, (rule, rule_id) in enumerate(zip(rules, rule_ids(rules)), start=1):
            grid.append(self.rule_row(table, where, rule, rule_id, position, len(grid) + 1, len(inputs), len(outputs),
                                      described))
        self.doc.sheets[table] = grid
        if element.get("name", "") in self.literals:  # its one cell is the decision's literal expression
            self.doc.places[(table, "B4")] = (where, "literalExpression")
            self.doc.rules[(table, "literal")] = "literalExpression"

    def unary_text(self, element: Any, where: str, part: str) -> str:
        """The text of unary tests (an inputEntry, inputValues) with FEEL's lists of numbers spaced
        as a workbook cell writes them; a warning where one looks like a decimal comma."""
        raw = self.text(element)
        listed = plain_cell(raw)  # a cell over a list input (list contains(?, "x")): checked once built
        text, looks = spaced_lists(listed[0] if listed else raw)
        for found in looks:
            self.doc.problem("decimal-comma", f"{found} is read as a list of two numbers ({found.replace(',', ', ')}), "
                             "as FEEL reads it", where, f"write {found.replace(',', '.')} if a decimal number is "
                             f"meant, or {found.replace(',', ', ')} to make the list plain", part, "warning")
        return text

    def check_output_types(self, decision: Any, outputs: list[Any], rules: list[Any], table: str) -> None:
        """An output entry whose literal is not of the type the decision declares for the output
        (its typeRef, or the decision's variable's for a single output) is a warning at the entry:
        engines differ (Camunda 7 converts the value, Camunda 8 ignores the typeRef, KIE's type
        check refuses it), and Camunda Modeler declares string unless told otherwise."""
        variables = self.children(decision, "variable")
        ids = rule_ids(rules)
        for number, output in enumerate(outputs, start=1):
            type_ref = output.get("typeRef") or (variables[0].get("typeRef") if variables and len(outputs) == 1
                                                 else None)
            declared = self.declared_kind(type_ref)
            for position, rule in enumerate(rules, start=1):
                entries = self.children(rule, "outputEntry")
                text = self.text(entries[number - 1]) if number <= len(entries) else ""
                found = literal_kind(text) if declared else None
                if found is not None and not same_kind(declared, found):
                    shown = f"rule {position}" + (f" (id {ids[position - 1]})" if rule.get("id") else "")
                    self.doc.problem("declared-type", f"the output {output.get('name') or number} is declared "
                                     f"{plain_type(type_ref)} (typeRef), but the entry {text} is "
                                     f"{KIND_WORDS[found]}",
                                     _what(decision), f"write a {declared} here, or correct the declared typeRef",
                                     f"{shown}, outputEntry {number}", "warning")

    def declare_types(self, element: Any, table: str, outputs: list[Any], mapping: dict[Any, str]) -> None:
        """The typeRefs each output's value must conform to (``engine.formats.dmn.typed``): its
        own, and for a single output the decision's variable's, unless the table gives a list
        (hit policy C without aggregation, R, O: the variable's type is then the list's)."""
        variables = self.children(element, "variable")
        logic = self.children(element, "decisionTable")[0]
        listed = logic.get("hitPolicy", "UNIQUE").upper() in ("RULE ORDER", "OUTPUT ORDER") or (
            logic.get("hitPolicy", "").upper() == "COLLECT" and not logic.get("aggregation"))
        whole = type_ref(variables[0].get("typeRef")) if variables and len(outputs) == 1 and not listed else ""
        for output in outputs:
            refs = tuple(dict.fromkeys(r for r in (type_ref(output.get("typeRef")), whole) if r and r != "Any"))
            if refs:
                self.doc.declared[(table, mapping[output.get("name")])] = refs

    def declared_kind(self, type_ref: str | None, seen: tuple[str, ...] = ()) -> str | None:
        """dtrun's type of a typeRef where it is a simple one (through itemDefinitions); None otherwise."""
        plain = plain_type(type_ref)
        if plain in INPUT_TYPE_OF and plain not in self.items:
            return INPUT_TYPE_OF[plain]
        item = self.items.get(plain)
        if item is None or plain in seen or item.get("isCollection") == "true" or self.children(item, "itemComponent"):
            return None
        return self.declared_kind(self.text(item, "typeRef"), (*seen, plain))

    def clause_part(self, decision: Any, kind: str, clause: Any, number: int, outputs: int = 1) -> str:
        """How a location names an input or output column: ``input 1 "Season" (id c1)``."""
        shown = self.clause_name(decision, kind, clause, outputs)
        return f"{kind} {number}" + (f' "{shown}"' if shown else "") + (
            f" (id {clause.get('id')})" if clause.get("id") else "")

    def clause_name(self, decision: Any, kind: str, clause: Any, outputs: int) -> str:
        """How a DMN modeler shows an input or output column: its label, else its input
        expression or output name (a single unnamed output: the decision's name)."""
        if clause.get("label"):
            return str(clause.get("label"))
        if kind == "input":
            expressions = self.children(clause, "inputExpression")
            return self.text(expressions[0]) if expressions else ""
        return clause.get("name") or (decision.get("name", "") if outputs == 1 else "output")

    def input_heading(self, decision: Any, clause: Any, number: int) -> str:
        expressions = self.children(clause, "inputExpression")
        text = self.text(expressions[0]) if expressions else ""
        name = self.renamed(text)
        known = set(self.doc.inputs.values()) | set(self.rename.values())
        if name not in known and not any(name.startswith(t + ".") for t in self.doc.outputs):
            name = self.required_output(decision, text) or name
        if name not in known and not any(name.startswith(t + ".") for t in self.doc.outputs):
            if not text:
                self.unsupported(decision, "the input has no input expression" + (
                    f" (camunda:inputVariable {clause.get(CAMUNDA_INPUT_VARIABLE)!r} only names the value inside "
                    "the input entries)" if clause.get(CAMUNDA_INPUT_VARIABLE) else ""), "write the name of the "
                    "inputData or decision the input reads as its input expression",
                    self.clause_part(decision, "input", clause, number))
                self.doc.covered.append((self.doc.decisions[decision.get("name", "")], cell_ref(1, number + 1)))
            elif keyword_expression(text):
                self.unsupported(decision, f"input expression {text!r} is a FEEL constant or keyword, not the name "
                                 "of an inputData or a decision", "write the name of the inputData or decision the "
                                 "input reads (a constant would test every record against the same value)",
                                 self.clause_part(decision, "input", clause, number))
                self.doc.covered.append((self.doc.decisions[decision.get("name", "")], cell_ref(1, number + 1)))
            elif IDENTIFIER.fullmatch(name):
                kind = INPUT_TYPE_OF.get(plain_type(expressions[0].get("typeRef")), "") if expressions else ""
                if not kind and name not in self.undeclared:
                    kind = self.inferred(text, decision, f"input {name} (no inputData, input expression without "
                                         "typeRef)")
                self.undeclared.setdefault(name, (kind, _what(decision)))
            elif (found := computed_input(self, text, name, clause, expressions[0],
                                          _what(decision), self.clause_part(decision, "input", clause, number))):
                return found
            else:
                self.unsupported(decision, f"input expression {text!r} is not the name of an inputData or a "
                                 "decision, nor an expression over input data", "add an inputData or a decision "
                                 "for the value and name it here",
                                 self.clause_part(decision, "input", clause, number))
                self.doc.covered.append((self.doc.decisions[decision.get("name", "")], cell_ref(1, number + 1)))
        label = clause.get("label") or ""
        owners = [t for t, outs in self.doc.outputs.items() if label in outs.values()]
        plain = IDENTIFIER.fullmatch(label) and label not in self.doc.inputs.values() and len(owners) == 1
        return label if plain and name.endswith("." + label) else name

    def required_output(self, decision: Any, text: str) -> str | None:
        """``table.output`` when ``text`` is the output name of exactly one decision that
        ``decision`` requires: Camunda 7 gives a required decision's result to the tables
        that read it under the output's name (``desiredDish``), not the decision's."""
        found = []
        for requirement in self.children(decision, "informationRequirement"):
            for required in self.children(requirement, "requiredDecision"):
                source = self.by_id.get(required.get("href", "").lstrip("#"))
                table = self.doc.decisions.get(source.get("name", "")) if source is not None else None
                outputs = self.doc.outputs.get(table, {}) if table else {}
                found += [f"{table}.{outputs[text]}"] if text and text in outputs else []
        return found[0] if len(set(found)) == 1 else None

    def rule_row(self, table: str, where: str, rule: Any, rule_id: str, position: int, row: int, inputs: int,
                 outputs: int, described: bool) -> list[Any]:
        label = rule.get("label") or ""
        shown = f"rule {position}" + (f" (label {label})" if label == rule_id else
                                      f" (id {rule_id})" if rule.get("id") == rule_id else "")
        self.doc.rules[(table, rule_id)] = shown
        self.doc.places[(table, f"A{row}")] = (where, shown)
        entries = self.children(rule, "inputEntry") + self.children(rule, "outputEntry")
        for column, entry in enumerate(entries, start=2):
            kind = "inputEntry" if column - 2 < inputs else "outputEntry"
            number = column - 1 if kind == "inputEntry" else column - 1 - inputs
            self.doc.places[(table, f"{column_letter(column)}{row}")] = (where, f"{shown}, {kind} {number}")
            language = entry.get("expressionLanguage")
            if not is_feel(language):
                self.doc.problem("dmn-unsupported", f"the expression language is {language}", where, "write FEEL",
                                 f"{shown}, {kind} {number}")
        for kind, wanted in (("inputEntry", inputs), ("outputEntry", outputs)):
            count = len(self.children(rule, kind))
            if count != wanted:  # the entries would shift onto the wrong columns
                self.doc.problem("dmn-unsupported", f"the rule has {count} {kind} elements for {wanted} "
                                 f"{kind[:-5]}s", where, f"give the rule one {kind} per {kind[:-5]}", shown)
        cells = [self.renamed(self.unary_text(e, where, f"{shown}, inputEntry {n}") if n <= inputs else self.text(e))
                 for n, e in enumerate(entries, start=1)]
        for column, (entry, cell) in enumerate(zip(entries, cells), start=2):
            if cell != self.text(entry):
                self.doc.texts[(table, f"{column_letter(column)}{row}")] = self.text(entry)
        notes = [self.text(a) for a in self.children(rule, "annotationEntry")]
        return [rule_id, *cells, *notes, *([self.description(rule)] if described else [])]
