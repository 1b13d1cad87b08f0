"""Searches over rules as boxes of atoms: the engine room of ``dtrun lint`` and ``dtrun diff``.

Each rule is a box: one bitset of atoms per input column (``engine.analysis.atoms``).  Three
searches work on these boxes:

* :func:`cooccurring`: maximal groups of rules that can all match one record.  They are
  the maximal cliques of the graph "these two rules' boxes meet" (Bron-Kerbosch with a
  pivot), because boxes of intervals that meet pairwise share a point (Helly); only a
  clique of list cells without a common record falls back to an exact per-column search.
* :func:`gaps`: the part of a box that no rule covers, found by cutting the box where the
  fewest rules straddle the cut (as a decision tree's own splits do), or, with many rules,
  along a text column into all its values at once, then merging.
* :func:`regions`: the box cut into pieces in which every rule either matches all
  records or none, for comparing two versions of a table.

No search looks at cell texts or values: ``engine.analysis.verify`` turns what they find into
findings, ``engine.analysis.lint`` builds the columns.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from engine.analysis.atoms import Box, Column, bits, box_of, covers, key


# ---------------------------------------------------------------------- which rules meet
class Reach:
    """Which rules each rule's box meets, one union of atom bitsets per distinct cell."""

    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns
        self._cache: dict[tuple[int, Any], int] = {}

    def __call__(self, rule: int) -> int:
        """The rules (itself included) whose box meets ``rule``'s box."""
        reach = -1
        for j, column in enumerate(self.columns):
            atoms = column.rule_atoms[rule]
            if atoms == column.all_atoms:
                reach &= column.any_rules
                continue
            cached = (j, key(atoms))
            if cached not in self._cache:
                hit = 0
                for atom in bits(atoms):
                    hit |= column.atom_rules[atom]
                self._cache[cached] = hit
            reach &= self._cache[cached]
        return reach


def intersecting(columns: list[Column], rule: int, candidates: int) -> int:
    """The rules of ``candidates`` whose box meets rule ``rule``'s box."""
    return Reach(columns)(rule) & candidates


def containing(columns: list[Column], rules: list[int]) -> dict[int, int]:
    """Per rule, the other rules of ``rules`` whose box contains its box."""
    group = sum(1 << r for r in rules)
    cache: dict[tuple[int, Any], int] = {}
    found = {}
    for rule in rules:
        candidates = group & ~(1 << rule)
        for j, column in enumerate(columns):
            atoms = column.rule_atoms[rule]
            cached = (j, key(atoms))
            if cached not in cache:
                inside = -1
                for atom in bits(atoms):
                    inside &= column.atom_rules[atom]
                cache[cached] = inside
            candidates &= cache[cached]
            if not candidates:
                break
        found[rule] = candidates
    return found


# ---------------------------------------------------------------------- overlaps
def cooccurring(columns: list[Column], active: int) -> dict[int, Box]:
    """Maximal sets of rules (bitsets) of ``active`` that can all match one record, each
    with a box in which all of them match."""
    reach = Reach(columns)
    live = active
    for column in columns:
        live &= column.any_rules
    adjacency = {r: reach(r) & live & ~(1 << r) for r in bits(live)}
    found: dict[int, Box] = {}
    inexact = False

    def report(group: int) -> None:
        nonlocal inexact
        box = box_of(columns, group)
        if all(box):
            found[group] = box
        else:  # list cells that meet pairwise without a common record
            inexact = True
            found.update(_exact_groups(columns, group))

    def expand(group: int, candidates: int, excluded: int) -> None:
        if not candidates and not excluded:
            if group.bit_count() >= 2:
                report(group)
            return
        pivot = max(bits(candidates | excluded), key=lambda u: (candidates & adjacency[u]).bit_count())
        for v in bits(candidates & ~adjacency[pivot]):
            expand(group | 1 << v, candidates & adjacency[v], excluded & adjacency[v])
            candidates &= ~(1 << v)
            excluded |= 1 << v

    for rule in bits(live):
        later = adjacency[rule] & ~((1 << (rule + 1)) - 1)
        earlier = adjacency[rule] & ((1 << rule) - 1)
        if adjacency[rule]:
            expand(1 << rule, later, earlier)
    return _maximal(found) if inexact else found


