"""Static verification of decision tables: overlaps, gaps, masked and redundant rules.

Owns what ``dtrun lint`` concludes about a table's rules without evaluating them, and the
words it uses: which groups of rules may not overlap under the table's hit policy, which
missing rules matter, which rules can never decide, which are redundant, and how a box
of atoms reads to an author (``age [18..59] and sex "m" or missing``).  The searches
themselves (rules as boxes of atom bitsets) live in ``engine.analysis.search``; domains, type and
value checks on single cells in ``engine.analysis.lint``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.analysis.atoms import Box, Column, bits, box_of
from engine.analysis.findings import Finding, located
from engine.analysis.search import Reach, containing, cooccurring, gaps
from engine.feel import temporal, temporal_keys
from engine.model.types import Model, Table


# ---------------------------------------------------------------------- findings
@dataclass
class TableAnalysis:
    """A table prepared for the searches, and the helpers to describe what they find."""

    model: Model
    table: Table
    columns: list[Column]
    unlisted: dict[int, int] = field(default_factory=dict)  # column → texts no rule names, left to one finding

    @property
    def all_rules(self) -> int:
        return (1 << len(self.table.rules)) - 1

    def rule_ids(self, rules: int) -> tuple[str, ...]:
        return tuple(self.table.rules[i].id for i in bits(rules))

    def rule_names(self, rules: int) -> tuple[str, ...]:
        """The rules as messages name them (``R1``, or ``1 (id r1)`` in a DMN model)."""
        return self.model.source.rules(self.table.name, self.rule_ids(rules))

    def rule_name(self, rule: int) -> str:
        return self.model.source.rule(self.table.name, self.table.rules[rule].id)

    @property
    def policy(self) -> str:
        """The table's hit policy as messages name it (``U``, or ``UNIQUE`` in a DMN model)."""
        return self.model.source.policy(self.table.hit_policy)

    def row_cells(self, rules: int, first: int | None = None) -> tuple[str, ...]:
        order = sorted(bits(rules), key=lambda i: (i != first, i))
        return tuple(f"A{self.table.rules[i].row}" for i in order)

    def box_text(self, box: Box) -> dict[str, str]:
        return {c.shown: c.text(atoms) for c, atoms in zip(self.columns, box)}

    def example(self, box: Box) -> dict[str, Any]:
        return {c.shown: _plain(c.values(atoms).sample(), c.domain.kind) for c, atoms in zip(self.columns, box)}

    def box_of(self, rules: int) -> Box:
        """The atoms where every rule of ``rules`` matches."""
        return box_of(self.columns, rules)

    def is_empty(self, rules: int) -> bool:
        return any(atoms == 0 for atoms in self.box_of(rules))

    def shown(self, box: Box) -> Box:
        """A gap box as findings show it: in a text column whose unnamed texts have their own
        finding (``unlisted``), most of the named texts read as all texts but the others
        (``not("v")``, not a list of 999 texts); those texts are unmatched too."""
        shown = list(box)
        for j, rest in self.unlisted.items():
            named = self.columns[j].all_atoms & ~rest
            if (box[j] & named).bit_count() * 2 > named.bit_count():
                shown[j] = box[j] | rest
        return tuple(shown)

    def describe(self, box: Box) -> str:
        """The records of ``box`` in an author's words: age [18..59] and sex "m" or missing."""
        parts = [c.words(atoms) for c, atoms in zip(self.columns, box) if atoms != c.all_atoms]
        return " and ".join(parts) if parts else "any values"

    def finding(self, severity: str, code: str, message: str, rules: int, hint: str, box: Box | None,
                first: int | None = None, cells: tuple[str, ...] | None = None) -> Finding:
        """A finding about ``rules`` (at their rows, ``first`` first; or at ``cells``)."""
        known = box is not None and all(box)
        return located(self.model.source, severity, code, self.table.name, message,
                       self.row_cells(rules, first) if cells is None else cells, self.rule_ids(rules), hint,
                       self.example(box) if known else None, self.box_text(box) if known else None)


