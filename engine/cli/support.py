"""What every ``dtrun`` command shares: exit statuses, failing with one clear line, and
``--debug``.

A library error (``WorkbookError``, ``InputDataError``) becomes its message on standard
error and the command's documented exit status; anything else is a bug in dtrun and
becomes one line that says so, with the traceback only under ``dtrun --debug``.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

import click

from engine._core import place

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_WORKBOOK, EXIT_DATA = 0, 1, 2, 3, 4
INPUT_TYPES = click.option(
    "--input-types", type=click.Choice(["declared", "cells"]), default="declared", show_default=True,
    help="declared: refuse a model whose cells test values of another type than their input declares "
         "(e.g. < 18 on a string input); cells: give such inputs the type their cells test, as dmn-scala "
         "and Camunda 8 do.")
EXIT_INTERNAL = 70  # sysexits.h EX_SOFTWARE: an error in dtrun itself


def debugging() -> bool:
    """Was ``dtrun --debug`` given?"""
    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().params.get("debug"))


def fail(message: str, status: int) -> NoReturn:
    if debugging() and sys.exc_info()[0] is not None:
        traceback.print_exc()
    click.echo(message, err=True)
    sys.exit(status)


def guarded(action: Callable[[], Any]) -> Any:
    """Run ``action``; a workbook or data error becomes a message and an exit status."""
    from engine._core import InputDataError, WorkbookError

    try:
        return action()
    except WorkbookError as error:
        fail(str(error), EXIT_WORKBOOK)
    except InputDataError as error:
        fail(f"error: {error}", EXIT_DATA)


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
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if ctx.params.get("debug"):
                raise
            fail(f"dtrun: internal error ({type(error).__name__}: {error}). This is a bug in dtrun, not in "
                 "your files; rerun with dtrun --debug ... and report the traceback", EXIT_INTERNAL)
