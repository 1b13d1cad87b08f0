"""Static verification of decision tables: overlaps, gaps, masked and redundant rules.

Owns the checks behind ``dtrun lint`` that reason about rules without evaluating them.
Each input column's domain (its type and allowed values, plus the missing value where the
input is not required; for an upstream output, the values that table can give) is cut
into *atoms*: the coarsest pieces that every cell of the column either contains or
avoids (``engine.sets.partition``).  A rule is then a box of atom sets, one per column,
held as integer bitsets, and the searches below walk the columns one at a time, grouping
atoms by the set of rules still alive and memoizing on it, so that tables of thousands of
rules stay fast.  Domains, type and value checks on single cells live in ``engine.lint``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterator

from engine.findings import Finding
from engine.model import Model, Table
from engine.sets import Domain, ValueSet, _make

Box = tuple[int, ...]  # one atom bitset per column


@dataclass
class Column:
    """One analysed input column: its domain cut into atoms, and each rule's atoms."""

    heading: str
    letter: str
    domain: Domain
    full: ValueSet  # the column's domain as a set (allowed values, null if it may be missing)
    atoms: list[ValueSet]  # pieces of the value line; those outside the domain are never used
    all_atoms: int  # bitset of the atoms inside the domain
    rule_atoms: list[int]  # per rule: bitset of the atoms its cell matches
    atom_rules: list[int]  # per atom: bitset of the rules whose cell matches it
    any_rules: int = 0  # the rules whose cell matches some value of the column

    def values(self, atoms: int) -> ValueSet:
        result = ValueSet.empty(self.domain)
        for index in _bits(atoms):
            result = result | self.atoms[index]
        return result

    def text(self, atoms: int) -> str:
        return "-" if atoms == self.all_atoms else self.values(atoms).to_unary_tests()


def build_column(heading: str, letter: str, full: ValueSet, cells: list[ValueSet]) -> Column:
    """Cut the column's domain ``full`` into atoms and express each cell (a subset of it)
    as a bitset of atoms."""
    atoms, members = partition(full, cells)
    atom_rules = [0] * len(atoms)
    for rule, bits in enumerate(members):
        for atom in _bits(bits):
            atom_rules[atom] |= 1 << rule
    any_rules = sum(1 << rule for rule, bits in enumerate(members[:-1]) if bits)
    return Column(heading, letter, full.domain, full, atoms, members[-1], members[:-1], atom_rules, any_rules)


def partition(full: ValueSet, cells: list[ValueSet]) -> tuple[list[ValueSet], list[int]]:
    """Atoms: the pieces between consecutive boundaries of all the sets, plus the missing
    value; returns them and, per cell and then for ``full``, the bitset of atoms it holds."""
    domain = full.domain
    cuts = sorted({c for s in (full, *cells) for c in s._cuts})
    index = {cut: k for k, cut in enumerate(cuts)}
    atoms = [_make(domain, (cuts[k], cuts[k + 1]), False) for k in range(len(cuts) - 1)]
    null_atom = len(atoms)
    atoms.append(ValueSet.null_only(domain) if domain.nullable else ValueSet.empty(domain))

    def bits(s: ValueSet) -> int:
        value = 0
        for k in range(0, len(s._cuts), 2):
            value |= (1 << index[s._cuts[k + 1]]) - (1 << index[s._cuts[k]])
        return value | (1 << null_atom if s.null else 0)

    return atoms, [bits(s) for s in cells] + [bits(full)]


def _bits(value: int) -> Iterator[int]:
    while value:
        low = value & -value
        yield low.bit_length() - 1
        value ^= low


def popcount(value: int) -> int:
    return value.bit_count()


# ---------------------------------------------------------------------- searches
def gaps(columns: list[Column], active: int, restrict: Box | None = None) -> list[Box]:
    """Boxes (within ``restrict``, default everything) that no rule in ``active`` matches,
    merged per column so that they come out few and large."""
    limits = restrict or tuple(c.all_atoms for c in columns)
    memo: dict[tuple[int, int], tuple[Box, ...]] = {}

    def explore(j: int, alive: int) -> tuple[Box, ...]:
        if alive == 0:
            return (limits[j:],)
        if j == len(columns):
            return ()
        key = (j, alive)
        if key not in memo:
            merged: dict[tuple[Box, ...], int] = {}
            for sub, atoms in _split(columns[j], limits[j], alive).items():
                child = explore(j + 1, sub)
                if child:
                    merged[child] = merged.get(child, 0) | atoms
            memo[key] = tuple((atoms,) + box for child, atoms in merged.items() for box in child)
        return memo[key]

    return merge_boxes(list(explore(0, active)))


