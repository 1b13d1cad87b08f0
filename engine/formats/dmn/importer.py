"""DMN XML (DMN 1.1 to 1.6) → the sheets a workbook gives → :class:`~engine.model.Model`.

Owns reading a DMN ``definitions`` document (parsed with defusedxml by ``engine.formats.dmn.read``)
into the same sheet grids as an Excel workbook (``About``, ``Inputs``, one sheet per
decision table), so that ``engine.workbook.build_model`` applies every check of a
workbook to a DMN model too.  DMN names become dtrun identifiers (``Approval Status`` →
``Approval_Status``, ``engine.formats.dmn.names``) and cell texts are renamed to match
(``engine.feel.unparse``); a single-output decision ``d`` is read as ``d.d``.

Anything dtrun cannot run (business knowledge models, decision services, boxed
expressions, structured or temporal input types, input expressions that are not names)
is an error naming the element's kind, name and id; documentation elements that do not
change results (knowledge sources, text annotations) are warnings, and so is a
``defaultOutputEntry``, which dtrun does not apply.  Problems found by ``build_model``
are moved from sheet cells to the DMN elements they came from (``rule 2 (id r2), inputEntry 1``);
``engine.analysis.dmn_lint`` does the same for lint findings.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from engine._core.cells import cell_ref, column_letter
from engine._core.errors import WorkbookError
from engine.feel.unparse import rename_names
from engine.formats.dmn.names import (
    DOCUMENTATION,
    DTRUN_NAMESPACE,
    IDENTIFIER,
    IGNORED,
    INPUT_TYPE_OF,
    RESERVED_SHEETS,
    UNSUPPORTED_TYPES,
    Namer,
    plain_type,
    policy_code,
    rule_ids,
)
from engine.formats.dmn.names import describe as _what
from engine.formats.dmn.names import local_name as _local
from engine.formats.dmn.names import namespace_of as _namespace
from engine.formats.dmn.read import DmnDocument, Grid, parse_dmn
from engine.formats.dmn.support import (
    foreign_languages,
    is_feel,
    keyword_expression,
    required_ids,
    requirement_cycles,
)
from engine.formats.dmn.words import TABLE_PART, dmn_source
from engine.formats.xlsx.build import build_model
from engine.formats.xlsx.layout import INPUT_HEADINGS
from engine.model.types import Model

CAMUNDA_INPUT_VARIABLE = "{http://camunda.org/schema/1.0/dmn}inputVariable"


def load_dmn(path: str | Path) -> Model:
    """Read, check and compile a DMN file; raise WorkbookError listing every problem."""
    return build_dmn_model(read_dmn(path))


def build_dmn_model(document: DmnDocument) -> Model:
    """The model of a read DMN document; raise WorkbookError with DMN locations."""
    tables = set(document.sheets) - {"About", "Inputs"}
    if document.problems and (not document.sheets or not tables):  # not a DMN model, or every decision refused
        raise WorkbookError(document.problems, document.warnings)
    model = build_model(document.path, document.sheets, document.problems, document.warnings, document.covered,
                        dmn_source(document))
    aliases = {ours: theirs for theirs, ours in document.inputs.items() if ours != theirs and ours in model.inputs}
    return replace(model, input_aliases=aliases)


def read_dmn(path: str | Path) -> DmnDocument:
    """The sheets and problems of a DMN file (no model is built)."""
    document = DmnDocument(str(path))
    root = parse_dmn(Path(path), document)
    if root is not None:
        _Reader(document, root).read()
    return document


class _Reader:
    """Turns one ``definitions`` element into sheets, collecting problems as it goes."""

    def __init__(self, document: DmnDocument, root: Any) -> None:
        self.doc, self.root, self.ns = document, root, _namespace(root)
        self.items = {e.get("name"): e for e in self.children(root, "itemDefinition")}
        self.namer = Namer()
        self.rename: dict[str, str] = {}
        self.members: dict[str, dict[str, str]] = {}
        self.undeclared: dict[str, tuple[str, str]] = {}  # input read by a table without an inputData
        self.cyclic: set[str] = set()  # ids of decisions in a cycle of requirements

    def children(self, element: Any, name: str | None = None) -> list[Any]:
        return [c for c in element if _namespace(c) == self.ns and (name is None or _local(c) == name)]

    def description(self, element: Any) -> str:
        return self.text(element, "description")

    def text(self, element: Any, child: str = "text") -> str:
        found = self.children(element, child)
        return (found[0].text or "").strip() if found else ""

    # ------------------------------------------------------------------ document
    def read(self) -> None:
        self.sort_out_elements()
        language = self.root.get("expressionLanguage")
        if not is_feel(language):
            self.doc.problem("dmn-unsupported", f"the model's expression language is {language}; dtrun runs FEEL "
                             "only", _what(self.root), "dtrun runs decision tables written in FEEL, the DMN default; "
                             "a model in another language must be run by an engine that speaks it")
        decisions = [d for d in self.children(self.root, "decision") if self.supported(d)]
        self.by_id = {d.get("id"): d for d in decisions if d.get("id")}
        self.requirement_cycles(decisions)
        self.read_as = self.expression_types(decisions)
        inputs = [e for e in self.children(self.root, "inputData") if self.used(e)]
        for element in inputs:
            self.doc.inputs[element.get("name", "")] = self.namer.name(element.get("name", ""))
        for element in decisions:
            self.name_decision(element)
        self.doc.sheets["About"] = self.about()
        rows = [list(INPUT_HEADINGS)] + [self.input_row(e, n) for n, e in enumerate(inputs, start=2)]
        self.doc.sheets["Inputs"] = rows
        for element in decisions:
            self.decision(element)
        rows += self.undeclared_rows(len(rows) + 1)

    def sort_out_elements(self) -> None:
        for element in self.root:
            local, own = _local(element), _namespace(element) == self.ns
            if not own or local in ("inputData", "decision", "itemDefinition") or local in DOCUMENTATION:
                continue
            if local in IGNORED:
                self.doc.problem("dmn-ignored", f"{local} is documentation only; dtrun ignores it",
                                 _what(element), severity="warning")
            else:
                self.unsupported(element, f"dtrun does not run {local} elements",
                                 "only decision tables with S-FEEL cells over input data of simple types can be run")

    def expression_types(self, decisions: list[Any]) -> dict[str, set[str]]:
        """Each input expression text of the decision tables → the typeRefs it is read with."""
        found: dict[str, set[str]] = {}
        for decision in decisions:
            for clause in self.children(self.children(decision, "decisionTable")[0], "input"):
                for expression in self.children(clause, "inputExpression"):
                    types = found.setdefault(self.text(expression), set())
                    types.update({plain_type(expression.get("typeRef"))} - {""})
        return found

    def requirement_cycles(self, decisions: list[Any]) -> None:
        """Decisions that require each other in a cycle cannot be evaluated in any order."""
        requires = {d.get("id"): list(required_ids(d, self.children)) for d in decisions if d.get("id")}
        for cycle in requirement_cycles(requires):
            names = [self.by_id[i].get("name") or i for i in cycle]
            self.doc.problem("dmn-unsupported", "decisions require each other in a cycle: " + " → ".join(names),
                             _what(self.by_id[cycle[0]]), "a decision may only require decisions that do not "
                             "require it (informationRequirement)")
            self.cyclic.update(cycle)

    def used(self, element: Any) -> bool:
        """False (with a warning) for an inputData without a type that no decision table reads,
        as Camunda Modeler draws them: a shape on the diagram, not a value the tables use."""
        name, typed = element.get("name", ""), [v.get("typeRef") for v in self.children(element, "variable")]
        texts = (self.text(e) for e in self.root.iter() if _local(e) in ("inputEntry", "outputEntry"))
        if any(typed) or element.get("typeRef") or name in self.read_as or any(name and name in t for t in texts):
            return True
        self.doc.problem("dmn-ignored", "the inputData has no type and no decision table reads it; dtrun leaves "
                         "it out", _what(element), "give its variable a typeRef and read it in a decision table "
                         "(input expression: its name) if the tables need it", severity="warning")
        return False

    def unsupported(self, element: Any, why: str, hint: str, part: str = "") -> None:
        """An error at ``element`` (or at ``part`` of the decision ``element``)."""
        self.doc.problem("dmn-unsupported", why, _what(element), hint, part)

    def about(self) -> Grid:
        extensions = [e for x in self.children(self.root, "extensionElements") for e in x
                      if _namespace(e) == DTRUN_NAMESPACE and _local(e) == "about"]
        if extensions:
            return [[e.get("key", ""), e.get("value", "")] for e in extensions]
        rows = [["Title", self.root.get("name", "")]]
        description = self.text(self.root, "description")
        return rows + ([["Description", description]] if description else [])

    # ------------------------------------------------------------------ inputs
    def input_row(self, element: Any, row: int) -> list[Any]:
        name = self.doc.inputs[element.get("name", "")]
        where = _what(element)
        self.doc.places[("Inputs", "")] = ("Inputs", "")
        for column in range(1, len(INPUT_HEADINGS) + 1):  # the name: the inputData itself
            self.doc.places[("Inputs", cell_ref(row, column))] = (where, INPUT_HEADINGS[column - 1].lower()
                                                                   if column > 1 else "")
        variables = self.children(element, "variable")
        type_ref = (variables[0].get("typeRef") if variables else None) or element.get("typeRef")
        before = len(self.doc.problems)
        kind, allowed = self.resolve_type(type_ref or self.read_type(element), element)
        if len(self.doc.problems) > before:
            self.doc.covered.append(("Inputs", cell_ref(row, 2)))
        extra = next((e for x in self.children(element, "extensionElements") for e in x
                      if _namespace(e) == DTRUN_NAMESPACE and _local(e) == "input"), None)
        if extra is not None:
            kind = extra.get("type", kind)
        required = extra.get("required", "false") if extra is not None else "false"
        return [name, kind or "", allowed, "yes" if required == "true" else "no",
                extra.get("unit", "") if extra is not None else "", extra.get("code", "") if extra is not None else "",
                self.description(element)]

    def read_type(self, element: Any) -> str | None:
        """The typeRef the tables read an untyped inputData with (DMN's Any), if they agree on one;
        else an error."""
        types = {INPUT_TYPE_OF.get(t, t) for t in self.read_as.get(element.get("name", ""), set())}
        if len(types) == 1:
            return next(iter(self.read_as[element.get("name", "")]))
        found = f"the decision tables read it as {' and '.join(sorted(types))}" if types else "no typeRef"
        self.unsupported(element, f"the inputData has no type ({found})", "give its variable a typeRef: number, "
                         "string, boolean or date (or an itemDefinition based on one)")
        return None

    def resolve_type(self, type_ref: str | None, element: Any, seen: tuple[str, ...] = ()) -> tuple[str, str]:
        """(dtrun type, allowed-values text) of a typeRef; ('', '') when there is none."""
        plain = plain_type(type_ref)
        if not plain:
            return "", ""
        if plain in INPUT_TYPE_OF and plain not in self.items:
            return INPUT_TYPE_OF[plain], ""
        item = self.items.get(plain)
        if item is None or plain in seen:
            what = "a temporal or structured type" if plain in UNSUPPORTED_TYPES else "an unknown type"
            self.unsupported(element, f"its type {plain!r} is {what}",
                             "use number, string, boolean or date (or an itemDefinition based on one)")
            return "", ""
        if item.get("isCollection") == "true" or self.children(item, "itemComponent"):
            self.unsupported(element, f"its type {plain!r} is a list or a structure (itemDefinition "
                             f"{item.get('id') or plain})", "give each field its own inputData of a simple type")
            return "", ""
        kind, allowed = self.resolve_type(self.text(item, "typeRef"), element, (*seen, plain))
        own = self.text(self.children(item, "allowedValues")[0]) if self.children(item, "allowedValues") else ""
        return kind, self.renamed(own) or allowed

    def undeclared_rows(self, start: int) -> Grid:
        """Inputs that tables read without an inputData (as Camunda models do): taken from the
        input expressions' typeRef, with a warning."""
        rows = []
        for number, (name, (kind, where)) in enumerate(sorted(self.undeclared.items()), start=start):
            self.doc.problem("dmn-ignored", f"input {name} has no inputData; dtrun takes it as an input of type "
                             f"{kind or 'unknown'}", where, "add an inputData element for it", severity="warning")
            self.doc.places[("Inputs", cell_ref(number, 2))] = (where, "typeRef")
            rows.append([name, kind, None, "no", None, None, None])
        return rows

    # ------------------------------------------------------------------ decisions
    def supported(self, element: Any) -> bool:
        logic = [c for c in self.children(element) if _local(c) not in DOCUMENTATION | IGNORED]
        for extra in [c for c in logic if _local(c) == "knowledgeRequirement"]:
            required = [r.get("href", "").lstrip("#") for r in self.children(extra, "requiredKnowledge")]
            self.unsupported(element, "it invokes a business knowledge model (knowledgeRequirement of "
                             f"{', '.join(required) or extra.get('id') or 'an unnamed model'})",
                             "put the logic in the decision's own decision table")
            return False
        for ignored in [c for c in self.children(element) if _local(c) in IGNORED]:
            self.doc.problem("dmn-ignored", f"its {_local(ignored)} is documentation only; "
                             "dtrun ignores it", _what(element), severity="warning")
        if not logic:
            self.unsupported(element, "it has no decision logic", "give it a decision table")
            return False
        if _local(logic[0]) != "decisionTable":
            self.unsupported(element, f"its logic is a {_local(logic[0])}; dtrun runs decision tables only",
                             "rewrite the logic as a decision table with S-FEEL cells")
            return False
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
        allowed = [self.renamed(self.text(self.children(i, "inputValues")[0])) if self.children(i, "inputValues")
                   else None for i in inputs]
        allowed += [self.renamed(self.text(self.children(o, "outputValues")[0])) if self.children(o, "outputValues")
                    else None for o in outputs]
        clauses = [("input", i, n) for n, i in enumerate(inputs, 1)] + [("output", o, n) for n, o in
                                                                        enumerate(outputs, 1)]
        for column, (kind, clause, number) in enumerate(clauses, start=2):
            part = self.clause_part(element, kind, clause, number, len(outputs))
            for row, cell_part in ((1, part), (2, part),
                                   (3, f"{part}, {'inputValues' if kind == 'input' else 'outputValues'}")):
                self.doc.places[(table, cell_ref(row, column))] = (where, cell_part)
            if kind == "output" and self.children(clause, "defaultOutputEntry"):
                self.doc.problem("dmn-ignored", "the defaultOutputEntry of output "
                                 f"{clause.get('name') or number} is not applied: when no rule matches, dtrun gives "
                                 "no value (null)", where, "add a last rule with - in every input (hit policy FIRST "
                                 "or PRIORITY) if a default is needed", f"output {number}", "warning")
        grid: Grid = [[code, *headings], [None, *roles], [None, *allowed]]
        for position, (rule, rule_id) in enumerate(zip(rules, rule_ids(rules)), start=1):
            grid.append(self.rule_row(table, where, rule, rule_id, position, len(grid) + 1, len(inputs), len(outputs),
                                      described))
        self.doc.sheets[table] = grid

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
                self.undeclared.setdefault(name, (kind, _what(decision)))
            else:
                self.unsupported(decision, f"input expression {text!r} is not the name of an inputData or a "
                                 "decision", "add an inputData or a decision for the value and name it here",
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
        cells = [self.renamed(self.text(e)) for e in entries]
        for column, (entry, cell) in enumerate(zip(entries, cells), start=2):
            if cell != self.text(entry):
                self.doc.texts[(table, f"{column_letter(column)}{row}")] = self.text(entry)
        notes = [self.text(a) for a in self.children(rule, "annotationEntry")]
        return [rule_id, *cells, *notes, *([self.description(rule)] if described else [])]
