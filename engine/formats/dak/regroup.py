"""DAK decision tables → the sheet grids of a dtrun workbook, one column per data element.

Owns the meaning dtrun gives a DAK table (``docs/dak.md``): each condition cell is read
(``engine.formats.dak.condition``) into alternatives of tests on data elements; a rule row is
the AND of its cells, so a row whose cells hold alternatives (OR) becomes one dtrun rule per
combination (``R12a``, ``R12b``: from DAK row 12), made exclusive (``R12b1``, ``R12b2``:
``engine.formats.dak.exclusive``), and tests are regrouped by data element into
one input column each (two one-sided limits on one element in a row make one interval).
Output and Action columns are outputs (their text as a string), Annotation(s) and
Reference(s) columns annotations.  The inputs take the types and allowed values of the data
dictionary (a Coding option's label and its shorter value both match), else the type the
cells test.  A cell that cannot be read is a ``dak-syntax`` finding at its DAK cell and its
rule is left out (of evaluation and of the checks); every place is recorded so that findings
name the DAK's own sheet and cell.
"""

from __future__ import annotations

import itertools
import string
from collections import Counter
from dataclasses import replace
from typing import Any

from engine._core.cells import column_letter
from engine.feel.dak import unit_key
from engine.feel.syntax import Comparison, Literal, UnaryTests, identifier
from engine.feel.unparse import literal, unary_tests
from engine.formats.dak.blocks import DakBlock, DakRule
from engine.formats.dak.condition import DakCondition, DakSyntaxError, ElementTest, read_condition
from engine.formats.dak.dictionary import Dictionary
from engine.formats.dak.document import DakDocument, TableCounts
from engine.formats.dak.exclusive import NotExclusive, exclusive
from engine.formats.dak.exclusive import RowTest as _Test
from engine.formats.dak.inputs import Inputs, scaled, unique
from engine.formats.dak.names import Pairing, pair_names

MAX_ALTERNATIVES = 64  # dtrun rules one DAK row may become
MAX_SHEET_NAME = 31  # characters Excel allows in a sheet's name


def _read(text: str) -> DakCondition | DakSyntaxError:
    try:
        return read_condition(text)
    except DakSyntaxError as error:
        return error


def regroup(document: DakDocument, blocks: list[DakBlock], dictionary: Dictionary | None, policy: str,
            list_inputs: bool, about: dict[str, str]) -> None:
    """Fill ``document`` with the grids of ``blocks``."""
    conditions: dict[tuple[int, int, int], DakCondition | DakSyntaxError] = {}
    used: Counter[str] = Counter()
    first_use: dict[str, tuple[str, str, str]] = {}  # name → (DAK sheet, cell, decision ID)
    for b, block in enumerate(blocks):
        for r, rule in enumerate(block.rules):
            for c in block.of("input"):
                cell = rule.cells[c]
                if cell is None:
                    continue
                found = conditions[(b, r, c)] = _read(_with_label(cell.text, block.columns[c]))
                if isinstance(found, DakCondition):
                    named = [t.element for a in found.alternatives for t in a] + list(found.mentioned)
                    for element in named:
                        used[element] += 1
                        first_use.setdefault(element, (block.sheet, cell.ref, block.decision_id))
    pairings = pair_names(used, dictionary.labels() if dictionary else None)
    _report_pairings(document, pairings, first_use, dictionary)
    inputs = Inputs(document, dictionary, list_inputs)
    for found in conditions.values():
        if isinstance(found, DakCondition):
            for test in (t for a in found.alternatives for t in a if t.unit):
                inputs.written_in.setdefault(pairings[test.element].element, set()).add(unit_key(test.unit or ""))
    taken: set[str] = set()
    for b, block in enumerate(blocks):
        name = unique(identifier(block.decision_id)[-MAX_SHEET_NAME + 3:].lstrip("_"), taken)  # Excel: 31
        _table(document, block, name, b, conditions, pairings, inputs, policy)
    inputs.write(document)
    document.sheets["About"] = [[k, v] for k, v in about.items()]


def _with_label(text: str, column: Any) -> str:
    """A DMN input entry's pseudo-code with its input expression written as the input's name
    (``Today's date − "Date of birth" < 9 months`` → ``"Clients age" < 9 months``)."""
    if column.expression and column.label:
        text = text.replace(column.expression, f'"{column.label}"')
    return text


