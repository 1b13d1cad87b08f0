"""Which inputs a coverage picture shows, and in which order their values come.

The axes default to the two inputs that best explain a table's gaps and overlaps (the ones
their boxes narrow most often), then those the rules tell apart the most; a third input with
a few values becomes panels; a text input's values come in the order the author declared
them.  Used by ``engine.analysis.coverage``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from engine.analysis.atoms import Column
from engine.analysis.axes import axis_for
from engine.analysis.verify import TableAnalysis

MAX_PANELS = 4  # a third input is shown as panels (small multiples) when it has at most this many bands


def column_index(analysis: TableAnalysis, name: str) -> int:
    """The position of the input ``name`` (its heading, the input it reads, or as messages name it)."""
    for j, (column, spec) in enumerate(zip(analysis.columns, analysis.table.inputs)):
        if name in (column.heading, column.shown, spec.name):
            return j
    shown = ", ".join(c.shown for c in analysis.columns)
    raise KeyError(f"{analysis.model.source.name(analysis.table.name)} has no input {name!r}; its inputs are {shown}")


def distinct_cells(column: Column) -> int:
    """How many different sets of values the rules test in ``column`` ("-" counts too)."""
    return len({atoms & column.all_atoms for atoms in column.rule_atoms})


def choose_axes(analysis: TableAnalysis) -> tuple[int, int | None]:
    """The two inputs that best explain the table's gaps and overlaps (those most often
    narrowed in their boxes), then those with the most distinct cells; one for a table with
    one input."""
    from engine.analysis.search import cooccurring, gaps

    columns = analysis.columns
    if len(columns) == 1:
        return 0, None
    boxes = []
    if analysis.table.hit_policy.single_hit:
        boxes += gaps(columns, analysis.all_rules)[:200]
    if analysis.table.hit_policy.code in ("U", "A"):
        boxes += list(cooccurring(columns, analysis.all_rules).values())[:200]
    narrowed = [sum(1 for box in boxes if box[j] != c.all_atoms) for j, c in enumerate(columns)]
    order = sorted(range(len(columns)), key=lambda j: (-narrowed[j], -distinct_cells(columns[j]), j))
    return order[0], order[1]


def choose_facet(analysis: TableAnalysis, shown: Sequence[int]) -> int | None:
    """A third input to show as panels: one with 2 to ``MAX_PANELS`` bands that the rules
    tell apart, the one with the most distinct cells (then the fewest bands)."""
    candidates = []
    for j, column in enumerate(analysis.columns):
        if j in shown or distinct_cells(column) < 2:
            continue
        size = len(axis_for(column, j).bands)
        if 2 <= size <= MAX_PANELS:
            candidates.append((-distinct_cells(column), size, j))
    return min(candidates)[2] if candidates else None


def declared_order(analysis: TableAnalysis, j: int) -> tuple[Any, ...]:
    """The values of input ``j`` in the order the author declared them: its allowed values
    (row 3 of the table, else the Inputs sheet), or for an upstream output the values that
    table's output allows (its priority order); () where none are declared."""
    model, spec = analysis.model, analysis.table.inputs[j]
    definition = model.inputs.get(spec.name)
    for allowed in (spec.allowed, definition.allowed if definition is not None else None):
        if allowed is not None:
            return tuple(_literals(allowed.node))
    table, _, output = spec.name.partition(".")
    for upstream in model.tables:
        if upstream.name == table:
            return next((o.values for o in upstream.outputs if o.name == output), ())
    return ()


def _literals(node: Any) -> Iterator[Any]:
    """The literal values of a cell's syntax tree, in the order they are written."""
    from dataclasses import fields, is_dataclass

    from engine.feel.syntax import Literal

    if isinstance(node, Literal):
        yield node.value
    elif is_dataclass(node):
        for f in fields(node):
            yield from _literals(getattr(node, f.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from _literals(item)


def axes_order(analysis: TableAnalysis) -> list[int]:
    """The inputs in the order they are chosen as axes: ``choose_axes``'s two, then the rest."""
    first, second = choose_axes(analysis)
    rest = [j for j in range(len(analysis.columns)) if j not in (first, second)]
    return [first, *([second] if second is not None else []), *rest]
