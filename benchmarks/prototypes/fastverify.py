"""Prototype to fold into engine/verify.py and engine/lint.py (issue 4): faster searches, installed by
monkeypatching for measurement with `python benchmarks/bench_lint.py --setup FILE`, where FILE puts this
folder on sys.path and calls `fastverify.install_all()`. Measured: 1,500 x 3/9/15 lint in 0.42/1.85/2.2 s,
<= 110 MiB (docs/benchmarks.md); the brute-force oracle passes with it installed. Not imported by dtrun."""
from __future__ import annotations

from engine import verify
from engine.verify import Column, _bits, _make, popcount


def values_fast(self: Column, atoms: int):
    """Union of atoms by concatenating runs of consecutive atoms: O(atoms), not O(atoms^2)."""
    null_index = len(self.atoms) - 1
    null = bool(atoms >> null_index & 1) and self.domain.nullable
    cuts: list = []
    for index in _bits(atoms & ~(1 << null_index)):
        low, high = self.atoms[index]._cuts
        if cuts and cuts[-1] == low:
            cuts[-1] = high
        else:
            cuts += (low, high)
    return _make(self.domain, tuple(cuts), null)


def _reach(columns, rule, cache):
    """Bitset of the rules whose box meets ``rule``'s box (every rule, itself included)."""
    reach = -1
    for j, column in enumerate(columns):
        atoms = column.rule_atoms[rule]
        if atoms == column.all_atoms:
            continue
        key = (j, atoms)
        hit = cache.get(key)
        if hit is None:
            hit = 0
            for atom in _bits(atoms):
                hit |= column.atom_rules[atom]
            cache[key] = hit
        reach &= hit
    return reach


def cooccurring_fast(columns, active):
    """Connected components of the pairwise-overlap graph first; the exact per-column
    search then runs on each component alone (groups never span components)."""
    cache: dict = {}
    adjacency = {r: _reach(columns, r, cache) & active & ~(1 << r) for r in _bits(active)}
    result: dict[int, tuple] = {}
    remaining = active
    while remaining:
        seed = remaining & -remaining
        component = frontier = seed
        while frontier:
            grown = 0
            for r in _bits(frontier):
                grown |= adjacency[r]
            frontier = grown & ~component
            component |= frontier
        remaining &= ~component
        if popcount(component) >= 2:
            result.update(_cooccurring_local(columns, component))
    return result


def _cooccurring_local(columns, active):
    used = []
    for column in columns:
        union = 0
        for r in _bits(active):
            union |= column.rule_atoms[r]
        used.append(union & column.all_atoms)
    memo: dict = {}

    def explore(j, alive):
        if popcount(alive) < 2:
            return {}
        if j == len(columns):
            return {alive: ()}
        key = (j, alive)
        if key not in memo:
            found: dict = {}
            for sub, atoms in verify._split(columns[j], used[j], alive).items():
                for group, box in explore(j + 1, sub).items():
                    found.setdefault(group, (atoms,) + box)
            memo[key] = found
        return memo[key]

    leaves = explore(0, active)
    return {g: box for g, box in leaves.items() if not any(g != h and g & h == g for h in leaves)}


def _rank(mask: int, bit: int) -> int:
    return (mask & ((1 << bit) - 1)).bit_count()


def _choose_cut(columns, box, alive):
    """(column, left atoms): the cut that the fewest alive rules straddle (ties: the most
    balanced); a decision tree's own splits straddle none.  Ordered columns (numbers,
    dates) are cut between consecutive atoms at a rule's boundary; unordered ones
    (strings, booleans) along one rule's set of values."""
    best = None
    total = len(alive)
    for j, column in enumerate(columns):
        span = box[j]
        size = span.bit_count()
        if size < 2:
            continue
        if column.domain.kind in ("string", "boolean"):
            cells = {column.rule_atoms[r] & span for r in alive}
            cells.discard(span)
            for m in cells:
                rest = span & ~m
                inside = straddle = 0
                for r in alive:
                    a = column.rule_atoms[r]
                    if a & m:
                        if a & rest:
                            straddle += 1
                        else:
                            inside += 1
                score = (straddle, -min(inside, total - inside - straddle))
                if best is None or score < best[0]:
                    best = (score, j, m)
            continue
        starts = [0] * (size + 1)
        ends = [0] * (size + 1)
        for r in alive:
            m = column.rule_atoms[r] & span
            starts[_rank(span, (m & -m).bit_length() - 1)] += 1
            ends[_rank(span, m.bit_length() - 1)] += 1
        opened = closed = 0
        for p in range(1, size):
            opened += starts[p - 1]
            closed += ends[p - 1]
            if not (starts[p] or ends[p - 1]):
                continue  # no rule begins or ends here: not one of the rules' own boundaries
            straddle = opened - closed  # began before p, not yet ended before p
            score = (straddle, -min(closed, total - opened))
            if best is None or score < best[0]:
                best = (score, j, p)
    if best is None:  # every rule spans the box's ends in every column, with holes inside
        for r in alive:
            for j, column in enumerate(columns):
                m = column.rule_atoms[r] & box[j]
                if m != box[j]:
                    return j, m
        raise AssertionError("a rule covers the box")
    _, j, p = best
    if columns[j].domain.kind in ("string", "boolean"):
        return j, p
    span, left, count = box[j], 0, 0
    for atom in _bits(span):
        if count == p:
            break
        left |= 1 << atom
        count += 1
    return j, left