def _report_pairings(document: DakDocument, pairings: dict[str, Pairing],
                     first_use: dict[str, tuple[str, str, str]], dictionary: Dictionary | None) -> None:
    for name, pairing in sorted(pairings.items()):
        sheet, cell, table = first_use[name]
        if pairing.rule == "exact" or '"' in name:  # a computed value (ON MORE THAN ONE CONTACT): no element
            continue
        if not pairing.rule and dictionary is not None:
            document.finding("warning", "dak-name", f'data element "{name}" ({table}) is not in the data dictionary '
                             f"{dictionary.path} and matches none of its labels", sheet, cell,
                             "correct the name to the dictionary's Data Element Label, or add the data element to "
                             "the dictionary", table)
        elif pairing.found_in == "dictionary":
            document.finding("info", "dak-pairing", f'data element "{name}" ({table}) is taken as the dictionary\'s '
                             f'"{pairing.element}" ({pairing.rule})', sheet, cell,
                             f'confirm it, and write "{pairing.element}" as the dictionary does', table)
        elif pairing.found_in == "tables":
            document.finding("warning", "dak-name", f'data element "{name}" ({table}) is spelt "{pairing.element}" '
                             f"in other tables; taken as the same data element ({pairing.rule})", sheet, cell,
                             f'write "{pairing.element}" everywhere (or the data dictionary\'s label)', table)


def _table(document: DakDocument, block: DakBlock, name: str, b: int,
           conditions: dict[tuple[int, int, int], Any], pairings: dict[str, Pairing], inputs: Inputs,
           policy: str) -> None:
    counts = TableCounts(block.decision_id, block.sheet, rules=len(block.rules))
    document.counts.append(counts)
    rules: list[tuple[DakRule, str, dict[str, _Test]]] = []
    for r, rule in enumerate(block.rules):
        cells: list[list[list[_Test]]] = []
        unread = False
        for c in block.of("input"):
            cell = rule.cells[c]
            if cell is None:
                continue
            counts.condition_cells += 1
            found = conditions[(b, r, c)]
            if isinstance(found, DakSyntaxError):
                unread = True
                counts.not_read[_reason(found)] += 1
                _syntax(document, block, rule, cell.ref, cell.text, found)
                continue
            counts.read += 1
            for reason in found.unsatisfiable:
                document.finding("error", "unsatisfiable", f"no value can meet this condition of {block.decision_id} "
                                 f"(rule R{rule.row}): {reason}", block.sheet, cell.ref,
                                 "correct the limits or the comparison signs", block.decision_id)
            cells.append([[_Test(pairings[t.element].element, t, cell.ref) for t in alternative]
                          for alternative in found.alternatives] or [[]])  # () alternatives: any value
        if unread:
            continue
        combinations = list(itertools.islice(itertools.product(*cells), MAX_ALTERNATIVES + 1))
        if len(combinations) > MAX_ALTERNATIVES:
            counts.not_read["too many alternatives"] += 1
            document.finding("error", "dak-syntax", f"rule R{rule.row} of {block.decision_id} has more than "
                             f"{MAX_ALTERNATIVES} alternatives (OR) across its cells; dtrun leaves it out",
                             block.sheet, rule.first, "split the row into several rules", block.decision_id)
            continue
        ids = _rule_ids(rule.row, len(combinations))
        alternatives = []
        for rule_id, combination in zip(ids, combinations):
            merged = _merge(document, block, rule, [t for alternative in combination for t in alternative], inputs)
            if merged is not None:
                alternatives.append((rule_id, merged))
        rules += [(rule, rule_id, tests) for rule_id, tests in _exclusive(document, block, rule, alternatives, inputs)]
    counts.dtrun_rules = len(rules)
    if not rules:
        return
    document.sheets[name] = _grid(document, block, name, rules, inputs, policy)
    document.tables[name] = (block.sheet, block.decision_id, block.id_cell)
    document.names[name] = block.decision_id


def _reason(error: DakSyntaxError) -> str:
    return " ".join(str(error.message).split())


def _syntax(document: DakDocument, block: DakBlock, rule: DakRule, ref: str, text: str,
            error: DakSyntaxError) -> None:
    where = f" at character {error.column}" if error.column else ""
    document.finding("error", "dak-syntax", f"cannot read {text!r}: {error.message}{where}; rule R{rule.row} of "
                     f"{block.decision_id} is left out of evaluation and of the checks (a gap reported in the "
                     "table may be one it covers)", block.sheet, ref, error.hint or "write the condition as "
                     '"Data element" = "value", "Data element" ≥ 20 weeks, or 90 mmHg ≤ "Data element" < 110 mmHg',
                     block.decision_id)


