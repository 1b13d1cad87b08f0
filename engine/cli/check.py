"""``dtrun lint`` and ``dtrun test``: the checks a guideline group runs in CI."""

from __future__ import annotations

import sys

import click

from engine._core import place
from engine.cli.support import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, INPUT_TYPES
from engine.cli.support import echo_out as _echo_out
from engine.cli.support import fail as _fail
from engine.cli.support import guarded as _guarded
from engine.cli.support import not_an_input as _not_an_input
from engine.cli.support import role as _role
from engine.cli.support import show_warnings as _show_warnings
from engine.cli.support import without_cycle_collection as _without_cycle_collection


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              help="text (default, like a compiler), json, sarif (code-scanning) or github (annotations).")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("-o", "--output", "out", default=None, metavar="OUT", help="Write the report to OUT instead of stdout.")
@click.option("--annotate", "annotated", default=None, metavar="OUT.xlsx",
              help="Also write a copy of the workbook with each finding as a comment and a fill on its cells "
                   "(for several workbooks: an existing folder).")
@INPUT_TYPES
def lint(paths: tuple[str, ...], fmt: str, strict: bool, out: str | None, annotated: str | None,
         input_types: str) -> None:
    """Check workbooks and DMN models (or every .xlsx and .dmn in folders) for overlapping
    rules, missing rules (gaps), masked and redundant rules, type and value errors and
    malformed sheets.

    \b
    Exit status:
      0  no errors (and, with --strict, no warnings) but those waived in the Waivers sheet
      1  an error was found (or a warning, with --strict) that is not waived
      2  usage error, a file that cannot be read, or a report that cannot be written
    """
    from engine.analysis import lint_workbook
    from engine.formats import paths as model_paths
    from engine.review import render_findings

    workbooks = model_paths(paths)
    if not workbooks:
        _fail(f"error: no .xlsx workbook or .dmn model found in {', '.join(paths)}", EXIT_USAGE)
    _not_an_input(out, [(_role(path), path) for path in workbooks])
    if annotated:
        from pathlib import Path

        copies = [Path(annotated) / path.name for path in workbooks] if Path(annotated).is_dir() else [annotated]
        for copy in copies:
            _not_an_input(str(copy), [(_role(path), path) for path in workbooks], "--annotate")
    with _without_cycle_collection():
        findings = [f for path in workbooks for f in lint_workbook(path, input_types)]
    report = render_findings(findings, fmt)
    if out and out != "-":
        from engine._core import write_text

        write_text(out, report)  # an OutputError is exit status 2 (engine.cli.support)
    else:
        _echo_out(report)
    if annotated:
        from engine._core import InputDataError
        from engine.review import annotate_all

        try:
            for path in annotate_all(workbooks, findings, annotated):
                click.echo(f"dtrun: annotated copy written to {path}", err=True)
        except InputDataError as error:  # a bad --annotate target is a usage error
            _fail(f"error: {error}", EXIT_USAGE)
    if any(f.code == "unreadable" for f in findings):
        sys.exit(EXIT_USAGE)
    failing = {"error", "warning"} if strict else {"error"}  # a waived finding never counts
    sys.exit(EXIT_FINDINGS if any(f.severity in failing and not f.waived for f in findings) else EXIT_OK)


@click.command("test")
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--allow-empty", is_flag=True, help="Pass a workbook without test cases (by default it fails).")
@INPUT_TYPES
def test_command(workbooks: tuple[str, ...], allow_empty: bool, input_types: str) -> None:
    """Run the clinician test cases in each workbook's Tests sheet.

    Prints each failing case with the expected and actual result and why the result is what
    it is (no rule matched, and the nearest rule with the cells that failed; several rules
    matched; an input value that cannot be used; an upstream table without a result), a
    summary line 'N passed, N failed', and the rules that no test case fires (coverage).

    \b
    Exit status:
      0  every case passed
      1  no case ran (a workbook without test cases, unless --allow-empty), or a case failed
      2  usage error (also: standard output is closed)
      3  a workbook cannot be used (also: an expected value that no result can equal)
    """
    from pathlib import Path

    _echo_out("")  # fails at once when standard output is closed

    from engine.formats import load
    from engine.review import run_tests, show_expected, show_value

    passed = failed = 0
    empty = False
    for path in workbooks:
        if Path(path).name.startswith("~$"):  # Excel's lock file beside a workbook that is open
            click.echo(f"{path}: skipped: Excel's lock file (the workbook is open in Excel)", err=True)
            continue
        model = _guarded(lambda path=path: load(path, input_types=input_types))
        _show_warnings(model)
        report = run_tests(model)
        source = model.source
        for failure in report.failures:
            reason = f": {failure.reason}" if failure.reason else ""
            click.echo(f"{path}:Tests!{failure.cell}: FAIL {failure.case.id}: {failure.column} "
                       f"expected {show_expected(failure)}, got {show_value(failure.actual)}{reason}")
        if not report.cases:
            empty = empty or not allow_empty
            click.echo(f"{path}: {'' if allow_empty else 'error: '}{source.words.no_tests}"
                       f"{'' if allow_empty else '; dtrun test --allow-empty passes a model without them'}")
        for table, ids in report.uncovered.items():
            where = place(path, *source.place(table))
            click.echo(f"{where}: no test case fires rule(s) {', '.join(source.rule_label(table, i) for i in ids)}")
        passed, failed = passed + report.passed, failed + report.failed
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(EXIT_FINDINGS if failed or empty else EXIT_OK)
