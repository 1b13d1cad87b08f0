"""What every ``dtrun`` command shares: exit statuses, failing with one clear line, and
``--debug``; outputs that must not be one of the inputs; standard output that may be
closed or whose reader may leave.

A library error (``WorkbookError``, ``InputDataError``) becomes its message on standard
error and the command's documented exit status.  An output that cannot be written
(``OutputError``, or the system refusing a write: no space, a read-only disk, no
permission) is exit status 4 for ``evaluate`` and ``convert`` and 2 for the others.  A
reader that leaves (``dtrun ... | head``) makes the rest of the output vanish, and the
command ends with the status it would have had.  SIGTERM and SIGHUP remove the temporary
file being written.  Anything else is a bug in dtrun and becomes one line that says so,
with the traceback only under ``dtrun --debug``.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from engine._core import place

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_WORKBOOK, EXIT_DATA = 0, 1, 2, 3, 4
INPUT_TYPES = click.option(
    "--input-types", type=click.Choice(["declared", "cells"]), default="declared", show_default=True,
    help="declared: refuse a model whose cells test values of another type than their input declares "
         "(e.g. < 18 on a string input); cells: give such inputs the type their cells test, as dmn-scala "
         "and Camunda 8 do.")
DICTIONARY = click.option(
    "--dictionary", default=None, type=click.Path(dir_okay=False), metavar="FILE.xlsx",
    help="A WHO DAK's data dictionary (e.g. WHO-ANC.xlsx): the types and input options of the data elements a "
         "DAK's decision tables test (see docs/dak.md).")
HIT_POLICY = click.option(
    "--hit-policy", "hit_policy", default=None, metavar="CODE",
    type=click.Choice(["U", "A", "P", "F", "R", "O", "C", "C+", "C<", "C>", "C#"], case_sensitive=False),
    help="Every table's hit policy, whatever the file says (a DAK states none: dtrun evaluates it with C and "
         "lint checks it as U, with warnings).")
EXIT_INTERNAL = 70  # sysexits.h EX_SOFTWARE: an error in dtrun itself
OUTPUT_STATUS = {"evaluate": EXIT_DATA, "convert": EXIT_DATA}  # an output that cannot be written; else 2
# what the system may refuse for reasons of the machine, not of dtrun
ENVIRONMENT = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM,
                         errno.EIO, errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ETXTBSY})


def debugging() -> bool:
    """Was ``dtrun --debug`` given?"""
    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().params.get("debug"))


def fail(message: str, status: int) -> NoReturn:
    if debugging() and sys.exc_info()[0] is not None:
        traceback.print_exc()
    click.echo(message, err=True)
    sys.exit(status)


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Run a block with Python's cycle collector paused.  Loading and linting a model build and
    free millions of small objects by reference counting; the collector's passes over them
    took a quarter of ``dtrun lint`` on a 20,000-rule table (10.4 -> 7.8 s) and freed nothing
    (peak memory equal)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def guarded(action: Callable[[], Any]) -> Any:
    """Run ``action``; a workbook or data error becomes a message and an exit status."""
    from engine._core import InputDataError, WorkbookError

    try:
        return action()
    except WorkbookError as error:
        fail(str(error), EXIT_WORKBOOK)
    except InputDataError as error:
        fail(f"error: {error}", EXIT_DATA)


def echo_out(text: str) -> None:
    """``text`` on standard output, or a clear error (exit 2) when it is closed (``>&-``)."""
    from engine._core import OutputError, standard_output

    try:
        standard_output()
    except OutputError as error:
        fail(f"error: {error}", EXIT_USAGE)
    click.echo(text, nl=False)


def not_an_input(out: str | None, inputs: Iterable[tuple[str, str | Path]], option: str = "-o") -> None:
    """An output that is one of the files read (the same file, also through a link) is a
    usage error that names both: writing it would destroy what is being read."""
    if not out or out == "-":
        return
    for role, path in inputs:
        if _same_file(out, path):
            link = "" if os.path.abspath(out) == os.path.abspath(path) else " (the same file, through a link)"
            raise click.UsageError(f"{option} {out} names the {role} {path}{link}, which dtrun reads; writing it "
                                   "would destroy it. Give another output file")


def role(path: str | Path, before: str = "") -> str:
    """How a model file is named in a message: 'workbook' or 'DMN model' (with ``before``)."""
    kind = "DMN model" if str(path).lower().endswith(".dmn") else "workbook"
    return f"{before} {kind}".strip()


def _same_file(one: str | Path, other: str | Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except (OSError, ValueError):
        return False


def show_warnings(model: Any) -> None:
    """The loader's warnings (hidden sheets or rows, macros) on standard error, and the
    tables without rules (lint's empty-table error), which give no result for anyone."""
    for warning in model.warnings:
        click.echo(str(warning), err=True)
    source = model.source
    for table in model.tables:
        if not table.rules:
            where = place(model.workbook, *source.place(table.name, "A4"))
            click.echo(f"{where}: warning: {source.words.say('empty_table_warning', table=source.name(table.name))}",
                       err=True)


class Group(click.Group):
    """The ``dtrun`` group: an unexpected exception is reported as a bug in one line
    (exit 70), never as a bare traceback, unless ``--debug``, which may also be written
    after the command (``dtrun evaluate ... --debug``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--debug" in args[1:]:
            args = ["--debug", *(a for a in args if a != "--debug")]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from engine._core import OutputError, remove_on_signals, standard_streams

        remove_on_signals()
        with standard_streams():
            try:
                return super().invoke(ctx)
            except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
                raise
            except Exception as error:  # noqa: BLE001 - the last line of defence
                status = OUTPUT_STATUS.get(ctx.invoked_subcommand or "", EXIT_USAGE)
                if isinstance(error, OutputError):
                    fail(f"error: {error}", status)
                if isinstance(error, OSError) and error.errno in ENVIRONMENT:
                    where = f"{error.filename}: " if error.filename else ""
                    fail(f"error: {where}{(error.strerror or str(error)).lower()} (the system refused; check the "
                         "disk, the paths and their permissions)", status)
                if ctx.params.get("debug"):
                    raise
                fail(f"dtrun: internal error ({type(error).__name__}: {error}). This is a bug in dtrun, not in "
                     "your files; rerun with dtrun --debug ... and report the traceback", EXIT_INTERNAL)
