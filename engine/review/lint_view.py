"""What the lint report for people shows (``dtrun lint --format html|markdown``), as plain data.

Owns the content of the report a guideline editor reads, not its markup (the Jinja2 templates
of ``engine.review.lint_report``): a summary (files, tables, counts by severity and by code),
then per file and per decision table the findings in groups an editor acts on, in this order:
cells that cannot be read, conditions no value can meet, gaps (boxes of input values with an
example patient), overlaps and conflicts (the rules' conditions and outputs side by side, those
whose outputs differ first), masked and redundant rules, names missing from a dictionary, and
the other findings.  Each finding keeps its place (file, sheet and cells, or DMN decision and
parts), message, hint and waiver.  With the models the findings came from, every table is
listed (also those without findings) and rules are named and shown as their file writes them;
without, the findings alone say what there is.  At most ``LIMIT`` findings of one code per table
are listed, then their count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.analysis.findings import CODES, SEVERITIES, Finding
from engine.model.types import Model, Table

LIMIT = 50  # findings of one code per table listed; the rest are counted
_CELL = re.compile(r"[A-Z]{1,3}[0-9]+")
_SHORT = {"error": "errors", "warning": "warnings", "info": "notes"}

# (key, title, what the editor does about it, codes); a code in none of them is "other"
GROUPS: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("unread", "Cells that cannot be read", "Correct each cell as its hint says; until then the table is "
     "checked as far as it can be read.", frozenset({"syntax", "dak-syntax"})),
    ("unsatisfiable", "Conditions no value can meet", "A rule with such a condition never fires.",
     frozenset({"unsatisfiable"})),
    ("gaps", "Gaps: patients no rule covers", "Each box is a set of patients for whom the table gives no "
     "answer, with one example patient.", frozenset({"gap", "default-output"})),
    ("overlaps", "Overlaps: rules that match the same patients", "The rules' conditions and outputs side by "
     "side; those whose outputs differ come first, as they give a patient contradictory answers.",
     frozenset({"overlap", "conflict"})),
    ("masked", "Rules that never decide, or repeat others", "Masked rules are hidden by rules that take "
     "precedence; subsumed rules add nothing; mergeable rules could be one.",
     frozenset({"masked-rule", "partly-masked-rule", "subsumed-rule", "mergeable-rules"})),
    ("names", "Names missing from the data dictionary", "Names a table uses that the dictionary does not "
     "define, or spells differently.", frozenset({"dak-name", "dak-pairing"})),
)
OTHER = ("other", "Other findings", "", frozenset[str]())


@dataclass(frozen=True)
class Column:
    """One column of rules shown side by side: its heading and whether it is an output."""

    heading: str
    output: bool = False


@dataclass(frozen=True)
class RuleRow:
    """One rule of an overlap: its name, and its cells under the columns (``differs``: per cell,
    whether the rules disagree on that output)."""

    label: str
    cells: tuple[str, ...]
    differs: tuple[bool, ...]


@dataclass(frozen=True)
class Item:
    """One finding as the report shows it."""

    finding: Finding
    number: int
    sheet: str  # the sheet or DMN element ('' : the file itself)
    cells: tuple[str, ...]  # cells or DMN parts
    rules: tuple[str, ...]  # rules as the file names them (R1, or 1 (id r1))
    box: tuple[tuple[str, str, str], ...] = ()  # (input, values, the example patient's value)
    columns: tuple[Column, ...] = ()  # an overlap's rules side by side
    rows: tuple[RuleRow, ...] = ()
    outputs_differ: bool | None = None  # an overlap: do the rules' outputs differ (None: unknown)

    @property
    def place(self) -> str:
        """``band!B4`` or ``decision "Dish" (id d1): rule 2 (id r2), inputEntry 1``."""
        if not self.cells:
            return self.sheet or "the file"
        if all(_CELL.fullmatch(c) for c in self.cells):
            return f"{self.sheet}!{', '.join(self.cells)}"
        return f"{self.sheet}: {'; '.join(self.cells)}"


@dataclass
class Group:
    key: str
    title: str
    explanation: str
    items: list[Item] = field(default_factory=list)
    more: dict[str, int] = field(default_factory=dict)  # code → findings not listed


@dataclass
class TableReport:
    """The findings about one decision table (``name`` None: about no table)."""

    name: str | None
    title: str
    anchor: str
    groups: list[Group]
    counts: dict[str, int]
    picture: str | None = None  # the coverage picture (SVG), where one was drawn
    no_picture: str = ""  # why the table has no picture
    model: Model | None = None
    table: Table | None = None
    columns: tuple[Column, ...] = ()  # the table's rules as written (with its model), which the
    rules: tuple[tuple[str, RuleRow], ...] = ()  # picture links to: (the rule's first cell's id, row)

    @property
    def total(self) -> int:
        return sum(len(g.items) + sum(g.more.values()) for g in self.groups)


@dataclass
class FileReport:
    path: str
    title: str
    anchor: str
    tables: list[TableReport]
    counts: dict[str, int]


@dataclass
class Report:
    files: list[FileReport]
    counts: dict[str, int]  # error, warning, info (not waived), waived
    codes: list[tuple[str, str, str, int, int]]  # code, severity, meaning, count, waived
    tables: int

    @property
    def findings(self) -> int:
        return sum(self.counts.values())


def build(findings: Sequence[Finding], models: Iterable[Model] = ()) -> Report:
    """The report of ``findings`` (in their order), with the ``models`` they came from."""
    by_path = {model.source.path: model for model in models}
    paths = list(dict.fromkeys([*by_path, *(f.workbook for f in findings)]))
    numbered = list(enumerate(findings, 1))
    files = [_file(path, by_path.get(path), [(n, f) for n, f in numbered if f.workbook == path], index)
             for index, path in enumerate(paths, 1)]
    severities: dict[str, set[str]] = {}  # as found: a DAK's checks of U are warnings, say
    for finding in findings:
        severities.setdefault(finding.code, set()).add(finding.severity)
    shown = {code: sorted(found, key=_rank) for code, found in severities.items()}
    rows = [(c, ", ".join(shown[c]), CODES.get(c, ("", c))[1],
             sum(f.code == c and not f.waived for f in findings), sum(f.code == c and f.waived for f in findings))
            for c in sorted(shown, key=lambda c: (_rank(shown[c][0]), c))]
    return Report(files, _counts(findings), rows,
                  sum(len([t for t in file.tables if t.name is not None]) for file in files))


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    findings = list(findings)
    counts = {s: sum(f.severity == s and not f.waived for f in findings) for s in SEVERITIES}
    counts["waived"] = sum(f.waived for f in findings)
    return counts


def _file(path: str, model: Model | None, numbered: list[tuple[int, Finding]], index: int) -> FileReport:
    tables: dict[str | None, Table | None] = {}
    if model is not None:
        tables.update({model.source.table_name(t.name) or t.name: t for t in model.tables})
    for _, finding in numbered:
        tables.setdefault(finding.table, None)
    reports = []
    for position, (name, table) in enumerate(tables.items(), 1):
        mine = [(n, f) for n, f in numbered if f.table == name]
        if name is None and not mine:
            continue
        reports.append(_table(model, name, table, mine, f"file-{index}-table-{position}"))
    about_none = [r for r in reports if r.name is None]
    if about_none and not about_none[0].counts["error"]:  # minor findings about no table go last
        reports = [r for r in reports if r.name is not None] + about_none
    title = (model.title if model is not None and model.title else "") or path
    return FileReport(path, title, f"file-{index}", reports, _counts(f for _, f in numbered))


def _table(model: Model | None, name: str | None, table: Table | None, numbered: list[tuple[int, Finding]],
           anchor: str) -> TableReport:
    groups = {key: Group(key, title, text) for key, title, text, _ in (*GROUPS, OTHER)}
    listed: dict[str, int] = {}
    for number, finding in numbered:
        key = next((k for k, _, _, codes in GROUPS if finding.code in codes), "other")
        listed[finding.code] = listed.get(finding.code, 0) + 1
        if listed[finding.code] > LIMIT:
            groups[key].more[finding.code] = groups[key].more.get(finding.code, 0) + 1
            continue
        groups[key].items.append(_item(number, finding, model, table))
    for group in groups.values():  # waived last; overlaps whose outputs differ first; then errors first
        group.items.sort(key=lambda item: (item.finding.waived, item.outputs_differ is not True,
                                           _rank(item.finding.severity)))
    if model is None or name is None:
        title = name or "Not about one table (the file, its data dictionary, tests and waivers)"
    else:
        title = model.source.words.say("table_title", table=name)
    columns, rules = _rules(model, table) if model is not None and table is not None else ((), ())
    return TableReport(name, title, anchor, [g for g in groups.values() if g.items or g.more],
                       _counts(f for _, f in numbered), model=model, table=table, columns=columns, rules=rules)


def _rules(model: Model, table: Table) -> tuple[tuple[Column, ...], tuple[tuple[str, RuleRow], ...]]:
    """Every rule of ``table`` as written, with the id of its first cell (``engine.review.anchors``)."""
    from engine.review.anchors import anchor

    source = model.source
    return _columns(model, table), tuple((anchor(*source.place(table.name, f"A{rule.row}")),
                                          _rule_row(model, table, rule, ())) for rule in table.rules)


def _columns(model: Model, table: Table) -> tuple[Column, ...]:
    return tuple(Column(model.source.name(c.heading)) for c in table.inputs) + \
        tuple(Column(c.name, output=True) for c in table.outputs)


def _rule_row(model: Model, table: Table, rule: Any, differs: tuple[bool, ...]) -> RuleRow:
    """A rule's conditions and outputs as its file writes them (a cell that cannot be read as written)."""
    source, broken = model.source, dict(rule.broken)
    texts = [broken.get(f"{c.column}{rule.row}", source.text(table.name, f"{c.column}{rule.row}", cell.text))
             for c, cell in zip(table.inputs, rule.inputs)]
    texts += [broken.get(f"{c.column}{rule.row}", source.text(table.name, f"{c.column}{rule.row}", e.text))
              for c, e in zip(table.outputs, rule.outputs)]
    return RuleRow(source.rule_label(table.name, rule.id), tuple(texts),
                   (False,) * len(table.inputs) + (differs or (False,) * len(table.outputs)))


