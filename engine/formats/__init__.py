"""The file formats dtrun reads and writes, and the one place that dispatches on a file's kind.

``load(path)`` reads a workbook (``.xlsx``, ``engine.formats.xlsx``), a DMN model (``.dmn``,
``engine.formats.dmn``) or a WHO SMART Guidelines DAK (its decision-logic workbook or its ``.dmn``
files, ``engine.formats.dak``, with an optional data dictionary) into a checked, compiled
:class:`~engine.model.Model` (or raises a ``WorkbookError`` listing every problem); ``paths``
expands folders into the model files they hold.  Each format has its own subpackage, with the words its messages use.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from engine._core.lazy import exports

if TYPE_CHECKING:  # pragma: no cover
    from engine.model.source import Source
    from engine.model.types import Model

SUFFIXES = (".xlsx", ".dmn")  # the kinds of model file dtrun reads



def _new() -> ModuleType:
    from engine.formats.xlsx import new

    return new


def _drg_read() -> ModuleType:
    from engine.formats.dmn import drg_read

    return drg_read


def _aids() -> ModuleType:
    from engine.formats.xlsx import aids

    return aids


__getattr__, __dir__ = exports(__name__, {_new: ("new_workbook", "AuthoringError"),
                                          _aids: ("tidy_workbook", "WorkbookInUse"),
                                          _drg_read: ("read_drg",)})


def kind_of(path: str | Path) -> str:
    """``dak-dmn`` for a WHO DAK ``.dmn`` file (entries written as pseudo-code descriptions),
    ``dmn`` for another ``.dmn`` file, ``dak`` for a DAK decision-logic workbook (``Decision ID``
    blocks), else ``xlsx`` (a workbook, whatever its name says: the workbook reader explains
    what is wrong with a file that is not one)."""
    if str(path).lower().endswith(".dmn"):
        from engine.formats.dak.dmn import is_dak_dmn

        return "dak-dmn" if is_dak_dmn(path) else "dmn"
    from engine.formats.dak.reader import is_dak

    return "dak" if is_dak(path) else "xlsx"


def load(path: str | Path, limits: Any = None, input_types: str = "declared", *,
         dictionary: str | Path | None = None, hit_policy: str | None = None) -> Model:
    """Read, check and compile the model in ``path``, fit to evaluate; raise WorkbookError
    listing every problem.  ``limits`` (``engine.formats.xlsx.safety.Limits``) bounds what a
    workbook may unpack to.  ``input_types``: ``declared`` refuses a model whose cells test
    values that the declared type of their input cannot have (``type-mismatch``), which the
    authors' engine may have run otherwise; ``cells`` gives such inputs the type their cells
    test, with a warning each (``engine.model.cell_types``).  ``dictionary``: a DAK's data
    dictionary; ``hit_policy``: the policy of every table, whatever the file says (a DAK
    states none: ``C``)."""
    from dataclasses import replace

    from engine._core.errors import WorkbookError
    from engine.model.cell_types import typed

    model = read(path, limits, recover=True, dictionary=dictionary, hit_policy=hit_policy)
    if model.problems:  # every problem at once: also the type contradictions of what could be read
        refused = list(model.problems)
        try:
            typed(replace(model, problems=()), input_types)
        except WorkbookError as error:
            refused += error.problems
        raise WorkbookError(refused, model.warnings)
    return typed(model, input_types)


def read(path: str | Path, limits: Any = None, recover: bool = False, *, dictionary: str | Path | None = None,
         hit_policy: str | None = None) -> Model:
    """The model in ``path`` as written, checked and compiled as ``load`` does but without
    refusing cells that contradict their input's type (for ``lint``, ``show`` and ``diff``,
    which report or display them).  With ``recover``, a model with problems is returned
    with them (``Model.problems``: what could be read, the cells that could not be marked);
    a file that cannot be read at all still raises WorkbookError.  ``dictionary`` and
    ``hit_policy`` as for ``load``."""
    kind = kind_of(path)
    if kind == "dak":
        from engine.formats.dak.reader import load_dak

        return load_dak(path, dictionary, hit_policy, recover, limits)
    if kind == "dak-dmn":
        from engine.formats.dak.dmn import load_dak_dmn

        return load_dak_dmn(path, dictionary, hit_policy, recover)
    if kind == "dmn":
        from engine.formats.dmn.importer import load_dmn

        model = load_dmn(path, recover)
    else:
        from engine.formats.xlsx.build import load_workbook
        from engine.formats.xlsx.safety import DEFAULT_LIMITS

        model = load_workbook(path, DEFAULT_LIMITS if limits is None else limits, recover)
    return with_hit_policy(model, hit_policy) if hit_policy else model


def with_hit_policy(model: Model, code: str) -> Model:
    """``model`` with every table's hit policy ``code`` (``--hit-policy``); WorkbookError for a
    code that names no policy."""
    from dataclasses import replace

    from engine._core.errors import Problem, WorkbookError
    from engine.model.hit_policy import CODES, HitPolicy

    policy = HitPolicy.parse(code)
    if policy is None:
        raise WorkbookError([Problem("workbook", f"--hit-policy {code!r} names no hit policy", model.workbook,
                                     hint="give one of " + ", ".join(CODES))])
    return replace(model, tables=tuple(replace(t, hit_policy=policy) for t in model.tables))


def bare_source(path: str | Path) -> Source:
    """The source of a file whose model could not be built (its problems still name their
    tables: ``Source.table_name``), by the file's kind."""
    kind = kind_of(path)
    if kind in ("dak", "dak-dmn"):
        from engine.formats.dak.document import DakDocument
        from engine.formats.dak.words import DakSource

        return DakSource(DakDocument(str(path)))
    if kind == "dmn":
        from engine.formats.dmn.words import bare_dmn_source

        return bare_dmn_source(str(path))
    from engine.formats.xlsx.words import workbook_source

    return workbook_source(str(path))


