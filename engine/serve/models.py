"""The models that ``dtrun serve`` serves, by name, and their explicit reload.

Owns which files are served (a workbook, a DMN model, or every one in a folder, as ``dtrun
lint`` finds them), each one's name (its file name without the suffix; the first of two
files with one stem keeps it, the next gets its suffix too), and reloading: a file is
loaded with every check of the other commands; a reload builds every model anew and swaps
the set only when all of them loaded, so that a request never sees a half-loaded set; a
reload that failed is remembered (``Models.failure``, shown on the pages) until one succeeds.
``Watcher`` is ``dtrun serve --watch``: it polls the files' modification times and reloads
when they changed and have stayed unchanged for one interval (a file still being written is
not read half-way; one that cannot be loaded is reported and the old models stay served).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine._core.errors import WorkbookError
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

    def __init__(self, targets: Iterable[str | Path], dictionary: str | Path | None = None,
                 hit_policy: str | None = None) -> None:
        self.targets = [str(t) for t in targets]
        self.options = {"dictionary": dictionary, "hit_policy": hit_policy}  # as dtrun lint and evaluate take them
        self._lock = threading.Lock()
        self._served = _load(self.targets, **self.options)
        self.failure = ""  # why the last reload failed ('' when it succeeded), with its time

    def reload(self) -> list[Served]:
        try:
            fresh = _load(self.targets, **self.options)  # raises before anything is replaced
        except WorkbookError as error:
            self.failure = f"{time.strftime('%H:%M:%S')}: {error}"
            raise
        with self._lock:
            self._served = fresh
            self.failure = ""
        return fresh

    def all(self) -> list[Served]:
        return list(self._served)

    def get(self, name: str | None) -> Served | None:
        """The model named ``name``; without a name, the only one (None if there are several)."""
        served = self._served
        if name is None:
            return served[0] if len(served) == 1 else None
        return next((s for s in served if s.name == name), None)


def _load(targets: list[str], dictionary: str | Path | None = None, hit_policy: str | None = None) -> list[Served]:
    found: list[Served] = []
    names: set[str] = set()
    for path in paths(targets):
        name = path.stem if path.stem not in names else path.name
        names.add(name)
        found.append(Served(name, path, load(path, dictionary=dictionary, hit_policy=hit_policy)))
    return found


def signature(targets: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    """Each file served (or that would be served now) with its modification time and size."""
    found = []
    try:
        files = paths(list(targets))
    except WorkbookError:
        return ()
    for path in files:
        try:
            status = path.stat()
        except OSError:
            found.append((str(path), -1, -1))
        else:
            found.append((str(path), status.st_mtime_ns, status.st_size))
    return tuple(found)


class Watcher(threading.Thread):
    """``--watch``: reload ``models`` when their files change (polled every ``interval``
    seconds), once the change has held still for one interval; a daemon thread."""

    def __init__(self, models: Models, interval: float = 1.0) -> None:
        super().__init__(name="dtrun-watch", daemon=True)
        self.models, self.interval = models, interval
        self.stopped = threading.Event()
        self.reloads = 0  # reloads tried (for the tests)
        self.loaded = signature(models.targets)  # the files as the models served were loaded from

    def run(self) -> None:
        loaded = seen = self.loaded
        while not self.stopped.wait(self.interval):
            now = signature(self.models.targets)
            if now != seen:  # still changing: wait until it holds still
                seen = now
                continue
            if now != loaded:
                loaded = now
                self.reloads += 1
                try:
                    self.models.reload()
                except WorkbookError:
                    pass  # Models.failure says why; the old models stay served

    def stop(self) -> None:
        self.stopped.set()