def _plain(value: Any, kind: str = "") -> Any:
    if kind in temporal_keys.KINDS and value is not None:  # a key: the value's FEEL text
        return temporal.to_text(temporal_keys.value_of(kind, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _names(ids: tuple[str, ...]) -> str:
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def _all(ids: tuple[str, ...]) -> str:
    return "both" if len(ids) == 2 else "all"


def overlap_findings(analysis: TableAnalysis) -> Iterator[Finding]:
    table = analysis.table
    code = table.hit_policy.code
    if code not in ("U", "A"):
        return
    for group, _ in sorted(cooccurring(analysis.columns, analysis.all_rules).items()):
        ids = analysis.rule_names(group)
        common = analysis.box_of(group)
        if code == "U":
            yield analysis.finding("error", "overlap", f"rules {_names(ids)} can {_all(ids)} match the same record "
                                   f"({analysis.describe(common)}) under hit policy {analysis.policy}", group,
                                   "narrow one rule's conditions so that they exclude each other, "
                                   "or change the hit policy if several answers are intended", common)
        elif len({_outputs(table, i) for i in bits(group)}) > 1:
            yield analysis.finding("error", "conflict", f"rules {_names(ids)} can match the same record "
                                   f"({analysis.describe(common)}) but give different outputs under hit policy "
                                   f"{analysis.policy}",
                                   group, "make their outputs agree or their conditions exclude each other",
                                   common)


def _outputs(table: Table, rule: int) -> tuple[str, ...]:
    return tuple(" ".join(e.text.split()) for e in table.rules[rule].outputs)


def gap_findings(analysis: TableAnalysis) -> Iterator[Finding]:
    if not analysis.table.hit_policy.single_hit or not analysis.table.rules:
        return
    source, table = analysis.model.source, analysis.table.name
    defaults = analysis.table.has_defaults  # records no rule matches get the default outputs: no gap
    given = ", ".join(f"{o.name} = {o.default.text}" for o in analysis.table.outputs if o.default is not None)
    analysis.unlisted = {j: rest for j, c in enumerate(analysis.columns) if (rest := unlisted(c, analysis.all_rules))}
    for j, rest in analysis.unlisted.items():
        yield _unnamed_texts(analysis, analysis.columns[j], rest, given)
    limits = tuple(c.all_atoms & ~analysis.unlisted.get(j, 0) for j, c in enumerate(analysis.columns))
    for found in gaps(analysis.columns, analysis.all_rules, limits) if all(limits) else ():
        box = analysis.shown(found)
        headings = tuple(f"{c.letter}1" for c, atoms in zip(analysis.columns, box) if atoms != c.all_atoms)
        cells = headings or (source.table_place(table)[1],)
        if defaults:
            yield analysis.finding("info", "default-output", f"no rule matches records with "
                                   f"{analysis.describe(box)}; they get the default outputs ({given})", 0,
                                   "check that the default is meant for them, or add a rule", box, cells=cells)
        else:
            yield analysis.finding("error", "gap", f"no rule matches records with {analysis.describe(box)}", 0,
                                   source.words.gap_fix, box, cells=cells)


def unlisted(column: Column, active: int) -> int:
    """The atoms of a text column without allowed values that lie between the texts its
    cells name, when no rule of ``active`` matches any of them: every other text is then
    unmatched, whatever the other columns hold (one finding says so, instead of a box per
    rule); else 0."""
    if column.domain.kind != "string" or not column.full.is_full():
        return 0
    rest = sum(1 << k for k in range(column.null_atom) if not column.is_point(k))
    return 0 if any(column.atom_rules[k] & active for k in bits(rest)) else rest


def _unnamed_texts(analysis: TableAnalysis, column: Column, rest: int, given: str) -> Finding:
    """The finding for the texts of ``column`` that no rule names (``unlisted``)."""
    source, table = analysis.model.source, analysis.table
    example = {c.shown: _plain(c.values(rest if c is column else c.all_atoms).sample(), c.domain.kind)
               for c in analysis.columns}
    named = (column.all_atoms & ~rest).bit_count()
    box = {c.shown: c.text(rest) if c is column else "-" for c in analysis.columns} if named <= 20 else None
    what = (f"records whose {column.shown} is a text that no rule names ({column.shown} has no allowed values, "
            "so any text can come)")
    if table.has_defaults:
        return located(source, "info", "default-output", table.name, f"no rule matches {what}; they get the "
                       f"default outputs ({given})", (f"{column.letter}1",),
                       hint="check that the default is meant for them, or add a rule", example=example, box=box)
    return located(source, "error", "gap", table.name, f"no rule matches {what}", (f"{column.letter}1",),
                   hint=f"{source.words.declare_allowed}, so that other texts are refused, or add a rule with - "
                        f"in {column.shown} for them", example=example, box=box)


def masking_findings(analysis: TableAnalysis) -> Iterator[Finding]:
    table = analysis.table
    if table.hit_policy.code not in ("F", "P"):
        return
    ranks = _precedence(table)
    reach = Reach(analysis.columns)
    for rule in range(len(table.rules)):
        higher = sum(1 << r for r in range(len(table.rules)) if ranks[r] < ranks[rule])
        hiding = reach(rule) & higher
        if not hiding:
            continue
        own = analysis.box_of(1 << rule)
        left = gaps(analysis.columns, hiding, own)
        ids, hiders = analysis.rule_name(rule), analysis.rule_names(hiding)
        by = ("rule " if len(hiders) == 1 else "rules ") + _names(hiders)
        why = "earlier" if table.hit_policy.code == "F" else "higher-priority"
        if not left:
            fix = ("delete the rule, or move it above the rules that hide it" if table.hit_policy.code == "F"
                   else "delete the rule, or narrow the higher-priority rules")
            yield analysis.finding("error", "masked-rule", f"rule {ids} can never decide the result: {why} {by} "
                                   f"{'matches' if len(hiders) == 1 else 'match'} every record it matches",
                                   1 << rule | hiding, fix, own, first=rule)
        else:
            yield analysis.finding("info", "partly-masked-rule", f"rule {ids} decides only part of what it "
                                   f"matches; {why} {by} take precedence over it for the rest", 1 << rule | hiding,
                                   "this is often intended; check that the order expresses the guideline", None,
                                   first=rule)


def _precedence(table: Table) -> list[tuple[Any, ...]]:
    """Sort keys: a smaller key wins (rule order for F, output priority for P)."""
    if table.hit_policy.code == "F":
        return [(i,) for i in range(len(table.rules))]
    from engine.model.hit_policy import priority

    keys = []
    for rule in table.rules:
        known = [e.constant for e in rule.outputs]
        keys.append(tuple(priority(v, o) if k else len(o) for (k, v), o in zip(known, table.priorities) if o))
    return keys


def redundancy_findings(analysis: TableAnalysis) -> Iterator[Finding]:
    """Rules that add nothing (subsumed) or could be written as one (mergeable), where
    deleting or merging them keeps every result under the table's hit policy."""
    table = analysis.table
    by_outputs: dict[tuple[str, ...], list[int]] = {}
    for rule in range(len(table.rules)):
        if not analysis.is_empty(1 << rule):  # a rule that matches nothing is reported elsewhere
            by_outputs.setdefault(_outputs(table, rule), []).append(rule)
    # Under F a later rule hidden by an earlier one is a masked rule; under the collecting
    # policies a second matching rule changes the list, the sum or the count.
    check_subsumed = table.hit_policy.code in ("U", "A", "P", "C<", "C>")
    for rules in by_outputs.values():
        found = dict(_subsumed(analysis, rules)) if check_subsumed else {}
        for rule, other in found.items():
            a, b = analysis.rule_name(rule), analysis.rule_name(other)
            yield analysis.finding("warning", "subsumed-rule",
                                   analysis.model.source.words.say("subsumed_rule", rule=a, other=b),
                                   1 << rule | 1 << other,
                                   f"delete rule {a}", analysis.box_of(1 << rule), first=rule)
        yield from _mergeable(analysis, [r for r in rules if r not in found])


def _subsumed(analysis: TableAnalysis, rules: list[int]) -> Iterator[tuple[int, int]]:
    """(rule, the first rule with the same outputs that matches everything it matches and
    is not itself reported as redundant)."""
    gone = 0
    for rule, inside in containing(analysis.columns, rules).items():
        inside &= ~gone
        if inside:
            gone |= 1 << rule
            yield rule, next(other for other in rules if inside >> other & 1)


def _mergeable(analysis: TableAnalysis, rules: list[int]) -> Iterator[Finding]:
    columns, table = analysis.columns, analysis.table
    code = table.hit_policy.code
    for position, column in enumerate(columns):
        seen: dict[tuple[int, ...], int] = {}
        for rule in rules:
            key = tuple(c.rule_atoms[rule] for k, c in enumerate(columns) if k != position)
            first = seen.get(key)
            seen[key] = rule
            if first is None:
                continue
            atoms_a, atoms_b = column.rule_atoms[first], column.rule_atoms[rule]
            if code == "F" and rule != first + 1:
                continue  # a rule in between could decide some of their records
            if not table.hit_policy.single_hit and atoms_a & atoms_b:
                continue  # both fire on the shared records: merging changes the collection
            joined = column.text(atoms_a | atoms_b)
            a, b = analysis.rule_name(first), analysis.rule_name(rule)
            yield analysis.finding("info", "mergeable-rules", f"rules {a} and {b} give the same outputs and "
                                   f"differ only in {column.shown}", 1 << first | 1 << rule,
                                   f"they could be one rule with {column.shown} = {joined}", None)