def _exact_groups(columns: list[Column], active: int) -> dict[int, Box]:
    """The maximal co-matching groups within ``active``, by walking the columns one at a
    time and grouping atoms by the rules still alive (memoized on that set)."""
    memo: dict[tuple[int, Any], dict[int, Box]] = {}

    def explore(j: int, alive: int) -> dict[int, Box]:
        if alive.bit_count() < 2:
            return {}
        if j == len(columns):
            return {alive: ()}
        cached = (j, key(alive))
        if cached not in memo:
            found: dict[int, Box] = {}
            for sub, atoms in _split(columns[j], columns[j].all_atoms, alive):
                for group, box in explore(j + 1, sub).items():
                    found.setdefault(group, (atoms,) + box)
            memo[cached] = found
        return memo[cached]

    return _maximal(explore(0, active))


def _maximal(groups: dict[int, Box]) -> dict[int, Box]:
    return {g: box for g, box in groups.items() if not any(g != h and g & h == g for h in groups)}


def _split(column: Column, atoms: int, alive: int) -> list[tuple[int, int]]:
    """Group the atoms of ``column`` (within ``atoms``) by the rules of ``alive`` matching
    them: [(rules, atoms)], in the order of their first atom."""
    groups: dict[Any, list[int]] = {}
    for atom in bits(atoms):
        sub = alive & column.atom_rules[atom]
        group = groups.get(sub_key := key(sub))
        if group is None:
            groups[sub_key] = [sub, 1 << atom]
        else:
            group[1] |= 1 << atom
    return [(sub, found) for sub, found in groups.values()]


# ---------------------------------------------------------------------- gaps and regions
def gaps(columns: list[Column], active: int, restrict: Box | None = None) -> list[Box]:
    """Disjoint boxes (within ``restrict``, default everything) that no rule of ``active``
    matches, merged so that they come out few and large."""
    limits = tuple(restrict or (c.all_atoms for c in columns))
    found: list[Box] = []
    stack = [(limits, [r for r in bits(active) if all(_meets(c, r, a) for c, a in zip(columns, limits))])]
    while stack:
        box, alive = stack.pop()
        if not alive:
            found.append(box)
        elif any(covers(columns, r, box) for r in alive):
            continue
        elif len(alive) == 1:  # the box minus one rule's box: one piece per column at most
            found += _minus(columns, box, alive[0])
        elif len(alive) > _WIDE and (pieces := _pieces(columns, box, alive)):
            stack += pieces
        else:
            stack += _cut(columns, box, alive)
    return sorted(merge_boxes(found))


_WIDE = 64  # more rules than this in a box: cut a text column into all its values at once


def _pieces(columns: list[Column], box: Box, alive: list[int]) -> list[tuple[Box, list[int]]]:
    """The box cut along a text or boolean column into one piece per group of values that the
    same rules match, each piece with its rules: a thousand rules that each name one value
    of a column become a thousand small boxes in one step, where cutting in two would take a
    thousand steps of a thousand rules.  The column whose largest piece holds the fewest
    rules; none (an empty list) when no such column splits the rules."""
    mask = sum(1 << r for r in alive)
    best: tuple[int, int, list[tuple[int, int]]] | None = None
    for j, column in enumerate(columns):
        if column.ordered or box[j].bit_count() < 2:
            continue
        groups = _split(column, box[j], mask)
        largest = max(group.bit_count() for group, _ in groups)
        if len(groups) > 1 and largest < len(alive) and (best is None or largest < best[0]):
            best = (largest, j, groups)
    if best is None:
        return []
    _, j, groups = best
    return [(box[:j] + (atoms,) + box[j + 1:], list(bits(group))) for group, atoms in groups]