def _rule_ids(row: int, count: int) -> list[str]:
    if count == 1:
        return [f"R{row}"]
    letters = string.ascii_lowercase
    return [f"R{row}{letters[i]}" if i < 26 else f"R{row}{letters[i // 26 - 1]}{letters[i % 26]}"
            for i in range(count)]


def _exclusive(document: DakDocument, block: DakBlock, rule: DakRule, alternatives: list[tuple[str, dict[str, _Test]]],
               inputs: Inputs) -> list[tuple[str, dict[str, _Test]]]:
    """The alternatives of one row made exclusive (``engine.formats.dak.exclusive``): alternative
    ``R12b`` becomes ``R12b1``, ``R12b2``, ... (or stays ``R12b`` as one piece, or goes when the
    earlier ones cover it); as written, with a ``dak-or`` warning, where one cell per element
    cannot say it or it would take more than MAX_ALTERNATIVES rules."""
    if len(alternatives) < 2:
        return alternatives
    try:
        split = exclusive([{e: _prepared(t, inputs) for e, t in tests.items()} for _, tests in alternatives],
                          lambda element: inputs.type_of(element).startswith("list"), MAX_ALTERNATIVES)
    except NotExclusive as why:
        document.finding("warning", "dak-or", f"the alternatives (OR) of rule R{rule.row} of {block.decision_id} "
                         f"can match the same patient, who then gets the row's outputs once per alternative: {why}",
                         block.sheet, rule.first, "split the row into rules that exclude each other",
                         block.decision_id)
        return alternatives
    return [(rule_id if len(pieces) == 1 else f"{rule_id}{n}", piece)
            for (rule_id, _), pieces in zip(alternatives, split) for n, piece in enumerate(pieces, start=1)]


def _prepared(test: _Test, inputs: Inputs) -> _Test:
    """A test in its element's common unit, each option by one of its names (the first of
    label and value): so that tests of one element compare as sets of values."""
    node, unit = test.test.tests, test.test.unit
    conversion = inputs.scale(test.element, unit)
    if conversion is not None:
        node, unit = scaled(node, conversion[0]), conversion[1]
    same = inputs.equivalents(test.element)
    if same:
        node = replace(node, tests=tuple(
            replace(t, endpoint=replace(t.endpoint, value=same.get(t.endpoint.value, (t.endpoint.value,))[0]))
            if isinstance(t, Comparison) and isinstance(t.endpoint, Literal) and isinstance(t.endpoint.value, str)
            else t for t in node.tests))
    return replace(test, test=replace(test.test, tests=node, unit=unit))


def _merge(document: DakDocument, block: DakBlock, rule: DakRule, tests: list[_Test],
           inputs: Inputs) -> dict[str, _Test] | None:
    """The tests of one alternative by element (two one-sided limits on one element make one
    interval); None, with a finding, if one element gets tests that one cell cannot hold."""
    merged: dict[str, _Test] = {}
    for test in tests:
        inputs.seen(test.element, test.test, (block.sheet, test.ref))
        inputs.name(test.element)
        if test.test.tests.any_value:
            merged.setdefault(test.element, test)
            continue
        before = merged.get(test.element)
        if before is None or before.test.tests.any_value:
            merged[test.element] = test
            continue
        if before.test.text == test.test.text:
            continue
        interval = _interval(before.test.tests, test.test.tests)
        if interval is None:
            document.finding("error", "dak-syntax", f'rule R{rule.row} of {block.decision_id} tests "{test.element}" '
                             f"twice ({before.test.text} in {before.ref}, {test.test.text} in {test.ref}), which one "
                             "dtrun cell cannot hold; the rule is left out", block.sheet, test.ref,
                             "write both limits in one cell, as a range: 13 weeks ≤ \"Gestational age\" ≤ 27 weeks",
                             block.decision_id)
            return None
        merged[test.element] = _Test(test.element, _retext(test.test, interval), before.ref)
    return merged


def _interval(a: UnaryTests, b: UnaryTests) -> str | None:
    """The range two one-sided limits make (``>= 13`` and ``< 28``: ``[13..28)``), else None."""
    sides = [t.tests[0] for t in (a, b) if len(t.tests) == 1 and not t.negated]
    if len(sides) != 2 or not all(isinstance(s, Comparison) and s.op in ("<", "<=", ">", ">=") for s in sides):
        return None
    low = next((s for s in sides if s.op in (">", ">=")), None)
    high = next((s for s in sides if s.op in ("<", "<=")), None)
    if low is None or high is None or not all(isinstance(s.endpoint, Literal) for s in (low, high)):
        return None
    return (f"{'[' if low.op == '>=' else '('}{literal(low.endpoint.value)}.."  # type: ignore[union-attr]
            f"{literal(high.endpoint.value)}{']' if high.op == '<=' else ')'}")  # type: ignore[union-attr]