def paths(named: Iterable[str | Path]) -> list[Path]:
    """The model files named, and those inside named folders (Excel's lock files ``~$*.xlsx``
    left out)."""
    found: list[Path] = []
    for path in map(Path, named):
        candidates = sorted(p for s in SUFFIXES for p in path.rglob(f"*{s}")) if path.is_dir() else [path]
        found += [p for p in candidates if not p.name.startswith("~$")]
    return found


def convert(source: str | Path, target: str | Path, dmn_version: str | None = None,
            input_types: str = "declared", *, dictionary: str | Path | None = None,
            hit_policy: str | None = None) -> Model:
    """``dtrun convert``: the model in ``source``, checked as ``load`` checks it, written to
    ``target`` in the other format, atomically; returns the model.  A workbook becomes DMN
    ``dmn_version`` (default 1.3) with the DMN names its ``_dmn`` sheet keeps (a workbook
    converted from DMN); a DMN model becomes a workbook with such a sheet.  ``input_types``
    as for ``load``: with ``cells`` the file written declares the types the cells test.  A DAK
    (``dictionary`` and ``hit_policy`` as for ``load``) becomes a workbook or DMN, as ``target``
    is named; ``hit_policy`` is written into the file."""
    kind = kind_of(source)
    if kind in ("dak", "dak-dmn"):
        from engine.formats.dak.convert import convert_dak

        return convert_dak(source, target, kind, dmn_version, input_types, dictionary, hit_policy)
    if kind == "dmn":
        from engine.formats.dmn.workbook import convert_to_workbook

        return convert_to_workbook(source, target, input_types, hit_policy)
    from engine.formats.dmn.export import DEFAULT_VERSION, write_dmn
    from engine.formats.dmn.workbook import read_names_sheet

    model = load(source, input_types=input_types, hit_policy=hit_policy)
    write_dmn(model, target, dmn_version or DEFAULT_VERSION, read_names_sheet(source))
    return model