class SearchLimit(Exception):
    """A search gave up after ``limit`` boxes: it has not decided the question it was asked."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def regions(columns: list[Column], active: int, settled: Callable[[Box, list[int]], bool] | None = None,
            limit: int | None = None) -> Iterator[tuple[Box, int]]:
    """The whole domain cut into boxes in which each rule of ``active`` matches every
    record or none: (box, rules matching it).  ``settled(box, alive)``: True when the caller
    needs no finer cut of a box (its answer is the same all over it, whatever the rules of
    ``alive`` that meet the box do; ``alive`` in ascending order): such a box is skipped, neither
    cut nor yielded.  Raises SearchLimit after ``limit`` boxes."""
    whole = tuple(c.all_atoms for c in columns)
    stack = [(whole, [r for r in bits(active) if all(_meets(c, r, a) for c, a in zip(columns, whole))])]
    seen = 0
    while stack:
        box, alive = stack.pop()
        seen += 1
        if limit is not None and seen > limit:
            raise SearchLimit(limit)
        if settled is not None and settled(box, alive):
            continue
        straddling = [r for r in alive if not covers(columns, r, box)]
        if not straddling:
            yield box, sum(1 << r for r in alive)
        else:
            stack += _cut(columns, box, straddling, alive)


def _meets(column: Column, rule: int, atoms: int) -> bool:
    return bool(column.rule_atoms[rule] & atoms)


def _minus(columns: list[Column], box: Box, rule: int) -> list[Box]:
    pieces = []
    for j, column in enumerate(columns):
        rest = box[j] & ~column.rule_atoms[rule]
        if rest:
            pieces.append(tuple(box[i] & columns[i].rule_atoms[rule] for i in range(j)) + (rest,) + box[j + 1:])
    return pieces


def _cut(columns: list[Column], box: Box, straddling: list[int], alive: list[int] | None = None
         ) -> list[tuple[Box, list[int]]]:
    """The box in two along the cleanest cut for ``straddling``; each half with the rules
    of ``alive`` (default: ``straddling``) that still meet it."""
    j, left = _choose_cut(columns, box, straddling)
    halves = []
    for part in (left, box[j] & ~left):
        inner = [r for r in (alive if alive is not None else straddling) if columns[j].rule_atoms[r] & part]
        halves.append((box[:j] + (part,) + box[j + 1:], inner))
    return halves


def _choose_cut(columns: list[Column], box: Box, alive: list[int]) -> tuple[int, int]:
    """(column, atoms on one side): the cut that the fewest rules straddle, the most
    balanced among those.  An ordered column (numbers, dates) is cut between neighbouring
    atoms where a rule begins or ends; an unordered one (texts, booleans) along one
    rule's set of values."""
    best: tuple[tuple[int, int], int, int] | None = None
    for j, column in enumerate(columns):
        if box[j].bit_count() < 2:
            continue
        options = _set_cuts(column, box[j], alive) if not column.ordered else _line_cuts(column, box[j], alive)
        for score, side in options:
            if best is None or score < best[0]:
                best = (score, j, side)
    if best is not None:
        return best[1], best[2]
    for rule in alive:  # every rule spans the box's ends in every column, with holes inside
        for j, column in enumerate(columns):
            inside = column.rule_atoms[rule] & box[j]
            if inside != box[j]:
                return j, inside
    raise AssertionError("no rule straddles the box")


def _set_cuts(column: Column, span: int, alive: list[int]) -> Iterator[tuple[tuple[int, int], int]]:
    for side in {column.rule_atoms[r] & span for r in alive} - {span, 0}:
        inside = straddle = 0
        for rule in alive:
            atoms = column.rule_atoms[rule]
            if atoms & side:
                straddle, inside = (straddle + 1, inside) if atoms & span & ~side else (straddle, inside + 1)
        yield (straddle, -min(inside, len(alive) - inside - straddle)), side


def _line_cuts(column: Column, span: int, alive: list[int]) -> Iterator[tuple[tuple[int, int], int]]:
    order = list(bits(span))
    rank = {atom: k for k, atom in enumerate(order)}
    starts, ends = [0] * (len(order) + 1), [0] * (len(order) + 1)
    for rule in alive:
        atoms = column.rule_atoms[rule] & span
        starts[rank[(atoms & -atoms).bit_length() - 1]] += 1
        ends[rank[atoms.bit_length() - 1]] += 1
    opened = closed = 0
    for p in range(1, len(order)):
        opened, closed = opened + starts[p - 1], closed + ends[p - 1]
        if starts[p] or ends[p - 1]:  # a rule begins or ends here
            yield (opened - closed, -min(closed, len(alive) - opened)), sum(1 << a for a in order[:p])


def merge_boxes(boxes: list[Box]) -> list[Box]:
    """Join boxes that differ in one column only, until none do: the union of two disjoint
    boxes that agree elsewhere is a box, so the result still covers exactly the same
    records, with fewer and larger boxes."""
    changed = True
    while changed and len(boxes) > 1:
        changed = False
        for position in range(len(boxes[0])):
            groups: dict[tuple[Any, ...], list] = {}
            for box in boxes:
                rest = box[:position] + box[position + 1:]
                group = groups.get(rest_key := tuple(map(key, rest)))
                if group is None:
                    groups[rest_key] = [rest, box[position]]
                else:
                    group[1] |= box[position]
            if len(groups) < len(boxes):
                boxes = [rest[:position] + (atoms,) + rest[position:] for rest, atoms in groups.values()]
                changed = True
    return boxes
