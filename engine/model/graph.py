"""The decision graph: which names each table reads, the order tables are evaluated in, and
which tables a selection of decisions needs.

Owns the dependencies between tables (a table depends on the tables whose outputs its
columns or cells read, by ``table.output`` or by an output's plain name), the evaluation
order (each table after the tables it reads; a cycle is reported by the loader that finds
it), and the selection behind ``--decision`` (the tables named and everything upstream).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from engine._core.errors import InputDataError
from engine._core.order import ordered_with_cycles
from engine.model.types import Model, Table


def names_read(table: Table, aliases: Mapping[str, str]) -> set[str]:
    """Every record name a table reads: its input columns and the names in its cells, plain
    output names resolved to ``table.output`` through ``aliases``."""
    names = {c.name for c in table.inputs}
    for rule in table.rules:
        for compiled in (*rule.inputs, *rule.outputs):
            names |= {aliases.get(n, n) for n in compiled.names}
    return names


def table_names(table: Table, model: Model) -> set[str]:
    """Every record name ``table`` of ``model`` reads."""
    return names_read(table, model.aliases)


def evaluation_order(tables: list[Table], aliases: Mapping[str, str]) -> tuple[list[Table], list[list[str]]]:
    """The tables, each after the tables it reads (``depends_on`` filled in), and the cycles
    found (each a path that comes back to its start: ``[a, b, a]``); a table in a cycle is
    placed where the search first finishes it."""
    by_name = {t.name: t for t in tables}
    deps = {t.name: _upstream(t, by_name, aliases) for t in tables}
    ordered, cycles = ordered_with_cycles(list(by_name), lambda name: sorted(deps[name], key=list(by_name).index))
    return [replace(by_name[n], depends_on=deps[n]) for n in ordered], cycles


def _upstream(table: Table, by_name: Mapping[str, Table], aliases: Mapping[str, str]) -> tuple[str, ...]:
    found = {n.partition(".")[0] for n in names_read(table, aliases) if "." in n and n.partition(".")[0] in by_name}
    return tuple(sorted(found - {table.name}))


def selected_tables(model: Model, decisions: Iterable[str] = ()) -> list[Table]:
    """The tables to evaluate: those named (with everything upstream of them), or all."""
    wanted = set(decisions)
    if not wanted:
        return list(model.tables)
    unknown = wanted - {t.name for t in model.tables}
    if unknown:
        raise InputDataError(f"{model.workbook}: no decision table named {', '.join(sorted(unknown))}; "
                             f"the tables are {', '.join(t.name for t in model.tables)}")
    for table in reversed(model.tables):
        if table.name in wanted:
            wanted |= set(table.depends_on)
    return [t for t in model.tables if t.name in wanted]