def merge_boxes(boxes: list[Box]) -> list[Box]:
    """Join boxes that differ in one column only, until none do: the union of two disjoint
    boxes that agree elsewhere is a box, so the result still covers exactly the same
    records, with fewer and larger boxes."""
    changed = True
    while changed and len(boxes) > 1:
        changed = False
        for position in range(len(boxes[0])):
            groups: dict[Box, int] = {}
            for box in boxes:
                rest = box[:position] + box[position + 1:]
                groups[rest] = groups.get(rest, 0) | box[position]
            if len(groups) < len(boxes):
                boxes = [rest[:position] + (atoms,) + rest[position:] for rest, atoms in groups.items()]
                changed = True
    return boxes


def cooccurring(columns: list[Column], active: int) -> dict[int, Box]:
    """Maximal sets of rules (bitsets) that can all match one record, each with a box in
    which exactly that set matches."""
    memo: dict[tuple[int, int], dict[int, Box]] = {}

    def explore(j: int, alive: int) -> dict[int, Box]:
        if popcount(alive) < 2:
            return {}
        if j == len(columns):
            return {alive: ()}
        key = (j, alive)
        if key not in memo:
            found: dict[int, Box] = {}
            for sub, atoms in _split(columns[j], columns[j].all_atoms, alive).items():
                for group, box in explore(j + 1, sub).items():
                    found.setdefault(group, (atoms,) + box)
            memo[key] = found
        return memo[key]

    leaves = explore(0, active)
    return {g: box for g, box in leaves.items() if not any(g != h and g & h == g for h in leaves)}


def _split(column: Column, atoms: int, alive: int) -> dict[int, int]:
    """Group the atoms of ``column`` (within ``atoms``) by the rules of ``alive`` matching them:
    {rules: atoms}.  Few rules alive: split the atoms rule by rule (a few bitset operations
    each); many: look at each atom once."""
    if 2 * alive.bit_count() ** 2 < atoms.bit_count():  # rules x pieces < atoms
        return _split_by_rules(column, atoms, alive)
    groups: dict[int, int] = {}
    for atom in _bits(atoms):
        sub = alive & column.atom_rules[atom]
        groups[sub] = groups.get(sub, 0) | (1 << atom)
    return groups


def _split_by_rules(column: Column, atoms: int, alive: int) -> dict[int, int]:
    pieces = [(atoms, 0)]  # (atoms, rules of alive that match all of them)
    for rule in _bits(alive):
        inside = column.rule_atoms[rule]
        split = []
        for piece, rules in pieces:
            if piece & inside:
                split.append((piece & inside, rules | 1 << rule))
            if piece & ~inside:
                split.append((piece & ~inside, rules))
        pieces = split
    groups: dict[int, int] = {}
    for piece, rules in pieces:
        groups[rules] = groups.get(rules, 0) | piece
    return groups


def _overlapping(columns: list[Column], rules: int) -> int:
    """The rules that meet at least one other rule: the only ones a co-matching group can
    hold, so the search need not partition the others."""
    found = 0
    for rule in _bits(rules):
        if intersecting(columns, rule, rules & ~(1 << rule)):
            found |= 1 << rule
    return found


def intersecting(columns: list[Column], rule: int, candidates: int) -> int:
    """The rules of ``candidates`` whose box meets rule ``rule``'s box."""
    for column in columns:
        atoms = column.rule_atoms[rule]
        if atoms == column.all_atoms:
            reach = column.any_rules  # a - cell meets every rule that matches something here
        else:
            reach = 0
            for atom in _bits(atoms):
                reach |= column.atom_rules[atom]
        candidates &= reach
        if not candidates:
            break
    return candidates


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
        return tuple(self.table.rules[i].id for i in _bits(rules))

    def row_cells(self, rules: int, first: int | None = None) -> tuple[str, ...]:
        order = sorted(_bits(rules), key=lambda i: (i != first, i))
        return tuple(f"A{self.table.rules[i].row}" for i in order)

    def box_text(self, box: Box) -> dict[str, str]:
        return {c.heading: c.text(atoms) for c, atoms in zip(self.columns, box)}

    def example(self, box: Box) -> dict[str, Any]:
        return {c.heading: _plain(c.values(atoms).sample()) for c, atoms in zip(self.columns, box)}

    def box_of(self, rules: int) -> Box:
        """The atoms where every rule of ``rules`` matches."""
        box = []
        for column in self.columns:
            atoms = column.all_atoms
            for rule in _bits(rules):
                atoms &= column.rule_atoms[rule]
            box.append(atoms)
        return tuple(box)

    def is_empty(self, rules: int) -> bool:
        return any(atoms == 0 for atoms in self.box_of(rules))

    def describe(self, box: Box) -> str:
        """The records of ``box`` in an author's words: age [18..59] and sex "m" or missing."""
        parts = [_readable(c, atoms) for c, atoms in zip(self.columns, box) if atoms != c.all_atoms]
        return " and ".join(parts) if parts else "any values"

    def finding(self, severity: str, code: str, message: str, rules: int, hint: str, box: Box | None,
                first: int | None = None) -> Finding:
        known = box is not None and all(box)
        return Finding(severity, code, self.model.workbook, self.table.name, message, self.row_cells(rules, first),
                       self.rule_ids(rules), hint, self.example(box) if known else None,
                       self.box_text(box) if known else None)


