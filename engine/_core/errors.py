"""The one exception hierarchy of dtrun, and the located problem record.

Every error a user can see derives from :class:`DtrunError`.  Positions are kept as
structured fields (1-based column, workbook, sheet, cell), never only inside the text,
so that the CLI, the linter and other tools can point at the spot.
"""

from __future__ import annotations

from dataclasses import dataclass


def place(workbook: str, sheet: str = "", cell: str = "") -> str:
    """Where something is, as authors read it: ``file.xlsx:sheet!B7``."""
    text = workbook
    if sheet:
        text += f":{sheet}"
        if cell:
            text += f"!{cell}"
    return text


def with_hint(message: str, hint: str | None) -> str:
    """A message followed by its hint, the hint starting with a capital."""
    return f"{message}. {hint[0].upper()}{hint[1:]}" if hint else message


def quoted(text: str, column: int = 1, width: int = 80) -> str:
    """``text`` quoted as Python would, cut to ``width`` characters around the 1-based ``column``
    (with … where it was cut), so that a 20,000-character cell does not fill the screen."""
    if len(text) <= width:
        return repr(text)
    start = max(0, min(column - 1 - width // 2, len(text) - width))
    return repr(("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else ""))


@dataclass(frozen=True)
class Location:
    """Where a thing of a model was written: file, sheet (or DMN element) and cell (or part)."""

    workbook: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        return place(self.workbook, self.sheet, self.cell)


class DtrunError(Exception):
    """Root of every error dtrun raises on purpose."""


class ConditionError(DtrunError, ValueError):
    """A cell's text is not valid in the condition language.

    ``column`` and ``end_column`` are 1-based positions in ``text``; ``hint`` says how to
    fix the common mistakes in an author's terms.  For a name that names nothing,
    ``unknown`` holds (the name, the closest known name or None, whether it stood alone as
    a test), so that a loader can word the hint in its file's names.
    """

    unknown: tuple[str, str | None, bool] | None = None

    def __init__(
        self,
        message: str,
        text: str,
        column: int,
        hint: str | None = None,
        end_column: int | None = None,
    ) -> None:
        self.message = message
        self.text = text
        self.column = column
        self.end_column = end_column if end_column is not None else column
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        return with_hint(f"{self.message} (column {self.column} of {quoted(self.text, self.column)})", self.hint)

    def cannot_read(self, text: str | None = None) -> str:
        """The message for a file's cell: ``text`` (as the file has it; else the parsed text) quoted
        around the error, then what is wrong and where."""
        return f"cannot read {quoted(text or self.text, self.column)}: {self.message} at character {self.column}"


@dataclass(frozen=True)
class Problem:
    """One located problem in a workbook: what is wrong, where, and how to fix it."""

    code: str
    message: str
    workbook: str = ""
    sheet: str = ""
    cell: str = ""
    hint: str = ""
    severity: str = "error"
    table: str = ""  # the decision table concerned, where the sheet does not say it (a DAK sheet holds several)

    @property
    def location(self) -> str:
        return place(self.workbook, self.sheet, self.cell)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}[{self.code}]: {with_hint(self.message, self.hint)}"


class WorkbookError(DtrunError):
    """A workbook cannot be used; ``problems`` lists every problem found, not just the first.
    ``warnings`` are the loader's warnings (severity 'warning'), shown after the problems."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...],
                 warnings: list[Problem] | tuple[Problem, ...] = ()) -> None:
        self.problems = tuple(problems)
        self.warnings = tuple(warnings)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in (*self.problems, *self.warnings))


class InputDataError(DtrunError):
    """A patient file cannot be evaluated at all (unreadable, or a required column missing)."""


class OutputError(InputDataError):
    """An output cannot be written: its folder is missing or read-only, the disk is full, the
    target is a folder, standard output is closed.  An ``InputDataError`` too, as ``dtrun
    evaluate`` has always reported these (exit status 4); the other commands give 2."""
