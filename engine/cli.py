"""The ``dtrun`` command: a thin Click layer over the library API.

Each command parses its options, calls the library, and turns ``DtrunError``s into one
clear message on standard error and a documented exit status.  Heavy imports happen
inside the commands, so that ``dtrun --help`` and ``dtrun --version`` start fast.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import Any, Callable

import click

from engine import __version__
from engine.cli_support import (  # noqa: F401 - the exit statuses are part of this module's API
    EXIT_DATA,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WORKBOOK,
    Group,
)
from engine.cli_support import fail as _fail
from engine.cli_support import guarded as _guarded
from engine.cli_support import show_warnings as _show_warnings


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dtrun")
@click.option("--debug", is_flag=True, help="On an error, also show the Python traceback (for bug reports).")
def main(debug: bool) -> None:
    """Apply DMN-style decision tables kept in Excel workbooks to patient records,
    and check the tables for overlapping rules, missing rules and other defects."""
    # dtrun does no linear algebra: without this, numpy's OpenBLAS starts a thread per core
    # that spins while idle, and took the second core from pyarrow's threads (0.3-0.8 s of
    # system time per million records evaluated).  Set before numpy is first imported.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@main.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.argument("patients", type=click.Path())
@click.option("-o", "--output", "out", default=None, metavar="OUT",
              help="Result file (with --engine dask: a folder); '-' or nothing writes CSV to standard output.")
@click.option("--decision", "decisions", multiple=True, metavar="NAME",
              help="Evaluate only this table (and the tables it needs). Repeatable.")
@click.option("--explain", is_flag=True, help="Add <table>.reference with the fired rules' references.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), default=None,
              help="Output format (default: from OUT's extension, else csv).")
@click.option("--na-values", default="", metavar="LIST",
              help="Comma-separated texts that also mean 'missing' (default: only an empty field).")
@click.option("--encoding", default=None, help="Encoding of a CSV file (default: UTF-8, else cp1252).")
@click.option("--delimiter", default=None, help="CSV delimiter (default: detected from the header line).")
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
def evaluate(workbook: str, patients: str, out: str | None, decisions: tuple[str, ...], explain: bool,
             fmt: str | None, na_values: str, encoding: str | None, delimiter: str | None,
             chunk_size: int | None, keep_formulas: bool, engine: str, scheduler: str | None,
             partitions: int | None) -> None:
    """Evaluate PATIENTS (CSV or Parquet) with the decision tables of WORKBOOK.

    The output has one row per patient, in the input's order, with all input columns,
    then <table>.<output> and <table>.rules for every table, then _errors, _warnings
    and _model. A row with a bad value is kept, with the reason in _errors. The output
    file is written completely or not at all.

    With --engine dask, PATIENTS is a Parquet file, folder or glob, or a CSV file or glob
    (one partition per CSV file), and OUT a folder that receives part.NNNNN.parquet per
    partition, in the input's order, written completely or not at all.

    \b
    Exit status:
      0  evaluated (even if some rows have errors: see _errors)
      2  usage error (bad option or argument)
      3  the workbook cannot be used (every problem is listed)
      4  the patient file cannot be used (unreadable, or a required column is missing)
    """
    from engine.pipeline import Options, Reading, evaluate_file
    from engine.results import format_for

    _check_engine_options(engine, out, fmt, chunk_size, scheduler, partitions)
    _check_output(out, fmt)
    options = Options(decisions, explain, tuple(na_values.split(",")), encoding, delimiter, chunk_size,
                      not keep_formulas)
    if engine == "pandas" and chunk_size is None and sys.stderr.isatty() and _size(patients) > LARGE_FILE:
        options = replace(options, chunk_size=AUTO_CHUNK)  # the same results, with progress shown
    reading = Reading(patients, options) if engine == "pandas" else None  # read while the workbook loads
    model = _loaded(workbook)
    _check_decisions(model, decisions)
    if engine == "dask":
        _evaluate_on_dask(model, patients, str(out), options, scheduler, partitions)
        return
    fmt = format_for(out, fmt)
    warn = lambda text: click.echo(f"warning: {patients}: {text}", err=True)  # noqa: E731
    with _progress(patients, options.chunk_size) as progress:
        summary = _guarded(lambda: evaluate_file(model, patients, out, fmt, options, progress, warn, reading))
    target = f" -> {out}" if out and out != "-" else ""
    click.echo(f"dtrun: {summary.rows} rows read, {summary.rows_with_errors} with errors, "
               f"{summary.rows_with_warnings} with warnings, {summary.seconds:.2f} s{target}", err=True)


def _loaded(workbook: str) -> Any:
    """The workbook's model (or exit 3) with its warnings shown.  What exists by then (the
    libraries, the model) lives as long as the command: it is left out of the garbage
    collector's passes (gc.freeze), which otherwise walk it again and again while the
    rows are evaluated (about 0.1 s per million records)."""
    import gc

    from engine import load_workbook

    model = _guarded(lambda: load_workbook(workbook))
    _show_warnings(model)
    gc.freeze()
    return model


def _check_output(out: str | None, fmt: str | None) -> None:
    """An output dtrun cannot write is a usage error, found before any work is done."""
    from pathlib import Path

    suffix = Path(out).suffix.lower() if out and out != "-" else ""
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods") and fmt is None:
        raise click.UsageError(f"{out}: dtrun writes CSV, JSON or Parquet, not Excel workbooks; write "
                               f"{Path(out).with_suffix('.csv').name} and open it in Excel")
    if (fmt == "parquet" or suffix in (".parquet", ".pq")) and (not out or out == "-"):
        raise click.UsageError("Parquet cannot be written to standard output; give -o FILE.parquet")


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
    from engine.scale import ClusterError, evaluate_to_folder

    warn = lambda text: click.echo(f"warning: {patients}: {text}", err=True)  # noqa: E731
    try:
        summary = _guarded(lambda: evaluate_to_folder(model, patients, out, options, partitions, scheduler,
                                                      sys.stderr.isatty(), warn))
    except ClusterError as error:
        _fail(f"error: {error}", EXIT_USAGE)
    click.echo(f"dtrun: {summary.rows} rows read, {summary.rows_with_errors} with errors, "
               f"{summary.rows_with_warnings} with warnings, {summary.seconds:.2f} s -> {out}", err=True)


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


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              help="text (default, like a compiler), json, sarif (code-scanning) or github (annotations).")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("-o", "--output", "out", default=None, metavar="OUT", help="Write the report to OUT instead of stdout.")
@click.option("--annotate", "annotated", default=None, metavar="OUT.xlsx",
              help="Also write a copy of the workbook with each finding as a comment and a fill on its cells "
                   "(for several workbooks: an existing folder).")
def lint(paths: tuple[str, ...], fmt: str, strict: bool, out: str | None, annotated: str | None) -> None:
    """Check workbooks and DMN models (or every .xlsx and .dmn in folders) for overlapping
    rules, missing rules (gaps), masked and redundant rules, type and value errors and
    malformed sheets.

    \b
    Exit status:
      0  no errors (and, with --strict, no warnings)
      1  an error was found (or a warning, with --strict)
      2  usage error, or a file that cannot be read
    """
    from engine.lint import lint_workbook, workbook_paths
    from engine.report import render

    workbooks = workbook_paths(paths)
    if not workbooks:
        _fail(f"error: no .xlsx workbook or .dmn model found in {', '.join(paths)}", EXIT_USAGE)
    findings = [f for path in workbooks for f in lint_workbook(path)]
    report = render(findings, fmt)
    if out:
        from pathlib import Path

        from engine.results import atomic_path

        with atomic_path(Path(out)) as temporary:
            temporary.write_text(report, encoding="utf-8")
    else:
        click.echo(report, nl=False)
    if annotated:
        from engine.annotate import annotate_all
        from engine.errors import InputDataError

        try:
            for path in annotate_all(workbooks, findings, annotated):
                click.echo(f"dtrun: annotated copy written to {path}", err=True)
        except InputDataError as error:  # a bad --annotate target is a usage error
            _fail(f"error: {error}", EXIT_USAGE)
    if any(f.code == "unreadable" for f in findings):
        sys.exit(EXIT_USAGE)
    failing = {"error", "warning"} if strict else {"error"}
    sys.exit(EXIT_FINDINGS if any(f.severity in failing for f in findings) else EXIT_OK)


@main.command("test")
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False))
def test_command(workbooks: tuple[str, ...]) -> None:
    """Run the clinician test cases in each workbook's Tests sheet.

    Prints each failing case with the expected and actual result, a summary line
    'N passed, N failed', and the rules that no test case fires (coverage).

    \b
    Exit status:
      0  every case passed
      1  a case failed
      3  a workbook cannot be used
    """
    from pathlib import Path

    from engine import load_workbook
    from engine.testing import run_tests, show, show_expected

    passed = failed = 0
    for path in workbooks:
        if Path(path).name.startswith("~$"):  # Excel's lock file beside a workbook that is open
            click.echo(f"{path}: skipped: Excel's lock file (the workbook is open in Excel)", err=True)
            continue
        model = _guarded(lambda: load_workbook(path))
        _show_warnings(model)
        report = run_tests(model, list(model.tests))
        for failure in report.failures:
            click.echo(f"{path}:Tests!{failure.cell}: FAIL {failure.case.id}: {failure.column} "
                       f"expected {show_expected(failure)}, got {show(failure.actual)}")
        if not report.cases:
            click.echo(f"{path}: no test cases (add a Tests sheet: see docs/workbook-format.md)")
        for table, ids in report.uncovered.items():
            click.echo(f"{path}:{table}: no test case fires rule(s) {', '.join(ids)}")
        passed, failed = passed + report.passed, failed + report.failed
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


from engine.cli_dmn import convert  # noqa: E402 - commands of their own modules
from engine.cli_review import diff, new, show  # noqa: E402

for _command in (convert, new, show, diff):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
