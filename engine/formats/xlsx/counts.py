"""One streaming pass of expat over one XML part of a workbook, counting what openpyxl would build from it.

Owns the counts (:class:`Totals`, across the parts of one workbook).  openpyxl parses every part with
expat too (through ElementTree and defusedxml), so a part is fed to expat exactly as it
is, leading whitespace and all.  A DTD is refused in any part.  In a worksheet the cells
are counted as openpyxl creates them: every child of a ``<row>``, at the row and column
its ``r`` reference gives as openpyxl reads it (``openpyxl.utils.cell``: a row number of
any length), and the ranges of merged cells, hyperlinks and comments; formula cells
without a saved value are noted.  Elsewhere what openpyxl turns into objects is counted:
style records, shared strings, drawing anchors, comments, defined names, and the elements
of every part openpyxl parses whole.  A count past its limit raises :class:`Refused`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from engine.formats.xlsx.limits import COUNT_HINT, DAMAGED_HINT, DTD_HINT, DTD_MESSAGE, Limits, Refused
from engine.formats.xlsx.sheet_cells import SheetCells, SheetScan, range_extent

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STYLE_LISTS = {"cellXfs": "cell formats", "cellStyleXfs": "cell style formats", "fonts": "fonts",
               "fills": "fills", "borders": "borders", "numFmts": "number formats", "dxfs": "differential formats",
               "cellStyles": "cell styles"}


@dataclass
class Totals:
    """What the passes over a workbook's parts found, and counted across parts."""

    limits: Limits
    rels: dict[str, dict[str, tuple[str, str, str]]] = field(default_factory=dict)  # part → Id → (type, target, mode)
    overrides: list[tuple[str, str]] = field(default_factory=list)  # [Content_Types].xml: (PartName, ContentType)
    defaults: list[str] = field(default_factory=list)  # [Content_Types].xml: ContentType of each Default
    sheets: list[tuple[str, str]] = field(default_factory=list)  # workbook part: (sheet name, relationship id)
    elements: int = 0
    anchors: int = 0
    comments: int = 0
    names: int = 0

    def count(self, what: str, part: str, role: str, words: str, limit_field: str) -> None:
        setattr(self, what, getattr(self, what) + 1)
        limit = getattr(self.limits, limit_field)
        if getattr(self, what) > limit:
            raise Refused(f"part {part} ({role}) brings the workbook to more than {limit:,} {words}; it is "
                          "refused before it is read", COUNT_HINT.format(field=limit_field))


def scan_part(stream: Any, totals: Totals, part: str, kind: str, sheet: SheetScan | None = None) -> None:
    """Feed the XML part ``part`` (an open binary stream) to expat, counting what openpyxl would build from a
    part of this ``kind``: types, rels, workbook, sheet, strings, styles, comments, drawing, other."""
    scanner = _PartScanner(totals, part, kind, sheet)
    try:
        while chunk := stream.read(1 << 20):
            scanner.parser.Parse(chunk, False)
        scanner.parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise Refused(f"the file is damaged: part {part} is not well-formed XML (line {error.lineno}, column "
                      f"{error.offset + 1}: {expat.ErrorString(error.code)})", DAMAGED_HINT) from None


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


class _PartScanner:
    def __init__(self, totals: Totals, part: str, kind: str, sheet: SheetScan | None) -> None:
        self.totals, self.part, self.kind, self.sheet, self.limits = totals, part, kind, sheet, totals.limits
        parser = self.parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        self.path: list[str] = []  # local names of the open elements, outside a sheet's rows
        self.strings = 0
        self.styles: dict[str, int] = {}
        if kind == "strings":
            parser.StartElementHandler = self._string
        elif kind == "sheet":
            self.cells = SheetCells(self, sheet)
            parser.StartElementHandler = self.cells.start
            parser.EndElementHandler = self.cells.end
            parser.CharacterDataHandler = self.cells.text
        elif kind != "unread":  # a part openpyxl never reads: only its DTD matters, and expat runs at C speed
            parser.StartElementHandler = self._start
            parser.EndElementHandler = self._end

    def _doctype(self, *_: Any) -> None:
        raise Refused(DTD_MESSAGE.format(where=f", in {self.part}"), DTD_HINT)

    def element(self) -> None:
        """One more element openpyxl builds an object of."""
        self.totals.count("elements", self.part, "parsed whole", "XML elements outside its sheets' cells",
                          "max_elements")

    def _string(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "si":
            self.strings += 1
            if self.strings > self.limits.max_strings:
                raise Refused(f"part {self.part} (the shared strings) has more than {self.limits.max_strings:,} "
                              "texts; it is refused before it is read", COUNT_HINT.format(field="max_strings"))

    def _end(self, name: str) -> None:
        self.path.pop()

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.element()
        path, local = self.path, _local(name)
        depth = len(path)
        path.append(local)
        kind = self.kind
        if depth == 1 and kind in ("types", "rels"):  # the root's children, as openpyxl reads them
            if local == "Override":
                self.totals.overrides.append((attrs.get("PartName", ""), attrs.get("ContentType", "")))
            elif local == "Default":
                self.totals.defaults.append(attrs.get("ContentType", ""))
            elif local == "Relationship":
                self.totals.rels.setdefault(self.part, {})[attrs.get("Id", "")] = (
                    attrs.get("Type", ""), attrs.get("Target", ""), attrs.get("TargetMode", ""))
        elif kind == "workbook" and depth == 1 and local == "sheets":
            self.totals.sheets = []  # openpyxl keeps the last <sheets>
        elif kind == "workbook" and depth == 2 and path[1] == "sheets":  # every child is a sheet to openpyxl
            rel_id = attrs.get(f"{_REL_NS} id", attrs.get("id"))  # r:id, else a plain id, as openpyxl reads it
            self.totals.sheets.append((attrs.get("name", ""), rel_id or ""))
        elif kind == "workbook" and depth == 2 and path[1] == "definedNames":
            self.totals.count("names", self.part, "the workbook", "defined names", "max_defined_names")
        elif kind == "styles" and depth == 2 and path[1] in STYLE_LISTS:
            self.styles[path[1]] = self.styles.get(path[1], 0) + 1
            if self.styles[path[1]] > self.limits.max_styles:
                raise Refused(f"part {self.part} (the styles) has more than {self.limits.max_styles:,} "
                              f"{STYLE_LISTS[path[1]]} (<{path[1]}>); it is refused before it is read",
                              COUNT_HINT.format(field="max_styles"))
        elif kind == "drawing" and depth == 1:
            self.totals.count("anchors", self.part, "a drawing", "pictures, charts and shapes",
                              "max_drawing_objects")
        elif kind == "comments" and local == "comment":
            self.totals.count("comments", self.part, "comments", "comments", "max_comments")
            if self.sheet is not None:
                range_extent(self.sheet, self.limits, self.part, attrs.get("ref", ""), " (comments)")
