"""The geometry of a coverage picture: a table's rules, gaps and overlaps over two inputs.

:func:`project` lays a table's input space out over two of its inputs (``engine.analysis.axes``)
and says, as rectangles in the axes' coordinates, where each rule matches, where no rule
matches and where several do; the inputs not shown are either a third input's bands (one
*panel* each, small multiples: ``facet``) or *hidden*.  Pure data, no drawing: the drawing is
``engine.review.pictures``.

The picture never claims more than is true of every value of the hidden inputs:

* a rule is drawn over the values of the two inputs it matches; where it also tests hidden
  inputs it matches there only for some of their values (``Shape.conditional``, drawn dashed);
* ``gap``: no rule matches, whatever the hidden inputs hold; ``gap-partly``: no rule
  matches for some values of them (another style);
* ``overlap`` (and ``several`` where the hit policy allows it): two or more rules match,
  whatever the hidden inputs hold; ``overlap-partly`` / ``several-partly``: for some values.

These come from the cut of the whole input space into regions in which every rule matches
all records or none (``engine.analysis.search.regions``): each cell of the picture is the
union of the regions that meet it, so the fewest and most rules matching there are exact.
Gaps and overlaps are linked to the lint findings (by the findings' boxes) that they show.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.analysis.atoms import Column, bits
from engine.analysis.axes import Axis, Band, axis_for
from engine.analysis.coverage_inputs import axes_order, choose_facet, column_index, declared_order
from engine.analysis.coverage_links import GAPS, MASKING, OVERLAPS, Links
from engine.analysis.findings import Finding
from engine.analysis.search import regions
from engine.analysis.verify import TableAnalysis
from engine.feel.sets import Interval, ValueSet
from engine.model.types import Model

MAX_REGIONS = 200_000  # beyond this many regions a table is too large to picture


class NoPicture(ValueError):
    """A table that cannot be pictured, and why (in an author's words)."""


@dataclass(frozen=True)
class Shape:
    """A rectangle of a panel: ``x`` and ``y`` are (low, high) in the axes' coordinates."""

    kind: str  # rule | gap | gap-partly | overlap | overlap-partly | several | several-partly | not-allowed
    x: tuple[float, float]
    y: tuple[float, float]
    rules: tuple[str, ...] = ()  # rule ids: the rule drawn, or the rules matching here
    findings: tuple[int, ...] = ()  # positions in the findings given to ``project``
    conditional: bool = False  # a rule that also tests hidden inputs
    note: str = ""  # what the shape means, in an author's words

    def contains(self, x: float, y: float) -> bool:
        return self.x[0] <= x <= self.x[1] and self.y[0] <= y <= self.y[1]


@dataclass(frozen=True)
class Panel:
    """The picture for one band of the facet input (``band`` None: no facet)."""

    band: Band | None
    shapes: tuple[Shape, ...]


@dataclass(frozen=True)
class Projection:
    table: str  # the table's name (as the model has it)
    title: str  # as messages name it
    policy: str  # the hit policy's code
    x: Axis
    y: Axis | None  # None: a table with one input
    facet: Axis | None
    hidden: tuple[str, ...]  # the inputs shown neither on an axis nor as panels, as messages name them
    uncovered: str  # what records no rule matches get: gap | default | empty (a list, a count)
    panels: tuple[Panel, ...]
    conditional: tuple[str, ...]  # rules (names) that also test hidden inputs
    never: tuple[str, ...]  # rules (names) that match no record at all, drawn nowhere
    rule_names: dict[str, str]  # rule id -> as messages name it

    @property
    def y_span(self) -> tuple[float, float]:
        return (self.y.low, self.y.high) if self.y is not None else (0.0, 1.0)


def table_analyses(model: Model) -> Iterator[tuple[str, TableAnalysis | None, str]]:
    """Each table with its analysis, or None and why it cannot be pictured."""
    from engine.analysis.lint import analysed_tables
    from engine.analysis.list_atoms import ListColumn

    for table, analysis, _ in analysed_tables(model):
        name = model.source.name(table.name)
        if not table.rules:
            yield table.name, None, f"{name} has no rules"
        elif not table.inputs:
            yield table.name, None, f"{name} has no input columns"
        elif analysis is None:
            cell = model.source.words.cell
            yield table.name, None, (f"the rules of {name} cannot be analysed (one {cell} compares with another "
                                     f"input, a column's values cannot be modelled, or one {cell} cannot be read): "
                                     "see dtrun lint")
        elif lists := [c.shown for c in analysis.columns if isinstance(c, ListColumn)]:
            yield table.name, None, f"{lists[0]} holds lists (several values per record), which pictures do not draw"
        else:
            yield table.name, analysis, ""


def analysis_of(model: Model, table_name: str) -> TableAnalysis:
    """The analysis of one table; KeyError for no such table, NoPicture with the reason."""
    model.table(table_name)
    for name, analysis, why in table_analyses(model):
        if name == table_name:
            if analysis is None:
                raise NoPicture(why)
            return analysis
    raise KeyError(table_name)  # pragma: no cover - every table is analysed or has a reason


# ---------------------------------------------------------------------- the projection
@dataclass(frozen=True)
class _Frame:
    """What one projection is made of: the table, its axes, and the inputs not on them."""

    analysis: TableAnalysis
    x: Axis
    y: Axis | None
    facet: Axis | None
    hidden: tuple[int, ...]

    def axes(self) -> tuple[Axis | None, Axis, Axis | None]:
        return self.facet, self.x, self.y

    @property
    def hidden_names(self) -> str:
        names = [self.analysis.columns[j].shown for j in self.hidden]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def project(analysis: TableAnalysis, x: str | None = None, y: str | None = None, findings: Sequence[Finding] = (),
            facet: str | bool = True) -> Projection:
    """The picture of ``analysis``'s table over inputs ``x`` and ``y`` (default: ``choose_axes``);
    ``facet``: True to choose a third input for panels, an input's name, or False for none;
    ``findings``: lint's findings, linked to the gaps and overlaps they describe (by position)."""
    table, source, columns = analysis.table, analysis.model.source, analysis.columns
    order = axes_order(analysis)
    chosen = [column_index(analysis, name) for name in (x, y) if name is not None]
    chosen = list(dict.fromkeys(chosen))
    for j in order:
        if len(chosen) >= min(2, len(columns)):
            break
        if j not in chosen:
            chosen.append(j)
    jx, jy = chosen[0], (chosen[1] if len(chosen) > 1 else None)
    jf = None
    if isinstance(facet, str):
        jf = column_index(analysis, facet)
        jf = None if jf in (jx, jy) else jf
    elif facet:
        jf = choose_facet(analysis, (jx, jy))
    axis = lambda j: axis_for(columns[j], j, declared_order(analysis, j)) if j is not None else None  # noqa: E731
    frame = _Frame(analysis, axis(jx), axis(jy), axis(jf),
                   tuple(j for j in range(len(columns)) if j not in (jx, jy, jf)))
    live = [r for r in range(len(table.rules)) if all(c.rule_atoms[r] & c.all_atoms for c in columns)]
    conditional = {r for r in live if any(columns[j].rule_atoms[r] & columns[j].all_atoms != columns[j].all_atoms
                                           for j in frame.hidden)}
    uncovered = ("default" if table.has_defaults else "gap") if table.hit_policy.single_hit else "empty"
    counts = _counts(frame)
    links = Links(analysis, findings)
    panels = []
    for p, band in enumerate(frame.facet.bands if frame.facet is not None else (None,)):
        shapes = [*_holes(frame), *_rule_shapes(frame, live, conditional, band)]
        cells = {(i, j): kind for (f, i, j), cell in counts.items() if f == p
                 for kind in [_cell_kind(frame, cell, band, i, j, links, uncovered)] if kind is not None}
        shapes += _rectangles(frame, cells)
        panels.append(Panel(band, tuple(shapes)))
    names = {rule.id: source.rule(table.name, rule.id) for rule in table.rules}
    return Projection(table.name, source.name(table.name), table.hit_policy.code, frame.x, frame.y, frame.facet,
                      tuple(columns[j].shown for j in frame.hidden), uncovered, tuple(panels),
                      tuple(names[table.rules[r].id] for r in sorted(conditional)),
                      tuple(names[table.rules[r].id] for r in range(len(table.rules)) if r not in live), names)


def _runs(axis: Axis, atoms: int) -> list[tuple[float, float]]:
    """The stretches of ``axis`` whose bands meet ``atoms``, touching bands joined."""
    found: list[tuple[float, float]] = []
    for band in axis.bands:
        if not band.atoms & atoms:
            continue
        if found and abs(found[-1][1] - band.low) < 1e-9:
            found[-1] = (found[-1][0], band.high)
        else:
            found.append((band.low, band.high))
    return found


def _span(axis: Axis | None) -> tuple[float, float]:
    return (axis.low, axis.high) if axis is not None else (0.0, 1.0)


def _holes(frame: _Frame) -> Iterator[Shape]:
    """Stretches between two allowed ranges of a numeric input: not allowed, drawn as such."""
    for axis, other in ((frame.x, frame.y), (frame.y, frame.x)):
        for band in axis.bands if axis is not None else ():
            if not band.allowed and band.atoms:
                spans = ((band.low, band.high), _span(other))
                x, y = spans if axis is frame.x else spans[::-1]
                yield Shape("not-allowed", x, y, note=f"{axis.label}: values not allowed")


def _rule_shapes(frame: _Frame, live: list[int], conditional: set[int], panel: Band | None) -> Iterator[Shape]:
    analysis = frame.analysis
    columns, table = analysis.columns, analysis.table
    for r in live:
        if frame.facet is not None and panel is not None and not columns[frame.facet.index].rule_atoms[r] & panel.atoms:
            continue
        y_runs = _runs(frame.y, columns[frame.y.index].rule_atoms[r]) if frame.y is not None else [(0.0, 1.0)]
        tests = [columns[j].words(columns[j].rule_atoms[r]) for j in frame.hidden if r in conditional
                 and columns[j].rule_atoms[r] & columns[j].all_atoms != columns[j].all_atoms]
        note = f"rule {analysis.rule_name(r)}" + (f", only where {' and '.join(tests)}" if tests else "")
        for x_run in _runs(frame.x, columns[frame.x.index].rule_atoms[r]):
            for y_run in y_runs:
                yield Shape("rule", x_run, y_run, (table.rules[r].id,), conditional=r in conditional, note=note)


# ---------------------------------------------------------------------- cells: how many rules match
@dataclass
class _Count:
    low: int  # the fewest rules matching a record of the cell
    high: int  # the most
    together: int  # the rules that match some record of the cell along with another rule


def _counts(frame: _Frame) -> dict[tuple[int, int, int], _Count]:
    """Per (facet band, x band, y band): the fewest and most rules matching its records, from
    the regions of the whole input space (each meets the cells its box spans)."""
    analysis = frame.analysis
    where = [{atom: k for k, band in enumerate(axis.bands) for atom in bits(band.atoms)} if axis is not None else {}
             for axis in frame.axes()]
    counts: dict[tuple[int, int, int], _Count] = {}
    for number, (box, matching) in enumerate(regions(analysis.columns, analysis.all_rules)):
        if number >= MAX_REGIONS:
            raise NoPicture(f"{analysis.model.source.name(analysis.table.name)} has too many rules and inputs to "
                            "picture")
        n = matching.bit_count()
        together = matching if n >= 2 else 0
        spots = [sorted({place[a] for a in bits(box[axis.index])}) if axis is not None else [0]
                 for place, axis in zip(where, frame.axes())]
        for f in spots[0]:
            for i in spots[1]:
                for j in spots[2]:
                    count = counts.get((f, i, j))
                    if count is None:
                        counts[(f, i, j)] = _Count(n, n, together)
                    else:
                        count.low, count.high, count.together = min(count.low, n), max(count.high, n), \
                            count.together | together
    return counts


UNCOVERED = {"gap": "no rule matches", "default": "no rule matches: the default outputs",
             "empty": "no rule matches (an empty result)"}


def _cell_kind(frame: _Frame, count: _Count, panel: Band | None, i: int, j: int, links: Links, uncovered: str
               ) -> tuple[str, tuple[str, ...], tuple[int, ...], str] | None:
    """(kind, rule ids, findings, note) of one cell; None where one rule matches every record."""
    analysis = frame.analysis
    some = f" for some values of {frame.hidden_names}" if frame.hidden else ""
    every = f", whatever {frame.hidden_names}" if frame.hidden else ""
    bands = (panel, frame.x.bands[i], frame.y.bands[j] if frame.y is not None else None)
    if count.low == 0:
        kind = "gap" if count.high == 0 else "gap-partly"
        linked = links.linked(GAPS, frame.axes(), bands, set()) or links.boxless(GAPS)
        return kind, (), linked, UNCOVERED[uncovered] + (every if kind == "gap" else some)
    if count.high < 2:
        return None
    code = analysis.table.hit_policy.code
    strong = code == "U" or (code == "A" and len({_outputs(analysis, r) for r in bits(count.together)}) > 1)
    kind = ("overlap" if strong else "several") + ("" if count.low >= 2 else "-partly")
    ids = analysis.rule_ids(count.together)
    linked = links.linked(OVERLAPS if strong else MASKING, frame.axes(), bands, set(ids))
    names = analysis.rule_names(count.together)
    listed = " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + " and " + names[-1]
    what = f"rules {listed} both match" if len(names) == 2 else f"two or more of rules {listed} match"
    return kind, ids, linked, what + (every if count.low >= 2 else some)


def _outputs(analysis: TableAnalysis, rule: int) -> tuple[str, ...]:
    return tuple(" ".join(e.text.split()) for e in analysis.table.rules[rule].outputs)


def _rectangles(frame: _Frame, cells: dict[tuple[int, int], tuple[Any, ...]]) -> list[Shape]:
    """Cells of the same kind, rules and findings joined into rectangles: runs along x, then
    runs of equal runs along y (only across bands that touch)."""
    x_bands = frame.x.bands
    y_bands = frame.y.bands if frame.y is not None else (Band(0, 0.0, 1.0, ""),)
    runs: dict[tuple[int, int, tuple[Any, ...]], list[int]] = {}
    for j in range(len(y_bands)):
        i = 0
        while i < len(x_bands):
            value = cells.get((i, j))
            if value is None:
                i += 1
                continue
            end = i
            while (end + 1 < len(x_bands) and cells.get((end + 1, j)) == value
                   and abs(x_bands[end].high - x_bands[end + 1].low) < 1e-9):
                end += 1
            runs.setdefault((i, end, value), []).append(j)
            i = end + 1
    shapes = []
    for (i0, i1, (kind, rules, linked, note)), rows in runs.items():
        start = rows[0]
        for previous, j in zip(rows, [*rows[1:], None]):
            if j is not None and j == previous + 1 and abs(y_bands[previous].high - y_bands[j].low) < 1e-9:
                continue
            shapes.append(Shape(kind, (x_bands[i0].low, x_bands[i1].high), (y_bands[start].low, y_bands[previous].high),
                                rules, linked, note=note))
            start = j if j is not None else start
    return sorted(shapes, key=lambda s: (s.kind, s.x, s.y))


# ---------------------------------------------------------------------- boxes given by a caller
def box_shapes(analysis: TableAnalysis, projection: Projection, box: Mapping[str, Any], kind: str = "region",
               note: str = "") -> list[tuple[int, Shape]]:
    """A box of the input space (input → cell text, ``ValueSet``, ``Interval`` or (low, high);
    inputs it leaves out: any value) as shapes: (panel position, shape) for each panel it
    meets, ``conditional`` where it narrows a hidden input, or an input the table does not
    read (a region of ``dtrun diff`` may name an input of the other version)."""
    values, elsewhere = {}, False
    for name, given in box.items():
        try:
            j = column_index(analysis, name)
        except KeyError:
            elsewhere = elsewhere or not (isinstance(given, str) and given.strip() == "-")
            continue
        values[j] = _values(analysis.columns[j], given)
    shown = {projection.x.index, *(a.index for a in (projection.y, projection.facet) if a is not None)}
    conditional = elsewhere or any(j not in shown and not (analysis.columns[j].full <= v) for j, v in values.items())
    spans = []
    for axis in (projection.x, projection.y):
        if axis is None:
            spans.append([(0.0, 1.0)])
        else:
            spans.append(axis.spans(values[axis.index]) if axis.index in values else [(axis.low, axis.high)])
    found = []
    for p, panel in enumerate(projection.panels):
        if panel.band is not None and projection.facet is not None and projection.facet.index in values:
            column = analysis.columns[projection.facet.index]
            if (column.values(panel.band.atoms) & values[projection.facet.index]).is_empty():
                continue
        found += [(p, Shape(kind, x, y, conditional=conditional, note=note)) for x in spans[0] for y in spans[1]]
    return found


def _values(column: Column, given: Any) -> ValueSet:
    from engine.feel.conditions import compile_unary_tests

    if isinstance(given, ValueSet):
        return given & column.full
    if isinstance(given, Interval):
        return ValueSet(column.domain, (given,)) & column.full
    if isinstance(given, tuple):
        return ValueSet.interval(column.domain, *given) & column.full
    return compile_unary_tests(str(given)).to_set(column.domain) & column.full
