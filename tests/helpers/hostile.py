"""Workbooks a hostile or careless hand made: parts written by hand where openpyxl cannot write
them (a DTD, a formula without a saved value, a sheet that unpacks to gigabytes), files that are
not workbooks, merged and hidden parts.  Used by tests/formats/xlsx/test_hostile_workbooks.py
and by the catalogue of messages (tests/_core/test_errors_catalogue.py)."""

from __future__ import annotations

import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine._core.errors import Problem, WorkbookError
from engine.formats.xlsx.build import load_workbook
from engine.formats.xlsx.safety import Limits
from helpers.workbooks import make_workbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_TYPE = f"{REL_NS}/worksheet"

N = ("n", "number", None, "yes")
CLEAN = {"t": ("U", ["n", "o"], "io", None, [["R1", "< 2", '"low"'], ["R2", ">= 2", '"high"']])}


# ---------------------------------------------------------------------- building archives by hand
def sheet_xml(rows: str = '<row r="1"><c r="A1" t="inlineStr"><is><t>U</t></is></c></row>', before: str = "",
              after: str = "", prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{before}<sheetData>{rows}</sheetData>{after}'
            "</worksheet>")


def hand_made(path: Path, sheets: dict[str, str], extra: dict[str, bytes | str] | None = None,
              targets: dict[str, str] | None = None, content_type: str = "sheet.main+xml") -> Path:
    """A minimal .xlsx: [Content_Types].xml, _rels/.rels, xl/workbook.xml, its rels, and one
    worksheet part per sheet (its XML given); ``targets`` moves a sheet's part elsewhere."""
    targets = targets or {}
    parts = {name: targets.get(name, f"worksheets/sheet{i}.xml") for i, name in enumerate(sheets, start=1)}
    book_type = ("application/vnd.ms-excel." if "macro" in content_type else
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.") + content_type
    overrides = "".join(f'<Override PartName="/xl/{p}" ContentType="application/vnd.openxmlformats-'
                        f'officedocument.spreadsheetml.worksheet+xml"/>' for p in parts.values())
    files: dict[str, bytes | str] = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxml'
        'formats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
        'formats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{book_type}"/>{overrides}</Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}"><Relationship '
        f'Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        "<sheets>" + "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                             for i, name in enumerate(sheets, start=1)) + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{WORKSHEET_TYPE}" Target="{parts[name]}"/>'
                  for i, name in enumerate(sheets, start=1)) + "</Relationships>",
    }
    files.update({f"xl/{parts[name]}": xml for name, xml in sheets.items()})
    files.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def patch_part(path: Path, part: str, change: Callable[[str], str]) -> Path:
    """Rewrite one XML part of an existing .xlsx in place."""
    with zipfile.ZipFile(path) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist()}
    new = change(contents[part].decode("utf-8"))
    assert new != contents[part].decode("utf-8"), f"the change did not apply to {part}"
    contents[part] = new.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return path


def replace_cell(path: Path, part: str, ref: str, xml: str) -> Path:
    """Replace cell ``ref`` of a sheet part (as openpyxl wrote it) with ``xml``."""
    pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
    return patch_part(path, part, lambda text: pattern.sub(xml, text, count=1))


def only_problem(error: WorkbookError) -> Problem:
    assert len(error.problems) == 1, "\n".join(map(str, error.problems))
    return error.problems[0]


def refused(path: Path, limits: Limits | None = None) -> Problem:
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path, limits) if limits else load_workbook(path)
    problem = only_problem(caught.value)
    assert problem.code == "unreadable" and problem.workbook == str(path), problem
    return problem


def clean_book(tmp_path: Path, name: str = "clean.xlsx") -> Path:
    return make_workbook(tmp_path, name, inputs=[N], tables=CLEAN)


# ---------------------------------------------------------------------- entity (DTD) attacks
def billion_laughs() -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                     prolog=f"<!DOCTYPE worksheet [{entities}]>")


def quadratic_blowup() -> str:
    entity = f'<!ENTITY a "{"x" * 100_000}">'  # 100 kB, used 100,000 times: 10 GB if expanded
    return sheet_xml(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"&a;" * 100_000}</t></is></c></row>',
                     prolog=f"<!DOCTYPE worksheet [{entity}]>")


def external_entity() -> str:
    return sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
                     prolog='<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


