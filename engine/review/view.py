"""What ``dtrun show`` shows of a model: its sheets (or DMN elements) as sections of cells.

Owns the view of a :class:`~engine.model.Model` as its author sees it: the ``About``
sheet, the data dictionary, then each table with its hit policy, headings, roles, allowed
values and rules with their ids, cells and annotations, then the ``Tests`` cases.  Every
cell knows where it is in the author's terms (``treatment_line`` / ``D9``, or ``decision
"Dish" (id d1)`` / ``rule 2 (id r2), inputEntry 1``), as lint findings name it, so that the
renderings (``engine.review.show``) can mark findings on their cells; names, hit policies,
rules and cell texts are shown as the model's file writes them (``engine.model.source``).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine._core.cells import column_number
from engine.formats.xlsx.layout import EXPRESSION, INPUT_HEADINGS, cell_text
from engine.model.source import Source
from engine.model.types import AnnotationColumn, InputColumn, Model, OutputColumn, Rule, Table

Column = InputColumn | OutputColumn | AnnotationColumn
BROKEN = "✗ "  # before a cell that could not be read
MEANINGS = {  # what a table of each hit policy returns, in an author's words
    "U": "at most one rule may match a record",
    "A": "several rules may match if they give the same outputs",
    "P": "the matching rule whose output comes first in the priority list {place}",
    "F": "the first matching rule, from the top",
    "R": "a list of the outputs of all matching rules, top to bottom",
    "O": "a list of the outputs of all matching rules, in priority order {place}",
    "C": "a list of the outputs of all matching rules",
    "C+": "the sum of the outputs of all matching rules",
    "C<": "the smallest output of all matching rules",
    "C>": "the largest output of all matching rules",
    "C#": "how many rules match",
}


@dataclass(frozen=True)
class Cell:
    """One shown cell: its text, where it is (``ref``: a cell address or a DMN part, '' when
    it is no place of its own; ``where``: its sheet or DMN element, '' for the section's
    sheet), and whether it holds condition-language text (shown as code)."""

    text: str
    ref: str = ""
    code: bool = False
    where: str = ""
    broken: bool = False  # a cell that could not be read (a model read with problems), shown as written


@dataclass(frozen=True)
class Section:
    """One sheet (or one table) of the view: ``header`` rows (headings, roles, allowed values)
    and body ``rows``, cells aligned by column."""

    kind: str  # about | inputs | table | tests
    sheet: str
    title: str
    notes: tuple[str, ...] = ()
    header: tuple[tuple[Cell, ...], ...] = ()
    rows: tuple[tuple[Cell, ...], ...] = ()


def sections(model: Model, table: str | None = None) -> list[Section]:
    """The view of ``model`` (only table ``table`` when given): About, Inputs, tables, Tests."""
    if table is not None:
        return [table_section(model, model.table(table))]
    found = [about_section(model)] if model.about else []
    found.append(inputs_section(model))
    found += [table_section(model, t) for t in model.tables]
    if model.tests:
        found.append(tests_section(model))
    return found


def _cell(source: Source, sheet: str, text: str, ref: str, code: bool = False, broken: bool = False) -> Cell:
    """A cell of ``sheet`` at ``ref``, placed and written as the model's file has it."""
    where, part = source.place(sheet, ref)
    return Cell(source.text(sheet, ref, text) if code and not broken else text, part, code,
                "" if where == sheet else where, broken)


def about_section(model: Model) -> Section:
    rows = tuple((Cell(key, f"A{n}"), Cell(value, f"B{n}")) for n, (key, value) in enumerate(model.about.items(), 1))
    return Section("about", "About", "About", header=((Cell("Key"), Cell("Value")),), rows=rows)


def inputs_section(model: Model) -> Section:
    source = model.source
    rows = []
    computed = any(d.expression is not None for d in model.inputs.values())  # the Expression column, if any
    heads = {s.components[0]: s for s in model.structures.values() if s.components}  # a structure before its first
    own = {c for s in model.structures.values() for c in s.component_required}      # component, as written
    for definition in model.inputs.values():
        if definition.name in heads:
            head = heads[definition.name]
            rows.append((_cell(source, "Inputs", source.name(head.name), head.location.cell), Cell("structure"),
                         Cell("", code=True), Cell("yes" if head.required else "no"), Cell(""), Cell(""),
                         Cell(head.description)) + ((Cell("", code=True),) if computed else ()))
        allowed = definition.allowed.text if definition.allowed else ""
        expression = (_cell(source, "Inputs", definition.expression.text, definition.expression_cell, code=True)
                      if definition.expression is not None else Cell("", code=True))
        rows.append((_cell(source, "Inputs", source.name(definition.name), definition.location.cell),
                     Cell(definition.type), Cell(allowed, code=True),
                     Cell("yes" if definition.required or definition.name in own else "no"),
                     Cell(definition.unit), Cell(definition.code), Cell(definition.description))
                    + ((expression,) if computed else ()))
    header = (tuple(Cell(h) for h in (*INPUT_HEADINGS, *([EXPRESSION] if computed else []))),)
    return Section("inputs", "Inputs", source.words.inputs_title, header=header, rows=tuple(rows))


