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
change results (knowledge sources, text annotations) are warnings.  Each output's
``defaultOutputEntry`` is compiled onto the model (``with_defaults``), and allowed values that
do not allow null make inputs required (``engine.formats.dmn.required``).  Problems found by
``build_model`` are placed at the DMN elements they came from (``rule 2 (id r2), inputEntry 1``)
by the model's source (``engine.formats.dmn.words``), and so are lint's findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine._core.cells import cell_ref
from engine._core.errors import ConditionError, Problem, WorkbookError
from engine.feel.conditions import compile_expression
from engine.formats.dmn.computed import computed_rows
from engine.formats.dmn.drg_read import item_definitions
from engine.formats.dmn.lists import plain_cell
from engine.formats.dmn.names import (
    DOCUMENTATION,
    DTRUN_NAMESPACE,
    IGNORED,
    INPUT_TYPE_OF,
    UNSUPPORTED_TYPES,
    Namer,
    plain_type,
)
from engine.formats.dmn.names import describe as _what
from engine.formats.dmn.names import local_name as _local
from engine.formats.dmn.names import namespace_of as _namespace
from engine.formats.dmn.read import DmnDocument, Grid, parse_dmn
from engine.formats.dmn.required import null_stance, with_required
from engine.formats.dmn.structures import components, name_components, structure_rows
from engine.formats.dmn.support import (
    DRG_RUNS,
    is_feel,
    required_ids,
    requirement_cycles,
    spaced_lists,
    test_kinds,
)
from engine.formats.dmn.tables import DecisionTables
from engine.formats.dmn.typed import typed_tables
from engine.formats.dmn.words import dmn_source
from engine.formats.xlsx.build import build_model
from engine.formats.xlsx.layout import INPUT_HEADINGS
from engine.model.types import LIST_OF, Model, Table, is_list


def load_dmn(path: str | Path, recover: bool = False) -> Model:
    """Read, check and compile a DMN file; raise WorkbookError listing every problem (with
    ``recover``: return what could be read, with its problems, as ``build_model`` does)."""
    return build_dmn_model(read_dmn(path), recover)


def build_dmn_model(document: DmnDocument, recover: bool = False) -> Model:
    """The model of a read DMN document; raise WorkbookError with DMN locations."""
    tables = set(document.sheets) - {"About", "Inputs"}
    if document.problems and (not document.sheets or not tables):  # not a DMN model, or every decision refused
        raise WorkbookError(document.problems, document.warnings)
    model = build_model(document.path, document.sheets, document.problems, document.warnings, document.covered,
                        dmn_source(document), recover)
    aliases = {ours: theirs for theirs, ours in document.inputs.items() if ours != theirs and ours in model.inputs}
    try:
        model = replace(model, input_aliases=aliases, tables=with_defaults(model, document))
    except WorkbookError as error:
        if not recover:
            raise
        model = replace(model, input_aliases=aliases, problems=(*model.problems, *error.problems))
    try:
        model = replace(model, tables=typed_tables(model, document))
    except WorkbookError as error:
        if not recover:
            raise
        model = replace(model, problems=(*model.problems, *error.problems))
    model = with_required(model, document.required_columns, document.stated_required)
    problems = list(list_entry_problems(model, document))
    if problems and not recover:
        raise WorkbookError(problems, model.warnings)
    return replace(model, problems=(*model.problems, *problems)) if problems else model


def list_entry_problems(model: Model, document: DmnDocument) -> Iterator[Problem]:
    """An entry written for a list (``list contains(?, "x")``, ``some e in ? satisfies ...``)
    that is not in a column over a list input, or whose guard for a missing list says other
    than its tests do (``engine.formats.dmn.lists``)."""
    for table in model.tables:
        for rule in table.rules:
            for column, cell in zip(table.inputs, rule.inputs):
                ref = f"{column.column}{rule.row}"
                written = document.texts.get((table.name, ref))
                listed = plain_cell(written) if written else None
                if listed is None:
                    continue
                definition = model.inputs.get(column.name)
                where, part = document.places.get((table.name, ref), (table.name, ref))
                if definition is None or not is_list(definition.type):
                    yield Problem("dmn-unsupported", f"the entry {written!r} tests a list, but "
                                  f"{model.source.name(column.heading)} is not a list", document.path, where, part,
                                  "declare the input's type a collection (isCollection=\"true\"), or test one value")
                elif listed[2] != "any" or (listed[1] is not None and cell.matches(None) != listed[1]):
                    yield Problem("dmn-unsupported", f"the entry {written!r} cannot be read as dtrun's tests of a "
                                  "list", document.path, where, part,
                                  'write list contains(?, "x"), some e in ? satisfies e in (tests) or every e in ? '
                                  "satisfies not(e in (tests)), with ? != null and (or ? = null or) before it")