BOMBS = {"billion-laughs": billion_laughs, "quadratic-blowup": quadratic_blowup, "external-entity": external_entity}


def fake_ole(*streams: str) -> bytes:
    """An OLE compound file header and a directory naming ``streams`` (what the check reads)."""
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in ("Root Entry", *streams))
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + directory


def damaged(path: Path) -> Path:
    """Overwrite the middle of the first worksheet's compressed data (the zip directory stays intact)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    path.write_bytes(bytes(data))
    return path


def broken_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """kind → (file, a phrase of the one message it must give)."""
    clean = clean_book(tmp_path).read_bytes()
    (tmp_path / "folder.xlsx").mkdir(exist_ok=True)
    ods = tmp_path / "tables.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    files = {
        "random bytes": ("random.xlsx", random.Random(7).randbytes(4096), "this is not an .xlsx workbook"),
        "text": ("patients.xlsx", b"age,sex\n54,f\n", "it is a text file (a CSV file?)"),
        "pdf": ("guideline.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "it is a PDF document"),
        "empty": ("empty.xlsx", b"", "the file is empty"),
        "truncated": ("truncated.xlsx", clean[:len(clean) // 2], "damaged or incomplete (cut off)"),
        "end cut off": ("cut.xlsx", clean[:-10], "damaged or incomplete (cut off)"),
        "password": ("locked.xlsx", fake_ole("EncryptionInfo", "EncryptedPackage"), "password-protected"),
        "xls": ("legacy.xls", fake_ole("Workbook", "SummaryInformation"), "legacy Excel 97-2003 workbook (.xls)"),
        "other ole": ("odd.doc", fake_ole("WordDocument"), "a legacy .xls or a password-protected workbook"),
    }
    found = {kind: (tmp_path / name, phrase) for kind, (name, _, phrase) in files.items()}
    for name, content, _ in files.values():
        (tmp_path / name).write_bytes(content)
    found["damaged"] = (damaged(clean_book(tmp_path, "damaged.xlsx")), "the file is damaged")
    found["missing"] = (tmp_path / "nope.xlsx", "file not found")
    found["folder"] = (tmp_path / "folder.xlsx", "this is a folder, not a workbook")
    found["ods"] = (ods, "OpenDocument spreadsheet (.ods)")
    return found


def table_part(path: Path, title: str) -> str:
    """The part of sheet ``title`` in a workbook written by openpyxl (sheets in creation order)."""
    import openpyxl

    index = openpyxl.load_workbook(path).sheetnames.index(title)
    return f"xl/worksheets/sheet{index + 1}.xml"


def merged_book(tmp_path: Path, ranges: list[str], rules: list[list[Any]] | None = None) -> Path:
    import openpyxl

    rules = rules or [["R1", '"a"', "< 2", '"x"'], ["R2", None, ">= 2", '"y"'], ["R3", '"b"', None, '"z"']]
    path = make_workbook(tmp_path, inputs=[N, ("s", "string")],
                         tables={"t": ("U", ["s", "n", "o"], "iio", None, rules)})
    book = openpyxl.load_workbook(path)
    for cells in ranges:
        book["t"].merge_cells(cells)
    book.save(path)
    return path


def hide(path: Path, change: Callable[[Any], None]) -> Path:
    import openpyxl

    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


# ---------------------------------------------------------------------- the package (issue 16, classes 3 and 4)
SHEET_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
TABLE_PART = "xl/worksheets/sheet2.xml"  # sheet t of clean_book


def rewrite(path: Path, parts: dict[str, bytes | str], out: Path | None = None) -> Path:
    """A copy of the .xlsx at ``path`` (to ``out``, or in place) with ``parts`` replaced or added."""
    with zipfile.ZipFile(path) as archive:
        contents: dict[str, bytes | str] = {info.filename: archive.read(info) for info in archive.infolist()}
    contents.update(parts)
    out = out or path
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return out


def part_text(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")


def with_far_cell(sheet: str, ref: str, row: int = 6) -> str:
    """Sheet XML with one more row ``row`` holding one cell whose reference is ``ref``."""
    return sheet.replace("</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>')


def leading_space(path: Path, ref: str = "J300000", spaces: int = 100) -> Path:
    """Class 3: the table's sheet part starts with whitespace before ``<`` (no XML declaration,
    so an XML parser accepts it) and holds a cell far below the table."""
    sheet = part_text(path, TABLE_PART)
    return rewrite(path, {TABLE_PART: " " * spaces + with_far_cell(sheet, ref)})


def decoy_id(path: Path, ref: str = "J300000", plain: bool = False) -> Path:
    """Class 3: sheet t's ``<sheet>`` element carries an ``id`` attribute other than ``r:id``: a
    decoy in another namespace before it that names the Inputs sheet's part, or (``plain``) only a
    plain ``id`` naming its own part, which openpyxl reads when ``r:id`` is missing."""
    book = part_text(path, "xl/workbook.xml")
    element = '<sheet name="t" sheetId="2" state="visible" r:id="rId2" />'
    new = ('<sheet name="t" sheetId="2" state="visible" id="rId2" />' if plain else
           '<sheet xmlns:d="urn:decoy" name="t" sheetId="2" state="visible" d:id="rId1" r:id="rId2" />')
    assert element in book
    return rewrite(path, {"xl/workbook.xml": book.replace(element, new),
                          TABLE_PART: with_far_cell(part_text(path, TABLE_PART), ref)})


def far_row(path: Path, ref: str = "A12345678") -> Path:
    """Class 3: a cell whose reference has a row number of any length (here 8 digits)."""
    return rewrite(path, {TABLE_PART: with_far_cell(part_text(path, TABLE_PART), ref)})


def many_styles(path: Path, count: int) -> Path:
    """Class 4: a styles part with ``count`` cell formats (1.2 million: 90 MB from ~300 KB)."""
    styles = part_text(path, "xl/styles.xml")
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" />'
    start = styles.index("<cellXfs")
    end = styles.index("</cellXfs>")
    return rewrite(path, {"xl/styles.xml": styles[:start] + f'<cellXfs count="{count}">' + xf * count
                          + styles[end:]})


def many_strings(path: Path, count: int) -> Path:
    """Class 4: a shared-strings part with ``count`` strings, declared in [Content_Types].xml."""
    types = part_text(path, "[Content_Types].xml").replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml" /></Types>'))
    strings = (f'<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">' + "<si><t>a</t></si>" * count
               + "</sst>")
    return rewrite(path, {"[Content_Types].xml": types, "xl/sharedStrings.xml": strings})


def sheet_rels(path: Path, relationships: dict[str, str]) -> dict[str, str]:
    """The rels part of the table's sheet, with one relationship per type suffix → target."""
    return {"xl/worksheets/_rels/sheet2.xml.rels": f'<Relationships xmlns="{PKG_REL_NS}">' + "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(relationships.items(), start=1)) + "</Relationships>"}


def many_anchors(path: Path, count: int) -> Path:
    """Class 4: a drawing of the table's sheet with ``count`` anchors (1 million: 90 MB)."""
    anchor = ('<xdr:absoluteAnchor><xdr:pos x="0" y="0"/><xdr:ext cx="1" cy="1"/><xdr:clientData/>'
              "</xdr:absoluteAnchor>")
    drawing = f'<xdr:wsDr xmlns:xdr="{SHEET_DRAWING_NS}">' + anchor * count + "</xdr:wsDr>"
    return rewrite(path, {"xl/drawings/drawing1.xml": drawing,
                          **sheet_rels(path, {"drawing": "../drawings/drawing1.xml"})})


def many_comments(path: Path, count: int) -> Path:
    """Class 4: a comments part of the table's sheet with ``count`` comments, all on cell A1."""
    comments = (f'<comments xmlns="{MAIN_NS}"><authors><author>x</author></authors><commentList>'
                + '<comment ref="A1" authorId="0"><text><t>hi</t></text></comment>' * count
                + "</commentList></comments>")
    return rewrite(path, {"xl/comments1.xml": comments, **sheet_rels(path, {"comments": "../comments1.xml"})})


def many_names(path: Path, count: int) -> Path:
    """Class 4: a workbook part with ``count`` defined names."""
    book = part_text(path, "xl/workbook.xml")
    names = "".join(f'<definedName name="n{i}">t!$A$1</definedName>' for i in range(count))
    return rewrite(path, {"xl/workbook.xml": book.replace("<definedNames />", f"<definedNames>{names}</definedNames>")})
