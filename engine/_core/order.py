"""Names in dependency order, with the cycles among them: for the tables of a model (each after
the tables whose outputs it reads) and for computed inputs (each after those it reads)."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def ordered_with_cycles(names: Iterable[str], reads: Callable[[str], Iterable[str]]
                        ) -> tuple[list[str], list[list[str]]]:
    """``names``, each after those it ``reads`` (depth first, in the given order), and the
    cycles found (each a path back to its start: ``[a, b, a]``); a name in a cycle is placed
    where the search first finishes it.  For tables and for computed inputs alike."""
    ordered: list[str] = []
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycles.append(path[path.index(name):] + [name])
            return
        state[name] = "active"
        for read in reads(name):
            visit(read, path + [name])
        state[name] = "done"
        ordered.append(name)

    for name in names:
        visit(name, [])
    return ordered, cycles
