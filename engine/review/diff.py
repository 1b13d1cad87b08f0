"""``dtrun diff``: what changed between two versions of a workbook, and what the change does.

Owns the structural comparison of two :class:`~engine.model.Model`\\ s: ``About`` keys,
inputs, tables and test cases added, removed or changed; for a changed table its hit
policy, its columns (matched by role and name), the allowed values of row 3, and its rules
matched by rule id and compared cell by cell.  The semantic part (the regions of the
input space where a table's outcome differs) comes from ``engine.analysis.behaviour``; the text,
markdown and json forms are made by ``engine.review.diff_render``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from engine.formats.xlsx.layout import cell_text
from engine.formats.xlsx.words import WORKBOOK_WORDS, workbook_source
from engine.model.source import Source, Words
from engine.model.types import InputDef, Model, Rule, Table

FORMATS = ("text", "markdown", "json")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Change:
    """One value that differs: ``what`` it is, its old and new text ('' when absent) and the
    cells that hold it in each version."""

    what: str
    old: str
    new: str
    old_cell: str = ""
    new_cell: str = ""
    role: str = ""  # for a rule's cell: input, output or annotation


@dataclass(frozen=True)
class RuleDiff:
    """A rule added, removed or changed; ``cells`` are its changed cells (all its cells when
    added or removed)."""

    id: str
    status: str
    old_row: int | None
    new_row: int | None
    cells: tuple[Change, ...] = ()


@dataclass(frozen=True)
class TableDiff:
    name: str
    status: str
    changes: tuple[Change, ...] = ()  # hit policy, allowed values (row 3), rule order
    columns_added: tuple[str, ...] = ()  # 'hr_status (input, column D)'
    columns_removed: tuple[str, ...] = ()
    rules: tuple[RuleDiff, ...] = ()
    size: str = ""  # for an added or removed table: 'U, 5 rules'


@dataclass(frozen=True)
class ItemDiff:
    """An About key, an input or a test case added, removed or changed field by field."""

    name: str
    status: str
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class WorkbookDiff:
    old: str
    new: str
    about: tuple[ItemDiff, ...] = ()
    inputs: tuple[ItemDiff, ...] = ()
    tables: tuple[TableDiff, ...] = ()
    tests: tuple[ItemDiff, ...] = ()
    behaviour: tuple[Any, ...] = ()  # engine.analysis.behaviour.BehaviourChange, in its order
    semantic: bool = True  # False when the behaviour could not be compared (engine.analysis.behaviour missing)
    words: Words = field(default=WORKBOOK_WORDS, compare=False)  # the new version's format's words
    waivers: tuple[ItemDiff, ...] = ()  # findings accepted in the Waivers sheet: never a change in behaviour

    @property
    def changed(self) -> bool:
        return bool(self.about or self.inputs or self.tables or self.tests or self.waivers)

    @property
    def changes_behaviour(self) -> bool:
        """True when some record gets a different outcome: a table added or removed, or a
        region where a table's outcome differs.  Without the semantic comparison, any change
        to inputs or tables other than annotations counts (the safe side)."""
        if any(t.status != CHANGED for t in self.tables):
            return True
        if self.semantic:
            return bool(self.behaviour)
        return bool(self.inputs) or any(_beyond_annotations(t) for t in self.tables)


def _beyond_annotations(table: TableDiff) -> bool:
    return bool(table.changes or table.columns_added or table.columns_removed) or any(
        r.status != CHANGED or any(c.role != "annotation" for c in r.cells) for r in table.rules)


# ---------------------------------------------------------------------- comparing
def compare(old: Model, new: Model) -> WorkbookDiff:
    """The structural and semantic differences from ``old`` to ``new``."""
    behaviour, semantic = behaviour_of(old, new)
    return WorkbookDiff(old.workbook, new.workbook, compare_about(old.about, new.about),
                        compare_inputs(old.inputs, new.inputs, (old.source, new.source)), compare_tables(old, new),
                        compare_tests(old, new), behaviour, semantic, new.source.words, compare_waivers(old, new))


def behaviour_of(old: Model, new: Model) -> tuple[tuple[Any, ...], bool]:
    """``engine.behaviour.behaviour_changes``, and whether it could be run."""
    try:
        from engine.analysis.behaviour import behaviour_changes
    except ModuleNotFoundError as error:
        if error.name != "engine.analysis.behaviour":
            raise
        return (), False
    return tuple(behaviour_changes(old, new)), True


def _keyed(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterable[tuple[str, Any, Any]]:
    """(key, old item or None, new item or None): old order first, then keys only in new."""
    for key in [*old, *(k for k in new if k not in old)]:
        yield key, old.get(key), new.get(key)


def _fields(old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]]) -> tuple[Change, ...]:
    after = dict(new)
    return tuple(Change(name, value, after.get(name, "")) for name, value in old
                 if not same_text(value, after.get(name, ""), name)) + \
        tuple(Change(name, "", value) for name, value in new if name not in dict(old) and value)


@lru_cache(maxsize=4096)
def _canonical(text: str, role: str) -> str:
    """A condition or output as one standard FEEL spelling (``"a","b"`` and ``"a", "b"``,
    ``≥ 3`` and ``>= 3`` read alike); other texts with their spaces collapsed."""
    from engine._core.errors import ConditionError
    from engine.feel.syntax import parse_expression, parse_unary_tests
    from engine.feel.unparse import expression, unary_tests

    try:
        if role in ("input", "allowed values"):
            return unary_tests(parse_unary_tests(text))
        if role == "output":
            return expression(parse_expression(text))
    except ConditionError:
        pass
    return " ".join(text.split())


def same_text(old: str, new: str, role: str) -> bool:
    """Do two cell texts say the same (``role``: input, output, allowed values, or other)?"""
    return old == new or _canonical(old, role) == _canonical(new, role)


def compare_about(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[ItemDiff, ...]:
    found = []
    for key, before, after in _keyed(old, new):
        status = ADDED if before is None else REMOVED if after is None else CHANGED
        if before != after:
            found.append(ItemDiff(key, status, (Change("value", before or "", after or ""),)))
    return tuple(found)


def input_fields(definition: InputDef) -> tuple[tuple[str, str], ...]:
    allowed = definition.allowed.text if definition.allowed else ""
    return (("type", definition.type), ("allowed values", allowed), ("required", "yes" if definition.required else
                                                                      "no"), ("unit", definition.unit),
            ("code", definition.code), ("description", definition.description))


def compare_inputs(old: Mapping[str, InputDef], new: Mapping[str, InputDef],
                   sources: tuple[Source, Source] | None = None) -> tuple[ItemDiff, ...]:
    was, now = sources or (workbook_source(""), workbook_source(""))
    found = []
    for name, before, after in _keyed(old, new):
        shown_name = (was if after is None else now).name(name)
        if before is None or after is None:
            fields = input_fields(after or before)
            shown = tuple(Change(f, "" if before is None else v, v if before is None else "") for f, v in fields if v)
            found.append(ItemDiff(shown_name, ADDED if before is None else REMOVED, shown))
        elif changes := _fields(input_fields(before), input_fields(after)):
            found.append(ItemDiff(shown_name, CHANGED, changes))
    return tuple(found)


def compare_tests(old: Model, new: Model) -> tuple[ItemDiff, ...]:
    return _items(_cases(old), _cases(new))


def _items(old: Mapping[str, tuple[tuple[str, str], ...]], new: Mapping[str, tuple[tuple[str, str], ...]]
           ) -> tuple[ItemDiff, ...]:
    """Items (name → its fields as texts) added, removed, or changed field by field."""
    found = []
    for name, before, after in _keyed(old, new):
        if before is None or after is None:
            found.append(ItemDiff(name, ADDED if before is None else REMOVED))
        elif changes := _fields(before, after):
            found.append(ItemDiff(name, CHANGED, changes))
    return tuple(found)


def compare_waivers(old: Model, new: Model) -> tuple[ItemDiff, ...]:
    """Waivers added, removed or changed (reason, by, date), each named by what it waives."""
    def waivers(model: Model) -> dict[str, tuple[tuple[str, str], ...]]:
        return {w.what: (("reason", w.reason), ("by", w.by), ("date", w.date)) for w in model.waivers}

    return _items(waivers(old), waivers(new))


def _cases(model: Model) -> dict[str, tuple[tuple[str, str], ...]]:
    """Case id → its inputs and expected results as texts (ids seen twice get their row)."""
    ids = [case.id for case in model.tests]
    cases = {}
    for case in model.tests:
        key = case.id if ids.count(case.id) == 1 else f"{case.id} (row {case.row})"
        given = tuple((name, cell_text(value)) for name, value in case.inputs.items())
        wanted = tuple((f"expected {name}", cell_text(value)) for name, (value, _) in case.expected.items())
        cases[key] = tuple((n, v) for n, v in given + wanted if v)
    return cases


# ---------------------------------------------------------------------- tables
def compare_tables(old: Model, new: Model) -> tuple[TableDiff, ...]:
    before = {t.name: t for t in old.tables}
    after = {t.name: t for t in new.tables}
    found = []
    for name, a, b in _keyed(before, after):
        if a is None or b is None:
            table, source = (b, new.source) if a is None else (a, old.source)
            rules = len(table.rules)
            found.append(TableDiff(source.name(name), ADDED if a is None else REMOVED,
                                   size=f"{source.policy(table.hit_policy)}, {rules} rule" + "s" * (rules != 1)))
        elif (changed := compare_table(a, b, (old.source, new.source))) is not None:
            found.append(changed)
    return tuple(found)


def columns_of(table: Table) -> dict[tuple[str, str], Any]:
    """(role, name) → column: inputs by the input they read, outputs and annotations by name."""
    found: dict[tuple[str, str], Any] = {("input", c.name): c for c in table.inputs}
    found.update({("output", c.name): c for c in table.outputs})
    found.update({("annotation", c.name): c for c in table.annotations})
    return found


def compare_table(old: Table, new: Table, sources: tuple[Source, Source] | None = None) -> TableDiff | None:
    """How ``new`` differs from ``old`` (a table of the same name); None when it does not.
    ``sources``: each version's source, which names its places and things (default: workbooks)."""
    was, now = sources or (workbook_source(""), workbook_source(""))
    before, after = columns_of(old), columns_of(new)
    changes = []
    if old.hit_policy != new.hit_policy:
        changes.append(Change("hit policy", was.policy(old.hit_policy), now.policy(new.hit_policy),
                              was.place(old.name, "A1")[1], now.place(new.name, "A1")[1]))
    for key in [k for k in after if k in before and k[0] != "annotation"]:
        a, b = before[key].allowed_text, after[key].allowed_text
        if not same_text(a, b, "allowed values"):
            changes.append(Change(f"allowed values of {now.name(key[1])}", a, b,
                                  was.place(old.name, f"{before[key].column}3")[1],
                                  now.place(new.name, f"{after[key].column}3")[1]))
    common = [r.id for r in new.rules if r.id in set(old.rule_ids)]
    if [r for r in old.rule_ids if r in set(common)] != common:
        kept = [r for r in old.rule_ids if r in set(common)]
        changes.append(Change("rule order", ", ".join(was.rules(old.name, kept)),
                              ", ".join(now.rules(new.name, common))))
    added = tuple(_column_label(k, after[k], now, new.name) for k in after if k not in before)
    removed = tuple(_column_label(k, before[k], was, old.name) for k in before if k not in after)
    rules = _compare_rules(old, new, was, now)
    if not (changes or added or removed or rules):
        return None
    return TableDiff(now.name(new.name), CHANGED, tuple(changes), added, removed, rules)