def _retext(test: ElementTest, text: str) -> ElementTest:
    from engine.feel.syntax import parse_unary_tests

    return replace(test, tests=parse_unary_tests(text))


def _cell_text(test: _Test, inputs: Inputs) -> str:
    """The dtrun cell of a test: each option named by its label or by its value matches both;
    numbers in the element's common unit."""
    conversion = inputs.scale(test.element, test.test.unit)
    if conversion is not None:
        return unary_tests(scaled(test.test.tests, conversion[0]))
    node = test.test.tests
    same = inputs.equivalents(test.element)
    if same and node.tests and all(isinstance(t, Comparison) and t.op == "=" and isinstance(t.endpoint, Literal)
                                   and isinstance(t.endpoint.value, str) for t in node.tests):
        texts = [t.endpoint.value for t in node.tests]  # type: ignore[union-attr]
        wider = list(dict.fromkeys(x for t in texts for x in same.get(t, (t,))))
        body = ",".join(literal(t) for t in wider)
        return f"not({body})" if node.negated else body
    return test.test.text


def _grid(document: DakDocument, block: DakBlock, name: str, rules: list[tuple[DakRule, str, dict[str, _Test]]],
          inputs: Inputs, policy: str) -> list[list[Any]]:
    elements = list(dict.fromkeys(e for _, _, tests in rules for e in tests))
    outs = [(i, c) for i, c in enumerate(block.columns) if c.role in ("output", "action")]
    notes = [(i, c) for i, c in enumerate(block.columns) if c.role in ("annotation", "reference")]
    out_names = _headings([c for _, c in outs], {"output": "Output", "action": "Action"})
    note_names = _headings([c for _, c in notes], {"annotation": "Guidance", "reference": "Reference"})
    headings = [inputs.name(e) for e in elements] + out_names + note_names
    roles = ["input"] * len(elements) + ["output"] * len(outs) + ["annotation"] * len(notes)
    grid: list[list[Any]] = [[policy, *headings], ["", *roles], [""] * (len(headings) + 1)]
    sheet = block.sheet
    document.places[(name, "")] = (sheet, block.id_cell)
    document.places[(name, "A1")] = (sheet, block.id_cell)
    headings_of = {cell.ref: block.columns[c].ref for rule, _, _ in rules for c, cell in enumerate(rule.cells) if cell}
    for j, element in enumerate(elements, start=2):
        first = next(tests[element].ref for _, _, tests in rules if element in tests)
        for row in (1, 2, 3):  # the Input(s) heading over the column the element is first tested in
            document.places[(name, f"{column_letter(j)}{row}")] = (sheet, headings_of.get(first, first))
    for j, (_, column) in enumerate([*outs, *notes], start=len(elements) + 2):
        for row in (1, 2, 3):
            document.places[(name, f"{column_letter(j)}{row}")] = (sheet, column.ref)
    for number, (rule, rule_id, tests) in enumerate(rules, start=4):
        line: list[Any] = [rule_id]
        document.places[(name, f"A{number}")] = (sheet, rule.first)
        document.rule_rows[(name, number)] = rule.row
        for j, element in enumerate(elements, start=2):
            test = tests.get(element)
            line.append(_cell_text(test, inputs) if test else "-")
            document.places[(name, f"{column_letter(j)}{number}")] = (sheet, test.ref if test else rule.first)
        for j, (i, _) in enumerate([*outs, *notes], start=len(elements) + 2):
            cell = rule.cells[i]
            is_output = j < len(elements) + 2 + len(outs)
            line.append((literal(cell.text) if is_output else cell.text) if cell else ("null" if is_output else None))
            document.places[(name, f"{column_letter(j)}{number}")] = (sheet, cell.ref if cell else rule.first)
            if cell and is_output:
                document.texts[(name, f"{column_letter(j)}{number}")] = cell.text
        grid.append(line)
    return grid


def _headings(columns: list[Any], words: dict[str, str]) -> list[str]:
    """Output or annotation headings: a DMN column's label, else the DAK's word (``Action``,
    ``Action_2`` for the second Action column)."""
    counts: Counter[str] = Counter()
    names: list[str] = []
    for column in columns:
        base = identifier(column.label) if column.label else words[column.role]
        counts[base] += 1
        names.append(base if counts[base] == 1 else f"{base}_{counts[base]}")
    return names
