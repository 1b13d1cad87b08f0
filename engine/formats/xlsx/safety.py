"""Is this file safe and sane to open?  A workbook file → its sheets' cell values, or a refusal.

Workbooks arrive by e-mail and from other sites, so a file is hostile until checked.
:func:`check_file` says what the file is (missing, a folder, empty, a password-protected
workbook or a legacy ``.xls``, a PDF or text file, a truncated zip, a zip that is not a
workbook) and runs the streaming scan of ``engine.formats.xlsx.scan`` (sizes, DTDs, rows,
columns and what else openpyxl builds objects of); each refusal is one ``unreadable``
problem.  Only then does openpyxl parse the file, with defusedxml as a second layer,
``data_only=True`` (the values Excel and LibreOffice saved for formulas), and empty
drawings and comments in place of the file's (dtrun needs neither).  :func:`read_workbook`
then reads the cells as an author sees them: a formula without a saved value, an error
value (``#N/A``), an over-long text or half of a surrogate pair is a problem naming the
cell; a range merged within one column below the header rows gives its value to every cell
it covers (any other merge is a problem); hidden sheets, rows and columns, and macros
(never run), are warnings.
"""

from __future__ import annotations

import io
import re
import warnings as python_warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from engine._core.cells import column_letter as _letters
from engine._core.errors import Problem, WorkbookError
from engine.formats.xlsx.limits import DAMAGED_HINT, DEFAULT_LIMITS, DTD_HINT, DTD_MESSAGE, MB, Limits, Refused
from engine.formats.xlsx.scan import SAVE_AS_XLSX, FileScan, SheetScan, scan_archive

