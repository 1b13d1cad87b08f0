"""What a change to a workbook does to patients: the semantic half of ``dtrun diff``.

Owns the comparison of two versions of each table present in both: the input space (the
union of both versions' domains, as ``dtrun lint`` computes them) is cut into boxes in
which every rule of either version matches all records or none (``engine.search.regions``);
in each box both versions' outcomes follow from their hit policies, and the boxes where
they differ are merged and reported in table notation with one example record.  Rule ids
and the order of rules matter only where they change a result, so a pure refactoring
(rules merged, split or renumbered) shows no change in behaviour.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from engine.analysis.atoms import Box, Column, bits, build_column
from engine.analysis.lint import analysed_tables
from engine.analysis.list_atoms import ListColumn, list_column
from engine.analysis.search import SearchLimit, merge_boxes, regions
from engine.analysis.verify import TableAnalysis
from engine.feel.conditions import compile_unary_tests
from engine.feel.sets import Domain, ValueSet, _make
from engine.feel.unparse import literal
from engine.model.hit_policy import resolve
from engine.model.source import Source
from engine.model.types import Model, Table


@dataclass(frozen=True)
class BehaviourChange:
    """A region of one table's input space where the two versions answer differently."""

    table: str
    box: dict[str, str]  # input heading -> unary test in table notation, "-" where unconstrained
    example: dict[str, Any]  # one record in the region (input heading -> value)
    old: str  # the old outcome: 'regimen = "THP"', 'no rule matches', 'error: rules R2 and R3 both match ...'
    new: str  # the new outcome, in the same form


@dataclass(frozen=True)
class _Version:
    """One version of a table inside the combined search: its rules are ``offset`` on."""

    table: Table
    offset: int
    valid: int  # index of the pseudo-rule that stands for the version's own domain
    source: Source  # how its messages name rules and hit policies


def behaviour_changes(old: Model, new: Model) -> list[BehaviourChange]:
    """Every region where a table present in both models gives a different outcome, in
    table order (new model's order) and then by box; [] when nothing behaves differently."""
    old_tables = {t.name: a for t, a, _ in analysed_tables(old)}
    old_by_name = {t.name: t for t in old.tables}
    changes: list[BehaviourChange] = []
    for table, analysis, _ in analysed_tables(new):
        if table.name not in old_by_name:
            continue
        before, before_analysis = old_by_name[table.name], old_tables[table.name]
        if analysis is None or before_analysis is None:
            changes += _unanalysed(before, table, new.source)
        else:
            changes += table_changes(before_analysis, analysis)
    return changes


def table_changes(old: TableAnalysis, new: TableAnalysis) -> list[BehaviourChange]:
    """The regions where two analysed versions of one table differ, merged per outcome pair."""
    headings = [c.heading for c in new.columns] + [c.heading for c in old.columns if c.heading not in
                                                     {n.heading for n in new.columns}]
    try:
        columns = [_combined(h, old, new) for h in headings]
    except _KindChanged as changed:
        shown = {c.heading: c.shown for a in (old, new) for c in a.columns}
        return [BehaviourChange(new.model.source.name(new.table.name), {shown[h]: "-" for h in headings}, {},
                                changed.old, changed.new)]
    n_old, n_new = len(old.table.rules), len(new.table.rules)
    versions = (_Version(old.table, 0, n_old + n_new, old.model.source),
                _Version(new.table, n_old, n_old + n_new + 1, new.model.source))
    upstream = {c.heading: (a.model.source.name(c.name.partition(".")[0]), c.name.partition(".")[2])
                for a in (old, new) for c in a.table.inputs if c.name not in a.model.inputs}
    by_outcome: dict[tuple[str, str], list[Box]] = {}
    stopped = None
    try:
        for box, matching in regions(columns, (1 << (n_old + n_new + 2)) - 1, _settled(columns, *versions),
                                     MAX_REGIONS):
            (old_key, old_text), (new_key, new_text) = (_outcome(v, matching, columns, box, upstream)
                                                        for v in versions)
            if old_key != new_key:
                by_outcome.setdefault((old_text, new_text), []).append(box)
    except SearchLimit as limit:
        stopped = limit
    analysis = TableAnalysis(new.model, new.table, columns)
    found = []
    for (old_text, new_text), boxes in by_outcome.items():
        for box in merge_boxes(boxes):
            found.append(BehaviourChange(new.model.source.name(new.table.name), analysis.box_text(box),
                                         analysis.example(box),
                                         old_text, new_text))
    found.sort(key=lambda c: (tuple(c.box.items()), c.old, c.new))
    if stopped is None:
        return found
    shown = f"; the first {MAX_SHOWN} of the {len(found):,} regions found are listed" if len(found) > MAX_SHOWN else ""
    return [BehaviourChange(new.model.source.name(new.table.name), {c.shown: "-" for c in columns}, {},
                            "(not compared)", f"not decided: the search for the records whose outcome changed "
                            f"stopped after {stopped.limit:,} boxes of the input space (the rules cut it into too "
                            f"many pieces){shown}; the regions listed for this table, if any, are real, others may "
                            "exist: review the change by hand"), *found[:MAX_SHOWN]]  # never "no change" unsearched


