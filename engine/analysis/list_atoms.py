"""A list input's column (``list of string``, ...) cut into atoms for the searches: exact.

A list input whose allowed values are a finite set V holds a subset of V (or is missing).
Each value of V is a yes/no dimension ("the list holds it"), so the column's records are the
subsets of V.  Values that every cell of the column treats alike (the same cells accept them)
make one *group*; a cell's answer depends only on which groups a list touches, so the atoms
are the sets of groups (a list touching groups g1 and g3: one atom), plus the missing value.
Each cell is judged on each atom by the scalar evaluator itself (the reference meaning), on a
list holding one value of each group of the atom; so the searches of ``engine.analysis.search``
are exact over it.  A FEEL cell (``?`` the whole list) takes part where its answer depends only
on which tests of single elements the list's elements pass (``list contains(?, "x")``,
``some e in ? satisfies ...``, ``every ...``: ``engine.feel.feel_runs.element_tests``); each such
test tells values apart as a cell does.  With more than ``MAX_GROUPS`` groups (2**MAX_GROUPS atoms), or without a
finite V, the column is not analysed (``list_column`` says why).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.analysis.atoms import Column, bits
from engine.feel.conditions import CompiledUnaryTests, compile_unary_tests_node
from engine.feel.feel_runs import element_tests
from engine.feel.syntax import Comparison, Literal, UnaryTests

MAX_GROUPS = 12  # 4,096 atoms


@dataclass(frozen=True)
class ListDomain:
    """What ``Column.domain`` is for a list column: its type, and whether it may be missing."""

    kind: str  # "list of string", ...
    nullable: bool


@dataclass(frozen=True)
class _Lists:
    """A set of atoms of a list column, as ``Column.values`` gives it (``sample`` only)."""

    column: ListColumn
    atoms: int

    def sample(self) -> list[Any] | None:
        """A list of the atoms (the one with the fewest groups); None for the missing value only."""
        real = [a for a in bits(self.atoms) if a != self.column.null_atom]
        if not real:
            return None
        return self.column.example(min(real, key=lambda a: (a.bit_count(), a)))


class ListColumn(Column):
    """A list column: atom ``s`` < 2**groups holds the lists touching the groups of the bits of
    ``s``; atom 2**groups is the missing value."""

    groups: tuple[tuple[Any, ...], ...]
    elements: tuple[Any, ...]  # the values a list's elements may be (allowed values)

    @property
    def null_atom(self) -> int:
        return 1 << len(self.groups)

    def is_point(self, atom: int) -> bool:
        return True

    @property
    def ordered(self) -> bool:
        return False

    def example(self, atom: int) -> list[Any]:
        return [self.groups[g][0] for g in bits(atom)]

    def values(self, atoms: int) -> Any:  # type: ignore[override]
        return _Lists(self, atoms)

    def text(self, atoms: int) -> str:
        """The atoms as one cell where one cell says it (``"a", "b"``, ``not("a")``), else in words."""
        if atoms == self.all_atoms:
            return "-"
        null = bool(atoms >> self.null_atom & 1)
        cubes = _cubes(atoms & ~(1 << self.null_atom), len(self.groups))
        if not cubes:
            return "null"
        if len(cubes) == 1:  # a null test inside or outside not(...) says whether it holds the missing value
            present, absent = cubes[0]
            if present.bit_count() == 1 and not absent:
                return _literals(self.groups[present.bit_length() - 1]) + (", null" if null else "")
            if not present and absent:
                shut = "" if null or not self.domain.nullable else ", null"
                return f"not({_literals(v for g in bits(absent) for v in self.groups[g])}{shut})"
        return self._phrase(cubes, null)

    def words(self, atoms: int) -> str:
        if atoms == self.all_atoms:
            return f"{self.shown} any"
        cubes = _cubes(atoms & ~(1 << self.null_atom), len(self.groups))
        if not cubes:
            return f"{self.shown} missing"
        return f"{self.shown} {self._phrase(cubes, bool(atoms >> self.null_atom & 1))}"

    def _phrase(self, cubes: list[tuple[int, int]], null: bool) -> str:
        said = []
        for present, absent in cubes:
            parts = [f"holds {_one_of(self.groups[g])}" for g in bits(present)]
            if absent:
                parts.append(f"holds none of {_literals(v for g in bits(absent) for v in self.groups[g])}")
            said.append(" and ".join(parts) or "any list")
        return " or ".join(said) + (" or missing" if null else "")


def _one_of(values: tuple[Any, ...]) -> str:
    return _literals(values) if len(values) == 1 else f"one of {_literals(values)}"


def _literals(values: Iterable[Any]) -> str:
    from engine.feel.unparse import literal

    return ", ".join(literal(v) for v in values)


def _cubes(minterms: int, width: int) -> list[tuple[int, int]]:
    """The set of atoms (bit s: the lists touching groups s) as few (present, absent) pairs
    of groups, each the lists touching every group of present and none of absent: prime
    cubes (Quine-McCluskey) chosen greedily until the set is covered."""
    terms = set(bits(minterms))
    if not terms:
        return []
    full = (1 << width) - 1
    cubes = {(s, full) for s in terms}  # (value, care mask)
    primes = set()
    while cubes:
        merged, used = set(), set()
        for value, care in cubes:
            for g in bits(care):
                other = (value ^ (1 << g), care)
                if other in cubes:
                    merged.add((value & ~(1 << g), care & ~(1 << g)))
                    used |= {(value, care), other}
        primes |= cubes - used
        cubes = merged
    chosen, left = [], set(terms)
    while left:
        best = max(primes, key=lambda c: (len(_covered(c, left)), -c[1].bit_count()))
        chosen.append(best)
        left -= _covered(best, left)
    return [(value, care & ~value) for value, care in chosen]


def _covered(cube: tuple[int, int], terms: set[int]) -> set[int]:
    value, care = cube
    return {t for t in terms if t & care == value}


def finite_values(allowed: CompiledUnaryTests | None, kind: str) -> tuple[Any, ...] | None:
    """The values a list's elements may be: the allowed values when they are a list of
    literals (``"a", "b"``), both truth values for booleans; None when not finite so."""
    if kind == "list of boolean" and allowed is None:
        return (True, False)
    if allowed is None or allowed.is_any or allowed.node.negated or allowed.names:
        return None
    found = []
    for test in allowed.node.tests:
        if not (isinstance(test, Comparison) and test.op == "=" and isinstance(test.endpoint, Literal)):
            return None
        if test.endpoint.value is not None and test.endpoint.value not in found:
            found.append(test.endpoint.value)
    return tuple(found)


def _inner(cell: CompiledUnaryTests) -> CompiledUnaryTests:
    """The tests of one element that make a list match the cell (of ``not(...)``: the tests
    inside, which make it fail): whether a list matches depends on these alone."""
    node = cell.node
    return compile_unary_tests_node(cell.text, UnaryTests(node.tests, False, node.span, node.any_value), cell.names)


def list_column(heading: str, letter: str, kind: str, values: tuple[Any, ...], nullable: bool,
                cells: list[CompiledUnaryTests], label: str = "",
                domains: tuple[tuple[tuple[Any, ...], bool], ...] = ()) -> ListColumn | str:
    """The column of a list input whose elements are ``values``, for the rules' ``cells``
    (cells over lists, none naming another input); or why it is not analysed.  ``domains``
    (``dtrun diff``: each version's allowed values and whether it may be missing) become one
    more "rule" each, after the cells': the lists each version allows."""
    tests = []
    for cell in cells:
        if cell.feel:  # ? is the whole list: a test of an element per use of ? (engine.feel.feel_sets)
            found = element_tests(cell.node)
            if isinstance(found, str):
                return found
            tests += found
        elif not cell.is_any:
            tests.append(_inner(cell).matches)
    signatures: dict[tuple[Any, ...], list[Any]] = {}
    for value in values:
        signature = tuple(test(value) for test in tests)
        signature += tuple(value not in allowed for allowed, _ in domains)  # outside a version's values
        signatures.setdefault(signature, []).append(value)
    groups = tuple(tuple(v) for s, v in signatures.items() if any(s))  # values no cell accepts: like none
    if len(groups) > MAX_GROUPS:
        return (f"its cells tell apart {len(groups)} groups of allowed values, more than the {MAX_GROUPS} "
                "the checks enumerate")
    null_atom = 1 << len(groups)
    every = (1 << null_atom) - 1
    all_atoms = every | (1 << null_atom if nullable else 0)
    rule_atoms = []
    judged: dict[str, int] = {}
    for cell in cells:
        if cell.text not in judged:
            atoms = sum(1 << s for s in range(null_atom) if cell.matches(tuple(groups[g][0] for g in bits(s))))
            judged[cell.text] = atoms | (1 << null_atom if cell.matches(None) else 0)
        rule_atoms.append(judged[cell.text] & all_atoms)
    for allowed, may_miss in domains:
        inside = [all(v in allowed for v in group) for group in groups]
        atoms = sum(1 << s for s in range(null_atom) if all(inside[g] for g in bits(s)))
        rule_atoms.append((atoms | (1 << null_atom if may_miss else 0)) & all_atoms)
    atom_rules = [0] * (null_atom + 1)
    for rule, atoms in enumerate(rule_atoms):
        for atom in bits(atoms):
            atom_rules[atom] |= 1 << rule
    any_rules = sum(1 << rule for rule, atoms in enumerate(rule_atoms) if atoms)
    column = ListColumn(heading, letter, ListDomain(kind, nullable), None, (), all_atoms, rule_atoms,  # type: ignore
                        atom_rules, any_rules, label if label != heading else "")
    column.groups, column.elements = groups, tuple(values)
    return column
