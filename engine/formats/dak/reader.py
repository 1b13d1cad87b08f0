"""A DAK decision-logic workbook (or a WHO DAK ``.dmn`` file) → :class:`~engine.model.Model`.

Owns the whole reading of a DAK: which files are DAKs (``is_dak``: an ``.xlsx`` without an
``Inputs`` sheet whose cells hold ``Decision ID``; read without parsing the workbook), the
blocks of its visible sheets (``engine.formats.dak.blocks``; a block on a hidden sheet, a
second block with a Decision ID already read, or a ``Decision ID`` cell that holds no ID is
left out with a ``dak-skipped`` note), the optional data dictionary, the regrouping into
the grids of a dtrun workbook (``engine.formats.dak.regroup``), and the model built from them
by the workbook builder, so that every check of a workbook applies, with a
:class:`~engine.formats.dak.words.DakSource` that names places as the DAK does.  The hit
policy is ``C`` (a DAK states none) unless ``hit_policy`` is given.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine._core.errors import Problem
from engine.formats.dak.blocks import DakBlock, find_blocks, text_of
from engine.formats.dak.document import DakDocument
from engine.model.types import Model

DEFAULT_POLICY = "C"
_SCAN_BYTES = 64 << 20  # of sharedStrings read to recognise a DAK
_DECISION_ID = re.compile(rb">\s*Decision ID\s*:?\s*<", re.I)
_SHEET_NAME = re.compile(rb'<sheet\b[^>]*\bname="([^"]*)"')


def is_dak(path: str | Path) -> bool:
    """Whether the ``.xlsx`` file ``path`` is a DAK decision-logic workbook: no ``Inputs`` sheet
    and a cell ``Decision ID`` (in the shared strings or inline).  False for anything that is
    not a readable zip (the workbook reader explains what is wrong with it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                return False
            with archive.open("xl/workbook.xml") as handle:
                sheets = _SHEET_NAME.findall(handle.read(_SCAN_BYTES))
            if b"Inputs" in sheets:
                return False
            parts = ["xl/sharedStrings.xml"] + sorted(n for n in names if n.startswith("xl/worksheets/sheet"))
            for part in (p for p in parts if p in names):
                with archive.open(part) as handle:
                    if _DECISION_ID.search(handle.read(_SCAN_BYTES)):
                        return True
    except Exception:  # noqa: BLE001 - any archive that cannot be read so: not a DAK; the workbook reader
        return False   # checks and explains it (a hostile file is refused there, before openpyxl parses it)
    return False


def load_dak(path: str | Path, dictionary: str | Path | None = None, hit_policy: str | None = None,
             recover: bool = False, limits: Any = None) -> Model:
    """The model of the DAK workbook ``path`` (WorkbookError listing every problem, or with
    ``recover`` the model of what could be read)."""
    return read_dak(path, dictionary, hit_policy, recover, limits)[1]


def read_dak(path: str | Path, dictionary: str | Path | None = None, hit_policy: str | None = None,
             recover: bool = False, limits: Any = None) -> tuple[DakDocument, Model]:
    """What reading the DAK workbook ``path`` gives (its grids, places, counts) and its model."""
    from engine.formats.dak.opening import open_sheets

    document = DakDocument(str(path), stated_policy=hit_policy is not None)
    found: list[tuple[str, bool, list[DakBlock]]] = []
    about = {"Title": Path(path).name, "Source": f"WHO SMART Guidelines DAK {Path(path).name}"}
    for sheet in open_sheets(path, limits):
        if sheet.title.strip().upper() == "COVER":
            about.update(_cover(sheet.rows))
        found.append((sheet.title, sheet.visible, find_blocks(sheet.title, sheet.rows, sheet.origin)))
    return build_dak_model(document, _kept(document, found), dictionary, hit_policy, recover, about)


def build_dak_model(document: DakDocument, blocks: list[DakBlock], dictionary: str | Path | None,
                    hit_policy: str | None, recover: bool, about: dict[str, str]) -> tuple[DakDocument, Model]:
    from engine._core.errors import WorkbookError
    from engine.formats.dak.dictionary import LIST_TYPE, read_dictionary
    from engine.formats.dak.regroup import regroup
    from engine.formats.dak.words import DakSource
    from engine.formats.xlsx.build import build_model
    from engine.model.types import known_type

    if not blocks:
        raise WorkbookError([Problem("workbook", "no decision table found: no Decision ID block with an Input(s) "
                                     "heading on a visible sheet", document.path,
                                     hint="see docs/dak.md for the layout dtrun reads")])
    elements = read_dictionary(dictionary) if dictionary else None
    regroup(document, blocks, elements, (hit_policy or DEFAULT_POLICY), known_type(LIST_TYPE), about)
    source = DakSource(document)
    model = build_model(document.path, document.sheets, document.problems, (), (), source, recover)
    kept = list(document.findings)
    aliases = {name: others[0] for name, others in document.aliases.items() if others and name in model.inputs}
    more = {name: others[1:] for name, others in document.aliases.items() if len(others) > 1 and name in model.inputs}
    return document, replace(model, warnings=(*model.warnings, *kept), input_aliases=aliases, column_aliases=more)


def _kept(document: DakDocument, found: list[tuple[str, bool, list[DakBlock]]]) -> list[DakBlock]:
    """The blocks to read: those of visible sheets with an ID, each ID once (from the sheet
    named like it, ``ANC.DT.03 Check symptoms`` before ``Dev``); the others are noted."""
    home: dict[str, str] = {}
    for named in (True, False):  # a sheet named like the ID first, then any visible sheet
        for sheet, visible, blocks in found:
            for block in (b for b in blocks if visible):
                prefix = block.decision_id.rpartition(".")[0] or block.decision_id
                if named == sheet.upper().startswith(prefix.upper()):
                    home.setdefault(block.decision_id, sheet)
    kept: list[DakBlock] = []
    for sheet, visible, blocks in found:
        for block in blocks:
            code = block.decision_id
            why = ""
            if not visible:
                why = f"sheet {sheet} is hidden"
            elif " " in code or not re.search(r"[.\-]", code):
                why = "its Decision ID cell holds no ID (such as ANC.DT.01)"
            elif home.get(code) != sheet:
                why = f"{code} is read from sheet {home.get(code)}"
            elif any(b.decision_id == code for b in kept):
                why = f"{code} appears twice on this sheet"
            if why:
                document.finding("info", "dak-skipped", f"the Decision ID block {code[:40]!r} is not read: {why}",
                                 sheet, block.id_cell, "unhide the sheet, or give the block its own Decision ID, if "
                                 "it is a decision table dtrun should read")
                continue
            kept.append(block)
    return kept


def _cover(rows: list[list[Any]]) -> dict[str, str]:
    """The About keys a DAK's cover gives: its title (the first long text)."""
    texts = [text_of(v) for line in rows for v in line if text_of(v)]
    title = next((t for t in texts if len(t) > 30), "")
    return {"Title": " ".join(title.split())} if title else {}