__all__ = ["DEFAULT_LIMITS", "Limits", "Loaded", "check_file", "open_checked", "read_workbook"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
HEADER_ROWS = {"Inputs": 1, "Tests": 2, "Waivers": 1, "table": 3}
_SURROGATE = re.compile("[\ud800-\udfff]|_x[dD][89a-fA-F][0-9a-fA-F]{2}_")  # half a pair, or Excel's escape of one
_UNIT = re.compile("_x([dD][89a-fA-F][0-9a-fA-F]{2})_|[\ud800-\udfff]")
MAX_FORMULA_PROBLEMS = 10  # per sheet; the last one counts the rest
_UNMERGE = ("unmerge them (Home > Merge & Center > Unmerge Cells) and write the value in every cell that needs "
            "it; merging is allowed only within one column, in the rule rows")


def refuse(workbook: str, message: str, hint: str, sheet: str = "") -> NoReturn:
    raise WorkbookError([Problem("unreadable", message, workbook, sheet, hint=hint)])


# ---------------------------------------------------------------------- the file
def check_file(path: Path, workbook: str, limits: Limits = DEFAULT_LIMITS) -> FileScan:
    """Refuse (WorkbookError, code ``unreadable``) a file that is not a safe, sane .xlsx."""
    try:
        if not path.exists():
            refuse(workbook, "file not found", "check the path")
        if path.is_dir():
            refuse(workbook, "this is a folder, not a workbook",
                   "give the path of an .xlsx file (dtrun lint also accepts folders)")
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as error:
        refuse(workbook, f"cannot open the file ({error.strerror or error})",
               "check that the file exists and that you may read it")
    if size == 0:
        refuse(workbook, "the file is empty (0 bytes)",
               "it was not saved or copied completely; save the workbook again as .xlsx")
    if head.startswith(OLE_MAGIC):
        _refuse_ole(path, workbook, limits.max_uncompressed_bytes)
    if not head.startswith(ZIP_MAGIC):
        refuse(workbook, f"this is not an .xlsx workbook: {_what_is(head)}", SAVE_AS_XLSX)
    if size > limits.max_uncompressed_bytes:
        refuse(workbook, f"the file is {size / MB:,.0f} MB, more than the limit of "
               f"{limits.max_uncompressed_bytes / MB:,.0f} MB",
               "a decision-table workbook is rarely over a few MB; remove pictures and unused sheets")
    entries = _zip_entries(path)
    if entries is not None and entries > limits.max_parts:
        refuse(workbook, f"the zip archive holds {entries:,} files, more than the limit of {limits.max_parts:,}",
               "this is not a workbook as Excel or LibreOffice save it; do not use this file")
    try:
        with zipfile.ZipFile(path) as archive:
            return scan_archive(archive, limits, path.suffix.lower())
    except Refused as refused:
        refuse(workbook, refused.message, refused.hint, refused.sheet)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        if entries is None:
            refuse(workbook, "the file is damaged or incomplete (cut off): the end of its zip archive is missing",
                   DAMAGED_HINT)
        refuse(workbook, f"the file is damaged ({_first_line(error)})", DAMAGED_HINT)
    except (NotImplementedError, RuntimeError) as error:  # an unknown compression; a zip-level password
        refuse(workbook, f"the zip archive cannot be unpacked ({_first_line(error)})", SAVE_AS_XLSX)


def _refuse_ole(path: Path, workbook: str, limit: int) -> NoReturn:
    """An OLE compound file: an encrypted .xlsx, or a legacy .xls (its stream names tell)."""
    found = _find_utf16(path, ("EncryptedPackage", "Workbook", "Book"), limit)
    if "EncryptedPackage" in found:
        refuse(workbook, "the workbook is password-protected (encrypted), so it cannot be read",
               "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password: "
               "clear it) and save it as .xlsx")
    if found:
        refuse(workbook, "this is a legacy Excel 97-2003 workbook (.xls), not an .xlsx workbook", SAVE_AS_XLSX)
    refuse(workbook, "this is an old-style Office file (a legacy .xls or a password-protected workbook), not an "
           ".xlsx workbook", "remove any password in Excel, then save it as Excel Workbook (.xlsx)")


def _find_utf16(path: Path, names: tuple[str, ...], limit: int) -> set[str]:
    needles = {name: name.encode("utf-16-le") for name in names}
    found: set[str] = set()
    tail, read = b"", 0
    with path.open("rb") as handle:
        while (chunk := handle.read(1 << 20)) and read < limit:
            window, read = tail + chunk, read + len(chunk)
            found |= {name for name, needle in needles.items() if needle in window}
            tail = window[-64:]
    return found


def _what_is(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF"):
        return "it is a PDF document"
    if head.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        return "it is a compressed archive of another kind (gzip, rar or 7z)"
    if text.startswith(b"{\\rtf"):
        return "it is an RTF document"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return "it is an Excel 2003 XML spreadsheet"
    if b"<html" in text or text.startswith(b"<!doctype html"):
        return "it is a web page (HTML), perhaps exported from Excel"
    if text.startswith(b"<"):
        return "it is an XML file"
    try:
        head.decode("utf-8")
        is_text = all(32 <= b or b in (9, 10, 13) for b in head if b < 128)
    except UnicodeDecodeError:
        is_text = False
    return "it is a text file (a CSV file?)" if is_text else "its first bytes are not those of an .xlsx file"


def _zip_entries(path: Path) -> int | None:
    """The number of files in the zip directory (from its end record); None when it is missing."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 65_557))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    count = int.from_bytes(tail[at + 10:at + 12], "little")
    return 1 << 32 if count == 0xFFFF else count  # 0xFFFF: ZIP64, which no workbook needs


# what openpyxl reads instead of the parts dtrun never needs: a drawing without pictures, charts or
# shapes (so none of them is parsed), and a sheet's comments without any comment
_EMPTY = {"drawing": b'<wsDr xmlns="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"/>',
          "comments": b'<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors/>'
                      b"<commentList/></comments>"}


class _WithoutUnneeded(zipfile.ZipFile):
    """The archive as openpyxl reads it for dtrun: each part in ``unneeded`` opens as an empty one.
    (``openpyxl.load_workbook`` has no option to skip parts; its reader reads every part through
    ``open``.)"""

    def __init__(self, file: Any, unneeded: dict[str, str]) -> None:
        super().__init__(file)
        self.unneeded = unneeded

    def open(self, name: Any, mode: str = "r", pwd: bytes | None = None, **kwargs: Any) -> Any:
        kind = self.unneeded.get(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        if kind is not None and mode == "r":
            return io.BytesIO(_EMPTY[kind])
        return super().open(name, mode, pwd, **kwargs)


def _open(path: Path, workbook: str, unneeded: dict[str, str] | None = None) -> Any:
    from defusedxml import DefusedXmlException
    from openpyxl.reader.excel import ExcelReader

    try:
        with python_warnings.catch_warnings(), path.open("rb") as handle:
            python_warnings.simplefilter("ignore")  # openpyxl's notes on unsupported extensions
            reader = ExcelReader(handle, data_only=True, keep_links=False)  # what openpyxl.load_workbook does
            reader.archive = _WithoutUnneeded(handle, unneeded or {})
            reader.read()
            return reader.wb
    except Exception as error:  # openpyxl raises many kinds for files it cannot read
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__  # openpyxl wraps defusedxml's refusal in a ValueError
        if cause is not None:
            refuse(workbook, DTD_MESSAGE.format(where=""), DTD_HINT)
        refuse(workbook, f"cannot read the file as an .xlsx workbook ({_first_line(error)})", SAVE_AS_XLSX)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else type(error).__name__


# ---------------------------------------------------------------------- the cells
@dataclass
class Loaded:
    """A workbook's sheets (rows of cell values), with what reading them found.
    ``covered`` lists (sheet, cell) whose further problems ``problems`` already explain."""

    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    covered: set[tuple[str, str]] = field(default_factory=set)


def open_checked(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The openpyxl workbook of ``path``, opened as ``read_workbook`` opens it (checked first, a
    refusal raised as WorkbookError ``unreadable``), for readers of other layouts (a DAK)."""
    scan = check_file(Path(path), str(path), limits)
    return _open(Path(path), str(path), scan.unneeded)


def read_workbook(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Loaded:
    """Check, open and read a workbook file; WorkbookError (``unreadable``) if it is refused."""
    name = str(path)
    scan = check_file(Path(path), name, limits)
    book = _open(Path(path), name, scan.unneeded)
    loaded = Loaded()
    if scan.macros:
        loaded.warnings.append(Problem(
            "macros", "this is a macro-enabled workbook (.xlsm); dtrun reads only the cell values and never runs "
            "its macros", name, hint="check that no rule depends on a macro; save it as .xlsx to drop the macros",
            severity="warning"))
    for sheet in book.worksheets:
        _Sheet(sheet, name, scan.sheets.get(sheet.title), limits, loaded).read()
    return loaded


class _Sheet:
    def __init__(self, sheet: Any, workbook: str, scan: SheetScan | None, limits: Limits, loaded: Loaded) -> None:
        self.sheet, self.workbook, self.scan, self.limits, self.loaded = sheet, workbook, scan, limits, loaded
        self.title = sheet.title
        self.kind = self.title if self.title in ("About", "Inputs", "Tests", "Waivers") else "table"

    def problem(self, message: str, cell: str, hint: str) -> None:
        self.loaded.problems.append(Problem("workbook", message, self.workbook, self.title, cell, hint))

    def warning(self, message: str, cell: str, hint: str) -> None:
        self.loaded.warnings.append(Problem("hidden", message, self.workbook, self.title, cell, hint, "warning"))

    def read(self) -> None:
        if self.title.startswith("_"):  # the author's notes: never read
            self.loaded.sheets[self.title] = []
            return
        rows = [[self._value(cell) for cell in row] for row in self.sheet.iter_rows()]
        self._formulas()
        if self.kind != "About":
            self._merged(rows)
            self._hidden(rows)
        self.loaded.sheets[self.title] = rows

    def _value(self, cell: Any) -> Any:
        value = cell.value
        if cell.data_type == "e" and value is not None:
            self.problem(f"this cell holds the error value {value}", cell.coordinate,
                         "correct the formula that gives it, or type the value")
            return None
        if isinstance(value, str) and _SURROGATE.search(value) and (char := _lone_surrogate(value)):
            self.problem(f"this cell holds a character that is not valid text ({char}): half of a pair that "
                         "encodes one character, without the other half", cell.coordinate,
                         "retype the cell's text (copying it from another program brought the broken character)")
            return None
        if isinstance(value, str) and len(value) > self.limits.max_text_chars:
            self.problem(f"this cell holds {len(value):,} characters, more than the limit of "
                         f"{self.limits.max_text_chars:,}", cell.coordinate,
                         "shorten it; keep long explanations in a sheet whose name starts with _")
            return None
        return value

    def _formulas(self) -> None:
        cells = self.scan.formulas_without_value if self.scan else []
        for number, ref in enumerate(cells[:MAX_FORMULA_PROBLEMS], start=1):
            more = len(cells) - MAX_FORMULA_PROBLEMS
            rest = f" (and {more:,} more such cells on this sheet)" if number == MAX_FORMULA_PROBLEMS and more else ""
            self.problem(f"this cell holds a formula with no saved value{rest}", ref,
                         "open and save the file in Excel or LibreOffice (they save each formula's value), "
                         "or type the value instead of the formula")
        self.loaded.covered |= {(self.title, ref) for ref in cells}

    def _merged(self, rows: list[list[Any]]) -> None:
        header = HEADER_ROWS[self.kind]
        for merged in self.sheet.merged_cells.ranges:
            top, left = merged.min_row, merged.min_col
            value = rows[top - 1][left - 1] if top <= len(rows) and left <= len(rows[top - 1]) else None
            if value is None or str(value).strip() == "":
                continue  # formatting only: nothing to spread
            first = f"{_letters(left)}{top}"
            if left == merged.max_col and top > header and (left > 1 or self.kind == "Inputs"):
                for row in rows[top:merged.max_row]:
                    row[left - 1] = value
                continue
            if left != merged.max_col:
                why = f"cells {merged.coord} are merged across columns, so only {first} holds a value"
            elif top <= header:
                rows = "row (row 1)" if header == 1 else f"rows (1 to {header})"
                why = f"cells {merged.coord} are merged over the header {rows}"
            else:
                why = f"cells {merged.coord} are merged, but each row needs its own id in column A"
            self.problem(why, first, _UNMERGE)
            self.loaded.covered |= {(self.title, f"{_letters(c)}{r}") for r, c in merged.cells}

    def _hidden(self, rows: list[list[Any]]) -> None:
        what = {"table": "its rules", "Inputs": "its inputs", "Tests": "its test cases",
                "Waivers": "its waivers"}[self.kind]
        state = self.sheet.sheet_state
        if state != "visible":
            how = ("it is 'very hidden': unhide it in Excel's VBA editor (the sheet's Visible property)"
                   if state == "veryHidden" else "unhide it (right-click a sheet tab > Unhide)")
            self.warning(f"sheet {self.title} is hidden, but {what} still count", "",
                         f"{how} so that reviewers see it, or start its name with _ if dtrun should ignore it")
        filled = [any(v is not None and str(v).strip() for v in row) for row in rows]
        hidden_rows = [r for r, d in self.sheet.row_dimensions.items()
                       if (d.hidden or d.ht == 0) and r <= len(rows) and filled[r - 1]]
        if hidden_rows:
            self.warning(f"{_plural('row', hidden_rows)} {_spans(hidden_rows)} {_are(hidden_rows)} hidden, but "
                         f"{_they(hidden_rows)}: dtrun reads hidden rows like any other",
                         f"A{min(hidden_rows)}", "unhide (select the rows around, right-click > Unhide) so that "
                         "reviewers see what counts, or delete what is not wanted")
        width = max((len(row) for row in rows), default=0)
        hidden_columns = sorted({c for d in self.sheet.column_dimensions.values() if d.hidden and d.min
                                 for c in range(d.min, min(d.max or d.min, width) + 1)
                                 if any(c <= len(row) and row[c - 1] is not None and str(row[c - 1]).strip()
                                        for row in rows)})
        if hidden_columns:
            letters = ", ".join(_letters(c) for c in hidden_columns)
            self.warning(f"{_plural('column', hidden_columns)} {letters} {_are(hidden_columns)} hidden, but "
                         f"{_they(hidden_columns)}: dtrun reads hidden columns like any other",
                         f"{_letters(hidden_columns[0])}1", "unhide (select the columns around, right-click > "
                         "Unhide) so that reviewers see what counts, or delete what is not wanted")


def _lone_surrogate(text: str) -> str:
    """Half of a UTF-16 surrogate pair without its other half in ``text``, named: a character, or the
    ``_xD800_`` escape by which Excel writes one (openpyxl leaves escapes as they are); "" if none."""
    found = list(_UNIT.finditer(text))
    paired = False
    for this, after in zip(found, [*found[1:], None]):
        if paired:
            paired = False
            continue
        unit = int(this[1], 16) if this[1] else ord(this[0])
        paired = bool(unit <= 0xDBFF and after and after.start() == this.end() and this[1] and after[1]
                      and int(after[1], 16) >= 0xDC00)
        if not paired:
            return f"U+{unit:04X}, written {this[0]} in the file" if this[1] else f"U+{unit:04X}"
    return ""


def _spans(numbers: list[int]) -> str:
    numbers, spans = sorted(numbers), []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        spans.append(str(start) if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    return ", ".join(spans)


def _plural(word: str, items: list[int]) -> str:
    return word if len(items) == 1 else f"{word}s"


def _are(items: list[int]) -> str:
    return "is" if len(items) == 1 else "are"


def _they(items: list[int]) -> str:
    return "it still counts" if len(items) == 1 else "they still count"
