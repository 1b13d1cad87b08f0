"""The models that ``dtrun serve`` serves, by name, and their explicit reload.

Owns which files are served (a workbook, a DMN model, or every one in a folder, as ``dtrun
lint`` finds them), each one's name (its file name without the suffix; the first of two
files with one stem keeps it, the next gets its suffix too), and reloading: a file is
loaded with every check of the other commands; a reload builds every model anew and swaps
the set only when all of them loaded, so that a request never sees a half-loaded set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.formats import load, paths
from engine.model.types import Model


@dataclass(frozen=True)
class Served:
    """One file served: its name in URLs, its path and its model."""

    name: str
    path: Path
    model: Model


class Models:
    """The served models; ``reload()`` replaces them all or none (WorkbookError)."""

    def __init__(self, targets: Iterable[str | Path]) -> None:
        self.targets = [str(t) for t in targets]
        self._lock = threading.Lock()
        self._served = _load(self.targets)

    def reload(self) -> list[Served]:
        fresh = _load(self.targets)  # raises before anything is replaced
        with self._lock:
            self._served = fresh
        return fresh

    def all(self) -> list[Served]:
        return list(self._served)

    def get(self, name: str | None) -> Served | None:
        """The model named ``name``; without a name, the only one (None if there are several)."""
        served = self._served
        if name is None:
            return served[0] if len(served) == 1 else None
        return next((s for s in served if s.name == name), None)


def _load(targets: list[str]) -> list[Served]:
    found: list[Served] = []
    names: set[str] = set()
    for path in paths(targets):
        name = path.stem if path.stem not in names else path.name
        names.add(name)
        found.append(Served(name, path, load(path)))
    return found