def with_defaults(model: Model, document: DmnDocument) -> tuple[Table, ...]:
    """The model's tables with each output's defaultOutputEntry compiled (its value when no rule
    matches); WorkbookError at the default that cannot be read."""
    names = set(model.inputs) | set(model.aliases) | {n for t in model.tables for n in t.output_names}
    tables, problems = [], []
    for table in model.tables:
        outputs = []
        for output in table.outputs:
            text, part = document.defaults.get((table.name, output.name), ("", ""))
            try:
                outputs.append(replace(output, default=compile_expression(text, names)) if text else output)
            except ConditionError as error:
                where = document.places[(table.name, "")][0]
                problems.append(Problem("syntax", error.cannot_read(text), document.path, where, part,
                                        error.hint or ""))
                outputs.append(output)
        tables.append(replace(table, outputs=tuple(outputs)))
    if problems:
        raise WorkbookError(problems, model.warnings)
    return tuple(tables)


def read_dmn(path: str | Path) -> DmnDocument:
    """The sheets and problems of a DMN file (no model is built)."""
    document = DmnDocument(str(path))
    root = parse_dmn(Path(path), document)
    if root is not None:
        _Reader(document, root).read()
    return document


class _Reader(DecisionTables):
    """Turns one ``definitions`` element into sheets, collecting problems as it goes: the
    document and its input data here, its decisions in ``DecisionTables``."""

    def __init__(self, document: DmnDocument, root: Any) -> None:
        self.doc, self.root, self.ns = document, root, _namespace(root)
        self.items = {e.get("name"): e for e in self.children(root, "itemDefinition")}
        document.item_types = item_definitions(root)
        self.namer = Namer()
        self.rename: dict[str, str] = {}
        self.members: dict[str, dict[str, str]] = {}
        self.undeclared: dict[str, tuple[str, str]] = {}  # input read by a table without an inputData
        self.computed: dict[str, tuple[str, list[Any], str, str]] = {}  # input expression → computed input
        self.cyclic: set[str] = set()  # ids of decisions in a cycle of requirements
        self.cells_as: dict[str, set[str]] = {}  # input expression → the kinds its columns' entries test
        self.literals: set[str] = set()  # names of the decisions whose logic is a literal expression

    def children(self, element: Any, name: str | None = None) -> list[Any]:
        """The DMN children of ``element`` (named ``name``)."""
        if name is None:
            return [c for c in element if _namespace(c) == self.ns]
        tag = f"{{{self.ns}}}{name}" if self.ns else name  # one comparison per child: models have 100,000s
        return [c for c in element if c.tag == tag]

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
        structured = {}
        for element in inputs:
            self.doc.inputs[element.get("name", "")] = self.namer.name(element.get("name", ""))
            if parts := components(self, element):
                name_components(self, element, parts)
                structured[id(element)] = parts
        for element in decisions:
            self.name_decision(element)
        self.doc.sheets["About"] = self.about()
        rows = [list(INPUT_HEADINGS)]
        for element in inputs:
            parts = structured.get(id(element))
            rows += (structure_rows(self, element, parts, len(rows) + 1, _what(element)) if parts
                     else [self.input_row(element, len(rows) + 1)])
        self.doc.sheets["Inputs"] = rows
        for element in decisions:
            self.decision(element)
        rows += self.undeclared_rows(len(rows) + 1)
        computed_rows(self, rows)

    def sort_out_elements(self) -> None:
        for element in self.root:
            local, own = _local(element), _namespace(element) == self.ns
            if not own or local in ("inputData", "decision", "itemDefinition") or local in DOCUMENTATION:
                continue
            if local in IGNORED:
                self.doc.problem("dmn-ignored", f"{local} is documentation only; dtrun ignores it",
                                 _what(element), severity="warning")
            else:
                self.unsupported(element, f"dtrun's decision tables do not run {local} elements",
                                 f"{DRG_RUNS}put the logic in decision tables with S-FEEL cells over input data "
                                 "of simple types")

    def expression_types(self, decisions: list[Any]) -> dict[str, set[str]]:
        """Each input expression text of the decision tables → the typeRefs it is read with
        (an Any typeRef says nothing); ``self.cells_as``: → the kinds its columns' entries test."""
        found: dict[str, set[str]] = {}
        for decision in decisions:
            logic = self.children(decision, "decisionTable")[0]
            rules = self.children(logic, "rule")
            for number, clause in enumerate(self.children(logic, "input")):
                for expression in self.children(clause, "inputExpression"):
                    types = found.setdefault(self.text(expression), set())
                    types.update({plain_type(expression.get("typeRef"))} - {"", "Any"})
                    kinds = self.cells_as.setdefault(self.text(expression), set())
                    for rule in rules:
                        entries = self.children(rule, "inputEntry")
                        if number < len(entries):
                            kinds |= test_kinds(spaced_lists(self.text(entries[number]))[0])
        return found

    def inferred(self, name: str, element: Any, what: str) -> str:
        """The type the entries that read ``name`` test (a warning says so), or string where they
        test no literal; '' (with an error) where they test several kinds."""
        kinds = {INPUT_TYPE_OF.get(k, k) for k in self.cells_as.get(name, set())}
        kinds = {"number"} if kinds == {"number", "integer"} else kinds
        if len(kinds) > 1:
            self.unsupported(element, f"{what} has no type, and its entries test {' and '.join(sorted(kinds))}",
                             "give it a typeRef: number, string, boolean or date (or an itemDefinition based on one)")
            return ""
        kind = next(iter(kinds), "string")
        why = f"its entries test {'texts' if kind == 'string' else kind + 's'}" if kinds else "no entry tests a value"
        self.doc.problem("dmn-inferred", f"{what} has no type; dtrun takes it as {kind}, as {why}", _what(element),
                         "give it a typeRef if another type is meant", severity="warning")
        return kind

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
            part = {1: "", 2: "typeRef"}.get(column, INPUT_HEADINGS[column - 1].lower())
            self.doc.places[("Inputs", cell_ref(row, column))] = (where, part)
        variables = self.children(element, "variable")
        type_ref = (variables[0].get("typeRef") if variables else None) or element.get("typeRef")
        type_ref = None if plain_type(type_ref) == "Any" else type_ref  # DMN's Any: as if untyped
        before = len(self.doc.problems)
        kind, allowed = self.resolve_type(type_ref or self.read_type(element), element)
        if len(self.doc.problems) > before:
            self.doc.covered.append(("Inputs", cell_ref(row, 2)))
        extra = next((e for x in self.children(element, "extensionElements") for e in x
                      if _namespace(e) == DTRUN_NAMESPACE and _local(e) == "input"), None)
        if extra is not None:
            kind = extra.get("type", kind)
        allowed, refuses = null_stance(allowed) if allowed else (allowed, False)
        required = extra.get("required", "false") if extra is not None else ("true" if refuses else "false")
        if extra is not None and extra.get("required"):
            self.doc.stated_required.add(name)
        return [name, kind or "", allowed, "yes" if required == "true" else "no",
                extra.get("unit", "") if extra is not None else "", extra.get("code", "") if extra is not None else "",
                self.description(element)]

    def read_type(self, element: Any) -> str | None:
        """The typeRef the tables read an untyped inputData with (DMN's Any), if they agree on one;
        else an error."""
        types = {INPUT_TYPE_OF.get(t, t) for t in self.read_as.get(element.get("name", ""), set())}
        if len(types) == 1:
            return next(iter(self.read_as[element.get("name", "")]))
        if not types:  # no typeRef anywhere: what its entries test
            return self.inferred(element.get("name", ""), element, "the inputData") or None
        self.unsupported(element, f"the inputData has no type (the decision tables read it as "
                         f"{' and '.join(sorted(types))})", "give its variable a typeRef: number, string, boolean "
                         "or date (or an itemDefinition based on one)")
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
            what = "a type dtrun cannot hold" if plain in UNSUPPORTED_TYPES else "an unknown type"
            self.unsupported(element, f"its type {plain!r} is {what}",
                             "use number, string, boolean, date, date and time, time, days and time duration or "
                             "years and months duration (or an itemDefinition based on one)")
            return "", ""
        listed = item.get("isCollection") == "true" and not self.children(item, "itemComponent")
        if (item.get("isCollection") == "true" and not listed) or self.children(item, "itemComponent"):
            what = "a list of structures" if item.get("isCollection") == "true" else "a structure of structures"
            self.unsupported(element, f"its type {plain!r} is {what} (itemDefinition {item.get('id') or plain})",
                             "give each field its own inputData of a simple type, or a structure with simple "
                             "components (docs/workbook-format.md, structured inputs)")
            return "", ""
        kind, allowed = self.resolve_type(self.text(item, "typeRef"), element, (*seen, plain))
        if listed:  # a list of a simple type (list of string, ...): its allowed values are its elements'
            if not kind or is_list(kind):
                if kind:
                    self.unsupported(element, f"its type {plain!r} is a list of lists", "use a list of a simple type")
                return "", ""
            constraint = self.children(item, "typeConstraint") or self.children(item, "allowedValues")
            own = self.text(constraint[0]) if constraint else ""
            return LIST_OF + kind, self.renamed(own) or allowed
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
