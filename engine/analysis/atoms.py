"""Input columns cut into atoms, and rules as boxes of atom bitsets: what the searches work on.

Each analysed input column's domain is cut into *atoms*, the coarsest pieces that every
cell of the column either contains or avoids (:func:`partition`, :func:`build_column`).  A
rule is then a box: one bitset of atoms per column.  A :class:`Column` also says what a set
of its atoms is (values, cell text, words), remembered per atoms, since thousands of gap
boxes share them; :func:`key` makes bitsets usable as dictionary keys.  The searches over
the boxes are in ``engine.analysis.search``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine.feel.sets import Domain, ValueSet, _make

Box = tuple[int, ...]  # one atom bitset per column


def key(bitset: int) -> bytes | tuple[int, ...]:
    """A bitset as a dictionary key.  Python hashes an int modulo 2**61 - 1, so the bitsets of
    one atom or one rule (``1 << k``) share 61 hashes between them: a dictionary of thousands
    of them is a list.  A few bits are the tuple of their positions; more, the bytes, which
    hash all their bits (and keep their hash)."""
    if bitset.bit_count() <= 8:
        return tuple(bits(bitset))
    return bitset.to_bytes((bitset.bit_length() + 7) // 8, "little")


def _column_key(column: Column, atoms: int) -> tuple[bool, bytes | tuple[int, ...]]:
    """``key`` of a column's atoms, or of the others where they are fewer (``not("x")``)."""
    if atoms.bit_count() * 2 <= column.size or atoms & column.all_atoms != atoms:
        return False, key(atoms)
    return True, key(column.all_atoms & ~atoms)


def _remembered(compute: Any) -> Any:
    """A method of a Column on its atoms, remembered by ``_column_key`` (gap boxes share their
    columns' atoms: a thousand boxes may name one value each of a thousand-value column)."""
    def remembered(column: Column, atoms: int) -> Any:
        memo_key = (compute.__name__, *_column_key(column, atoms))
        found = column._memo.get(memo_key)
        if found is None:
            found = column._memo[memo_key] = compute(column, atoms)
        return found

    remembered.__doc__, remembered.__name__ = compute.__doc__, compute.__name__
    return remembered


@dataclass
class Column:
    """One analysed input column: its domain cut into atoms, and each rule's atoms."""

    heading: str  # the column's identity: the name it reads (a heading of its table)
    letter: str
    domain: Domain
    full: ValueSet  # the column's domain as a set (allowed values, null if it may be missing)
    cuts: tuple  # the boundaries of the atoms: atom k lies between cuts k and k + 1; the last atom is null
    all_atoms: int  # bitset of the atoms inside the domain
    rule_atoms: list[int]  # per rule: bitset of the atoms its cell matches
    atom_rules: list[int]  # per atom: bitset of the rules whose cell matches it
    any_rules: int = 0  # the rules whose cell matches some value of the column
    label: str = ""  # how messages name the column (its model's name for it), when not ``heading``
    _memo: dict[tuple[str, bool, Any], Any] = field(default_factory=dict, repr=False)

    @property
    def shown(self) -> str:
        return self.label or self.heading

    @_remembered
    def values(self, atoms: int) -> ValueSet:
        """The union of ``atoms``.  Most of a column's atoms (``not("x")`` of a text column
        with a thousand values) are the column's domain without the others."""
        rest = self.all_atoms & ~atoms
        if atoms & self.all_atoms == atoms and rest.bit_count() < atoms.bit_count() // 2:
            return self.full - self._union(rest)
        return self._union(atoms)

    @cached_property
    def size(self) -> int:
        """The number of atoms in the domain."""
        return self.all_atoms.bit_count()

    @property
    def null_atom(self) -> int:
        return max(len(self.cuts) - 1, 0)

    def is_point(self, atom: int) -> bool:
        """Whether atom ``atom`` is one value (``"a"``, ``3``), not the values between two."""
        low, high = self.cuts[atom], self.cuts[atom + 1]
        return len(low) == 3 and len(high) == 3 and low[1] == high[1]

    def _union(self, atoms: int) -> ValueSet:
        """The union of ``atoms``, joining runs of neighbouring atoms as it goes."""
        null_atom = self.null_atom
        cuts: list = []
        for index in bits(atoms & ~(1 << null_atom)):
            low, high = self.cuts[index], self.cuts[index + 1]
            if cuts and cuts[-1] == low:
                cuts[-1] = high
            else:
                cuts += (low, high)
        return _make(self.domain, tuple(cuts), bool(atoms >> null_atom & 1) and self.domain.nullable)

    @_remembered
    def text(self, atoms: int) -> str:
        """The atoms as a cell in table notation; ``-`` for the whole domain."""
        return "-" if atoms == self.all_atoms else self.values(atoms).to_unary_tests()

    @_remembered
    def words(self, atoms: int) -> str:
        """The atoms in an author's words: ``age [18..59]``, ``sex "m" or missing``."""
        values = self.values(atoms)
        if values.null and len(values.intervals) == 0:
            return f"{self.shown} missing"
        if not values.null and atoms != self.all_atoms:
            return f"{self.shown} {self.text(atoms)}"
        text = ValueSet(values.domain, values.intervals).to_unary_tests()
        return f"{self.shown} {text}" + (" or missing" if values.null else "")

    @property
    def ordered(self) -> bool:
        return self.domain.kind not in ("string", "boolean")