ANY_LIST = compile_unary_tests("-").over_lists()
MAX_REGIONS = 50_000  # boxes the search for changed regions visits per table before it gives up
MAX_SHOWN = 20  # regions listed for a table whose search gave up (those found first, in box order)


def _settled(columns: list[Column], old: _Version, new: _Version) -> Callable[[Box, list[int]], bool] | None:
    """For ``regions``: is a box one where both versions give the same outcome to every
    record?  Exact, and sufficient only: so when the rules of each version that meet the box
    pair off in order, each old rule with a new one that matches the same records of the box
    and gives the same outputs, and both versions' domains hold the same records of it (the
    outcome then follows from the same matches in both).  None when the tables' hit policies,
    priorities, outputs or defaults differ (then every box is cut to the end)."""
    a, b = old.table, new.table
    if (a.hit_policy != b.hit_policy or a.priorities != b.priorities or [o.name for o in a.outputs] !=
            [o.name for o in b.outputs] or _defaults(a) != _defaults(b)):
        return None
    said = [_said(r) for r in a.rules] + [_said(r) for r in b.rules] + [(), ()]  # the domains: no outputs

    def settled(box: Box, alive: list[int]) -> bool:  # alive: in ascending order (regions keeps it)
        middle, end = bisect_left(alive, new.offset), bisect_left(alive, old.valid)
        olds, news = alive[:middle], alive[middle:end]
        if len(olds) != len(news):
            return False
        domains = alive[end:]  # old.valid and new.valid, where they meet the box
        pairs = list(zip(olds, news))
        if domains == [old.valid, new.valid]:
            pairs.append((old.valid, new.valid))
        elif domains:
            return False
        return all(said[r] == said[s] and
                   not any((c.rule_atoms[r] ^ c.rule_atoms[s]) & atoms for c, atoms in zip(columns, box))
                   for r, s in pairs)

    return settled


def _said(rule: Any) -> tuple[tuple[bool, str], ...]:
    return tuple((isinstance(v, _Calculated), _show(v)) for v in (_value(e) for e in rule.outputs))


def _defaults(table: Table) -> tuple[Any, ...]:
    return tuple(None if o.default is None else _show(_value(o.default)) for o in table.outputs)


class _KindChanged(Exception):
    def __init__(self, old: str, new: str) -> None:
        super().__init__(old, new)
        self.old, self.new = old, new


def _combined(heading: str, old: TableAnalysis, new: TableAnalysis) -> Column:
    """One column over the union of both versions' domains; each version's rules (a
    version without the column: every rule is ``-``), then each version's domain."""
    sides = [_side(heading, a) for a in (old, new)]
    listed = [isinstance(c, ListColumn) for a in (old, new) for c in a.columns if c.heading == heading]
    if any(listed):
        return _combined_lists(heading, old, new, all(listed))
    kinds = {s[0].domain.kind for s in sides if s is not None}
    if len(kinds) > 1:
        old_full, new_full = (s[0] for s in sides)  # both present when the kinds differ
        label = next(c.shown for a in (new, old) for c in a.columns if c.heading == heading)
        raise _KindChanged(f"{label} holds {old_full.domain.kind} values", f"{label} holds {new_full.domain.kind} "
                           "values, so the versions cannot be compared record by record")
    domain = Domain(kinds.pop(), nullable=any(s[0].domain.nullable for s in sides if s is not None))
    fulls = [_in(domain, s[0]) if s is not None else None for s in sides]
    full = ValueSet.empty(domain)
    for side_full in fulls:
        full = full | (side_full if side_full is not None else ValueSet.empty(domain))
    cells: list[ValueSet] = []
    for side, analysis in zip(sides, (old, new)):
        rules = analysis.table.rules
        cells += [full] * len(rules) if side is None else [_cell(full, rule.inputs[side[1]], heading) for rule in rules]
    cells += [f if f is not None else full for f in fulls]
    column = next(c for a in (new, old) for c in a.columns if c.heading == heading)
    return build_column(heading, column.letter, full, cells, column.label)


def _combined_lists(heading: str, old: TableAnalysis, new: TableAnalysis, both: bool) -> Column:
    """A list column over both versions (``engine.analysis.list_atoms``): the union of their
    allowed values, each version's cells (``-`` where it lacks the column), then each version's
    lists: of its own allowed values, missing where it may be."""
    columns = [next((c for c in a.columns if c.heading == heading), None) for a in (old, new)]
    shown = next(c for c in (columns[1], columns[0]) if c is not None)
    if not both:
        kinds = [c.domain.kind if c is not None else "" for c in columns]
        raise _KindChanged(f"{shown.shown} holds {kinds[0]} values", f"{shown.shown} holds {kinds[1]} values, so the "
                           "versions cannot be compared record by record")
    values = tuple(dict.fromkeys(v for c in columns if c is not None for v in c.elements))  # type: ignore[union-attr]
    cells, domains = [], []
    for column, analysis in zip(columns, (old, new)):
        position = next((k for k, c in enumerate(analysis.columns) if c.heading == heading), None)
        rules = analysis.table.rules
        cells += [ANY_LIST] * len(rules) if position is None else [rule.inputs[position] for rule in rules]
        domains.append((column.elements, column.domain.nullable) if column is not None else (values, True))  # type: ignore[union-attr]
    made = list_column(heading, shown.letter, shown.domain.kind, values, any(n for _, n in domains), cells,
                       shown.label, tuple(domains))
    if isinstance(made, str):
        raise _KindChanged(f"{shown.shown}: not compared", f"{made}, so the versions cannot be compared record by "
                           "record")
    return made


