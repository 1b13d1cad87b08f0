"""The input columns of a table as the checks see them, and the checks of each of their cells.

Owns the domain of an input column (declared type and allowed values, the missing value where
the input is not required, and for an upstream output the values that table can give), the
column cut into atoms for the searches (``engine.analysis.atoms``, lists by
``engine.analysis.list_atoms``; a FEEL cell by the set it means, ``engine.feel.feel_sets``,
and a column with a FEEL cell that means none is skipped with a ``not-analysed`` finding
naming the cell and why), and the per-cell checks: ``type-mismatch``, ``unsatisfiable`` and ``value-not-allowed``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from engine.analysis.atoms import build_column
from engine.analysis.findings import Finding, located
from engine.analysis.list_atoms import finite_values, list_column
from engine.feel.conditions import CompiledUnaryTests
from engine.feel.sets import Domain, ValueSet
from engine.feel.syntax import Comparison, Interval, Literal
from engine.model.cell_types import mismatch
from engine.model.types import INPUT_TYPES, InputColumn, Model, Table, is_list


def column_domain(model: Model, column: InputColumn, produced: dict[str, ValueSet | None]) -> ValueSet | None:
    """The values an input column can hold; None when the checks cannot model it."""
    definition = model.inputs.get(column.name)
    if definition is None:
        full = produced.get(column.name)
        if full is None:
            return None
    elif definition.type not in INPUT_TYPES:  # its Type cannot be read (a model read with problems)
        return None
    else:
        domain = Domain(definition.type, nullable=not definition.required)
        full = narrow(ValueSet.full(domain), definition.allowed)
    full = narrow(full, column.allowed)
    return full - ValueSet.null_only(full.domain) if column.required and full.null else full


def narrow(full: ValueSet, allowed: CompiledUnaryTests | None) -> ValueSet:
    """Keep the allowed non-missing values; a missing value stays if the domain has it."""
    if allowed is None or allowed.names:
        return full
    kept = full & allowed.to_set(full.domain)
    return kept | ValueSet.null_only(full.domain) if full.null else kept


def table_columns(model: Model, table: Table, produced: dict[str, ValueSet | None]) -> tuple[Any, list[Finding]]:
    source = model.source
    notes: list[Finding] = []
    columns = []
    analysable = True
    for position, column in enumerate(table.inputs):
        definition = model.inputs.get(column.name)
        if definition is not None and is_list(definition.type):
            listed, found = _list_column(model, table, position, column)
            notes += found
            if listed is None:
                analysable = False
            elif analysable:
                columns.append(listed)
            continue
        full = column_domain(model, column, produced)
        allowed = column.allowed
        if full is not None and allowed is not None and not allowed.names and not allowed.is_any and \
                allowed.to_set(Domain(full.domain.kind, nullable=True)).is_empty():
            ref, heading = f"{column.column}3", source.name(column.heading)
            notes.append(located(source, "error", "unsatisfiable", table.name,
                                 f"no value can meet the allowed values {source.text(table.name, ref, allowed.text)} "
                                 f"of {heading}, so every value of {heading} is outside them", (ref,),
                                 hint=_unsatisfiable_fix(allowed, full.domain.kind)))
        cells: list[ValueSet] = []
        sets: dict[str, ValueSet] = {}  # cell text -> its values: most texts repeat down a column
        skipped = feel_skipped(model, table, column, position, full)
        if skipped is not None:  # its S-FEEL cells still get the type check
            notes.append(skipped)
            analysable = False
            kind = definition.type if definition is not None and definition.type in INPUT_TYPES else \
                (full.domain.kind if full is not None else None)
            for rule in table.rules if kind else ():
                cell, ref = rule.inputs[position], f"{column.column}{rule.row}"
                found = None if cell.feel else mismatch(source, table.name, column.heading, cell, kind, ref)
                if found is not None:
                    notes.append(located(source, "error", "type-mismatch", table.name, found[0], (ref,), (rule.id,),
                                         found[1]))
            continue
        for rule in table.rules:
            cell = rule.inputs[position]
            ref = f"{column.column}{rule.row}"
            if full is None or cell.names:
                analysable = False
                if cell.names:
                    notes.append(located(source, "info", "not-analysed", table.name,
                                         f"{source.words.cell} {source.text(table.name, ref, cell.text)!r} compares "
                                         f"with another input, so overlaps and gaps of {source.name(table.name)} "
                                         "are not checked", (ref,), (rule.id,),
                                         "compare with fixed values where the guideline allows it"))
                continue
            if cell.text not in sets:
                found = cell.set_in(full)
                assert not isinstance(found, str), found  # feel_skipped has reported such a column
                sets[cell.text] = found
            notes += _cell_checks(model, table, column, cell, full, sets[cell.text], ref, rule.id)
            cells.append(sets[cell.text])
        if full is None and table.rules:
            notes.append(located(source, "info", "not-analysed", table.name,
                                 f"the values of {source.name(column.heading)} cannot be modelled (a list, or outputs "
                                 f"of mixed types), so overlaps and gaps of {source.name(table.name)} are not checked",
                                 (f"{column.column}1",), hint=source.words.upstream_values_fix))
        if analysable:
            columns.append(build_column(column.heading, column.column, full, cells, source.name(column.heading)))
    return (columns if analysable else None), notes


def _list_column(model: Model, table: Table, position: int, column: InputColumn) -> tuple[Any, list[Finding]]:
    """A list input's column (``engine.analysis.list_atoms``) and the checks of its cells; None
    with a ``not-analysed`` finding when the searches cannot enumerate it."""
    source, definition = model.source, model.inputs[column.name]
    heading = source.name(column.heading)
    skipped = feel_skipped(model, table, column, position)
    if skipped is not None:
        return None, [skipped]
    notes: list[Finding] = []
    cells = [rule.inputs[position] for rule in table.rules]
    for rule, cell in zip(table.rules, cells):
        ref = f"{column.column}{rule.row}"
        found = mismatch(source, table.name, column.heading, cell, definition.type, ref)
        if found is not None:
            notes.append(located(source, "error", "type-mismatch", table.name, found[0], (ref,), (rule.id,), found[1]))
        if cell.names:
            notes.append(located(source, "info", "not-analysed", table.name,
                                 f"{source.words.cell} {source.text(table.name, ref, cell.text)!r} compares with "
                                 f"another input, so overlaps and gaps of {source.name(table.name)} are not checked",
                                 (ref,), (rule.id,), "compare with fixed values where the guideline allows it"))
    if any(cell.names for cell in cells) or not table.rules:
        return None, notes
    values = finite_values(definition.allowed, definition.type)
    why = "it holds lists and has no allowed values (a list of which values?)" if values is None else ""
    if values is not None and column.allowed is not None:
        if column.allowed.names:
            values = None
            why = "its allowed values in this table compare with another input"
        else:
            values = tuple(v for v in values if column.allowed.element_tests.matches(v))
    made: Any = None
    if values is not None:
        nullable = not definition.required and not column.required
        made = list_column(column.heading, column.column, definition.type, values, nullable, cells, heading)
        if isinstance(made, str):
            why, made = made, None
    if made is None:
        notes.append(located(source, "info", "not-analysed", table.name,
                             f"overlap and gap checks skip column {heading}: {why}, so overlaps and gaps of "
                             f"{source.name(table.name)} are not checked", (f"{column.column}1",),
                             hint=source.words.declare_allowed if values is None else
                             "split the column, or check these rules by hand"))
        return None, notes
    for rule, cell, atoms in zip(table.rules, cells, made.rule_atoms):
        ref = f"{column.column}{rule.row}"
        if not cell.is_any and not atoms and not any(n.cells == (ref,) for n in notes):
            notes.append(located(source, "error", "value-not-allowed", table.name,
                                 f"the {source.words.cell} {source.text(table.name, ref, cell.text)} matches no list "
                                 f"of the allowed values of {heading} ({_allowed_text(definition, column)}), so the "
                                 "rule can never fire", (ref,), (rule.id,),
                                 _suggest(cell, _points(values), source.words.widen_allowed)))
    return made, notes


def feel_skipped(model: Model, table: Table, column: InputColumn, position: int,
                 full: ValueSet | None = None) -> Finding | None:
    """The ``not-analysed`` finding of a column with cells in FEEL beyond S-FEEL (``?``, a
    function call) that the verifier cannot reason about, naming each such cell and what it
    uses ("cell B4 ('odd(?)') calls the function odd()"): its overlaps and gaps are not checked
    (never a false "no gap").  None when every FEEL cell means a set of the values ``full``
    (``engine.feel.feel_sets``), or when the column has no FEEL cell or no known values
    (``full`` None: another finding says so); a list column's FEEL cells by the tests of single
    elements they make (``engine.feel.feel_runs.element_tests``)."""
    from engine.feel.feel_runs import element_tests

    source = model.source
    found, reasons = [], {}
    for rule in table.rules:
        cell = rule.inputs[position]
        if not cell.feel:
            continue
        if cell.text not in reasons:
            if full is not None:
                why = cell.set_in(full)
                reasons[cell.text] = why if isinstance(why, str) else ""
            elif _lists(model, column):
                why = element_tests(cell.node) if not cell.names else "reads " + ", ".join(sorted(cell.names))
                reasons[cell.text] = why if isinstance(why, str) else ""
            else:
                reasons[cell.text] = ""
        if reasons[cell.text]:
            found.append((rule, f"{column.column}{rule.row}", cell, reasons[cell.text]))
    if not found:
        return None
    said = [f"{_cell_name(source, table.name, ref)} ({source.text(table.name, ref, cell.text)!r}) {why}"
            for _, ref, cell, why in found[:3]]
    more = f", and {len(found) - 3} more {_plural(source.words.cell)}" if len(found) > 3 else ""
    return located(source, "info", "not-analysed", table.name,
                   f"overlap and gap checks skip column {source.name(column.heading)}: {', '.join(said)}{more}, "
                   f"so overlaps and gaps of {source.name(table.name)} are not checked",
                   tuple(ref for _, ref, _, _ in found), tuple(rule.id for rule, _, _, _ in found),
                   "check these rules by hand, or write the tests in S-FEEL (e.g. >= 3, [1..4]) or as comparisons "
                   "of ? with fixed values (? > 3 and ? < 10) where the guideline allows it")


def _lists(model: Model, column: InputColumn) -> bool:
    definition = model.inputs.get(column.name)
    return definition is not None and is_list(definition.type)


def _cell_name(source: Any, table: str, ref: str) -> str:
    """A cell as messages name it: ``cell B4``, or its DMN part (``rule 1 (id r1), inputEntry 1``)."""
    part = source.place(table, ref)[1]
    return f"{source.words.cell} {ref}" if part == ref else part


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _allowed_text(definition: Any, column: InputColumn) -> str:
    return column.allowed_text or (definition.allowed.text if definition.allowed is not None else "any")


def _points(found: tuple[Any, ...]) -> ValueSet:
    texts = [v for v in found if isinstance(v, str)]
    return ValueSet.points(Domain("string", nullable=False), texts) if texts else ValueSet.full(Domain("string"))


def _cell_checks(model: Model, table: Table, column: InputColumn, cell: CompiledUnaryTests, full: ValueSet,
                 matched: ValueSet, ref: str, rule_id: str) -> Iterator[Finding]:
    """Type and value checks of one cell; ``matched``: the values of ``full`` it matches."""
    source, domain = model.source, full.domain
    heading, text, cell_word = source.name(column.heading), source.text(table.name, ref, cell.text), source.words.cell
    found = mismatch(source, table.name, column.heading, cell, domain.kind, ref)
    if found is not None:
        yield located(source, "error", "type-mismatch", table.name, found[0], (ref,), (rule_id,), found[1])
        return
    if cell.is_any or not matched.is_empty():
        return
    if cell.feel:  # the values it matches are known for this column's values only
        yield located(source, "error", "value-not-allowed", table.name,
                      f"the {cell_word} {text} matches none of the values of {heading} "
                      f"({full.to_unary_tests() if not full.is_empty() else 'none'}), so the rule can never fire",
                      (ref,), (rule_id,), "correct the condition so that some value meets it, or delete the rule")
        return
    if cell.to_set(Domain(domain.kind, nullable=True)).is_empty():  # not even a missing value
        yield located(source, "error", "unsatisfiable", table.name,
                      f"no value can meet the {cell_word} {text}: it matches no {_KIND_WORDS[domain.kind]} and no "
                      "missing value, so the rule can never fire", (ref,), (rule_id,),
                      _unsatisfiable_fix(cell, domain.kind))
        return
    yield located(source, "error", "value-not-allowed", table.name,
                  f"the {cell_word} {text} matches none of the allowed values of {heading} "
                  f"({full.to_unary_tests() if not full.is_empty() else 'none'}), so the rule can never fire",
                  (ref,), (rule_id,), _suggest(cell, full, source.words.widen_allowed))


_KIND_WORDS = {"number": "number", "integer": "whole number", "string": "text", "boolean": "true/false value",
               "date": "date", "date and time": "date and time", "time": "time",
               "days and time duration": "days and time duration",
               "years and months duration": "years and months duration"}


def _unsatisfiable_fix(cell: CompiledUnaryTests, kind: str) -> str:
    """How to correct a cell that no value meets, by its shape: a range written backwards, a
    range whose ends exclude each other, a not(...) that excludes every value."""
    node = cell.node
    if node.negated:
        return ("the tests inside not(...) together cover every value, so nothing is left: take out the tests "
                "that should still match, or write - for any value")
    ends = [t for t in node.tests if isinstance(t, Interval) and isinstance(t.low, Literal)
            and isinstance(t.high, Literal)]
    if len(ends) == len(node.tests) == 1:
        low, high = (cell.text[e.span.start:e.span.end] for e in (ends[0].low, ends[0].high))
        try:
            backwards = ends[0].low.value > ends[0].high.value
        except TypeError:
            backwards = False
        if backwards:
            return f"write the smaller end first: [{high}..{low}]"
        if ends[0].low.value == ends[0].high.value:
            return f"write [{low}..{high}] (that one value) or widen the range"
        return f"no {_KIND_WORDS[kind]} lies in this range: include an end with [ or ], or widen it"
    return "correct the condition so that some value meets it, or delete the rule"


def _suggest(cell: CompiledUnaryTests, full: ValueSet, widen: str) -> str:
    options = [iv.low for iv in full.intervals if isinstance(iv.low, str) and iv.low == iv.high]
    for test in cell.node.tests:
        if isinstance(test, Comparison) and isinstance(test.endpoint, Literal) and isinstance(test.endpoint.value, str):
            close = difflib.get_close_matches(test.endpoint.value, options, n=1, cutoff=0.6)
            if close:
                return f'did you mean "{close[0]}"?'
    return f"use one of the allowed values, or {widen}"