def table_section(model: Model, table: Table) -> Section:
    source, sheet = model.source, table.name
    columns: list[Column] = sorted([*table.inputs, *table.outputs, *table.annotations],
                                   key=lambda c: column_number(c.column))
    roles = {id(c): role for role, group in (("input", table.inputs), ("output", table.outputs),
                                             ("annotation", table.annotations)) for c in group}
    headings = (_cell(source, sheet, source.policy(table.hit_policy), "A1", code=True),
                *(_cell(source, sheet, source.name(c.heading) if isinstance(c, InputColumn) else c.name,
                        f"{c.column}1") for c in columns))
    role_row = (Cell(""), *(_cell(source, sheet, roles[id(c)], f"{c.column}2") for c in columns))
    allowed_row = (Cell(""), *(_cell(source, sheet, "" if isinstance(c, AnnotationColumn) else c.allowed_text,
                                     f"{c.column}3", code=True) for c in columns))
    header = (headings, role_row) + ((allowed_row,) if any(cell.text for cell in allowed_row) else ())
    return Section("table", sheet, source.words.say("table_title", table=source.name(sheet)),
                   _table_notes(source, table), header,
                   tuple(_rule_row(source, table, rule, columns) for rule in table.rules))


def _table_notes(source: Source, table: Table) -> tuple[str, ...]:
    policy = table.hit_policy
    shown = source.policy(policy)
    name = shown if shown == policy.name else f"{shown} ({policy.name})"
    meaning = MEANINGS[policy.code].format(place=source.words.priority_place)
    notes = [f"hit policy {name}: {meaning}", f"{len(table.rules)} rule" + "s" * (len(table.rules) != 1)]
    if table.depends_on:
        notes.append("uses the results of " + ", ".join(map(source.name, table.depends_on)))
    defaults = [f"{o.name} = {source.text(table.name, '', o.default.text)}" for o in table.outputs if o.default]
    if defaults:
        notes.append("when no rule matches: " + ", ".join(defaults))
    broken = [ref for rule in table.rules for ref, _ in rule.broken]
    if broken or table.unread:
        places = [source.place(table.name, ref)[1] or ref for ref in (*table.unread, *broken)]
        notes.append(f"{source.words.cell}s that cannot be read (see the errors; marked {BROKEN.strip()} in the "
                     f"rules, a column whose heading cannot be read is left out): {', '.join(places)}")
    return tuple(notes)


def _rule_row(source: Source, table: Table, rule: Rule, columns: list[Column]) -> tuple[Cell, ...]:
    texts: dict[str, tuple[str, bool]] = {}
    for column, test in zip(table.inputs, rule.inputs):
        texts[column.column] = (test.text, True)
    for output, expression in zip(table.outputs, rule.outputs):
        texts[output.column] = (expression.text, True)
    for note, annotation in zip(table.annotations, rule.annotations):
        texts[note.column] = (annotation, False)
    broken = dict(rule.broken)
    shown = [(c, texts.get(c.column, ("", False))) for c in columns]
    return (_cell(source, table.name, source.rule_label(table.name, rule.id), f"A{rule.row}"),
            *(_cell(source, table.name, broken.get(ref, t), ref, code, ref in broken)
              for c, (t, code) in shown for ref in [f"{c.column}{rule.row}"]))


def tests_section(model: Model) -> Section:
    inputs = list(dict.fromkeys(name for case in model.tests for name in case.inputs))
    expected = list(dict.fromkeys(name for case in model.tests for name in case.expected))
    header = (tuple(Cell(h) for h in ("case", *inputs, *expected)),
              (Cell(""), *(Cell("input") for _ in inputs), *(Cell("expected") for _ in expected)))
    rows = []
    for case in model.tests:
        given = [Cell(cell_text(case.inputs.get(name))) for name in inputs]
        wanted = [Cell(cell_text(case.expected[name][0]), case.expected[name][1]) if name in case.expected
                  else Cell("") for name in expected]
        rows.append((Cell(case.id, f"A{case.row}"), *given, *wanted))
    return Section("tests", "Tests", f"Tests ({len(rows)} case" + "s" * (len(rows) != 1) + ")",
                   header=header, rows=tuple(rows))