def _side(heading: str, analysis: TableAnalysis) -> tuple[ValueSet, int] | None:
    for position, analysed in enumerate(analysis.columns):
        if analysed.heading == heading:
            return analysed.full, position
    return None


def _in(domain: Domain, values: ValueSet) -> ValueSet:
    return _make(domain, values._cuts, values.null)


def _cell(full: ValueSet, cell: Any, heading: str) -> ValueSet:
    matched = cell.set_in(full)  # a FEEL cell run on each value of one version's list may not be over both
    if isinstance(matched, str):
        raise _KindChanged(f"{heading}: not compared", f"the cell {cell.text!r} {matched} and is not run on the values "
                           "of both versions together, so the versions cannot be compared record by record")
    return matched


def _outcome(version: _Version, matching: int, columns: list[Column], box: Box, upstream: dict[str, tuple[str, str]]
             ) -> tuple[Any, str]:
    """(what to compare, what to show) for the records of ``box`` under one version;
    ``upstream``: heading → (table, output) for the columns that read another table."""
    if not matching >> version.valid & 1:
        outside = next(c for j, c in enumerate(columns) if not box[j] & c.rule_atoms[version.valid])
        if outside.heading in upstream:  # an upstream table's output: that table never gives these values
            table, output = upstream[outside.heading]
            return ("outside", outside.heading), f"does not occur ({table} never gives this {output})"
        return ("outside", outside.heading), f"not allowed ({outside.shown} is outside its allowed values)"
    table = version.table
    matched = [r - version.offset for r in bits(matching) if version.offset <= r < version.offset + len(table.rules)]
    outputs = [tuple(_value(e) for e in table.rules[r].outputs) for r in matched]
    defaults = tuple(None if o.default is None else _value(o.default) for o in table.outputs)
    result = resolve(table.hit_policy, matched, outputs, [r.id for r in table.rules], table.priorities,
                     defaults=defaults)
    if result.error:  # compared without the rule ids (renumbered rules are no change), shown in the model's words
        shown_error = resolve(table.hit_policy, matched, outputs, version.source.rules(table.name, table.rule_ids),
                              table.priorities, version.source.policy(table.hit_policy)).error
        return ("error", _without_ids(result.error, table)), f"error: {shown_error}"
    if not matched and table.hit_policy.single_hit and not table.has_defaults:
        return ("no match",), "no rule matches"
    shown = [f"{o.name} = {_show(v)}" for o, v in zip(table.outputs, result.outputs)]
    return ("outputs", tuple(_show(v) for v in result.outputs)), ", ".join(shown)


class _Calculated(str):
    """An output calculated from the inputs: compared and shown by its text."""


def _value(expression: Any) -> Any:
    known, value = expression.constant
    return value if known else _Calculated("=" + " ".join(expression.text.split()))


def _show(value: Any) -> str:
    """A value as the table would write it: a FEEL literal, whole numbers without ``.0``."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, _Calculated):
        return value[1:]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return literal(value)


def _without_ids(message: str, table: Table) -> str:
    """An error's kind, without the rule ids that name it (renumbered rules are no change)."""
    words = message.split()
    ids = {r.id for r in table.rules}
    return " ".join("#" if w.strip(",") in ids else w for w in words)


def _unanalysed(old: Table, new: Table, source: Source) -> Iterator[BehaviourChange]:
    """A table the searches cannot model: unchanged cells mean unchanged behaviour; else
    say that the change must be reviewed by hand."""
    if _cells(old) == _cells(new):  # the same as written (unreadable cells too): the same behaviour
        return
    headings = {source.name(c.heading): "-" for c in new.inputs}
    feel = any(cell.feel for table in (old, new) for rule in table.rules for cell in rule.inputs)
    why = (f"some {source.words.cell} of the table cannot be read" if old.incomplete or new.incomplete else
           f"some {source.words.cell} holds FEEL beyond S-FEEL (? or a function)" if feel else
           f"some {source.words.cell} compares with another input or an input's values cannot be modelled")
    yield BehaviourChange(source.name(new.name), headings, {}, "(not compared)",
                          f"the rules changed, but {why}, so the change cannot be checked region by region: review it "
                          "by hand")


def _cells(table: Table) -> tuple[Any, ...]:
    def row(rule: Any) -> tuple[str, ...]:
        return (*(" ".join(c.text.split()) for c in (*rule.inputs, *rule.outputs)), *rule.broken)

    return (table.hit_policy.code, tuple(c.name for c in table.inputs), tuple(o.name for o in table.outputs),
            tuple(map(row, table.rules)), table.priorities, table.unread)