def _item(number: int, finding: Finding, model: Model | None, table: Table | None) -> Item:
    rules = finding.rules
    if model is not None and table is not None:
        rules = tuple(model.source.rule_label(table.name, r) for r in finding.rules)
    example = finding.example or {}
    box = tuple((name, text, _shown(example[name]) if name in example else "")
                for name, text in (finding.box or {}).items())
    if not box and example:
        box = tuple((name, "", _shown(value)) for name, value in example.items())
    item = Item(finding, number, finding.sheet, finding.cells, rules, box)
    if finding.code in ("overlap", "conflict") and model is not None and table is not None:
        return _side_by_side(item, model, table)
    return item


def _shown(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _side_by_side(item: Item, model: Model, table: Table) -> Item:
    """An overlap's rules with their conditions and outputs as the file writes them."""
    from dataclasses import replace

    by_id = {rule.id: rule for rule in table.rules}
    rules = [by_id[r] for r in item.finding.rules if r in by_id]
    if not rules:
        return item
    outputs = [tuple(" ".join(e.text.split()) for e in rule.outputs) for rule in rules]
    differs = tuple(len({o[k] for o in outputs}) > 1 for k in range(len(table.outputs)))
    rows = tuple(_rule_row(model, table, rule, differs) for rule in rules)
    return replace(item, columns=_columns(model, table), rows=rows, outputs_differ=any(differs))