def merge_boxes(boxes, width):
    """Join boxes that differ in one column only, until none do (disjointness is kept)."""
    changed = True
    while changed and len(boxes) > 1:
        changed = False
        for j in range(width):
            groups: dict = {}
            for b in boxes:
                key = b[:j] + b[j + 1:]
                groups[key] = groups.get(key, 0) | b[j]
            if len(groups) < len(boxes):
                boxes = [key[:j] + (atoms,) + key[j:] for key, atoms in groups.items()]
                changed = True
    return boxes


def gaps_fast(columns, active, restrict=None):
    """Recursive cutting (k-d style) of the box along the cleanest cut, then merging."""
    limits = tuple(restrict or tuple(c.all_atoms for c in columns))
    width = len(columns)
    rule_atoms = [c.rule_atoms for c in columns]
    alive = [r for r in _bits(active) if all(rule_atoms[j][r] & limits[j] for j in range(width))]
    out = []
    stack = [(limits, alive)]
    while stack:
        box, alive = stack.pop()
        if not alive:
            out.append(box)
            continue
        if any(all(box[j] & ~rule_atoms[j][r] == 0 for j in range(width)) for r in alive):
            continue
        if len(alive) == 1:  # the box minus one rule: at most one box per column
            r = alive[0]
            for j in range(width):
                rest = box[j] & ~rule_atoms[j][r]
                if rest:
                    out.append(tuple(box[i] & rule_atoms[i][r] for i in range(j)) + (rest,) + box[j + 1:])
            continue
        cut = _choose_cut(columns, box, alive)
        j, left = cut
        for part in (left, box[j] & ~left):
            inner = [r for r in alive if rule_atoms[j][r] & part]
            stack.append((box[:j] + (part,) + box[j + 1:], inner))
    return sorted(merge_boxes(out, width))


def install():
    Column.values = values_fast
    verify.cooccurring = cooccurring_fast
    verify.gaps = gaps_fast


def cooccurring_cliques(columns, active):
    """Maximal groups = maximal cliques of the pairwise-overlap graph whose common box is
    not empty (always so for interval cells: Helly); a clique of list cells without a
    common record falls back to the exact search over its own rules."""
    cache: dict = {}
    for column in columns:
        live = 0
        for r in _bits(active):
            if column.rule_atoms[r] & column.all_atoms:
                live |= 1 << r
        active &= live
    adjacency = {r: _reach(columns, r, cache) & active & ~(1 << r) for r in _bits(active)}
    found: dict[int, tuple] = {}
    fallback = False

    def report(group):
        nonlocal fallback
        box = []
        for column in columns:
            atoms = column.all_atoms
            for r in _bits(group):
                atoms &= column.rule_atoms[r]
            box.append(atoms)
        if all(box):
            found[group] = tuple(box)
        else:
            fallback = True
            found.update(_cooccurring_local(columns, group))

    def expand(group, candidates, excluded):
        if not candidates and not excluded:
            if popcount(group) >= 2:
                report(group)
            return
        pivot = max(_bits(candidates | excluded), key=lambda u: popcount(candidates & adjacency[u]))
        for v in _bits(candidates & ~adjacency[pivot]):
            expand(group | 1 << v, candidates & adjacency[v], excluded & adjacency[v])
            candidates &= ~(1 << v)
            excluded |= 1 << v

    for r in _bits(active):
        if adjacency[r]:
            later = adjacency[r] & ~((1 << (r + 1)) - 1)
            earlier = adjacency[r] & ((1 << r) - 1)
            expand(1 << r, later, earlier)
    if fallback:
        groups = list(found)
        found = {g: b for g, b in found.items() if not any(g != h and g & h == g for h in groups)}
    return found


def install_cliques():
    install()
    verify.cooccurring = cooccurring_cliques


def install_all():
    """Everything: also memoized cell sets (lint._columns computes each cell's set twice,
    through the three-valued TriSet algebra) and bitset subsumption."""
    install_cliques()
    from engine.conditions import CompiledUnaryTests
    from engine import set_form
    cache: dict = {}
    original = set_form.unary_tests_set

    def cached(node, domain):
        key = (node, domain)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = original(node, domain)
        return hit

    set_form.unary_tests_set = cached
    verify._subsumed = subsumed_bitsets
    text_cache: dict = {}
    original_text = Column.text

    def text(self, atoms):
        memo = self.__dict__.setdefault("_text_memo", {})
        hit = memo.get(atoms)
        if hit is None:
            hit = memo[atoms] = original_text(self, atoms)
        return hit

    Column.text = text


def subsumed_bitsets(analysis, rules):
    """Same answers as verify._subsumed (first containing rule not already gone, in order),
    with per-column 'rules whose cell contains this cell' bitsets instead of all pairs."""
    columns = analysis.columns
    group = 0
    for r in rules:
        group |= 1 << r
    cache: dict = {}
    gone = 0
    for rule in rules:
        candidates = group & ~(1 << rule)
        for j, column in enumerate(columns):
            atoms = column.rule_atoms[rule]
            key = (j, atoms)
            containing = cache.get(key)
            if containing is None:
                containing = -1
                for atom in _bits(atoms):
                    containing &= column.atom_rules[atom]
                cache[key] = containing
            candidates &= containing
            if not candidates:
                break
        candidates &= ~gone
        if candidates:
            # verify._subsumed takes the first 'other' in the order of ``rules``
            other = next(o for o in rules if candidates >> o & 1)
            gone |= 1 << rule
            yield rule, other
