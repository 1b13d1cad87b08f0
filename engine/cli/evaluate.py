"""``dtrun evaluate``: a patient file (or a Dask dataset) through a workbook's tables, to a result file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from engine.cli.support import DICTIONARY, EXIT_USAGE, HIT_POLICY, INPUT_TYPES
from engine.cli.support import fail as _fail
from engine.cli.support import guarded as _guarded
from engine.cli.support import not_an_input as _not_an_input
from engine.cli.support import role as _role
from engine.cli.support import show_warnings as _show_warnings


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.argument("patients", type=click.Path())
@click.option("-o", "--output", "out", default=None, metavar="OUT",
              help="Result file (with --engine dask: a folder); '-' or nothing writes CSV to standard output.")
@click.option("--decision", "decisions", multiple=True, metavar="NAME",
              help="Evaluate only this table (and the tables it needs). Repeatable.")
@click.option("--explain", is_flag=True,
              help="Add <table>.reference and <table>.guidance: the fired rules' Reference and Guidance annotations.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet", "xlsx"]), default=None,
              help="Output format (default: from OUT's extension, else csv).")
@click.option("--na-values", default="", metavar="LIST",
              help="Comma-separated texts that also mean 'missing' (default: only an empty field).")
@click.option("--encoding", default=None,
              help="Encoding of a CSV file (default: decided on the whole file: UTF-8, else cp1252).")
@click.option("--delimiter", default=None, callback=lambda ctx, param, value: _delimiter(value),
              help="CSV delimiter, one character; \\t or tab for a tab (default: detected from the header line).")
@click.option("--sheet", default=None, metavar="NAME",
              help="Of an Excel patient file (.xlsx): the sheet of patients (default: the first).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None, metavar="ROWS",
              help="Read, evaluate and write this many rows at a time, so memory stays bounded.")
@click.option("--no-escape-formulas", "keep_formulas", is_flag=True,
              help="Do not prefix CSV texts that start with = + - @ with a ' (Excel would run them).")
@click.option("--engine", type=click.Choice(["pandas", "dask"]), default="pandas", show_default=True,
              help="dask: evaluate partition by partition on a Dask cluster (needs dtrun[dask]); "
                   "PATIENTS may be a Parquet folder or a glob, and -o names a folder of Parquet files.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="With --engine dask: an existing Dask scheduler (e.g. tcp://host:8786) instead of a local cluster.")
@click.option("--partitions", type=click.IntRange(min=1), default=None, metavar="N",
              help="With --engine dask: split the input into N partitions (one output file each).")
@click.option("--report", type=click.Path(dir_okay=False, allow_dash=False), default=None, metavar="HTML",
              help="Also write the population view as a static HTML page: per table the patients each rule fired "
                   "for, gaps, overlaps, conflicts, errors, and the distribution of each output.")
@INPUT_TYPES
@DICTIONARY
@HIT_POLICY
def evaluate(workbook: str, patients: str, out: str | None, decisions: tuple[str, ...], explain: bool,
             fmt: str | None, na_values: str, encoding: str | None, delimiter: str | None, sheet: str | None,
             chunk_size: int | None, keep_formulas: bool, engine: str, scheduler: str | None,
             partitions: int | None, report: str | None, input_types: str,
             dictionary: str | None, hit_policy: str | None) -> None:
    """Evaluate PATIENTS (CSV, Parquet, JSON lines (.jsonl: one object per line), or an Excel
    sheet: row 1 the column names) with the decision tables of WORKBOOK.

    The output has one row per patient, in the input's order, with all input columns,
    then <table>.<output> and <table>.rules for every table, then _errors, _warnings
    and _model. A row with a bad value is kept, with the reason in _errors. The output
    file is written completely or not at all.

    With --engine dask, PATIENTS is a Parquet file, folder or glob, or a CSV file or glob
    (one partition per CSV file), and OUT a folder that receives part.NNNNN.parquet per
    partition, in the input's order, written completely or not at all.

    With --report HTML, the counts of the population view (docs/serve.md) are written to
    HTML as a page that stands alone, after the results (also when they go to standard
    output).

    A DMN model (MODEL.dmn) that the decision tables cannot run only because it uses
    constructs beyond them (business knowledge models, boxed contexts, literal-expression
    decisions, decision services, ...) runs record by record on the DRG evaluator, with a
    warning: one column per decision, <decision>.<entry> for a context's entries, lists as
    JSON, then _errors; CSV output only, without --report, --explain or --engine dask
    (docs/dmn.md).

    \b
    Exit status:
      0  evaluated (even if some rows have errors: see _errors)
      2  usage error (bad option or argument; -o names an input)
      3  the workbook cannot be used (every problem is listed)
      4  the patient file cannot be used (unreadable, or a required column is missing), or the output cannot
         be written
    """
    from engine.files import Options, Reading, evaluate_file, format_for

    _check_engine_options(engine, out, fmt, chunk_size, scheduler, partitions)
    _check_output(out, fmt)
    _not_an_input(out, [(_role(workbook), workbook), ("patient file", patients)])
    _check_report(report, engine, out, workbook, patients)
    if engine == "dask":
        _not_holding_an_input(patients, out)
    options = Options(decisions, explain, tuple(na_values.split(",")), encoding, delimiter, chunk_size,
                      not keep_formulas, sheet)
    if engine == "pandas" and chunk_size is None and sys.stderr.isatty() and _size(patients) > LARGE_FILE:
        options = replace(options, chunk_size=AUTO_CHUNK)  # the same results, with progress shown
    reading = Reading(patients, options) if engine == "pandas" else None  # read while the workbook loads
    model = _loaded(workbook, input_types, dictionary, hit_policy, whole_dmn=engine == "pandas")
    if not hasattr(model, "tables"):  # a DMN model only the DRG evaluator runs
        from engine.cli.drg import evaluate_whole

        evaluate_whole(model, patients, out, fmt, decisions, options, report, explain)
        return
    _check_decisions(model, decisions)
    if engine == "dask":
        _evaluate_on_dask(model, patients, str(out), options, scheduler, partitions)
        return
    fmt = format_for(out, fmt)
    warn = lambda text: click.echo(f"warning: {patients}: {text}", err=True)  # noqa: E731
    tally = _tally(model, decisions) if report else None
    observe = tally.add if tally is not None else None
    with _progress(patients, options.chunk_size) as progress:
        summary = _guarded(lambda: evaluate_file(model, patients, out, fmt, options, progress, warn, reading,
                                                 observe))
    target = f" -> {out}" if out and out != "-" else ""
    if report and tally is not None:
        _write_report(report, tally.population(Path(patients).name, summary.warnings))
        target += f"; report -> {report}"
    click.echo(f"dtrun: {summary.rows} rows read{_encoding(summary)}, {summary.rows_with_errors} with errors, "
               f"{summary.rows_with_warnings} with warnings, {summary.seconds:.2f} s{target}", err=True)


def _check_report(report: str | None, engine: str, out: str | None, workbook: str, patients: str) -> None:
    """--report: with the pandas engine only, never over an input nor over the results."""
    import os

    if not report:
        return
    if engine == "dask":
        raise click.UsageError("--report needs --engine pandas: it counts the records as this process evaluates "
                               "them, and a Dask cluster evaluates them elsewhere; leave out --engine dask to have "
                               "the report")
    _not_an_input(report, [(_role(workbook), workbook), ("patient file", patients)], "--report")
    if out and out != "-" and os.path.abspath(out) == os.path.abspath(report):
        raise click.UsageError(f"--report {report} names the result file -o {out}; give the report another name, "
                               "such as report.html")


def _tally(model: Any, decisions: tuple[str, ...]) -> Any:
    from engine.model import selected_tables
    from engine.review import Tally

    return Tally(model, selected_tables(model, decisions))


def _write_report(report: str, population: Any) -> None:
    """The population page, written atomically (exit 4 when it cannot be written)."""
    from engine._core import write_text
    from engine.review import render_population

    write_text(report, render_population(population))


def _loaded(workbook: str, input_types: str, dictionary: str | None = None, hit_policy: str | None = None,
            whole_dmn: bool = False) -> Any:
    """The workbook's model (or exit 3) with its warnings shown.  What exists by then (the
    libraries, the model) lives as long as the command: it is left out of the garbage
    collector's passes (gc.freeze), which otherwise walk it again and again while the
    rows are evaluated (about 0.1 s per million records).  With ``whole_dmn``, a DMN model the
    tables cannot run but the DRG evaluator can is returned as its DRG (``engine.cli.drg``)."""
    import gc

    from engine._core import WorkbookError
    from engine.formats import load

    def attempt() -> Any:
        try:
            return load(workbook, input_types=input_types, dictionary=dictionary, hit_policy=hit_policy)
        except WorkbookError as error:
            from engine.cli.drg import whole_model

            graph = whole_model(workbook, error) if whole_dmn and dictionary is None else None
            if graph is None:
                raise
            return graph

    model = _guarded(attempt)
    if not hasattr(model, "tables"):
        return model
    _show_warnings(model)
    gc.freeze()
    return model


def _check_output(out: str | None, fmt: str | None) -> None:
    """An output dtrun cannot write is a usage error, found before any work is done."""
    from pathlib import Path

    suffix = Path(out).suffix.lower() if out and out != "-" else ""
    if suffix in (".xlsm", ".xls", ".ods") and fmt is None:
        raise click.UsageError(f"{out}: dtrun writes CSV, JSON, Parquet or .xlsx workbooks; write "
                               f"{Path(out).with_suffix('.xlsx').name}")
    if (fmt == "parquet" or suffix in (".parquet", ".pq")) and (not out or out == "-"):
        raise click.UsageError("Parquet cannot be written to standard output; give -o FILE.parquet")
    if (fmt == "xlsx" or suffix == ".xlsx") and (not out or out == "-"):
        raise click.UsageError("An Excel workbook cannot be written to standard output; give -o FILE.xlsx")


def _check_decisions(model: Any, decisions: tuple[str, ...]) -> None:
    """A --decision that names no table is a usage error, with the closest table name."""
    import difflib

    names = [t.name for t in model.tables]
    for decision in decisions:
        if decision not in names:
            close = difflib.get_close_matches(decision.lower(), names, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}? " if close else ""
            raise click.UsageError(f"{model.workbook} has no decision table named {decision}; {hint}"
                                   f"the tables are {', '.join(names)}")


def _check_engine_options(engine: str, out: str | None, fmt: str | None, chunk_size: int | None,
                          scheduler: str | None, partitions: int | None) -> None:
    """Options that belong to one engine only are usage errors with the other."""
    if engine == "pandas":
        if scheduler or partitions:
            raise click.UsageError("--scheduler and --partitions need --engine dask")
        return
    if not out or out == "-":
        raise click.UsageError("--engine dask writes a folder of Parquet files; give -o OUT_DIR/")
    if fmt not in (None, "parquet"):
        raise click.UsageError("--engine dask writes Parquet only; leave out --format (or give --format parquet)")
    if chunk_size:
        raise click.UsageError("--chunk-size is for --engine pandas; with --engine dask, give --partitions N")


def _evaluate_on_dask(model: Any, patients: str, out: str, options: Any, scheduler: str | None,
                      partitions: int | None) -> None:
    """The dask engine: the checks and the summary line of the pandas engine; a cluster
    that cannot be reached is a usage error (the --scheduler address)."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as error:
        _fail(f"error: --engine dask needs Dask ({error}); install it with pip install 'dtrun[dask]'", EXIT_USAGE)
    from engine.files import ClusterError, evaluate_to_folder

    warn = lambda text: click.echo(f"warning: {patients}: {text}", err=True)  # noqa: E731
    try:
        summary = _guarded(lambda: evaluate_to_folder(model, patients, out, options, partitions, scheduler,
                                                      sys.stderr.isatty(), warn))
    except ClusterError as error:
        _fail(f"error: {error}", EXIT_USAGE)
    click.echo(f"dtrun: {summary.rows} rows read{_encoding(summary)}, {summary.rows_with_errors} with errors, "
               f"{summary.rows_with_warnings} with warnings, {summary.seconds:.2f} s -> {out}", err=True)


