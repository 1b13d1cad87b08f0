"""Excel workbook (format version 1) → :class:`~engine.model.Model`.

Owns the sheet layout documented in ``docs/workbook-format.md``: the ``About`` and
``Inputs`` sheets, one decision table per other sheet (hit policy in A1, headings in
row 1, roles in row 2, allowed values in row 3, rules from row 4, rule ids in column A),
and the dependency order of chained tables.  Every problem is collected with its sheet
and cell and raised together as one :class:`~engine.errors.WorkbookError`; or, with
``recover``, the model of what could be read is returned with its problems
(``Model.problems``): a cell that cannot be read leaves its rule in with the cell marked
(``Rule.broken``: an input cell stands as ``-``, an output cell as ``null``), a heading,
role or allowed-values cell leaves its column out or unrestricted (``Table.unread``), a
table that cannot be built is left out (``Model.unbuilt``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine._core.cells import cell_ref, column_letter
from engine._core.errors import ConditionError, Problem, WorkbookError
from engine.feel.conditions import (
    CompiledExpression,
    CompiledUnaryTests,
    compile_expression,
    compile_unary_tests,
    unknown_name_hint,
)
from engine.feel.syntax import IDENTIFIER, identifier
from engine.formats.xlsx.characters import character_warnings
from engine.formats.xlsx.inputs import read_inputs
from engine.formats.xlsx.layout import (
    INPUT_HEADINGS,
    ROLES,
    RULE_ID,
    SPECIAL_SHEETS,
    cell_text,
    free_rule_id,
)
from engine.formats.xlsx.safety import DEFAULT_LIMITS, Limits, read_workbook
from engine.formats.xlsx.structures import output_collisions, with_structures
from engine.formats.xlsx.tests_sheet import parse_test_sheet
from engine.formats.xlsx.waivers import parse_waivers_sheet
from engine.formats.xlsx.words import workbook_source
from engine.model.cell_types import over_lists
from engine.model.graph import evaluation_order
from engine.model.hit_policy import CODES, HitPolicy
from engine.model.source import Source
from engine.model.types import (
    AnnotationColumn,
    InputColumn,
    InputDef,
    Location,
    Model,
    OutputColumn,
    Rule,
    Table,
)


def load_workbook(path: str | Path, limits: Limits = DEFAULT_LIMITS, recover: bool = False) -> Model:
    """Read, check and compile a workbook; raise WorkbookError listing every problem (with
    ``recover``: return what could be read, with its problems; ``build_model``).
    The file is checked first (``engine.formats.xlsx.safety``): a hostile or broken file is
    refused before it is parsed, within ``limits``."""
    loaded = read_workbook(path, limits)
    return build_model(str(path), loaded.sheets, loaded.problems, loaded.warnings, loaded.covered, recover=recover)


def build_model(workbook: str, sheets: dict[str, list[list[Any]]], problems: Iterable[Problem] = (),
                warnings: Iterable[Problem] = (), covered: Iterable[tuple[str, str]] = (),
                source: Source | None = None, recover: bool = False) -> Model:
    """The model from each sheet's rows of cell values (as openpyxl gives them).
    ``problems`` and ``warnings`` come from reading the file; the model's own problems at
    the cells they name (or at ``covered`` cells) are left out, as already explained.
    ``source`` says where the sheets came from (default: the workbook ``workbook``): the
    model's problems are placed and worded by it.  With problems, raise WorkbookError; with
    ``recover``, return the model of what could be read, its problems in ``Model.problems``."""
    source = source or workbook_source(workbook)
    problems, warnings = list(problems), tuple(warnings)
    explained = set(covered) | {(p.sheet, p.cell) for p in problems if p.cell}
    builder = _Builder(workbook, source, explained)
    model = builder.build(sheets)
    problems += [replace(p, sheet=where, cell=part, table=p.table or source.table_name(p.sheet) or "")
                 for p in builder.problems
                 if not p.cell or (p.sheet, p.cell) not in explained for where, part in [source.place(p.sheet, p.cell)]]
    warnings += tuple(replace(p, sheet=where, cell=part, table=p.table or source.table_name(p.sheet) or "")
                      for p in builder.warnings
                      for where, part in [source.place(p.sheet, p.cell)])
    if problems and not recover:
        raise WorkbookError(problems, warnings)
    return replace(model, warnings=warnings, problems=tuple(problems), unbuilt=tuple(builder.unbuilt))


class _Builder:
    """Collects problems while turning sheets into a model."""

    def __init__(self, workbook: str, source: Source, explained: set[tuple[str, str]] = frozenset()) -> None:
        self.workbook, self.source, self.words = workbook, source, source.words
        self.problems: list[Problem] = []  # at sheet cells; build_model places them
        self.warnings: list[Problem] = []
        self.aliases: dict[str, str] = {}
        self.bad: set[tuple[str, str]] = set(explained)  # cells that could not be read
        self.unread: dict[str, list[str]] = {}  # sheet → heading, role and allowed-values cells not read
        self.unbuilt: list[str] = []  # table sheets left out

    def problem(self, code: str, message: str, sheet: str = "", cell: str = "", hint: str = "") -> None:
        self.problems.append(Problem(code, message, self.workbook, sheet, cell, hint))

    def build(self, sheets: dict[str, list[list[Any]]]) -> Model:
        self.warnings += character_warnings(self.workbook, sheets, self.words.cell)
        about = self._about(sheets.get("About", []))
        if "Inputs" not in sheets:
            self.problem("workbook", "the workbook has no Inputs sheet", hint="add a sheet named Inputs with the "
                         "columns " + ", ".join(INPUT_HEADINGS) + " (see docs/workbook-format.md)")
        inputs, structures = with_structures(self, read_inputs(self, sheets.get("Inputs", [])))
        table_sheets = {n: rows for n, rows in sheets.items() if n not in SPECIAL_SHEETS and not n.startswith("_")}
        outputs = self._declared_outputs(table_sheets)
        output_collisions(self, structures, inputs, outputs)
        aliases = self.aliases = _unambiguous_aliases(outputs, inputs)
        known = set(inputs) | {f"{t}.{o}" for t, names in outputs.items() for o in names} | set(aliases)
        tables = [self._table(n, rows, inputs, outputs, aliases, known) for n, rows in table_sheets.items()]
        if not table_sheets:
            self.problem("empty-table", "the workbook has no decision table", hint="add a sheet per decision table")
        self.unbuilt = [n for n, t in zip(table_sheets, tables) if t is None]
        ordered = self._order([t for t in tables if t is not None])
        model = over_lists(Model(self.workbook, inputs, tuple(ordered), self.source, about, aliases,
                                 structures=structures))
        if "Tests" in sheets:
            cases, problems = parse_test_sheet(self.workbook, sheets["Tests"], model)
            self.problems += problems
            model = replace(model, tests=tuple(cases))
        if "Waivers" in sheets:  # checked against the findings by dtrun lint, not here
            waivers, problems = parse_waivers_sheet(self.workbook, sheets["Waivers"])
            model = replace(model, waivers=tuple(waivers), waiver_problems=tuple(problems))
        return model

    # ------------------------------------------------------------------ About
    def _about(self, rows: list[list[Any]]) -> dict[str, str]:
        about = {}
        for row in rows:
            if row and row[0] is not None and len(row) > 1:
                about[cell_text(row[0])] = cell_text(row[1]).strip('"') if row[1] is not None else ""
        return about

    # ------------------------------------------------------------------ tables
    def _declared_outputs(self, sheets: dict[str, list[list[Any]]]) -> dict[str, list[str]]:
        outputs: dict[str, list[str]] = {}
        for name, rows in sheets.items():
            headings = rows[0][1:] if rows else []
            roles = rows[1][1:] if len(rows) > 1 else []
            outputs[name] = [cell_text(h) for h, r in zip(headings, roles) if cell_text(r).lower() == "output"]
        return outputs

    def _table(self, name: str, rows: list[list[Any]], inputs: dict[str, InputDef],
               outputs: dict[str, list[str]], aliases: dict[str, str], known: set[str]) -> Table | None:
        if not IDENTIFIER.fullmatch(name):
            self.problem("workbook", f"sheet name '{name}' is not a valid table name", name, "",
                         f"rename the sheet to {identifier(name)} (letters, digits and _), or start its name "
                         "with _ if it is not a decision table")
            return None
        rows = [list(r) for r in rows] + [[] for _ in range(max(0, 3 - len(rows)))]
        policy = self._hit_policy(name, rows[0][0] if rows[0] else None)
        columns = self._columns(name, rows, inputs, outputs, aliases, known)
        if columns is None:
            return None
        input_columns, output_columns, annotation_columns, layout = columns
        own = known - {f"{name}.{o}" for o in outputs.get(name, [])} - {
            a for a, target in aliases.items() if target.startswith(f"{name}.")}
        rules = self._rules(name, rows, layout, own)  # read even without a policy: report every problem
        if policy is None:
            return None
        table = Table(name, policy, tuple(input_columns), tuple(output_columns), tuple(rules),
                      Location(self.workbook, name, "A1"), tuple(annotation_columns),
                      unread=tuple(self.unread.get(name, ())))
        self._check_policy(table)
        return table

    def _hit_policy(self, sheet: str, value: Any) -> HitPolicy | None:
        policy = HitPolicy.parse(value)
        if policy is None:
            shown = cell_text(value) or "nothing"
            self.problem("workbook", f"cell A1 holds {shown!r}, not a hit policy", sheet, "A1",
                         "write one of " + ", ".join(CODES) + " (or UNIQUE, FIRST, PRIORITY, COLLECT SUM, ...)")
        return policy

    def _columns(self, sheet: str, rows: list[list[Any]], inputs: dict[str, InputDef],
                 outputs: dict[str, list[str]], aliases: dict[str, str], known: set[str]) -> Any:
        headings, roles, allowed = (rows[i][1:] if len(rows[i]) > 1 else [] for i in range(3))
        width = max((i + 1 for i, h in enumerate(headings) if cell_text(h)), default=0)
        if width == 0:
            self.problem("empty-table", "the table has no columns", sheet, "B1",
                         "write the column headings in row 1 from B1 on, and their roles in row 2")
            return None
        if not any(cell_text(r).lower() in ROLES for r in roles):
            self.problem("workbook", "row 2 must give each column's role", sheet, "B2",
                         "write input, output or annotation under each heading in row 2")
            return None
        layout: list[tuple[str, int, Any]] = []
        ins, outs, notes = [], [], []
        for index in range(width):
            number = index + 2
            heading = cell_text(headings[index]) if index < len(headings) else ""
            role = cell_text(roles[index]).lower() if index < len(roles) else ""
            values_text = cell_text(allowed[index]) if index < len(allowed) else ""
            letter = column_letter(number)
            if not heading and not role:
                continue
            if role not in ROLES:
                self.problem("workbook", f"column {letter} ('{heading}') has role '{role or 'blank'}'", sheet,
                             f"{letter}2", "write input, output or annotation in row 2")
                self.unread.setdefault(sheet, []).append(f"{letter}2")
                continue
            if role == "annotation":
                notes.append(AnnotationColumn(heading, letter))
                layout.append(("annotation", number, notes[-1]))
            elif role == "input":
                column = self._input_column(sheet, heading, letter, values_text, inputs, outputs, aliases)
                if column:
                    ins.append(column)
                    layout.append(("input", number, column))
            else:
                column = self._output_column(sheet, heading, letter, values_text, [o.name for o in outs])
                if column:
                    outs.append(column)
                    layout.append(("output", number, column))
            if role in ("input", "output") and not column:
                self.unread.setdefault(sheet, []).append(f"{letter}1")
            elif (sheet, f"{letter}3") in self.bad:
                self.unread.setdefault(sheet, []).append(f"{letter}3")
        if not outs:
            self.problem("workbook", "the table has no output column", sheet, "B2",
                         "mark at least one column as output in row 2")
        return ins, outs, notes, layout

    def _input_column(self, sheet: str, heading: str, letter: str, values_text: str, inputs: dict[str, InputDef],
                      outputs: dict[str, list[str]], aliases: dict[str, str]) -> InputColumn | None:
        name = heading if heading in inputs else aliases.get(heading, heading)
        table, _, output = name.partition(".")
        owners = [t for t, names in outputs.items() if heading in names and t != sheet]
        if name not in inputs and "." not in heading and len(owners) > 1:
            self.problem("workbook", f"heading '{heading}' is an output of several tables ({', '.join(owners)})",
                         sheet, f"{letter}1", "write " + " or ".join(f"{t}.{heading}" for t in owners))
            return None
        if name not in inputs and not (output and output in outputs.get(table, [])):
            candidates = list(inputs) + [f"{t}.{o}" for t, names in outputs.items() for o in names]
            import difflib

            close = difflib.get_close_matches(heading, candidates, n=1)
            hint = f"did you mean {close[0]}?" if close else self.words.unknown_input_fix
            self.problem("workbook", f"heading '{heading}' names no input and no output of another table",
                         sheet, f"{letter}1", hint)
            return None
        if table == sheet and output:
            self.problem("workbook", self.words.say("own_output", heading=self.source.name(heading)), sheet,
                         f"{letter}1", self.words.own_output_fix)
            return None
        allowed = self._compile_tests(values_text, sheet, f"{letter}3", None)
        return InputColumn(heading, name, letter, allowed, values_text)

    def _output_column(self, sheet: str, heading: str, letter: str, values_text: str,
                       seen: list[str]) -> OutputColumn | None:
        if not IDENTIFIER.fullmatch(heading):
            self.problem("workbook", f"output heading '{heading}' is not a valid name", sheet, f"{letter}1",
                         f"use letters, digits and _ only, e.g. {identifier(heading)}")
            return None
        if heading in seen:
            self.problem("workbook", f"the table has two outputs named {heading}", sheet, f"{letter}1",
                         "rename one of them")
            return None
        allowed = self._compile_tests(values_text, sheet, f"{letter}3", None)
        listed: tuple[Any, ...] = ()
        if allowed is not None and not allowed.is_any and not allowed.node.negated:
            listed = tuple(t.endpoint.value for t in allowed.node.tests
                           if t.__class__.__name__ == "Comparison" and t.op == "=" and hasattr(t.endpoint, "value"))
        return OutputColumn(heading, letter, listed, allowed, values_text)

    def _rules(self, sheet: str, rows: list[list[Any]], layout: list[tuple[str, int, Any]],
               names: set[str]) -> list[Rule]:
        rules: list[Rule] = []
        seen = {cell_text(row[0]): 0 for row in rows[3:] if row and cell_text(row[0])}  # ids in use
        first_rows: dict[str, int] = {}
        for number, row in enumerate(rows[3:], start=4):
            cells = {index: row[index - 1] if index - 1 < len(row) else None for _, index, _ in layout}
            if all(cell_text(v) == "" for v in [row[0] if row else None, *cells.values()]):
                continue  # blank row
            rule_id = self._rule_id(sheet, row[0] if row else None, number, seen, first_rows, len(rules) + 1)
            ins, outs, notes, broken = [], [], [], []
            for role, index, _ in layout:
                text, ref = cell_text(cells[index]), cell_ref(number, index)
                if role == "input":
                    ins.append(self._compile_tests(text, sheet, ref, names, feel=True) or compile_unary_tests("-"))
                elif role == "output":
                    outs.append(self._compile_output(text, sheet, ref, names))
                else:
                    notes.append(text)
                if role != "annotation" and (sheet, ref) in self.bad:
                    broken.append((ref, text))
                    if role == "input":
                        ins[-1] = compile_unary_tests("-")  # matches at least what the cell would
                    else:
                        outs[-1] = compile_expression("null")
            rules.append(Rule(rule_id, number, tuple(ins), tuple(o for o in outs if o), tuple(notes), tuple(broken)))
        return rules

    def _rule_id(self, sheet: str, value: Any, number: int, taken: dict[str, int], first_rows: dict[str, int],
                 position: int) -> str:
        rule_id = cell_text(value)
        if not rule_id:
            self.problem("workbook", f"the rule in row {number} has no id", sheet, f"A{number}",
                         f"write a unique id in column A, e.g. {free_rule_id(taken, position)}")
            rule_id = f"row{number}"
        elif not RULE_ID.fullmatch(rule_id):
            plain = re.sub(r"[^A-Za-z0-9_.-]+", "_", rule_id).strip("_")
            self.problem("workbook", f"rule id '{rule_id}' has characters other than letters, digits, _, - and .",
                         sheet, f"A{number}", f"write e.g. {plain or free_rule_id(taken, position)}")
        elif rule_id in first_rows:
            suggestion = free_rule_id(taken, position)
            self.problem("workbook", f"rule id {rule_id} is used twice (rows {first_rows[rule_id]} and {number})",
                         sheet, f"A{number}", f"give this rule a new id, e.g. {suggestion}")
            taken[suggestion] = number
        first_rows.setdefault(rule_id, number)
        return rule_id

    def _compile_tests(self, text: str, sheet: str, ref: str, names: Iterable[str] | None, feel: bool = False
                       ) -> CompiledUnaryTests | None:
        """A cell of tests; ``feel``: a rule's cell, which may hold FEEL unary tests (``?``, functions)."""
        if not text:
            return None
        try:
            return compile_unary_tests(text, names, feel=feel)
        except ConditionError as error:
            self._syntax(error, sheet, ref)
            return None

    def _compile_output(self, text: str, sheet: str, ref: str, names: set[str]) -> CompiledExpression | None:
        try:
            return compile_expression(text or "null", names, feel=True)
        except ConditionError as error:
            self._syntax(error, sheet, ref)
            return None

    def _syntax(self, error: ConditionError, sheet: str, ref: str) -> None:
        self.bad.add((sheet, ref))
        written = self.source.text(sheet, ref, error.text)  # as the file has it, where positions stay true
        text = written if len(written) == len(error.text) else error.text
        message = error.cannot_read(text)
        hint = error.hint
        if error.unknown is not None:
            hint = unknown_name_hint(error.unknown, self.source.name, self.words.unknown_name_fix)
        self.problem("syntax", message, sheet, ref, hint or "")

    def _check_policy(self, table: Table) -> None:
        policy, sheet, shown = table.hit_policy, table.name, self.source.policy(table.hit_policy)
        if policy.aggregation and len(table.outputs) != 1:
            self.problem("workbook", self.words.say("one_output", policy=shown, count=str(len(table.outputs))),
                         sheet, "A1", self.words.say("one_output_fix", collect=self.source.policy(HitPolicy("C"))))
        if policy.needs_priorities and table.outputs and not table.outputs[0].values:
            first = table.outputs[0]
            self.problem("workbook", f"hit policy {shown} needs the output values of {first.name} in priority "
                         "order", sheet, f"{first.column}3", self.words.priority_fix)

    # ------------------------------------------------------------------ chaining
    def _order(self, tables: list[Table]) -> list[Table]:
        ordered, cycles = evaluation_order(tables, self.aliases)
        for cycle in cycles:  # at the table as a whole (a workbook's A1, a DMN model's decisionTable)
            self.problem("workbook", self.words.say("cycle", cycle=" → ".join(map(self.source.name, cycle))),
                         *self.source.table_place(cycle[0]), self.words.cycle_fix)
        return ordered


def _unambiguous_aliases(outputs: dict[str, list[str]], inputs: dict[str, InputDef]) -> dict[str, str]:
    """Plain output names that name exactly one table's output (and no input)."""
    owners: dict[str, list[str]] = {}
    for table, names in outputs.items():
        for name in names:
            owners.setdefault(name, []).append(table)
    return {name: f"{tables[0]}.{name}" for name, tables in owners.items() if len(tables) == 1 and name not in inputs}