def build_column(heading: str, letter: str, full: ValueSet, cells: list[ValueSet], label: str = "") -> Column:
    """Cut the column's domain ``full`` into atoms and express each cell (a subset of it)
    as a bitset of atoms; ``label``: how messages name it (default: ``heading``)."""
    cuts, members = partition(full, cells)
    atom_rules = [0] * (max(len(cuts) - 1, 0) + 1)
    for rule, cell in enumerate(members[:-1]):
        for atom in bits(cell):
            atom_rules[atom] |= 1 << rule
    any_rules = sum(1 << rule for rule, cell in enumerate(members[:-1]) if cell)
    return Column(heading, letter, full.domain, full, cuts, members[-1], members[:-1], atom_rules, any_rules,
                  label if label != heading else "")


def partition(full: ValueSet, cells: list[ValueSet]) -> tuple[tuple, list[int]]:
    """Atoms: the pieces between consecutive boundaries of all the sets, plus the missing
    value; returns the boundaries and, per cell and then for ``full``, the bitset of atoms
    it holds (the missing value: the last atom, in ``full`` where the domain has it)."""
    cuts = tuple(sorted({c for s in (full, *cells) for c in s._cuts}))
    index = {cut: k for k, cut in enumerate(cuts)}
    null_atom = max(len(cuts) - 1, 0)

    def members(s: ValueSet) -> int:
        value = 0
        for k in range(0, len(s._cuts), 2):
            value |= (1 << index[s._cuts[k + 1]]) - (1 << index[s._cuts[k]])
        return value | (1 << null_atom if s.null else 0)

    return cuts, [members(s) for s in cells] + [members(full)]


def bits(value: int) -> Iterator[int]:
    """The positions of the set bits, lowest first (of a long bitset with many bits set, read
    from its binary digits: taking the lowest bit off one at a time copies the whole number
    each time)."""
    taken = 0
    while value:
        low = value & -value
        yield low.bit_length() - 1
        value ^= low
        taken += 1
        if taken == 64 and value.bit_length() > 256:
            break
    if not value:
        return
    digits = bin(value)[:1:-1]  # lowest first, without "0b"
    position = digits.find("1")
    while position >= 0:
        yield position
        position = digits.find("1", position + 1)


def box_of(columns: list[Column], rules: int) -> Box:
    """The atoms where every rule of ``rules`` matches."""
    box = []
    for column in columns:
        atoms = column.all_atoms
        for rule in bits(rules):
            atoms &= column.rule_atoms[rule]
        box.append(atoms)
    return tuple(box)


def covers(columns: list[Column], rule: int, box: Box) -> bool:
    return all(atoms & ~c.rule_atoms[rule] == 0 for c, atoms in zip(columns, box))
