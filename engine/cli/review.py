"""``dtrun new``, ``dtrun show`` and ``dtrun diff``: authoring and review commands, a thin Click layer.

Each command parses its options and calls the library (``engine.formats``, ``engine.review``);
errors become one message on standard error and a documented exit status (the constants of
``engine.cli.support``).  Registered on the ``dtrun``
group at the end of ``engine/cli.py``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from engine.cli.support import (
    DICTIONARY,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WORKBOOK,
    HIT_POLICY,
    echo_out,
    fail,
    guarded,
    not_an_input,
    role,
    show_warnings,
)


def _write(text: str, out: str | None) -> None:
    """``text`` to OUT (atomically; a device or named pipe directly) or to standard output."""
    if not out or out == "-":
        echo_out(text)
        return
    from engine._core import InputDataError, write_text

    try:
        write_text(out, text)
    except InputDataError as error:  # an OutputError: the message names the file
        fail(f"error: {error}", EXIT_USAGE)


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option("--table", default="recommendation", show_default=True, metavar="NAME",
              help="Name of the example decision table (its sheet).")
@click.option("--hit-policy", default="U", show_default=True, metavar="CODE",
              help="Hit policy of the example table: U, A, P, F, R, O, C, C+, C<, C> or C#.")
@click.option("--force", is_flag=True, help="Replace WORKBOOK if it exists.")
def new(workbook: str, table: str, hit_policy: str, force: bool) -> None:
    """Write a ready-to-fill workbook: About, Inputs with example rows, one example table
    and a Tests sheet, with drop-down lists and help comments. It passes dtrun lint and
    dtrun test as it is.

    \b
    Exit status:
      0  written
      2  usage error: WORKBOOK exists (use --force), a bad table name or hit policy, a missing folder
    """
    from engine.formats import AuthoringError, new_workbook

    try:
        path = new_workbook(workbook, table=table, hit_policy=hit_policy, force=force)
    except AuthoringError as error:
        fail(str(error), EXIT_USAGE)
    except OSError as error:
        fail(f"{workbook}: error: cannot write the file: {error.strerror or error}", EXIT_USAGE)
    click.echo(f"dtrun: wrote {path}; fill it in, then run dtrun lint {path} and dtrun test {path}", err=True)


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option("--table", default=None, metavar="NAME", help="Show only this decision table.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html"]), default="text",
              help="text (default, for a terminal), markdown (for a pull request) or html (a page with the "
                   "lint findings marked on their cells).")
@click.option("-o", "--output", "out", default=None, metavar="OUT", help="Write to OUT instead of stdout.")
@click.option("--width", type=click.IntRange(min=40), default=None,
              help="Line width of the text format (default: the terminal's, else 120).")
@DICTIONARY
@HIT_POLICY
@click.option("--textconv", is_flag=True,
              help="For git's diff textconv: one line per rule (a one-cell change is a one-line diff); never "
                   "fail: a workbook that cannot be used is shown as its problems and its cells as they are.")
def show(workbook: str, table: str | None, fmt: str, out: str | None, width: int | None, dictionary: str | None,
         hit_policy: str | None, textconv: bool) -> None:
    """Show WORKBOOK as its author sees it: the data dictionary, then each table with its
    hit policy, headings, roles, allowed values and rules, then the test cases. The output
    depends only on the workbook's content, so that it can be git's text conversion for
    .xlsx files (see docs/review.md).

    \b
    A workbook with cells that cannot be read is shown as far as it can be read, those
    cells marked, and its problems listed on standard error (exit status 3).

    \b
    Exit status:
      0  shown (with --textconv: always)
      2  usage error (e.g. --table names no table, -o names the workbook), or the output cannot be written
      3  the workbook has problems: what could be read is shown, every problem is listed on standard error
         (a file that cannot be read at all: nothing is shown)
    """
    from engine.review import render_model

    not_an_input(out, [(role(workbook), workbook)])
    model = _load_for_show(workbook, textconv, dictionary, hit_policy)
    if model is None:
        return
    show_warnings(model)
    if table is not None and table not in {t.name for t in model.tables}:
        import difflib

        names = [t.name for t in model.tables]
        close = difflib.get_close_matches(table, names, n=1)
        hint = f"did you mean {close[0]}?" if close else "the tables are " + ", ".join(names)
        fail(f"{workbook}: error: --table {table} names no table of this workbook. {hint[0].upper()}{hint[1:]}",
              EXIT_USAGE)
    findings: list[Any] = []
    if fmt == "html":
        from engine.analysis import lint_model

        findings = lint_model(model)
    shown = "lines" if textconv and fmt == "text" else fmt  # git diffs one line per rule
    text = render_model(model, shown, table, findings, width or _terminal_width(out))
    _write(text, out)
    if model.problems:
        _problems(model)
        sys.exit(EXIT_WORKBOOK)


def _problems(model: Any) -> None:
    """The problems of a model read with recovery, on standard error."""
    for problem in model.problems:
        click.echo(str(problem), err=True)


def _load_for_show(workbook: str, textconv: bool, dictionary: str | None = None,
                   hit_policy: str | None = None) -> Any:
    from engine._core import WorkbookError
    from engine.formats import read

    if not textconv:
        return guarded(lambda: read(workbook, recover=True, dictionary=dictionary, hit_policy=hit_policy))

    try:
        return read(workbook, dictionary=dictionary, hit_policy=hit_policy)
    except WorkbookError as error:
        from engine.review import broken_text

        click.echo(broken_text(workbook, error), nl=False)
        return None


def _terminal_width(out: str | None) -> int:
    from engine.review import DEFAULT_WIDTH

    if (out and out != "-") or sys.stdout is None or not sys.stdout.isatty():
        return DEFAULT_WIDTH  # a file or a pipe (git's textconv): the same text everywhere
    import shutil

    return max(40, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


@click.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              help="text (default), markdown (for a pull request) or json.")
@click.option("-o", "--output", "out", default=None, metavar="OUT", help="Write to OUT instead of stdout.")
@click.option("--input-types", type=click.Choice(["declared", "cells"]), default="declared", show_default=True,
              help="cells: give each version's inputs the type their cells test, as dtrun convert --input-types "
                   "cells does (compare a DAK whose dictionary types its cells contradict with its conversion).")
@DICTIONARY
@HIT_POLICY
def diff(old: str, new: str, fmt: str, out: str | None, input_types: str, dictionary: str | None,
         hit_policy: str | None) -> None:
    """Compare two versions of a workbook: what changed (tables, inputs, tests; rules cell
    by cell, matched by rule id) and what it does (the regions of the input space where a
    table's outcome differs, with the old and new outcome and an example record).

    \b
    A workbook with cells that cannot be read is compared as far as it can be read: its
    cells are compared as written, the behaviour of a table with such a cell is not
    compared, and its problems are listed on standard error (exit status 3).  --dictionary and
    --hit-policy apply to each version that is a WHO DAK (see docs/dak.md); a table whose
    regions the search cannot finish (it gives up after a bound) is reported as not compared,
    never as unchanged.

    \b
    Exit status:
      0  no difference in behaviour (the change is a refactoring, or there is none)
      1  a difference in behaviour: some records get a different outcome
      2  usage error (bad option or argument; -o names a workbook), or the output cannot be written
      3  a workbook has problems: what could be read is compared, every problem is listed on standard error
         (a file that cannot be read at all: nothing is compared)
    """
    from engine.formats import read
    from engine.review import compare, render_diff

    not_an_input(out, [(role(old, "old"), old), (role(new, "new"), new)])
    before = guarded(lambda: _typed(read(old, recover=True, dictionary=dictionary, hit_policy=hit_policy),
                                    input_types))
    after = guarded(lambda: _typed(read(new, recover=True, dictionary=dictionary, hit_policy=hit_policy),
                                   input_types))
    result = compare(before, after)
    _write(render_diff(result, fmt), out)
    if before.problems or after.problems:
        _problems(before)
        _problems(after)
        sys.exit(EXIT_WORKBOOK)
    sys.exit(EXIT_FINDINGS if result.changes_behaviour else EXIT_OK)


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
def tidy(workbook: str) -> None:
    """Add Excel aids to WORKBOOK.xlsx in place, without touching its content: drop-down lists
    of the allowed values in condition, output and Tests cells, of input names in headings,
    of hit policies and roles; landscape pages one page wide with the header rows and rule ids
    repeated. A second run changes nothing; the author's own drop-downs are kept.

    \b
    Exit status:
      0  written (atomically, in place)
      2  usage error: not a .xlsx workbook (a DMN file), no such file, or the workbook is open
         in Excel or LibreOffice (its lock file is beside it: close it first); the file cannot be written
      3  the workbook cannot be read: every problem is listed
    """
    from pathlib import Path

    from engine._core import OutputError
    from engine.formats import WorkbookInUse, tidy_workbook

    if Path(workbook).suffix.lower() != ".xlsx":
        why = "a DMN model has no drop-downs to add" if workbook.lower().endswith(".dmn") else "give a .xlsx file"
        raise click.UsageError(f"{workbook}: dtrun tidy adds Excel aids to a .xlsx workbook; {why}")
    if not Path(workbook).is_file():
        raise click.UsageError(f"{workbook}: no such workbook; check the path")
    try:
        guarded(lambda: tidy_workbook(workbook))
    except WorkbookInUse as error:
        fail(str(error), EXIT_USAGE)
    except OutputError as error:
        fail(f"error: {error}", EXIT_USAGE)
    click.echo(f"dtrun: added drop-down lists and print setup to {workbook} (its content is unchanged)", err=True)


def _typed(model: Any, input_types: str) -> Any:
    """With ``cells``, a model read without problems gets the types its cells test."""
    if input_types != "cells" or model.problems:
        return model
    from engine.model import typed

    return typed(model, "cells")
