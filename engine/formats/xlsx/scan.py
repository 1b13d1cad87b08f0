"""The streaming pass over a workbook's zip archive that decides whether openpyxl may parse it.

Owns which parts are read and in what order: sizes from the zip directory before anything
is decompressed, then one pass of expat (``engine.formats.xlsx.counts``) over exactly the
parts openpyxl will parse, found as openpyxl finds them: the workbook part and the shared
strings from ``[Content_Types].xml``, the styles at ``xl/styles.xml``, each sheet through the
``r:id`` of its ``<sheet>`` (a plain ``id`` when ``r:id`` is missing) and the workbook's
relationships, and from each sheet's relationships its comments, drawings (and their
charts), tables and pivot tables; relationship targets resolved as openpyxl resolves them.
Every other part is only checked for a DTD.  Drawings and comments are listed in
:class:`FileScan` so that the loader can give openpyxl empty ones: dtrun never needs them.
A refusal is a :class:`Refused` with the message and hint; ``engine.formats.xlsx.safety``
turns it into a problem.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field

from openpyxl.packaging.relationship import get_rels_path
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS, XLSM, XLSX, XLTM, XLTX

from engine.formats.xlsx.counts import Totals, scan_part
from engine.formats.xlsx.limits import (
    DAMAGED_HINT,
    DEFAULT_LIMITS,
    DTD_HINT,
    DTD_MESSAGE,
    MB,
    Limits,
    Refused,
)
from engine.formats.xlsx.sheet_cells import SheetScan, check_extent

__all__ = ["DAMAGED_HINT", "DEFAULT_LIMITS", "DTD_HINT", "DTD_MESSAGE", "MB", "SAVE_AS_XLSX", "FileScan", "Limits",
           "Refused", "SheetScan", "check_extent", "scan_archive"]

SAVE_AS_XLSX = "open it in Excel or LibreOffice and save it as Excel Workbook (.xlsx)"
_BOMB_HINT = ("a decision-table workbook unpacks to a few MB at most; do not use this file, or raise the limits "
              "(engine.load(path, limits=engine.Limits(...))) if it really is this large")
_BOOK_TYPES = (XLTM, XLTX, XLSM, XLSX)  # the order in which openpyxl looks for the workbook part
_WHOLE = {"/comments": "comments", "/drawing": "drawing", "/table": "other", "/pivotTable": "other"}


@dataclass
class FileScan:
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # by sheet name
    macros: bool = False
    unneeded: dict[str, str] = field(default_factory=dict)  # drawing and comments parts → "drawing", "comments"


def scan_archive(archive: zipfile.ZipFile, limits: Limits, suffix: str) -> FileScan:
    """Check sizes, kind and every XML part of ``archive``; raise Refused."""
    return _Archive(archive, limits).check(suffix)


class _Archive:
    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive, self.limits = archive, limits
        self.infos = {i.filename: i for i in archive.infolist() if not i.is_dir()}
        self.totals = Totals(limits)
        self.read: set[str] = set()
        self.unneeded: dict[str, str] = {}

    def check(self, suffix: str) -> FileScan:
        limits = self.limits
        total = sum(i.file_size for i in self.infos.values())
        if total > limits.max_uncompressed_bytes:
            raise Refused(f"the workbook unpacks to {_mb(total)}, more than the limit of "
                          f"{_mb(limits.max_uncompressed_bytes)} (a zip bomb?)", _BOMB_HINT)
        for info in self.infos.values():
            if info.file_size > limits.max_part_bytes:
                raise Refused(f"part {info.filename} unpacks to {_mb(info.file_size)}, more than the limit of "
                              f"{_mb(limits.max_part_bytes)} (a zip bomb?)", _BOMB_HINT)
        self._kind()
        self._scan(ARC_CONTENT_TYPES, "types")
        book = self._workbook_part()
        book_rels = self._rels(book)
        self._scan(book, "workbook")
        strings = next((name[1:] for name, kind in self.totals.overrides if kind == SHARED_STRINGS), "")
        self._scan(strings, "strings")
        self._scan(ARC_STYLE, "styles")
        for part in ("docProps/core.xml", "docProps/custom.xml"):
            self._scan(part, "other")
        sheets = self._sheets(book_rels)
        for kind, target in self._targets(book_rels):
            if kind.endswith(("/pivotCacheDefinition", "/externalLink")):  # pivot caches; links (dtrun lint --annotate)
                self._scan(target, "other")
                for _, records in self._targets(self._rels(target)):
                    self._scan(records, "other")
        for name in self.infos:
            if name not in self.read and "/media/" not in f"/{name}":
                self._scan(name, "unread")
        content_types = [kind for _, kind in self.totals.overrides] + self.totals.defaults
        macros = suffix in (".xlsm", ".xltm") or any("macroEnabled" in t for t in content_types) or any(
            n.lower().endswith("vbaproject.bin") for n in self.infos)
        return FileScan({s.name: s for s in sheets.values()}, macros, self.unneeded)

    def _kind(self) -> None:
        names = set(self.infos)
        if "mimetype" in names:
            with self.archive.open("mimetype") as stream:
                if b"opendocument.spreadsheet" in stream.read(200):
                    raise Refused("this is an OpenDocument spreadsheet (.ods), not an .xlsx workbook",
                                  "open it in LibreOffice and save it as Excel 2007-365 (.xlsx)")
        for part, what in (("word/document.xml", "a Word document"), ("ppt/presentation.xml", "a PowerPoint file")):
            if part in names:
                raise Refused(f"this is {what}, not an Excel workbook", "give the .xlsx workbook")
        if ARC_CONTENT_TYPES not in names:
            raise Refused("this is a zip archive, but not an Excel workbook (it has no [Content_Types].xml)",
                          SAVE_AS_XLSX)

    def _workbook_part(self) -> str:
        """The workbook part as openpyxl finds it: the first Override of a workbook type, else
        xl/workbook.xml if a Default has a workbook type."""
        overrides = self.totals.overrides
        book = next((name[1:] for kind in _BOOK_TYPES for name, of in overrides if of == kind), None)
        if book is None and set(self.totals.defaults) & set(_BOOK_TYPES):
            book = "xl/workbook.xml"
        if book not in self.infos:
            raise Refused("this is a zip archive, but not an Excel workbook (it has no workbook part)", SAVE_AS_XLSX)
        return book

    def _sheets(self, book_rels: str) -> dict[str, SheetScan]:
        """Each sheet openpyxl reads, with what it reads from the sheet's relationships."""
        sheets: dict[str, SheetScan] = {}
        relationships = self.totals.rels.get(book_rels, {})
        for name, rel_id in self.totals.sheets:
            if rel_id not in relationships:
                continue  # openpyxl skips a sheet without an id, and fails on an id it cannot find
            kind = relationships[rel_id][0]
            part = _target(book_rels, relationships[rel_id])
            if part not in self.infos:
                continue
            if part in sheets:
                raise Refused(f"the file is damaged: sheets '{sheets[part].name}' and '{name}' are the same part "
                              f"{part}, which Excel and LibreOffice never write", DAMAGED_HINT)
            sheet = sheets[part] = SheetScan(part, name)
            rels = self._rels(part)
            self._scan(part, "other" if "chartsheet" in kind else "sheet", sheet)
            for kind, target in self._targets(rels):
                what = next((w for suffix, w in _WHOLE.items() if kind.endswith(suffix)), None)
                if what is None or (what == "comments" and "chartsheet" in relationships[rel_id][0]):
                    continue
                if what != "other":
                    self.unneeded[target] = what
                self._scan(target, what, sheet)
                if what == "drawing":
                    for chart_kind, chart in self._targets(self._rels(target)):
                        if chart_kind.endswith("/chart"):
                            self._scan(chart, "other")
        return sheets

    def _rels(self, part: str) -> str:
        """Scan the relationships of ``part`` (once); their part's name."""
        rels = get_rels_path(part)
        if rels not in self.totals.rels:
            self.totals.rels[rels] = {}
            self._scan(rels, "rels")
        return rels

    def _targets(self, rels: str) -> list[tuple[str, str]]:
        return [(relation[0], _target(rels, relation)) for relation in self.totals.rels.get(rels, {}).values()]

    def _scan(self, name: str, kind: str, sheet: SheetScan | None = None) -> None:
        if name not in self.infos:
            return  # openpyxl skips a missing sheet, and fails on another missing part it needs
        self.read.add(name)
        with self.archive.open(self.infos[name]) as stream:
            if kind == "unread" and not _looks_like_xml(stream.peek(64)):
                return
            scan_part(stream, self.totals, name, kind, sheet)


def _target(rels: str, relation: tuple[str, str, str]) -> str:
    """A relationship's target part as openpyxl resolves it (``get_dependents``)."""
    _, target, mode = relation
    if mode == "External":
        return target
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.split(posixpath.dirname(rels))[0], target))


def _looks_like_xml(chunk: bytes) -> bool:
    start = chunk[:64].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
    return start.startswith(b"<")


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"
