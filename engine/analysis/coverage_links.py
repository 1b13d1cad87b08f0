"""Which lint findings a coverage picture's gaps and overlaps show: the findings' boxes as atoms.

A gap or overlap finding carries its box in the table's notation (``age [65..120] and sex
"m"``, one cell text per input); :func:`box_atoms` reads it back into the atoms of each
analysed column, and :class:`Links` tells which findings' boxes meet a cell of a picture
(``engine.analysis.coverage``), so that the shape drawn there links to them; where several
rules match under a first-hit or priority policy, the masking findings of those rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.analysis.atoms import bits
from engine.analysis.axes import Axis, Band
from engine.analysis.findings import Finding
from engine.analysis.verify import TableAnalysis

GAPS = ("gap", "default-output")
OVERLAPS = ("overlap", "conflict")
MASKING = ("masked-rule", "partly-masked-rule")  # where several rules match under F or P: which one decides


class Links:
    """The gap, overlap and masking findings of one table, with their boxes as atoms per column."""

    def __init__(self, analysis: TableAnalysis, findings: Sequence[Finding]) -> None:
        place = analysis.model.source.place(analysis.table.name)[0]
        self.found: list[tuple[int, Finding, list[int] | None]] = []
        for position, finding in enumerate(findings):
            if finding.sheet == place and finding.code in (*GAPS, *OVERLAPS, *MASKING):
                self.found.append((position, finding, box_atoms(analysis, finding.box)))

    def linked(self, codes: tuple[str, ...], axes: tuple[Axis | None, ...], bands: tuple[Band | None, ...],
               rule_ids: set[str]) -> tuple[int, ...]:
        """The findings of ``codes`` whose box meets the cell ``bands`` of ``axes`` (facet, x, y:
        None where there is none) and whose rules are among ``rule_ids`` (when given); a masking
        finding (which has a box only when the rule is masked entirely) where two of its rules
        are among them."""
        found = []
        for position, finding, atoms in self.found:
            if finding.code not in codes:
                continue
            if finding.code in MASKING:
                if len(set(finding.rules) & rule_ids) < 2:
                    continue
            elif atoms is None or (rule_ids and not set(finding.rules) <= rule_ids):
                continue
            if atoms is None:
                found.append(position)
                continue
            if all(band is None or axis is None or atoms[axis.index] & band.atoms
                   for band, axis in zip(bands, axes)):
                found.append(position)
        return tuple(found)

    def boxless(self, codes: tuple[str, ...]) -> tuple[int, ...]:
        """The findings of ``codes`` without a box (the texts no rule names, past 20 named ones)."""
        return tuple(position for position, finding, atoms in self.found if finding.code in codes and atoms is None)


def box_atoms(analysis: TableAnalysis, box: dict[str, str] | None) -> list[int] | None:
    """A finding's box (column as shown → cell text) as the atoms of each column inside it."""
    from engine._core.errors import ConditionError
    from engine.feel.conditions import compile_unary_tests

    if box is None:
        return None
    atoms = []
    for column in analysis.columns:
        try:
            values = compile_unary_tests(box.get(column.shown, "-")).to_set(column.domain) & column.full
        except (ConditionError, ValueError, TypeError):
            return None
        atoms.append(sum(1 << a for a in bits(column.all_atoms) if column.values(1 << a) <= values))
    return atoms
