"""``dtrun explain``: one patient through a workbook's tables, and why each gave its result."""

from __future__ import annotations

import click

from engine.cli.support import EXIT_USAGE, INPUT_TYPES, echo_out, fail, guarded, show_warnings


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="An input's value, written as in a patient file's cell (empty: missing). Repeatable.")
@click.option("--record", default=None, metavar="JSON",
              help='The inputs as a JSON object, e.g. \'{"age": 40, "hr": "positive"}\' (--set values replace its).')
@click.option("--decision", "decisions", multiple=True, metavar="NAME",
              help="Explain only this table (and the tables it needs). Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="text (default) or json (for tools; its keys are in docs/review.md).")
@INPUT_TYPES
def explain(workbook: str, settings: tuple[str, ...], record: str | None, decisions: tuple[str, ...], fmt: str,
            input_types: str) -> None:
    """Evaluate one patient with WORKBOOK and show, per table in evaluation order, the input
    values, the rules that matched with their annotations (Reference, Guidance), the result,
    and for a table where no rule matched the nearest rules and the cells that failed.

    The nearest rules are those with the fewest failing input cells, then in rule order (as
    dtrun test says of a failing case).

    \b
    Exit status:
      0  explained (also when the patient's values have errors: they are shown)
      2  usage error (an unknown input name, --set without =, --record that is not a JSON object, an unknown
         --decision)
      3  the workbook cannot be used: every problem is listed on standard error
    """
    from engine._core import InputDataError
    from engine.evaluation import explain_record
    from engine.formats import load
    from engine.review import record_from, render_explanation

    model = guarded(lambda: load(workbook, input_types=input_types))
    show_warnings(model)
    names = [t.name for t in model.tables]
    for decision in decisions:
        if decision not in names:
            fail(f"error: --decision {decision} names no table of {workbook}; the tables are {', '.join(names)}",
                 EXIT_USAGE)
    try:
        values = record_from(model, settings, record)
    except InputDataError as error:
        fail(f"error: {error}", EXIT_USAGE)
    echo_out(render_explanation(model, explain_record(model, values, decisions), fmt))
