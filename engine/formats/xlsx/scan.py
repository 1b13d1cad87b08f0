"""The streaming pass over a workbook's zip archive that decides whether openpyxl may parse it.

Owns :class:`Limits` and the scan: sizes from the zip directory before anything is
decompressed, then one pass of expat over every XML part (bounded memory; aborted as
soon as a bound is crossed).  Any DTD (``<!DOCTYPE``, the vehicle of entity-expansion
attacks such as "billion laughs") is refused; in worksheets, the rows, columns and cells
that openpyxl would create (cells, merged ranges, hyperlink ranges, comments) are counted
against the limits, and formula cells without a saved value are noted.  A refusal is a
:class:`Refused` with the message and hint; ``engine.formats.xlsx.safety`` turns it into a problem.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, NoReturn
from xml.parsers import expat

from engine._core.cells import column_letter, column_number

MB = 1_000_000
SAVE_AS_XLSX = "open it in Excel or LibreOffice and save it as Excel Workbook (.xlsx)"
DAMAGED_HINT = "copy or download it again; if Excel can open it, save it again as .xlsx"
DTD_MESSAGE = ("the file contains XML entity declarations (a DTD, <!DOCTYPE ...>{where}), which Excel and "
               "LibreOffice never write and which can make a small file expand to gigabytes; dtrun refuses it")
DTD_HINT = "do not use this file; ask its sender for the workbook as saved by Excel or LibreOffice"
_CHUNK = 1 << 20
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_OFFICE_REL = "/officeDocument"
_COMMENTS_REL = "/comments"
_BOMB_HINT = ("a decision-table workbook unpacks to a few MB at most; do not use this file, or raise the limits "
              "(engine.load(path, limits=engine.Limits(...))) if it really is this large")
_SHEET_HINT = ("a decision table has at most a few thousand rows and a few dozen columns; delete the rows and "
               "columns after the table's last cell (select them, then Delete) and save again")


@dataclass(frozen=True)
class Limits:
    """Bounds on what a workbook may unpack to; beyond them it is refused before parsing.
    The defaults are far above any real decision-table workbook (usually under 1 MB)."""

    max_uncompressed_bytes: int = 200 * MB  # all parts together; also the largest file accepted
    max_part_bytes: int = 100 * MB  # any one part (a sheet, the shared strings)
    max_parts: int = 10_000  # files inside the zip
    max_rows: int = 100_000  # per sheet: the last row used
    max_columns: int = 1_000  # per sheet: the last column used
    max_cells: int = 1_000_000  # per sheet: cells, and rows x columns of the area used
    max_text_chars: int = 10_000  # one cell's text (checked after loading)


DEFAULT_LIMITS = Limits()


@dataclass
class SheetScan:
    """What the streaming pass saw in one worksheet part."""

    part: str
    name: str
    rows: int = 0  # last row used
    columns: int = 0  # last column used
    cells: int = 0  # cells openpyxl will create
    row_elements: int = 0
    formulas_without_value: list[str] = field(default_factory=list)


@dataclass
class FileScan:
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # by sheet name
    macros: bool = False


class Refused(Exception):
    """The file is refused: ``message`` says why, ``hint`` what to do."""

    def __init__(self, message: str, hint: str, sheet: str = "") -> None:
        super().__init__(message)
        self.message, self.hint, self.sheet = message, hint, sheet


def scan_archive(archive: zipfile.ZipFile, limits: Limits, suffix: str) -> FileScan:
    """Check sizes, kind and every XML part of ``archive``; raise Refused."""
    return _Archive(archive, limits).check(suffix)


class _Archive:
    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive, self.limits = archive, limits
        self.infos = {i.filename: i for i in archive.infolist() if not i.is_dir()}
        self.rels: dict[str, dict[str, tuple[str, str]]] = {}  # rels part → Id → (type, target)
        self.sheet_ids: list[tuple[str, str]] = []  # (sheet name, relationship id) in workbook.xml
        self.content_types: list[str] = []
        self.comments: dict[str, list[int]] = {}  # comments part → [last row, last column, count]

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
        first = [n for n in self.infos if n.endswith(".rels") or n == "[Content_Types].xml"]
        for name in first:
            self._scan(name, None)
        book = self._targets("_rels/.rels", _OFFICE_REL)
        book_part = book[0] if book else "xl/workbook.xml"
        if book_part not in self.infos:
            raise Refused("this is a zip archive, but not an Excel workbook (it has no workbook part)", SAVE_AS_XLSX)
        self._scan(book_part, None)
        sheets: dict[str, SheetScan] = {}
        for name, rel_id in self.sheet_ids:
            part = _resolve(book_part, self.rels.get(_rels_of(book_part), {}).get(rel_id, ("", ""))[1])
            if part in self.infos and part not in sheets:
                sheets[part] = SheetScan(part, name)
        for name in self.infos:
            if name not in first and name != book_part and "/media/" not in f"/{name}":
                self._scan(name, sheets.get(name))
        for part, sheet in sheets.items():
            for comments in self._targets(_rels_of(part), _COMMENTS_REL):
                row, column, count = self.comments.get(comments, (0, 0, 0))
                check_extent(sheet, limits, row, column, count, " (comments)")
        macros = suffix in (".xlsm", ".xltm") or any("macroEnabled" in t for t in self.content_types) or any(
            n.lower().endswith("vbaproject.bin") for n in self.infos)
        return FileScan({s.name: s for s in sheets.values()}, macros)

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
        if "[Content_Types].xml" not in names:
            raise Refused("this is a zip archive, but not an Excel workbook (it has no [Content_Types].xml)",
                          SAVE_AS_XLSX)

    def _targets(self, rels_part: str, type_suffix: str) -> list[str]:
        return [_resolve(_owner_of(rels_part), target) for kind, target in self.rels.get(rels_part, {}).values()
                if kind.endswith(type_suffix)]

    def _scan(self, name: str, sheet: SheetScan | None) -> None:
        scanner = _XmlScanner(self, name, sheet)
        try:
            with self.archive.open(self.infos[name]) as stream:
                chunk = stream.read(_CHUNK)
                if not _looks_like_xml(chunk):
                    return
                while chunk:
                    scanner.parser.Parse(chunk, False)
                    chunk = stream.read(_CHUNK)
                scanner.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise Refused(f"the file is damaged: part {name} is not well-formed XML (line {error.lineno}, column "
                          f"{error.offset + 1}: {expat.ErrorString(error.code)})", DAMAGED_HINT) from None


def _rels_of(part: str) -> str:
    """xl/workbook.xml → xl/_rels/workbook.xml.rels"""
    path = PurePosixPath(part)
    return str(path.parent / "_rels" / f"{path.name}.rels").lstrip("./")


def _owner_of(rels_part: str) -> str:
    """xl/_rels/workbook.xml.rels → xl/workbook.xml (the part whose targets are relative to it)"""
    path = PurePosixPath(rels_part)
    return str(path.parent.parent / path.name[:-len(".rels")]).lstrip("./")


def _looks_like_xml(chunk: bytes) -> bool:
    start = chunk[:64].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
    return start.startswith(b"<")


def _resolve(base_part: str, target: str) -> str:
    if not target:
        return ""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (str(PurePosixPath(base_part).parent) + "/" + target).split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


class _XmlScanner:
    """One streaming expat pass over one XML part: refuse a DTD, record relationships and
    sheet names, and in a worksheet count what openpyxl would create."""

    def __init__(self, archive: _Archive, part: str, sheet: SheetScan | None) -> None:
        self.archive, self.part, self.sheet, self.limits = archive, part, sheet, archive.limits
        parser = self.parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.StartElementHandler = self._root
        self.row = self.column = 0
        self.cell: str | None = None
        self.cell_type = ""
        self.has_formula = self.has_value = self.value_text = self.inline = self.in_value = False

    def _doctype(self, *_: Any) -> None:
        raise Refused(DTD_MESSAGE.format(where=f", in {self.part}"), DTD_HINT)

    def _root(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if self.sheet is not None and local in ("worksheet", "dialogsheet"):
            self.parser.StartElementHandler = self._sheet_start
            self.parser.EndElementHandler = self._sheet_end
            self.parser.CharacterDataHandler = self._text
        elif local in ("Relationships", "Types", "workbook"):
            self.parser.StartElementHandler = self._record
        elif local == "comments":
            self.parser.StartElementHandler = self._comment
        else:
            self.parser.StartElementHandler = None  # nothing more to see: expat runs at C speed

    def _record(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "Relationship":
            self.archive.rels.setdefault(self.part, {})[attrs.get("Id", "")] = (
                attrs.get("Type", ""), attrs.get("Target", ""))
        elif local in ("Override", "Default"):
            self.archive.content_types.append(attrs.get("ContentType", ""))
        elif local == "sheet":
            rel_id = next((v for k, v in attrs.items() if k.endswith(" id")), "")
            self.archive.sheet_ids.append((attrs.get("name", ""), rel_id))

    def _comment(self, name: str, attrs: dict[str, str]) -> None:
        found = _REF.fullmatch(attrs.get("ref", "")) if name.endswith("comment") else None
        if found:
            extent = self.archive.comments.setdefault(self.part, [0, 0, 0])
            extent[:] = max(extent[0], int(found[2])), max(extent[1], column_number(found[1])), extent[2] + 1

    def _sheet_start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        sheet = self.sheet
        assert sheet is not None
        if local == "c":
            found = _REF.fullmatch(attrs.get("r", ""))
            row, column = (int(found[2]), column_number(found[1])) if found else (self.row, self.column + 1)
            self.column = column
            check_extent(self.sheet, self.limits, row, column, 1)
            self.cell, self.cell_type = f"{column_letter(column)}{row}", attrs.get("t", "n")
            self.has_formula = self.has_value = self.value_text = self.inline = False
        elif local == "row":
            sheet.row_elements += 1
            if sheet.row_elements > self.limits.max_rows:
                _too_many(sheet, f"more than {self.limits.max_rows:,} rows")
            r = attrs.get("r", "")
            self.row, self.column = (int(r) if r.isascii() and r.isdigit() else self.row + 1), 0
        elif self.cell is not None and local == "f":
            self.has_formula = True
        elif self.cell is not None and local == "v":
            self.has_value = self.in_value = True
        elif self.cell is not None and local == "is":
            self.inline = True
        elif local in ("mergeCell", "hyperlink"):
            self._range(attrs.get("ref", ""), "merged cells" if local == "mergeCell" else "a hyperlink")

    def _sheet_end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if local == "v":
            self.in_value = False
        elif local == "c" and self.cell is not None:
            saved = self.has_value and (self.value_text or self.cell_type in ("str", "s", "inlineStr"))
            if self.has_formula and not saved and not self.inline and self.sheet is not None:
                self.sheet.formulas_without_value.append(self.cell)
            self.cell = None

    def _text(self, data: str) -> None:
        if self.in_value and data.strip():
            self.value_text = True

    def _range(self, ref: str, what: str) -> None:
        corners = [_REF.fullmatch(p) for p in ref.split(":")[:2]]
        if not all(corners) or not corners:
            return
        rows = [int(c[2]) for c in corners if c]
        columns = [column_number(c[1]) for c in corners if c]
        area = (max(rows) - min(rows) + 1) * (max(columns) - min(columns) + 1)
        check_extent(self.sheet, self.limits, max(rows), max(columns), area, f" ({what} {ref})")


def check_extent(sheet: SheetScan | None, limits: Limits, row: int, column: int, cells: int, why: str = "") -> None:
    """Count cells openpyxl will create (up to ``row``, ``column``); refuse past the limits."""
    assert sheet is not None
    sheet.rows, sheet.columns, sheet.cells = max(sheet.rows, row), max(sheet.columns, column), sheet.cells + cells
    if sheet.rows > limits.max_rows:
        _too_many(sheet, f"cells down to row {sheet.rows:,}{why}, more than the limit of {limits.max_rows:,} rows")
    if sheet.columns > limits.max_columns:
        _too_many(sheet, f"cells up to column {sheet.columns:,} ({column_letter(sheet.columns)}){why}, more than the "
                  f"limit of {limits.max_columns:,} columns")
    if sheet.cells > limits.max_cells or sheet.rows * sheet.columns > limits.max_cells:
        _too_many(sheet, f"{max(sheet.cells, sheet.rows * sheet.columns):,} cells ({sheet.rows:,} rows x "
                  f"{sheet.columns:,} columns){why}, more than the limit of {limits.max_cells:,} cells")


def _too_many(sheet: SheetScan, what: str) -> NoReturn:
    raise Refused(f"sheet '{sheet.name}' ({sheet.part}) has {what}; it is refused before it is read",
                  _SHEET_HINT, sheet.name)


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"