def _readable(column: Column, atoms: int) -> str:
    values = column.values(atoms)
    if values.null and len(values.intervals) == 0:
        return f"{column.heading} missing"
    text = ValueSet(values.domain, values.intervals).to_unary_tests()
    return f"{column.heading} {text}" + (" or missing" if values.null else "")


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
    overlapping = _overlapping(analysis.columns, analysis.all_rules)
    for group, box in sorted(cooccurring(analysis.columns, overlapping).items()):
        ids = analysis.rule_ids(group)
        common = analysis.box_of(group)
        if code == "U":
            yield analysis.finding("error", "overlap", f"rules {_names(ids)} can {_all(ids)} match the same record "
                                   f"({analysis.describe(common)}) under hit policy U", group,
                                   "narrow one rule's conditions so that they exclude each other, "
                                   "or change the hit policy if several answers are intended", common)
        elif len({_outputs(table, i) for i in _bits(group)}) > 1:
            yield analysis.finding("error", "conflict", f"rules {_names(ids)} can match the same record "
                                   f"({analysis.describe(common)}) but give different outputs under hit policy A",
                                   group, "make their outputs agree or their conditions exclude each other",
                                   common)


def _outputs(table: Table, rule: int) -> tuple[str, ...]:
    return tuple(" ".join(e.text.split()) for e in table.rules[rule].outputs)


def gap_findings(analysis: TableAnalysis) -> Iterator[Finding]:
    if not analysis.table.hit_policy.single_hit or not analysis.table.rules:
        return
    for box in gaps(analysis.columns, analysis.all_rules):
        finding = analysis.finding("error", "gap", f"no rule matches records with {analysis.describe(box)}", 0,
                                   "add a rule for these records (if the guideline is silent, say so with an "
                                   "explicit outcome such as clinical_judgement)", box)
        headings = tuple(f"{c.letter}1" for c, atoms in zip(analysis.columns, box) if atoms != c.all_atoms)
        yield replace(finding, cells=headings or ("A1",))


def masking_findings(analysis: TableAnalysis) -> Iterator[Finding]:
    table = analysis.table
    if table.hit_policy.code not in ("F", "P"):
        return
    ranks = _precedence(table)
    for rule in range(len(table.rules)):
        higher = sum(1 << r for r in range(len(table.rules)) if ranks[r] < ranks[rule])
        hiding = intersecting(analysis.columns, rule, higher)
        if not hiding:
            continue
        own = analysis.box_of(1 << rule)
        left = gaps(analysis.columns, hiding, own)
        ids, hiders = table.rules[rule].id, analysis.rule_ids(hiding)
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
    from engine.hit_policy import priority

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
            a, b = table.rules[rule].id, table.rules[other].id
            yield analysis.finding("warning", "subsumed-rule", f"rule {a} is redundant: rule {b} gives the same "
                                   f"outputs and matches every record {a} matches", 1 << rule | 1 << other,
                                   f"delete rule {a}", analysis.box_of(1 << rule), first=rule)
        yield from _mergeable(analysis, [r for r in rules if r not in found])


def _subsumed(analysis: TableAnalysis, rules: list[int]) -> Iterator[tuple[int, int]]:
    """(rule, a rule with the same outputs that matches everything it matches)."""
    columns, gone = analysis.columns, set()
    for rule in rules:
        for other in rules:
            if other != rule and other not in gone and all(
                    c.rule_atoms[rule] & ~c.rule_atoms[other] == 0 for c in columns):
                gone.add(rule)
                yield rule, other
                break


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
            a, b = table.rules[first].id, table.rules[rule].id
            yield analysis.finding("info", "mergeable-rules", f"rules {a} and {b} give the same outputs and "
                                   f"differ only in {column.heading}", 1 << first | 1 << rule,
                                   f"they could be one rule with {column.heading} = {joined}", None)
