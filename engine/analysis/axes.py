"""The axes of a coverage picture: one input column's atoms laid out along a line.

An :class:`Axis` turns the atoms of an analysed column (``engine.analysis.atoms``) into
*bands*, each a stretch of the line with its atoms and a label: a numeric column (numbers,
integers, dates) as intervals on a scale that spans the column's allowed range, or where the
domain is open on a side the cut points the rules use plus a margin (``open_low`` /
``open_high``: the drawing marks that end as open); a text or boolean column as one band per
value, the texts no rule names (a column without allowed values) as one band "other texts".
The missing value, where the column may be missing, is a band of its own at the end.

Every atom gets some room, a single value too (``12``, drawn as a narrow band centred on 12):
positions follow the values where there is room and are pushed along where there is not, so
the ticks carry the values.  :meth:`Axis.position` places a value inside its atom's band, the
way a reader would look it up; pure data, no drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.analysis.atoms import Column, bits
from engine.feel.sets import Interval, ValueSet

MIN_SHARE = 0.08  # the least room of an atom on a numeric axis, as a share of the values' span
MARGIN_SHARE = 0.15  # the room of an open end (and of the missing band), likewise
MAX_TICKS = 12  # a numeric axis labels at most this many values, spread along it
MISSING = "missing"
OTHER_TEXTS = "other texts"


@dataclass(frozen=True)
class Band:
    """A stretch ``[low, high]`` of the axis holding ``atoms`` (a bitset of the column's atoms)."""

    atoms: int
    low: float
    high: float
    label: str
    allowed: bool = True  # False: a hole in the allowed values (between two allowed ranges)

    @property
    def centre(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Axis:
    """One input column along a line (see the module docstring)."""

    index: int  # the column's position in its table's analysed columns (and the table's inputs)
    name: str  # the column's heading: the name it reads
    label: str  # the column as messages name it
    numeric: bool
    bands: tuple[Band, ...]
    ticks: tuple[Tick, ...]
    open_low: bool = False
    open_high: bool = False
    scale: float = 1.0  # the span of the values the bands show (a numeric axis), for placing values in open bands
    column: Column | None = field(default=None, repr=False, compare=False)

    @property
    def low(self) -> float:
        return self.bands[0].low

    @property
    def high(self) -> float:
        return self.bands[-1].high

    def band_of_atom(self, atom: int) -> Band | None:
        return next((band for band in self.bands if band.atoms >> atom & 1), None)

    def atom_of(self, value: Any) -> int | None:
        """The atom holding ``value`` (None: the missing value), or None outside the domain."""
        column = self.column
        assert column is not None
        for atom in bits(column.all_atoms):
            if column.values(1 << atom).contains(value):
                return atom
        return None

    def position(self, value: Any) -> float | None:
        """Where ``value`` lies on the axis: inside its atom's band, by its value within the
        atom's interval on a numeric axis (the band's middle for a single value or text);
        None for a value outside the column's domain."""
        atom = self.atom_of(value)
        band = None if atom is None else self.band_of_atom(atom)
        if band is None or atom is None:
            return None
        column = self.column
        assert column is not None
        if not self.numeric or value is None or _single(column, atom):
            return band.centre
        (interval,) = column.values(1 << atom).intervals
        low, high, v = _number(interval.low), _number(interval.high), _number(value)
        assert v is not None
        width = band.high - band.low
        if low is not None and high is not None:
            step = 1.0 if column.domain.discrete else 0.0  # an integer is a unit wide: 1 lies in [0.5, 1.5]
            where = band.low + (v - low + step / 2) / (high - low + step) * width
        elif high is not None:  # open below: the band's far end stands for the values far below
            where = band.high - min((high - v) / self.scale, 1.0) * width
        elif low is not None:
            where = band.low + min((v - low) / self.scale, 1.0) * width
        else:
            where = band.centre
        return min(max(where, band.low + width * 0.02), band.high - width * 0.02)  # strictly inside its band

    def spans(self, values: ValueSet) -> list[tuple[float, float]]:
        """The stretches of the axis where the members of ``values`` lie (whole bands, or the
        part of a numeric band between two values), neighbouring ones joined."""
        column = self.column
        assert column is not None
        found: list[tuple[float, float]] = []
        for band in self.bands:
            if not band.allowed:
                continue
            inside = column.values(band.atoms) & values
            if inside.is_empty():
                continue
            if inside == column.values(band.atoms) or not self.numeric or not inside.intervals:
                piece = (band.low, band.high)
            else:
                first, last = inside.intervals[0], inside.intervals[-1]
                low = band.low if first.low is None else self.position(first.low) or band.low
                high = band.high if last.high is None else self.position(last.high) or band.high
                piece = (low, high)
            if found and abs(found[-1][1] - piece[0]) < 1e-9:
                found[-1] = (found[-1][0], piece[1])
            else:
                found.append(piece)
        return found


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, date):
        return float(value.toordinal())
    return float(value)


def _single(column: Column, atom: int) -> bool:
    """Whether ``atom`` is one value (a text, ``true``; ``is_point`` misses booleans' atoms)."""
    intervals = column.values(1 << atom).intervals
    return len(intervals) == 1 and intervals[0].low is not None and intervals[0].low == intervals[0].high


def _value_text(column: Column, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return ValueSet.point(column.domain, value).to_unary_tests()


def axis_for(column: Column, index: int) -> Axis:
    """The axis of ``column``, the ``index``-th input of its table."""
    if column.ordered:
        return _numeric(column, index)
    return _categorical(column, index)


# ---------------------------------------------------------------------- texts and booleans
def _categorical(column: Column, index: int) -> Axis:
    """One band per value; the texts no cell names (atoms between the named ones), grouped
    by the rules that match them, as "other texts"; missing last."""
    null_atom = column.null_atom
    named: list[int] = []
    others: dict[int, int] = {}  # rules matching → atoms
    for atom in bits(column.all_atoms & ~(1 << null_atom)):
        if _single(column, atom):
            named.append(1 << atom)
        else:
            others[column.atom_rules[atom]] = others.get(column.atom_rules[atom], 0) | 1 << atom
    groups = [(atoms, _value_text(column, column.values(atoms).sample())) for atoms in named]
    for number, atoms in enumerate(others.values(), start=1):
        groups.append((atoms, OTHER_TEXTS if len(others) == 1 else f"{OTHER_TEXTS} ({number})"))
    if column.all_atoms >> null_atom & 1:
        groups.append((1 << null_atom, MISSING))
    if not groups:  # a column whose domain is empty: one band that no rule meets
        groups.append((0, "(no values)"))
    bands = tuple(Band(atoms, float(k), float(k + 1), label) for k, (atoms, label) in enumerate(groups))
    ticks = tuple(Tick(b.centre, b.label) for b in bands)
    return Axis(index, column.heading, column.shown, False, bands, ticks, column=column)


# ---------------------------------------------------------------------- numbers and dates
def _natural(column: Column, cut: tuple) -> float | None:
    """The position of a boundary between atoms on the value scale: a number's own value;
    an integer's or a date's just below it (half a step), so each one is a unit wide."""
    if len(cut) != 3:
        return None
    value = _number(cut[1])
    assert value is not None
    return value - 0.5 if column.domain.discrete else value


def _numeric(column: Column, index: int) -> Axis:
    null_atom = column.null_atom
    inside = [a for a in bits(column.all_atoms) if a != null_atom]
    atoms = list(range(inside[0], inside[-1] + 1)) if inside else []
    finite = [p for a in atoms for p in (_natural(column, column.cuts[a]), _natural(column, column.cuts[a + 1]))
              if p is not None]
    span = (max(finite) - min(finite)) if finite else 0.0
    span = span or max(abs(finite[0]) if finite else 0.0, 1.0)
    least, margin = span * MIN_SHARE, span * MARGIN_SHARE
    bands: list[Band] = []
    ticks: dict[float, str] = {}
    for atom in atoms:
        low, high = _natural(column, column.cuts[atom]), _natural(column, column.cuts[atom + 1])
        if bands:
            start = bands[-1].high  # the atoms of a numeric column follow each other
        else:
            start = low if low is not None else (high - margin if high is not None else 0.0)
        end = start + margin if high is None else max(high, start + least)
        allowed = bool(column.all_atoms >> atom & 1)
        bands.append(Band(1 << atom, start, end, column.text(1 << atom) if allowed else "not allowed", allowed))
        if allowed:
            _tick(column, atom, bands[-1], ticks)
    if not bands:
        bands.append(Band(0, 0.0, 1.0, "(no values)", False))
    if column.all_atoms >> null_atom & 1:
        gap = max(least, (bands[-1].high - bands[0].low) * 0.04)
        start = bands[-1].high + gap
        bands.append(Band(1 << null_atom, start, start + max(margin, least * 2), MISSING))
        ticks[bands[-1].centre] = MISSING
    open_low = bool(atoms) and len(column.cuts[atoms[0]]) != 3
    open_high = bool(atoms) and len(column.cuts[atoms[-1] + 1]) != 3
    shown = _thinned([Tick(p, label) for p, label in sorted(ticks.items())], bands[0].low, bands[-1].high)
    return Axis(index, column.heading, column.shown, True, tuple(bands), shown, open_low, open_high, span, column)


def _thinned(ticks: list[Tick], low: float, high: float) -> tuple[Tick, ...]:
    """At most ``MAX_TICKS`` ticks, none closer than a ``MAX_TICKS``-th of the axis to the one
    kept before it (the first and the missing band's always kept)."""
    if len(ticks) <= MAX_TICKS:
        return tuple(ticks)
    gap = (high - low) / MAX_TICKS
    kept = [ticks[0]]
    for tick in ticks[1:]:
        if tick.label == MISSING or tick.position - kept[-1].position >= gap:
            kept.append(tick)
    return tuple(kept)


def _tick(column: Column, atom: int, band: Band, ticks: dict[float, str]) -> None:
    """The value where an atom begins, at its band's start (an integer's or a date's first
    value at its unit's middle); a single value at its band's middle; the last atom's end
    too.  A value already labelled just before is not labelled again."""
    (interval,) = column.values(1 << atom).intervals or (Interval(),)
    if _single(column, atom):
        _put(ticks, band.centre, _value_text(column, interval.low))
        return
    half = 0.5 if column.domain.discrete else 0.0
    if interval.low is not None:
        _put(ticks, min(band.low + half, band.high), _value_text(column, interval.low))
    last = atom + 1 == column.null_atom or not column.all_atoms >> (atom + 1) & 1
    if interval.high is not None and last:
        _put(ticks, max(band.high - half, band.low), _value_text(column, interval.high))


def _put(ticks: dict[float, str], position: float, label: str) -> None:
    if ticks and ticks[max(ticks)] == label:
        return
    ticks[position] = label
