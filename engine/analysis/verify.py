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
from dataclasses import dataclass
from typing import Any

from engine.analysis.findings import Finding, located
from engine.analysis.search import Box, Column, Reach, bits, box_of, containing, cooccurring, gaps
from engine.feel.sets import ValueSet
from engine.model.types import Model, Table


# ---------------------------------------------------------------------- findings
@dataclass
class TableAnalysis:
    """A table prepared for the searches, and the helpers to describe what they find."""

    model: Model
    table: Table
    columns: list[Column]

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
        return {c.shown: _plain(c.values(atoms).sample()) for c, atoms in zip(self.columns, box)}

    def box_of(self, rules: int) -> Box:
        """The atoms where every rule of ``rules`` matches."""
        return box_of(self.columns, rules)

    def is_empty(self, rules: int) -> bool:
        return any(atoms == 0 for atoms in self.box_of(rules))

    def describe(self, box: Box) -> str:
        """The records of ``box`` in an author's words: age [18..59] and sex "m" or missing."""
        parts = [_readable(c, atoms) for c, atoms in zip(self.columns, box) if atoms != c.all_atoms]
        return " and ".join(parts) if parts else "any values"

    def finding(self, severity: str, code: str, message: str, rules: int, hint: str, box: Box | None,
                first: int | None = None, cells: tuple[str, ...] | None = None) -> Finding:
        """A finding about ``rules`` (at their rows, ``first`` first; or at ``cells``)."""
        known = box is not None and all(box)
        return located(self.model.source, severity, code, self.table.name, message,
                       self.row_cells(rules, first) if cells is None else cells, self.rule_ids(rules), hint,
                       self.example(box) if known else None, self.box_text(box) if known else None)


def _readable(column: Column, atoms: int) -> str:
    values = column.values(atoms)
    if values.null and len(values.intervals) == 0:
        return f"{column.shown} missing"
    text = ValueSet(values.domain, values.intervals).to_unary_tests()
    return f"{column.shown} {text}" + (" or missing" if values.null else "")


def _plain(value: Any) -> Any:
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
    for box in gaps(analysis.columns, analysis.all_rules):
        headings = tuple(f"{c.letter}1" for c, atoms in zip(analysis.columns, box) if atoms != c.all_atoms)
        cells = headings or (source.table_place(table)[1],)
        if defaults:
            yield analysis.finding("info", "default-output", f"no rule matches records with "
                                   f"{analysis.describe(box)}; they get the default outputs ({given})", 0,
                                   "check that the default is meant for them, or add a rule", box, cells=cells)
        else:
            yield analysis.finding("error", "gap", f"no rule matches records with {analysis.describe(box)}", 0,
                                   source.words.gap_fix, box, cells=cells)


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