def _encoding(summary: Any) -> str:
    """' (encoding cp1252)' when the file was not read as UTF-8 (nothing for UTF-8)."""
    return f" (encoding {summary.encoding})" if summary.encoding else ""


def _delimiter(value: str | None) -> str | None:
    """--delimiter: one character (\\t or tab for a tab), not a quote or a line break."""
    if value is None:
        return None
    value = "\t" if value in ("\\t", "tab", "TAB") else value
    if len(value) != 1 or value in ('"', "\n", "\r"):
        raise click.BadParameter(f"{value!r} cannot separate CSV fields: give one character such as ';', '|' or "
                                 "\\t (a tab), not a quote or a line break")
    return value


def _not_holding_an_input(patients: str, out: str | None) -> None:
    """With --engine dask, -o names a folder that is replaced as a whole: it must not hold
    the files being read."""
    import glob
    from pathlib import Path

    if not out or not Path(out).is_dir():
        return
    folder = Path(out).resolve()
    found = [patients] if Path(patients).is_dir() else glob.glob(patients, recursive=True)
    for name in found:
        if folder == Path(name).resolve() or folder in Path(name).resolve().parents:
            raise click.UsageError(f"-o {out} is the folder that holds the patient file {name}; it is replaced as a "
                                   "whole, so writing it would destroy what dtrun reads. Give another output folder")


LARGE_FILE = 64 << 20  # bytes: above this, a terminal gets a progress bar
AUTO_CHUNK = 250_000  # rows per chunk when dtrun chunks on its own to show progress


def _size(path: str) -> int:
    from pathlib import Path

    return Path(path).stat().st_size if Path(path).is_file() else 0


class _progress:
    """A progress bar on standard error when it is a terminal and the work comes in chunks."""

    def __init__(self, patients: str, chunk_size: int | None) -> None:
        self.bar: Any = None
        if chunk_size and sys.stderr.isatty():
            estimate = max(1, _size(patients) // 100)  # about 100 bytes a row; the bar only needs a scale
            self.bar = click.progressbar(length=estimate, label="evaluating", file=sys.stderr)

    def __enter__(self) -> Callable[[int], None] | None:
        if self.bar is None:
            return None
        self.bar.__enter__()
        return lambda rows: self.bar.update(rows)

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