def _column_label(key: tuple[str, str], column: Any, source: Source, table: str) -> str:
    return f"{source.name(key[1])} ({key[0]}, {source.column(table, column.column)})"


def rule_cells(table: Table, rule: Rule, source: Source | None = None
               ) -> dict[tuple[str, str], tuple[str, str, str, str]]:
    """(role, name) → (cell text, where the cell is, the column's name, the model's own text)
    of one rule, as ``source`` writes and names them (a DAK writes its pseudo-code and plain
    texts where the model holds FEEL: versions are compared by the model's texts)."""
    source = source or workbook_source("")
    cells = {("input", c.name): (t.text, f"{c.column}{rule.row}") for c, t in zip(table.inputs, rule.inputs)}
    cells.update({("output", c.name): (e.text, f"{c.column}{rule.row}") for c, e in zip(table.outputs, rule.outputs)})
    cells.update({("annotation", c.name): (t, f"{c.column}{rule.row}")
                  for c, t in zip(table.annotations, rule.annotations)})
    if rule.broken:  # cells that could not be read: as written
        written = dict(rule.broken)
        cells = {key: (written.get(ref, text), ref) for key, (text, ref) in cells.items()}
    return {(role, name): (source.text(table.name, ref, text), source.place(table.name, ref)[1],
                           source.name(name) if role == "input" else name, text)
            for (role, name), (text, ref) in cells.items()}


