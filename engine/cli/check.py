"""``dtrun lint`` and ``dtrun test``: the checks a guideline group runs in CI."""

from __future__ import annotations

import sys

import click

from engine._core import place
from engine.cli.support import DICTIONARY, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, HIT_POLICY, INPUT_TYPES
from engine.cli.support import echo_out as _echo_out
from engine.cli.support import fail as _fail
from engine.cli.support import guarded as _guarded
from engine.cli.support import not_an_input as _not_an_input
from engine.cli.support import role as _role
from engine.cli.support import show_warnings as _show_warnings
from engine.cli.support import without_cycle_collection as _without_cycle_collection


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "html", "markdown"]),
              default="text", help="text (default, like a compiler), json, sarif (code-scanning), github "
                                   "(annotations), or a report for guideline editors: html (a page) or markdown.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("-o", "--output", "out", default=None, metavar="OUT", help="Write the report to OUT instead of stdout.")
@click.option("--annotate", "annotated", default=None, metavar="OUT.xlsx",
              help="Also write a copy of the workbook with each finding as a comment and a fill on its cells "
                   "(for several workbooks: an existing folder).")
@INPUT_TYPES
@DICTIONARY
@HIT_POLICY
def lint(paths: tuple[str, ...], fmt: str, strict: bool, out: str | None, annotated: str | None,
         input_types: str, dictionary: str | None, hit_policy: str | None) -> None:
    """Check workbooks, DMN models and WHO DAKs (or every .xlsx and .dmn in folders) for
    overlapping rules, missing rules (gaps), masked and redundant rules, type and value
    errors and malformed sheets.

    \b
    Exit status:
      0  no errors (and, with --strict, no warnings) but those waived in the Waivers sheet
      1  an error was found (or a warning, with --strict) that is not waived
      2  usage error, a file that cannot be read, or a report that cannot be written
    """
    from engine.analysis import lint_file
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
        linted = [lint_file(path, input_types, dictionary, hit_policy) for path in workbooks]
    findings = [f for _, found in linted for f in found]
    report = render_findings(findings, fmt, [model for model, _ in linted if model is not None])
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
@click.option("--junit-xml", "junit", default=None, metavar="FILE",
              help="Also write the results as JUnit XML to FILE (one testcase per expected cell of a case), "
                   "for CI test reports.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="N",
              help="Fail (exit 1) when a workbook's rule coverage (rules fired by at least one case / rules) "
                   "is below N percent; 100 fails on any rule that no case fires.")
@INPUT_TYPES
def test_command(workbooks: tuple[str, ...], allow_empty: bool, junit: str | None, min_coverage: float | None,
                 input_types: str) -> None:
    """Run the clinician test cases in each workbook's Tests sheet.

    Prints each failing case with the expected and actual result and why the result is what
    it is (no rule matched, and the nearest rule with the cells that failed; several rules
    matched; an input value that cannot be used; an upstream table without a result), the
    rules that no test case fires, the rule coverage per table and in total (rules fired by
    at least one case / rules), and a summary line 'N passed, N failed'.

    \b
    Exit status:
      0  every case passed
      1  no case ran (a workbook without test cases, unless --allow-empty), a case failed,
         or a workbook's rule coverage is below --min-coverage
      2  usage error (also: standard output is closed; --junit-xml names a workbook; the
         JUnit XML cannot be written)
      3  a workbook cannot be used (also: an expected value that no result can equal)
    """
    from pathlib import Path

    _not_an_input(junit, [(_role(path), path) for path in workbooks], "--junit-xml")
    _echo_out("")  # fails at once when standard output is closed

    from engine.formats import load
    from engine.review import JunitSuite, failure_message, run_tests

    passed = failed = 0
    empty = below = False
    suites = []
    for path in workbooks:
        if Path(path).name.startswith("~$"):  # Excel's lock file beside a workbook that is open
            click.echo(f"{path}: skipped: Excel's lock file (the workbook is open in Excel)", err=True)
            continue
        model = _guarded(lambda path=path: load(path, input_types=input_types))
        _show_warnings(model)
        report = run_tests(model)
        suite = JunitSuite(path, report)
        source = model.source
        for failure in report.failures:
            click.echo(f"{path}:Tests!{failure.cell}: FAIL {failure.case.id}: {failure_message(failure)}")
        if not report.cases:
            empty = empty or not allow_empty
            click.echo(f"{path}: {'' if allow_empty else 'error: '}{source.words.no_tests}"
                       f"{'' if allow_empty else '; dtrun test --allow-empty passes a model without them'}")
            if not allow_empty:
                suite.problems.append(("test cases", source.words.no_tests))
        for table, ids in report.uncovered.items():
            where = place(path, *source.place(table))
            click.echo(f"{where}: no test case fires rule(s) {', '.join(source.rule_label(table, i) for i in ids)}")
        fired, rules = report.coverage()
        if rules:
            tables = ", ".join(f"{source.name(t)} {_ratio(*report.coverage(t))}" for t, n in report.rules.items() if n)
            click.echo(f"{path}: rule coverage {fired * 100 // rules}% ({fired} of {rules} rules fired by a case); "
                       f"per table: {tables}")
        if min_coverage is not None and fired * 100 < min_coverage * rules:
            below = True
            message = (f"rule coverage {_ratio(fired, rules)} is below --min-coverage {min_coverage:g}%; add test "
                       "cases that fire the rules listed above")
            click.echo(f"{path}: error: {message}")
            suite.problems.append(("rule coverage", message))
        suites.append(suite)
        passed, failed = passed + report.passed, failed + report.failed
    if junit:
        from engine._core import write_text
        from engine.review import render_junit

        write_text(junit, render_junit(suites))  # an OutputError is exit status 2 (engine.cli.support)
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(EXIT_FINDINGS if failed or empty or below else EXIT_OK)


def _ratio(fired: int, rules: int) -> str:
    """``P% (fired/rules)``, the percentage rounded down so that 100% means every rule."""
    return f"{fired * 100 // rules}% ({fired}/{rules})" if rules else "0/0"
