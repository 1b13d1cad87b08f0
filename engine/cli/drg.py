"""``dtrun evaluate MODEL.dmn PATIENTS`` for a DMN model that the decision tables cannot run
(BKMs, contexts, decision services, ...): each record through the whole model on the DRG
evaluator (``engine.files.drg_records``), written as CSV.

Owns when ``dtrun evaluate`` falls back to the DRG evaluator (a ``.dmn`` model that the table
path refuses only for constructs it does not run, problems ``dmn-unsupported``, never for an
author's error; that the DRG reader reads without a problem; pandas engine, CSV results, no
``--report`` nor ``--explain``) and the warning that says so.
"""

from __future__ import annotations

from typing import Any

import click

from engine.cli.support import guarded


def whole_model(workbook: str, refused: Any) -> Any:
    """The DRG of ``workbook`` when it is a DMN model that the DRG evaluator can run whole;
    None (the table path's refusal stands) otherwise."""
    problems = getattr(refused, "problems", ())
    if not workbook.lower().endswith(".dmn") or not problems or any(p.code != "dmn-unsupported" for p in problems):
        return None  # an author's error (a type mismatch, a cell that cannot be read) is told as always
    from engine._core import WorkbookError
    from engine.formats import read_drg

    try:
        graph = read_drg(workbook)
    except WorkbookError:
        return None
    if graph.problems:  # the author's own mistake (a FEEL text that does not parse, ...): say it first,
        for problem in graph.problems:  # or the table path's 'does not run' would be all they read
            click.echo(f"{workbook}: error: the DRG evaluator cannot run this model either: {problem}", err=True)
        return None
    first = problems[0].message
    click.echo(f"warning: {workbook}: the decision tables cannot run this model ({first}); each record runs "
               "through the whole model on the DRG evaluator (one record at a time)", err=True)
    return graph


def evaluate_whole(graph: Any, patients: str, out: str | None, fmt: str | None, decisions: tuple[str, ...],
                   options: Any, report: str | None, explain: bool) -> None:
    """Every record of ``patients`` through ``graph``; CSV to ``out`` (or standard output)."""
    from engine.files import evaluate_drg_file, write_results

    if report or explain or (fmt not in (None, "csv")) or (out and out != "-" and not out.lower().endswith(".csv")):
        raise click.UsageError(f"{graph.path} runs on the DRG evaluator, which writes CSV results only, without "
                               "--report or --explain; give -o FILE.csv or leave them out")
    frame, summary = guarded(lambda: evaluate_drg_file(graph, patients, decisions, options.encoding,
                                                       options.delimiter, options.na_values,
                                                       options.sheet))
    # as the table path writes CSV: texts Excel would run as formulas escaped (unless
    # --no-escape-formulas), the file written completely or not at all
    guarded(lambda: write_results(frame, out if out and out != "-" else None, "csv", options.escape_formulas))
    target = f" -> {out}" if out and out != "-" else ""
    click.echo(f"dtrun: {summary.rows} rows read, {summary.rows_with_errors} with errors (DRG evaluator){target}",
               err=True)
