"""``dtrun convert``: a workbook to a DMN file and back (a thin Click layer).

``dtrun convert WORKBOOK.xlsx OUT.dmn [--dmn-version 1.3|1.4|1.5]`` writes the DMN model of a
workbook (``engine.formats.dmn.export``); ``dtrun convert MODEL.dmn OUT.xlsx`` writes the workbook of a
DMN model (``engine.formats.dmn.importer``).  Both check the model first, exactly as ``dtrun evaluate``
does, and write the output atomically.  Registered on the ``dtrun`` group in ``engine/cli.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.cli.support import (
    DICTIONARY,
    EXIT_USAGE,
    HIT_POLICY,
    INPUT_TYPES,
    fail,
    guarded,
    not_an_input,
    role,
    show_warnings,
)


@click.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.argument("target", type=click.Path(dir_okay=False))
@click.option("--dmn-version", "version", type=click.Choice(["1.3", "1.4", "1.5"]), default="1.3", show_default=True,
              help="DMN version of the file written (1.3 is read by Camunda Modeler, dmn-js and most engines).")
@INPUT_TYPES
@DICTIONARY
@HIT_POLICY
def convert(source: str, target: str, version: str, input_types: str, dictionary: str | None,
            hit_policy: str | None) -> None:
    """Convert WORKBOOK.xlsx to a DMN file, or MODEL.dmn to a workbook; a WHO DAK (its
    decision-logic workbook or .dmn file) to a dtrun workbook or to DMN.

    \b
    Exit status:
      0  converted
      2  usage error (e.g. not .xlsx to .dmn or .dmn to .xlsx, or TARGET is SOURCE)
      3  the workbook or DMN model cannot be used (every problem is listed)
      4  the output cannot be written (its folder is missing or read-only, the disk is full)
    """
    from engine.formats import kind_of

    kinds = (Path(source).suffix.lower(), Path(target).suffix.lower())
    dak = kinds[1] in (".xlsx", ".dmn") and kinds[0] in (".xlsx", ".dmn") and kind_of(source) in ("dak", "dak-dmn")
    if kinds not in ((".xlsx", ".dmn"), (".dmn", ".xlsx")) and not dak:
        fail(f"error: dtrun convert turns a .xlsx workbook into a .dmn file or a .dmn file into a .xlsx "
             f"workbook, not {kinds[0] or 'a file without extension'} into {kinds[1] or 'a file without extension'}",
             EXIT_USAGE)
    not_an_input(target, [(role(source), source)], "TARGET")
    from engine.formats import convert as converted

    model = guarded(lambda: converted(source, target, version, input_types, dictionary=dictionary,
                                      hit_policy=hit_policy))
    show_warnings(model)
    if target.lower().endswith(".dmn") and model.tests:
        click.echo(f"warning: {source}: its {len(model.tests)} test cases (Tests sheet) are not written to {target}: "
                   "DMN has no place for them; keep running dtrun test on the workbook", err=True)
    if target.lower().endswith(".dmn") and model.waivers:
        click.echo(f"warning: {source}: its {len(model.waivers)} waiver(s) (Waivers sheet) are not written to "
                   f"{target}: DMN has no place for them, so dtrun lint on the DMN model reports those findings; "
                   "keep running dtrun lint on the workbook", err=True)
    click.echo(f"dtrun: {source} -> {target} ({len(model.tables)} tables, "
               f"{sum(len(t.rules) for t in model.tables)} rules)", err=True)
    sys.exit(0)