def _compare_rules(old: Table, new: Table, was: Source, now: Source) -> tuple[RuleDiff, ...]:
    before = {r.id: r for r in old.rules}
    after = {r.id: r for r in new.rules}
    found = []
    for rule_id, a, b in _keyed(before, after):
        rows = (a and was.row(old.name, a.row), b and now.row(new.name, b.row))
        if a is None or b is None:
            rule, table, source = (b, new, now) if a is None else (a, old, was)
            cells = tuple(Change(shown, "" if a is None else text, text if a is None else "", "" if a is None else ref,
                                 ref if a is None else "", role)
                          for (role, _), (text, ref, shown, _) in rule_cells(table, rule, source).items() if text)
            found.append(RuleDiff(source.rule_label(table.name, rule_id), ADDED if a is None else REMOVED, *rows,
                                  cells))
        elif cells := _cell_changes(rule_cells(old, a, was), rule_cells(new, b, now)):
            found.append(RuleDiff(now.rule_label(new.name, rule_id), CHANGED, *rows, cells))
    return tuple(found)


def _cell_changes(before: dict[tuple[str, str], tuple[str, str, str, str]],
                  after: dict[tuple[str, str], tuple[str, str, str, str]]) -> tuple[Change, ...]:
    """The cells whose model texts differ, as each version writes them; a missing input
    column reads as '-' (any value)."""
    changes = []
    for (role, name), old, new in _keyed(before, after):
        missing = "-" if role == "input" else ""
        (a, a_ref, a_name, a_text), (b, b_ref, b_name, b_text) = (old or (missing, "", name, missing),
                                                                  new or (missing, "", name, missing))
        if not same_text(a_text, b_text, role):
            changes.append(Change(b_name if new else a_name, a, b, a_ref, b_ref, role))
    return tuple(changes)
